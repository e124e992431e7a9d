"""The fits' numba code, compiled before a first run and shipped with the environment.

On an empty cache every fit job compiles the spanning-tree kernels (``mst_kernels``, 2 s) and,
on the kd_tree path, fast_hdbscan's Borůvka (23 s, twice that on a loaded machine; measured
in docs/operations.md). The image build and ``scripts/setup-venv.sh`` run
``python -m modelprep.build.fit.warmup``, which fits tiny data on every path into ``SHIPPED``
(the environment's share/, beside its NLTK data; read-only is fine), and each fit job first
copies what its own NUMBA_CACHE_DIR lacks (``seed``): numba writes its index beside its
entries, so that one must be writable. numba keys an entry by its source file (path, mtime,
size) and by NUMBA_CPU_NAME: the warm-up and the jobs run the same files with the same CPU name
(``env.settle_numba_cpu``), and an edited kernel compiles again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import make_blobs

from modelprep import env
from modelprep.files import link_or_copy

SHIPPED = Path(sys.prefix) / "share" / "modelprep" / "numba"
# The jobs' embeddings: basic, PCA and low-level column counts, in both float widths.
SHAPES = ((12, np.float64), (6, np.float32), (207, np.float64))
ROWS = 400
PARAMS = {"min_cluster_size": 10, "min_samples": 5, "prediction_data": True}


def warm_up(cache_dir: str | os.PathLike = SHIPPED) -> int:
    """Fit tiny data of the jobs' shapes on every spanning-tree path, compiling into
    ``cache_dir`` whatever it lacks; returns how many functions numba compiled (0: all cached).

    numba fixes a function's cache directory when its module is imported, so nothing in this
    process may have imported the engine before (checked).
    """
    cache_dir = Path(cache_dir).resolve()
    os.environ["NUMBA_CACHE_DIR"] = str(cache_dir)
    env.settle_numba_cpu()  # as every fit job does (steps.cluster)
    import numba
    from numba.core import event

    numba.config.reload_config()
    with event.install_recorder("numba:compile") as compiles:
        from modelprep.build.fit import engine, mst_kernels
        from modelprep.build.fit.internals import kd_tree_boruvka

        for kernel in (mst_kernels.screen, kd_tree_boruvka()[0]):
            if not Path(kernel.stats.cache_path).is_relative_to(cache_dir):
                raise RuntimeError(
                    f"{kernel.__name__} caches in {kernel.stats.cache_path}: warm up in a "
                    "process that has not imported modelprep's engine yet"
                )
        for columns, dtype in SHAPES:
            X, _ = make_blobs(ROWS, columns, centers=4, random_state=0)
            for path in engine.MST_ALGORITHMS:
                if path != "auto":
                    engine.fit(X.astype(dtype), PARAMS, seed=0, threads=1, path=path)
    return sum(1 for _, e in compiles.buffer if e.is_start)


def seed(cache_dir: str | os.PathLike, shipped: str | os.PathLike = SHIPPED) -> int:
    """Copy into ``cache_dir`` each function's entries from ``shipped`` where its index there
    is missing or older than the shipped one (its data first, the index last); returns how
    many functions. A job that compiled something since keeps its newer index."""
    copied = 0
    for index in sorted(Path(shipped).rglob("*.nbi")):
        target = Path(cache_dir) / index.relative_to(shipped)
        if target.exists() and target.stat().st_mtime >= index.stat().st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        for data in index.parent.glob(f"{index.stem}.*.nbc"):
            link_or_copy(data, target.parent / data.name, link=False)
        link_or_copy(index, target, link=False)
        copied += 1
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m modelprep.build.fit.warmup",
        description="Compile the fits' numba code into a cache directory.",
    )
    parser.add_argument("cache_dir", nargs="?", default=SHIPPED, help=f"default {SHIPPED}")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    compiled = warm_up(args.cache_dir)
    print(
        f"warm-up: {compiled} functions compiled into {args.cache_dir} in "
        f"{time.perf_counter() - started:.1f} s "
        f"for NUMBA_CPU_NAME={os.environ['NUMBA_CPU_NAME']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
