"""The environment variables, parsed in one place (the contract's, and the service's own).

Imports nothing heavy: the Snakefile reads these at parse time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from modelprep.errors import InputError
from modelprep.layout import Paths

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no", "")
# The service's own variables, set by startup.py for the Snakemake run it starts. Neither is a
# job parameter, so neither makes a job stale: a plain run after a forced one has nothing to do.
RUN_ID = "MODELPREP_RUN_ID"  # the run that is building, recorded in every config
# Lifts the publish guard for this run only: startup.py --force (or FORCE_REGENERATE) sets it.
# The lasting override is the config key publish.allow_track_drop (see docs/operations.md).
ALLOW_TRACK_DROP = "MODELPREP_ALLOW_TRACK_DROP"
# NUMBA_CPU_NAME unless set: numba keys compiled code by CPU name, so the fit jobs and the
# warm-up (modelprep.build.fit.warmup) use the same one, the x86-64 level of the host that runs
# the code (a cluster job's node, not the one that parsed the workflow). Code for
# "x86-64-v3" (AVX2, FMA; x86 CPUs since 2013-2015) computes and screens a block pair of the
# spanning tree's bounds 1.3x as fast as "generic" (x86-64 without AVX), which runs on any
# x86-64 host; the image ships both.
NUMBA_CPUS = ("x86-64-v3", "generic")
X86_64_V3_FLAGS = frozenset(
    "avx avx2 bmi1 bmi2 f16c fma abm movbe xsave cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3".split()
)


def numba_cpu(cpuinfo: str = "/proc/cpuinfo") -> str:
    """The CPU name the fits' numba code is compiled for on this host: "x86-64-v3" where every
    flag of that level is in ``cpuinfo``, else "generic"."""
    try:
        with open(cpuinfo) as lines:
            flags = next(
                (line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), []
            )
    except OSError:
        flags = []
    return NUMBA_CPUS[0] if X86_64_V3_FLAGS.issubset(flags) else NUMBA_CPUS[1]


def settle_numba_cpu() -> str:
    """This process's NUMBA_CPU_NAME: as set, else ``numba_cpu()``. numba reads it when first
    imported, so call this before: code compiled for a CPU the host lacks would crash it."""
    return os.environ.setdefault("NUMBA_CPU_NAME", numba_cpu())


def paths_from_env(env: Mapping[str, str] = os.environ) -> Paths:
    data = env.get("DATA_PATH") or "data"
    return Paths(
        data=data,
        raw=env.get("RAW_DATA_PATH") or f"{data}/raw",
        models=env.get("MODELS_PATH") or f"{data}/models",
    )


def check_paths(paths: Paths) -> None:
    """Refuse a path variable that names a file where a directory belongs, before any work."""
    for name, value in (
        ("DATA_PATH", paths.data),
        ("RAW_DATA_PATH", paths.raw),
        ("MODELS_PATH", paths.models),
    ):
        if os.path.exists(value) and not os.path.isdir(value):
            raise InputError(
                f"{name}={value!r} is a file, not a directory: point {name} at a directory "
                "(see the README's environment table)"
            )


def check_models_writable(models: str) -> None:
    """MODELS_PATH, or the nearest existing directory above it, must be writable by this user;
    found out before a build of minutes rather than at its publication.
    """
    directory = os.path.abspath(models)
    while not os.path.exists(directory):
        directory = os.path.dirname(directory)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(
            f"MODELS_PATH={models!r}: {directory} is not writable by this user (uid "
            f"{os.getuid()}); give the user write access there or point MODELS_PATH elsewhere. "
            "Nothing was built or published."
        )


def log_level_from_env(env: Mapping[str, str] = os.environ) -> str:
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise InputError(
            f"LOG_LEVEL={env.get('LOG_LEVEL')!r} is not one of {', '.join(LOG_LEVELS)}"
        )
    return level


def flag_from_env(name: str, env: Mapping[str, str] = os.environ) -> bool:
    """A boolean variable: true/1/yes or false/0/no/empty/unset; anything else is an error."""
    value = (env.get(name) or "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise InputError(
        f"{name}={env.get(name)!r} is not a boolean: use true/1/yes or false/0/no (or unset it)"
    )


def new_run_id() -> str:
    """Sortable and unique: the UTC start time and a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def run_id(env: Mapping[str, str] = os.environ) -> str:
    """The run that is building, set once per Snakemake invocation by the Snakefile."""
    return env.get(RUN_ID, "unknown")


def track_drop_allowed(env: Mapping[str, str] = os.environ) -> bool:
    """Whether this run may publish far fewer tracks than the published set has."""
    return flag_from_env(ALLOW_TRACK_DROP, env)


def marker_dir(env: Mapping[str, str] = os.environ) -> str:
    """MARKER_DIR: where startup.py writes its success or failure marker."""
    return env.get("MARKER_DIR") or "/tmp"


def export_to_jobs(checkout: str, paths: Paths) -> None:
    """What every job of this Snakemake run reads from its environment (none of it may make a
    job stale, so none of it is a parameter): the checkout's package first on PYTHONPATH, the
    log level, the run id, and numba's cache of compiled engine code kept between runs
    (site-packages may be read-only). Each fit job settles the CPU it compiles for itself
    (``settle_numba_cpu``): a cluster's nodes may differ from this one."""
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (checkout, os.environ.get("PYTHONPATH")) if p
    )
    os.environ["LOG_LEVEL"] = log_level_from_env()
    os.environ.setdefault(RUN_ID, new_run_id())
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.abspath(paths.numba_cache))
