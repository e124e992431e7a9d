"""The frame every workflow script runs in: logging, timing, and clean failure on bad input."""

from __future__ import annotations

import logging
import os
import resource
import signal
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from threadpoolctl import threadpool_limits

from modelprep import env
from modelprep.errors import InputError, PublishFailed, VariantsFailed
from modelprep.files import save_json

LOG_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
# Failures whose message says everything: shown without a traceback.
EXPECTED_FAILURES = (InputError, PublishFailed, VariantsFailed)

log = logging.getLogger("modelprep")


def usage() -> dict:
    """CPU seconds of this process and of the children it waited for (the lyrics workers), and
    the peaks of each (Linux reports ru_maxrss in KiB): exact, where Snakemake's benchmark
    samples every 30 s (see jobstats)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_s": round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 3),
        "peak_mib": round(own.ru_maxrss / 1024, 1),
        "children_peak_mib": round(children.ru_maxrss / 1024, 1),
    }


def stop_on_sigterm(signum, _frame):
    """SIGTERM becomes SystemExit, so cleanup (publication's undo, temporaries) still runs."""
    raise SystemExit(128 + signum)


def configure_logging(log_path: str | None, level: str) -> None:
    """Everything at ``level`` into the job's log file; WARNING and above also on the console."""
    console = logging.StreamHandler(sys.__stderr__)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("modelprep %(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    if log_path:
        os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
        handlers[-1].setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=handlers, force=True)
    logging.captureWarnings(True)
    # hdbscan 0.8.40 still passes scikit-learn 1.6 a renamed argument; harmless until 1.8.
    warnings.filterwarnings(
        "ignore", message="'force_all_finite' was renamed", category=FutureWarning
    )


class Record:
    """This job's record under ``processed/failures/``: written as ``running`` when the job
    starts, replaced by its failure (rule, variant, error class, message) when it fails, removed
    when it succeeds. startup.py reads these, never Snakemake's console text; a record still
    ``running`` after the run means the job was killed without a word (SIGKILL, out of memory).
    """

    def __init__(self, rule: str, variant: str | None, name: str | None = None):
        self.fields = {"rule": rule, "variant": variant, "run_id": env.run_id()}
        self.path = env.paths_from_env().failure(rule, name or variant or rule)

    def write(self, state: str, error: BaseException | None = None) -> None:
        detail = {"error_class": type(error).__name__, "message": str(error)} if error else {}
        save_json({**self.fields, "state": state, "pid": os.getpid(), **detail}, self.path)

    def clear(self) -> None:
        Path(self.path).unlink(missing_ok=True)


@contextmanager
def job(snakemake, step: str, owner: str | None = None):
    """Run one step of a Snakemake job, recording how it ends (see ``Record``) for its
    variant, or for ``owner`` (the lyrics jobs report as ``lyrics``).

    Bad input ends the job with its message on the console and exit status 1, no traceback;
    anything else is logged with its traceback (in the job's log) and re-raised. BLAS gets the
    threads the job declares: OpenBLAS takes every core by default, and two one-thread fits
    side by side then spin against each other (a fit's GEMMs ran 1.5 times slower).
    """
    log_path = snakemake.log[0] if snakemake.log else None
    configure_logging(log_path, env.log_level_from_env())
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    name = snakemake.wildcards.get("variant") or snakemake.wildcards.get("model")
    variant = owner or name
    record = Record(step, variant, name)
    record.write("running")
    measures = _usage_file(step, log_path)
    log.info("%s [%s] started with %d threads", step, variant or "-", snakemake.threads)
    started = time.perf_counter()
    try:
        with threadpool_limits(limits=max(1, int(snakemake.threads))):
            yield
    except EXPECTED_FAILURES as exc:
        log.error("%s [%s] failed: %s", step, variant or "-", exc)
        record.write("failed", exc)
        sys.exit(1)
    except (SystemExit, KeyboardInterrupt) as exc:  # SIGTERM (see stop_on_sigterm) or Ctrl-C
        log.error("%s [%s] stopped", step, variant or "-")
        record.write("failed", RuntimeError(f"stopped ({type(exc).__name__} {exc})"))
        raise
    except Exception as exc:
        log.exception("%s [%s] failed unexpectedly; the log is %s", step, variant, log_path)
        record.write("failed", exc)
        raise
    record.clear()
    used = usage()
    if measures:
        save_json(used, measures)
    log.info(
        "%s [%s] done in %.1f s, %.1f s of CPU, peak memory %.0f MiB",
        step,
        variant or "-",
        time.perf_counter() - started,
        used["cpu_s"],
        used["peak_mib"],
    )


def _usage_file(step: str, log_path: str | None) -> str | None:
    """Where this job writes its measures (named like its log and benchmark files); an older
    one is removed first, so a job that fails leaves none to be paired with its new benchmark."""
    if not log_path:
        return None
    path = env.paths_from_env().usage(step, Path(log_path).stem)
    Path(path).unlink(missing_ok=True)
    return path
