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
import fcntl
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import yaml

from modelprep import status
from modelprep.errors import InputError
from modelprep.markers import write_marker
from modelprep.publish import clean_temporaries, matches_manifest, rollback
from modelprep.resources import available_cores, memory_budget_mb
from modelprep.settings import (
    check_models_writable,
    check_paths,
    config_problem,
    flag_from_env,
    log_level_from_env,
    new_run_id,
    paths_from_env,
    uses_low_level,
)

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "Snakefile"
DEFAULT_CONFIG = REPO / "config" / "config.yaml"
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
LOCK_FILE = ".modelprep.lock"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
JOB_ERROR = r"^modelprep ERROR: (\w+) \[([\w-]+)\] failed: (.*)$"

log = logging.getLogger("modelprep.startup")


class Locked(RuntimeError):
    """Another startup.py holds the data directory."""


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


def snakemake_command(args: argparse.Namespace, extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE)]
    if args.configfile:
        command += ["--configfile", str(args.configfile)]
    return command + extra


def _merged(base: dict, override: dict) -> dict:
    """Snakemake's --configfile merge: nested mappings key by key, anything else replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = _merged(merged[key], value)
        merged[key] = value
    return merged


def load_config(configfile: Path | None) -> dict:
    """The config as Snakemake will see it, checked against its schema before anything runs."""
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    if configfile:
        if not configfile.is_file():
            raise InputError(f"--configfile {configfile}: file not found")
        try:
            override = yaml.safe_load(configfile.read_text()) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InputError(f"--configfile {configfile}: not valid UTF-8 YAML ({exc})") from exc
        if not isinstance(override, dict):
            raise InputError(
                f"--configfile {configfile}: not a mapping of config keys like config/config.yaml"
            )
        config = _merged(config, override)
    problem = config_problem(config, yaml.safe_load(SCHEMA.read_text()))
    if problem:
        raise InputError(problem)
    return config


@contextmanager
def data_lock(data_dir: Path):
    """An exclusive ``flock`` on a file in DATA_PATH; the kernel releases it if we are killed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise Locked(
                f"another modelprep run (pid {holder}) is using {data_dir} ({path} is locked); "
                "wait for it to finish. Nothing was changed."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield handle.fileno()


def snakemake_processes_here() -> list[int]:
    """PIDs of Snakemake processes (or their jobs) working in this directory, ours excepted.

    The kernel lock covers startup.py runs only; a plain `snakemake` in the same directory
    must not have its lock cleared under it. Linux's /proc answers; elsewhere, none are seen.
    """
    here, mine = os.getcwd(), {os.getpid(), os.getppid()}
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int(entry.name) in mine or os.readlink(entry / "cwd") != here:
                continue
            if b"snakemake" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to inspect
            continue
    return sorted(found)


def configure_run_log(log_path: Path, level: str) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("modelprep %(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[file_handler, console], force=True)


class Stopper:
    """SIGTERM/SIGINT for the whole run: remembered, and passed to the running Snakemake.

    Installed before the first subprocess, so a ``docker stop`` at any moment ends the run
    with a failure marker (PID 1 ignores SIGTERM without a handler). Snakemake runs in its own
    process group; the signal goes to the whole group (Snakemake and its jobs).
    """

    def __init__(self):
        self.requested: int | None = None
        self.child: subprocess.Popen | None = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.handle)

    def handle(self, signum, _frame):
        self.requested = signum
        log.warning("received signal %d: stopping Snakemake and its jobs", signum)
        if self.child is not None and self.child.poll() is None:
            try:
                os.killpg(self.child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def check(self) -> None:
        if self.requested:
            raise InputError(f"stopped by signal {self.requested} before the build finished")

    def run(self, command: list[str], env: dict, run_log: Path, lock_fd: int) -> int:
        """Run Snakemake, copying its output to the console and the run log.

        Snakemake inherits the lock's descriptor, so a SIGKILL of this process alone cannot
        let another run start while Snakemake still builds.
        """
        self.check()
        with open(run_log, "a", encoding="utf-8") as sink:
            self.child = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
                pass_fds=(lock_fd,),
            )
            if self.requested:  # arrived while Popen ran, before the handler knew the child
                self.handle(self.requested, None)
            for line in self.child.stdout:
                sys.stderr.write(line)
                sink.write(line)
            code = self.child.wait()
        self.wait_for_group(self.child.pid)
        return code

    @staticmethod
    def wait_for_group(pgid: int, seconds: float = 30.0) -> None:
        """Wait until Snakemake's jobs are gone too; SIGKILL stragglers after ``seconds``.

        As a container's PID 1 we inherit orphaned jobs, so reap them here as well.
        """
        deadline, killed = time.monotonic() + seconds, False
        while True:
            try:
                while os.waitpid(-pgid, os.WNOHANG)[0]:
                    pass
            except ChildProcessError:
                pass
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            if time.monotonic() > deadline:
                if killed:
                    log.warning("processes of group %d outlived SIGKILL; not waiting", pgid)
                    return
                os.killpg(pgid, signal.SIGKILL)
                deadline, killed = time.monotonic() + 5, True
            time.sleep(0.05)


def failed_jobs(run_log_text: str) -> dict[str, str]:
    """Variant (or rule, for shared jobs) -> error, from Snakemake's 'Error in rule' blocks."""
    failed = {}
    for block in run_log_text.split("Error in rule ")[1:]:
        rule = block.split(":", 1)[0].split()[0]
        variant = next(
            (
                line.split("variant=")[1].strip()
                for line in block.splitlines()
                if "variant=" in line
            ),
            None,
        )
        log_line = next((ln.strip() for ln in block.splitlines() if ".log" in ln), "")
        failed[variant or rule] = f"rule {rule} failed ({log_line or 'see the run log'})"
    # Our jobs' own messages (modelprep.jobs) say more than Snakemake's block.
    for step, variant, message in re.findall(JOB_ERROR, run_log_text, flags=re.MULTILINE):
        failed[step if variant == "-" else variant] = message.strip()
    return failed


def collect_outcome(paths, variants: dict, run_id: str, run_text: str) -> dict:
    """built / skipped / failed for the marker and the summary."""
    has_low_level = (Path(paths.raw) / "low_level_audio_features.csv").exists()
    skipped = [v for v in variants if uses_low_level(variants, v) and not has_low_level]
    built, failed = [], failed_jobs(run_text)
    for variant in variants:
        staged = Path(paths.processed) / "artifacts" / f"hdbscan_config_{variant}.json"
        if variant in skipped or not staged.exists():
            continue
        record = json.loads(staged.read_text())
        if record.get("status") == "failed":
            failed[variant] = record["error"]
        elif record.get("run_id") == run_id:
            built.append(variant)
    return {"built": built, "skipped": skipped, "failed": failed}


def summary_table(models_dir: Path) -> str:
    """Variant, tracks, clusters, noise %, silhouette, build time and published size."""
    manifest_path = models_dir / "manifest.json"
    if not manifest_path.exists():
        return "nothing published"
    manifest = json.loads(manifest_path.read_text())
    sizes: dict[str, int] = {}
    for entry in manifest["files"].values():
        sizes[entry["variant"]] = sizes.get(entry["variant"], 0) + entry["size"]
    lines = [
        f"{'variant':<20}{'tracks':>8}{'clusters':>10}{'noise %':>9}{'silhouette':>12}"
        f"{'time s':>8}{'MiB':>8}  run"
    ]
    for config_path in sorted(models_dir.glob("hdbscan_config_*.json")):
        c = json.loads(config_path.read_text())
        v = c["variant_name"]
        lines.append(
            f"{v:<20}{c['n_tracks']:>8}{c['n_clusters']:>10}{100 * c['noise_fraction']:>9.1f}"
            f"{c['silhouette_score']:>12.3f}{sum(c['timings_s'].values()):>8.1f}"
            f"{sizes.get(v, 0) / 2**20:>8.1f}  {c['run_id']}"
        )
    lines.append(f"published run {manifest['run_id']}, base variant {manifest['base_variant']}")
    return "\n".join(lines)


def forced_reruns(base: list[str], models_dir: Path) -> list[str]:
    """``--forcerun`` for what Snakemake alone would not redo.

    A published file missing or changed (Snakemake tracks only the receipt), and intermediate
    outputs that are missing while their consumers look current: after a failed job deleted
    them, a plain run says "Nothing to be done" although its input may still be bad.
    """
    rules = set()
    manifest = models_dir / "manifest.json"
    if manifest.exists() and not matches_manifest(models_dir, json.loads(manifest.read_text())):
        log.warning("published files differ from their manifest: republishing them")
        rules.add("publish")
    try:
        rows = status.snakemake_summary(base)
    except status.SummaryError:
        return []  # the real run reports the problem
    for row in rows:
        if row["status"] == "missing" and row["plan"] == "no update":
            rules.add(row["rule"])
    if rules - {"publish"}:
        log.warning("rebuilding missing intermediate outputs of: %s", ", ".join(sorted(rules)))
    return ["--forcerun", *sorted(rules)] if rules else []


def marker_dir() -> Path:
    return Path(os.environ.get("MARKER_DIR") or "/tmp")


def ensure_metadata_dir() -> None:
    """The image links .snakemake into the data volume; create the target on a fresh volume."""
    metadata = Path(".snakemake")
    if metadata.is_symlink() and not metadata.exists():
        Path(os.readlink(metadata)).mkdir(parents=True, exist_ok=True)


def finish(run: dict, code: int, outcome: dict) -> int:
    """Write the run's one marker (and remove the other), log the failures, return ``code``."""
    write_marker(
        marker_dir(),
        {
            "status": "success" if code == EXIT_OK else "failure",
            "run_id": run["run_id"],
            "started_at": run["started_at"],
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_s": round(time.monotonic() - run["clock"], 3),
            "force": run["force"],
            **outcome,
        },
    )
    for variant, error in outcome["failed"].items():
        log.error("failed: %s: %s", variant, error)
    log.info("run %s %s", run["run_id"], "succeeded" if code == EXIT_OK else "failed")
    return code


def build(args, extra, paths, variants, run: dict, stopper: Stopper, lock_fd: int) -> int:
    busy = snakemake_processes_here()
    if busy:
        raise Locked(
            f"Snakemake is already running in {os.getcwd()} (pid {', '.join(map(str, busy))}); "
            "wait for it to finish. Nothing was changed."
        )
    run_log = Path(paths.logs) / "model_pipeline.log"
    configure_run_log(run_log, log_level_from_env())
    log.info("run %s started (force=%s)", run["run_id"], run["force"])
    env = {**os.environ, "MODELPREP_RUN_ID": run["run_id"]}
    if run["force"]:
        env["MODELPREP_ALLOW_TRACK_DROP"] = "1"
    outcome: dict = {"built": [], "skipped": [], "failed": {}}
    if args.rollback:
        restored = rollback(Path(paths.models))
        log.info("rolled back to run %s", restored["run_id"])
        return finish(run, EXIT_OK, outcome)
    clean_temporaries(Path(paths.models))
    base = snakemake_command(args, extra)
    stopper.check()
    # We hold the kernel lock, so a Snakemake lock left behind is stale.
    subprocess.run([*base, "--unlock"], env=env, capture_output=True, timeout=120)
    command = [
        *base,
        "--cores",
        str(args.cores or available_cores()),
        "--rerun-incomplete",
        "--resources",
        f"mem_mb={memory_budget_mb()}",
    ]
    stopper.check()
    command += ["--forceall"] if run["force"] else forced_reruns(base, Path(paths.models))
    offset = run_log.stat().st_size
    rc = stopper.run(command, env, run_log, lock_fd)
    with open(run_log, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        outcome = collect_outcome(paths, variants, run["run_id"], handle.read())
    if rc != 0 and not outcome["failed"]:
        outcome["failed"]["run"] = f"snakemake exited with status {rc}; see {run_log}"
    if stopper.requested:
        outcome["failed"].setdefault("run", f"stopped by signal {stopper.requested}")
    try:
        print(summary_table(Path(paths.models)), file=sys.stderr)
    except (OSError, KeyError, ValueError) as exc:  # a damaged published config
        log.warning("no summary table: %s", exc)
    return finish(run, EXIT_OK if rc == 0 and not stopper.requested else EXIT_FAILED, outcome)


def main(argv: list[str] | None = None) -> int:
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    stopper = None if args.check_only else Stopper()
    run = {
        "run_id": new_run_id(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clock": time.monotonic(),
        "force": args.force,
    }
    try:
        paths = paths_from_env()
        check_paths(paths)
        if not args.check_only:
            check_models_writable(paths.models)
        log_level_from_env()
        run["force"] = args.force or flag_from_env("FORCE_REGENERATE")
        variants = load_config(args.configfile)["variants"]
        ensure_metadata_dir()
    except (InputError, OSError) as exc:
        print(f"modelprep: {exc}", file=sys.stderr)
        if not args.check_only:
            finish(run, EXIT_USAGE, {"built": [], "skipped": [], "failed": {"config": str(exc)}})
        return EXIT_USAGE
    if args.check_only:
        try:
            report = status.check(snakemake_command(args, extra), variants, paths, marker_dir())
        except status.SummaryError as exc:
            print(f"modelprep: Snakemake cannot resolve the workflow:\n{exc}", file=sys.stderr)
            return EXIT_USAGE if "MissingInputException" not in str(exc) else EXIT_FAILED
        print(json.dumps(report, indent=2) if args.json else status.render(report))
        return EXIT_OK if report["ok"] else EXIT_FAILED
    try:
        with data_lock(Path(paths.data)) as lock_fd:
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
