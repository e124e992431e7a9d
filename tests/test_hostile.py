"""Hostile input end to end, one case of each kind (tracks file, low-level file, config,
paths): startup.py exits non-zero with a message naming the problem, no traceback on the
console, and the published set byte-identical. The other cases are tested where they are
handled (test_ingest, test_ingest_properties, test_publish, test_faults, test_container)."""

import pytest
from conftest import marker, published, startup

from modelprep.layout import LOW_LEVEL_CSV, TRACKS_CSV

pytestmark = pytest.mark.workflow


def refused(workdir, *args, env=None, code=1):
    before = published(workdir)
    result = startup(workdir, *args, env=env)
    assert result.returncode == code, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert published(workdir) == before
    return result


def test_latin1_tracks_file(full_build, copy_build):
    workdir = copy_build(full_build)
    csv = workdir / "data" / "raw" / TRACKS_CSV
    text = csv.read_text(encoding="utf-8").encode("ascii", errors="replace").decode()
    lines = text.splitlines(keepends=True)
    lines[3] = "Bj\u00f6rk " + lines[3]  # line 4 may be a lyrics line inside a quoted field
    csv.write_bytes("".join(lines).encode("latin-1"))
    refused(workdir)
    failure = marker(workdir, "failure")["failed"]["ingest_tracks"]
    assert "line 4 is not UTF-8 (byte 0xF6" in failure and "iconv" in failure


def test_low_level_file_without_track_id(full_build, copy_build):
    workdir = copy_build(full_build)
    csv = workdir / "data" / "raw" / LOW_LEVEL_CSV
    csv.write_text(csv.read_text().replace(",track_id", ",song", 1))
    refused(workdir)
    failure = marker(workdir, "failure")["failed"]["ingest_low_level"]
    assert f"{LOW_LEVEL_CSV}: column 'track_id' missing" in failure


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("colour: blue\n", "config: top level: Additional properties are not allowed ('colour'"),
        ("seed: forty-two\n", "config: seed: 'forty-two' is not of type 'integer'"),
        (
            "variants:\n  llav_pca:\n    hdbscan: {min_cluster_size: -5, min_samples: 6}\n",
            "config: variants.llav_pca.hdbscan.min_cluster_size: -5 is less than the minimum of 2",
        ),
    ],
    ids=["unknown key", "wrong type", "negative min_cluster_size"],
)
def test_bad_config_is_refused_before_anything_runs(full_build, copy_build, override, named):
    workdir = copy_build(full_build)
    configfile = workdir / "override.yaml"
    configfile.write_text(override)
    result = refused(workdir, "--configfile", str(configfile), code=2)
    assert named in result.stderr
    assert marker(workdir, "failure")["failed"]["config"].startswith(named)


@pytest.mark.parametrize("variable", ["RAW_DATA_PATH", "MODELS_PATH"])
def test_a_path_that_is_a_file(full_build, copy_build, variable):
    workdir = copy_build(full_build)
    (workdir / "a-file").write_text("not a directory\n")
    result = refused(workdir, env={variable: str(workdir / "a-file")}, code=2)
    assert f"{variable}='{workdir / 'a-file'}' is a file, not a directory" in result.stderr
