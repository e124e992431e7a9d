"""The Snakemake runs the service starts: the command for this checkout's workflow, and what
Snakemake alone would not redo."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from modelprep import layout
from modelprep.layout import Paths
from modelprep.store import manifest as manifests

log = logging.getLogger("modelprep.startup")


class SummaryError(RuntimeError):
    """Snakemake could not resolve the DAG (bad config, missing input): its message says why."""


def snakemake_command(workflow_dir: Path, args: argparse.Namespace, extra: list[str]) -> list[str]:
    """Snakemake on the Snakefile of ``workflow_dir``, the checkout the entry point sits in."""
    command = [sys.executable, "-m", "snakemake", "-s", str(workflow_dir / "Snakefile")]
    if args.configfile:
        command += ["--configfile", str(args.configfile)]
    return command + extra


def snakemake_summary(command: list[str], cwd=None, env=None) -> list[dict]:
    """Rows of ``snakemake --detailed-summary``: output_file, rule, status, plan, ..."""
    result = subprocess.run(
        [*command, "--detailed-summary"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        lines = (result.stderr + result.stdout).strip().splitlines()
        raise SummaryError("\n".join(lines[-12:]))
    table = result.stdout[result.stdout.find("output_file\t") :]
    return list(csv.DictReader(io.StringIO(table), delimiter="\t"))


def forced_reruns(base: list[str], paths: Paths) -> list[str]:
    """``--forcerun`` for what Snakemake alone would not redo.

    A published file missing or changed (Snakemake tracks only the receipt); intermediate
    outputs that are missing while their consumers look current: after a failed job deleted
    them, a plain run says "Nothing to be done" although its input may still be bad; and lyrics
    models that failed last time (the NLTK data may be installed now), which recorded their
    failure instead of failing.
    """
    rules = set()
    models_dir = Path(paths.models)
    manifest = manifests.read_if_any(models_dir)
    if manifest is not None and not manifests.matches(models_dir, manifest):
        log.warning("published files differ from their manifest: republishing them")
        rules.add("publish")
    lyrics = Path(paths.lyrics_record(layout.LYRICS_EVALUATE))
    if lyrics.exists() and json.loads(lyrics.read_text())["status"] == "failed":
        log.warning("the lyrics models failed last time: building them again")
        rules.add("lyrics_tokens")
    try:
        rows = snakemake_summary(base)
    except SummaryError:
        return []  # the real run reports the problem
    for row in rows:
        if row["status"] == "missing" and row["plan"] == "no update":
            rules.add(row["rule"])
    if rules - {"publish"}:
        log.warning("rebuilding missing intermediate outputs of: %s", ", ".join(sorted(rules)))
    return ["--forcerun", *sorted(rules)] if rules else []


def ensure_metadata_dir() -> None:
    """The image links .snakemake into the data volume; create the target on a fresh volume."""
    metadata = Path(".snakemake")
    if metadata.is_symlink() and not metadata.exists():
        Path(os.readlink(metadata)).mkdir(parents=True, exist_ok=True)
