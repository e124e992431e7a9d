"""Scheduling and sizing hints read from the machine and the last run (modelprep.jobstats)."""

import pytest

from modelprep.jobstats import last_record, last_wall_seconds

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


def test_the_jobs_own_measures_replace_the_sampled_cpu_and_peak(tmp_path):
    """Snakemake samples every 30 s: the job's exact CPU time replaces its ``cpu_time``, and
    its exact peak its ``max_rss`` when larger (the sample sums the job's processes)."""
    path = tmp_path / "cluster.tsv"
    path.write_text(BENCHMARK)
    usage = tmp_path / "cluster.usage.json"
    usage.write_text('{"cpu_s": 68.7, "peak_mib": 1613.0, "children_peak_mib": 0.0}')
    record = last_record(path)
    assert record["cpu_time"] == 68.7 and record["max_rss"] == 1613.0 and record["s"] == 41.2
    usage.write_text('{"cpu_s": 41.0, "peak_mib": 100.0, "children_peak_mib": 0.0}')
    assert last_record(path)["max_rss"] == pytest.approx(353.1)
    usage.write_text("not json")
    assert last_record(path)["cpu_time"] == pytest.approx(40.9)
