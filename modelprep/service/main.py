"""``scripts/startup.py``: the workflow run as a service (containers, schedulers, cron).

Adds to a plain ``snakemake`` run what an unattended run needs: ``FORCE_REGENERATE``, a kernel
lock against concurrent runs, recovery from a killed run (stale Snakemake lock, incomplete
jobs), SIGTERM passed on to Snakemake, cores and memory from the cgroup, a run log, a summary
table, and exactly one success or failure marker in ``MARKER_DIR``.

Exit status: 0 success; 1 build failed (or, with --check-only, something is not current);
2 usage or configuration error; 3 another run holds the lock (nothing was touched).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from modelprep import config, env
from modelprep.errors import InputError
from modelprep.service import outcome, status
from modelprep.service.outcome import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE, finish
from modelprep.service.resources import available_cores, memory_budget_mb
from modelprep.service.supervision import Locked, Stopper, data_lock, snakemake_processes_here
from modelprep.service.workflow import (
    SummaryError,
    ensure_metadata_dir,
    forced_reruns,
    snakemake_command,
)
from modelprep.store.publication import clean_temporaries
from modelprep.store.rollback import rollback

log = logging.getLogger("modelprep.startup")


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    parser = argparse.ArgumentParser(
        prog="startup.py",
        description="Build, check or roll back the published models.",
        epilog="Arguments after -- go to snakemake unchanged.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="rebuild and republish every file")
    mode.add_argument("--check-only", action="store_true", help="report state; change nothing")
    mode.add_argument("--rollback", action="store_true", help="restore the previous published set")
    parser.add_argument("--json", action="store_true", help="with --check-only: JSON output")
    parser.add_argument("--cores", type=int, help="cores for Snakemake (default: all usable)")
    parser.add_argument("--configfile", type=Path, help="config overriding config/config.yaml")
    args = parser.parse_args(argv)
    if args.json and not args.check_only:
        parser.error("--json goes with --check-only")
    if args.cores is not None and args.cores < 1:
        parser.error("--cores must be at least 1")
    return args, extra


def configure_run_log(log_path: Path, level: str) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("modelprep %(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[file_handler, console], force=True)


def snakemake_run(args, extra, paths, run: dict, stopper: Stopper, lock_fd: int) -> int:
    """One Snakemake build of the checkout's workflow: stale lock cleared, killed jobs rerun,
    cores and memory from the cgroup; its job records of an earlier run cleared first."""
    environ = {**os.environ, env.RUN_ID: run["run_id"]}
    if run["force"]:
        environ[env.ALLOW_TRACK_DROP] = "1"
    shutil.rmtree(paths.failures, ignore_errors=True)
    base = snakemake_command(run["workflow_dir"], args, extra)
    stopper.check()
    # We hold the kernel lock, so a Snakemake lock left behind is stale.
    subprocess.run([*base, "--unlock"], env=environ, capture_output=True, timeout=120)
    command = [
        *base,
        "--cores",
        str(args.cores or available_cores()),
        "--rerun-incomplete",
        "--resources",
        f"mem_mb={memory_budget_mb()}",
    ]
    stopper.check()
    command += ["--forceall"] if run["force"] else forced_reruns(base, paths)
    return stopper.run(command, environ, Path(paths.run_log), lock_fd)


def build(args, extra, paths, variants, run: dict, stopper: Stopper, lock_fd: int) -> int:
    busy = snakemake_processes_here()
    if busy:
        raise Locked(
            f"Snakemake is already running in {os.getcwd()} (pid {', '.join(map(str, busy))}); "
            "wait for it to finish. Nothing was changed."
        )
    configure_run_log(Path(paths.run_log), env.log_level_from_env())
    log.info("run %s started (force=%s)", run["run_id"], run["force"])
    if args.rollback:
        restored = rollback(Path(paths.models))
        log.info("rolled back to run %s", restored["run_id"])
        return finish(run, EXIT_OK, {"built": [], "skipped": [], "failed": {}})
    clean_temporaries(Path(paths.models))
    rc = snakemake_run(args, extra, paths, run, stopper, lock_fd)
    result = outcome.collect_outcome(paths, variants, run["run_id"])
    if rc != 0 and not result["failed"]:
        result["failed"]["run"] = f"snakemake exited with status {rc}; see {paths.run_log}"
    if stopper.requested:
        result["failed"].setdefault("run", f"stopped by signal {stopper.requested}")
    try:
        print(outcome.summary_table(Path(paths.models)), file=sys.stderr)
    except (OSError, KeyError, ValueError) as exc:  # a damaged published config
        log.warning("no summary table: %s", exc)
    return finish(run, EXIT_OK if rc == 0 and not stopper.requested else EXIT_FAILED, result)


def check_only(args, extra, paths, variants, workflow_dir: Path) -> int:
    command = snakemake_command(workflow_dir, args, extra)
    try:
        report = status.check(command, variants, paths, Path(env.marker_dir()))
    except SummaryError as exc:
        print(f"modelprep: Snakemake cannot resolve the workflow:\n{exc}", file=sys.stderr)
        return EXIT_USAGE if "MissingInputException" not in str(exc) else EXIT_FAILED
    print(json.dumps(report, indent=2) if args.json else status.render(report))
    return EXIT_OK if report["ok"] else EXIT_FAILED


def main(argv: list[str] | None = None, workflow_dir: Path | None = None) -> int:
    """The run, on the workflow in ``workflow_dir`` (default: the checkout of this package)."""
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    workflow_dir = Path(workflow_dir or Path(__file__).resolve().parents[2])
    stopper = None if args.check_only else Stopper()
    run = {
        "run_id": env.new_run_id(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clock": time.monotonic(),
        "force": args.force,
        "workflow_dir": workflow_dir,
    }
    try:
        paths = env.paths_from_env()
        env.check_paths(paths)
        if not args.check_only:
            env.check_models_writable(paths.models)
        env.log_level_from_env()
        run["force"] = args.force or env.flag_from_env("FORCE_REGENERATE")
        variants = config.load(workflow_dir, args.configfile)["variants"]
        ensure_metadata_dir()
    except (InputError, OSError) as exc:
        print(f"modelprep: {exc}", file=sys.stderr)
        if not args.check_only:
            finish(run, EXIT_USAGE, {"built": [], "skipped": [], "failed": {"config": str(exc)}})
        return EXIT_USAGE
    if args.check_only:
        return check_only(args, extra, paths, variants, workflow_dir)
    try:
        with data_lock(Path(paths.lock)) as lock_fd:
            try:
                return build(args, extra, paths, variants, run, stopper, lock_fd)
            except (InputError, OSError, subprocess.SubprocessError) as exc:
                log.error("%s", exc)
                return finish(
                    run, EXIT_FAILED, {"built": [], "skipped": [], "failed": {"run": str(exc)}}
                )
    except Locked as exc:
        print(f"modelprep: {exc}", file=sys.stderr)
        return EXIT_LOCKED
