"""Scheduling and sizing hints read from the machine and the last run (modelprep.jobstats)."""

import pytest

from modelprep.jobstats import last_wall_seconds

# The layout Snakemake's benchmark directive writes: a header, then one line per repeat.
BENCHMARK = (
    "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    "41.2000\t0:00:41\t353.1\t900.2\t340.0\t345.5\t0.0\t12.3\t98.1\t40.9\n"
)

pytestmark = pytest.mark.unit


def test_reads_the_last_runs_wall_time(tmp_path):
    path = tmp_path / "cluster.tsv"
    path.write_text(BENCHMARK)
    assert last_wall_seconds(path) == pytest.approx(41.2)


@pytest.mark.parametrize("content", [None, "", "s\th:m:s\n", "garbage\nnot-a-number\tx\n"])
def test_no_usable_history_is_zero(tmp_path, content):
    path = tmp_path / "cluster.tsv"
    if content is not None:
        path.write_text(content)
    assert last_wall_seconds(path) == 0.0
