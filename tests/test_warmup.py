"""The fits' numba code compiled ahead (modelprep.build.fit.warmup): a fit in another process,
its cache seeded from the warm-up, compiles nothing."""

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

from modelprep import env
from modelprep.build.fit import warmup

# A fit job's process: fits of other sizes than the warm-up's, on both paths. Prints every
# function numba compiled (numba's own compile events) and those it loaded from the cache.
FITS = """
import json, sys
from modelprep import env

env.settle_numba_cpu()  # as steps.cluster does, before numba loads
from numba.core import event
from numba.core.dispatcher import Dispatcher

with event.install_recorder("numba:compile") as compiles:
    import numpy as np
    from modelprep.build.fit import engine

    rng = np.random.default_rng(1)
    for rows, columns, path in ((3000, 12, "kd_tree"), (3000, 12, "exact_blocks"),
                                (1500, 60, "exact_blocks")):
        X = rng.normal(size=(rows, columns)) + rng.integers(0, 6, size=(rows, 1))
        params = {"min_cluster_size": 15, "min_samples": 7, "prediction_data": True}
        engine.fit(X, params, seed=0, threads=2, path=path)
loaded = {
    f"{f.py_func.__module__}.{f.__name__}"
    for name, module in list(sys.modules.items())
    if name.startswith(("modelprep", "fast_hdbscan"))
    for f in vars(module).values()
    if isinstance(f, Dispatcher) and f.stats.cache_hits
}
compiled = [e.data["dispatcher"].py_func.__qualname__ for _, e in compiles.buffer if e.is_start]
print(json.dumps({"compiled": compiled, "loaded": sorted(loaded)}))
"""


def index_files(cache) -> dict[str, bytes]:
    return {p.relative_to(cache).as_posix(): p.read_bytes() for p in cache.rglob("*.nb*")}


@pytest.mark.slow
def test_a_fit_after_the_warm_up_compiles_nothing(tmp_path):
    shipped, cache = tmp_path / "shipped", tmp_path / "job-cache"
    subprocess.run(
        [sys.executable, "-m", "modelprep.build.fit.warmup", str(shipped)],
        cwd=REPO,
        check=True,
        timeout=600,
    )
    assert warmup.seed(cache, shipped) > 0
    result = subprocess.run(
        [sys.executable, "-c", FITS],
        cwd=REPO,
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["compiled"] == []
    modules = {name.rsplit(".", 1)[0] for name in report["loaded"]}
    assert "modelprep.build.fit.mst_kernels" in modules
    assert any(m.startswith("fast_hdbscan.") for m in modules), modules
    assert index_files(cache) == index_files(shipped), "nothing was written to the cache"


@pytest.mark.unit
def test_seed_copies_what_the_cache_lacks_and_keeps_a_newer_index(tmp_path):
    shipped, cache = tmp_path / "shipped", tmp_path / "cache"
    kernels = shipped / "fit_0123"
    kernels.mkdir(parents=True)
    for name in ("k.f-1.py311.nbi", "k.f-1.py311.1.nbc", "k.g-9.py311.nbi", "k.g-9.py311.2.nbc"):
        (kernels / name).write_bytes(name.encode())
    assert warmup.seed(cache, tmp_path / "nothing shipped") == 0
    assert warmup.seed(cache, shipped) == 2
    assert index_files(cache) == index_files(shipped)
    assert warmup.seed(cache, shipped) == 0
    # A job compiled g since (its index is newer): kept. The environment warmed up f again
    # since (an edited kernel): its entries replace the job's older ones.
    job_index = cache / "fit_0123" / "k.g-9.py311.nbi"
    job_index.write_bytes(b"the job's")
    (kernels / "k.f-1.py311.1.nbc").write_bytes(b"recompiled")
    (kernels / "k.f-1.py311.nbi").write_bytes(b"new index")
    later = job_index.stat().st_mtime + 10
    for name in ("k.f-1.py311.nbi", "k.f-1.py311.1.nbc"):
        os.utime(kernels / name, (later, later))
    assert warmup.seed(cache, shipped) == 1
    assert job_index.read_bytes() == b"the job's"
    assert (cache / "fit_0123" / "k.f-1.py311.1.nbc").read_bytes() == b"recompiled"
    assert (cache / "fit_0123" / "k.f-1.py311.nbi").read_bytes() == b"new index"


V3_FLAGS = (
    "fpu sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt xsave avx f16c lahf_lm abm bmi1 avx2 bmi2"
)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (V3_FLAGS, "x86-64-v3"),
        (V3_FLAGS + " avx512f", "x86-64-v3"),
        (V3_FLAGS.replace(" avx2", ""), "generic"),  # Sandy Bridge: AVX without AVX2
        ("fpu sse2 ssse3", "generic"),
        (None, "generic"),  # no flags line: not x86 (aarch64 lists "Features")
    ],
)
def test_the_numba_cpu_is_the_hosts_x86_64_level(tmp_path, flags, expected):
    cpuinfo = tmp_path / "cpuinfo"
    lines = ["processor\t: 0", "model name\t: Some CPU"]
    cpuinfo.write_text("\n".join(lines + ([f"flags\t\t: {flags}"] if flags else [])) + "\n")
    assert env.numba_cpu(str(cpuinfo)) == expected
    assert env.numba_cpu(str(tmp_path / "missing")) == "generic"


@pytest.mark.unit
def test_a_fit_job_settles_its_own_cpu_and_keeps_one_that_is_set(monkeypatch, tmp_path):
    """Snakemake's process exports no CPU name (a cluster's nodes may differ from the one that
    parsed the workflow); each fit job takes its host's unless the user set one."""
    # A copy: export_to_jobs writes the run's variables (PYTHONPATH too) into os.environ.
    monkeypatch.setattr(
        os, "environ", {k: v for k, v in os.environ.items() if k != "NUMBA_CPU_NAME"}
    )
    env.export_to_jobs(str(tmp_path), env.paths_from_env({"DATA_PATH": str(tmp_path)}))
    assert "NUMBA_CPU_NAME" not in os.environ
    assert env.settle_numba_cpu() == env.numba_cpu() == os.environ["NUMBA_CPU_NAME"]
    os.environ["NUMBA_CPU_NAME"] = "generic"
    assert env.settle_numba_cpu() == "generic"
