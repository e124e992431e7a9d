"""The benchmark's scaling mode (benchmarks/scale.py): its arithmetic, report and figure on
hand-made measures, and the whole mode on tiny builds of the real workflow."""

import argparse
import json

import pytest

from benchmarks import bench, scale
from benchmarks.plot import write_scale_plot
from benchmarks.render import render_scale
from benchmarks.runs import machine, rule_records

PNG = b"\x89PNG\r\n\x1a\n"


def job(s: float, mib: float, ended: float) -> dict:
    return {"s": s, "max_rss_mib": mib, "cpu_s": 0.9 * s, "ended": ended}


def measured(unit: float) -> dict:
    """What ``runs.measure_workflow`` returns for one cold and one warm build whose jobs take
    ``unit`` seconds each; two fits run side by side, then the publication alone."""
    jobs = {
        "cluster[llav_features]": job(4 * unit, 900, 100.0),
        "cluster[naive_features]": job(2 * unit, 500, 100.0 - 2 * unit),
        "publish[publish]": job(unit, 50, 100.0 + unit),
    }
    runs = {
        which: [{"wall_s": wall, "cpu_s": 1.5 * wall, "jobs": jobs}]
        for which, wall in (("cold", 7 * unit), ("warm", 6 * unit))
    }
    measures = {"noop_dry_run_s": 1.2, "check_only_s": 1.4, "runs": runs}
    for which, wall in (("cold", 7 * unit), ("warm", 6 * unit)):
        measures |= {f"{which}_s": [wall], f"{which}_median_s": wall}
        measures[f"{which}_cpu_median_s"] = 1.5 * wall
    measures["per_rule"] = {
        name: {key: record[key] for key in ("s", "max_rss_mib", "cpu_s")}
        for name, record in jobs.items()
    }
    return measures


def hand_made_report() -> dict:
    full = [scale.summarise(n, 0.5, measured(n / 100)) for n in (1000, 3000)]
    basic = [scale.summarise(1000, 0.4, measured(10.0))]
    return {
        "mode": "scale",
        "machine": machine(),
        "cores": 2,
        "repeats": {"cold": 1, "warm": 1},
        "series": {
            "full": {"sizes": full, "growth": scale.growth(full)},
            "basic": {"sizes": basic, "growth": scale.growth(basic)},
        },
    }


@pytest.mark.unit
def test_concurrent_peak_adds_the_jobs_running_together():
    jobs = {"a": job(10, 100, 10.0), "b": job(5, 30, 8.0), "c": job(2, 500, 12.0)}
    assert scale.concurrent_peak(jobs) == 500  # c starts when a ends
    jobs["c"] = job(3, 500, 12.0)  # now it starts before a ends
    assert scale.concurrent_peak(jobs) == 600


@pytest.mark.unit
def test_each_size_reports_shares_peaks_and_the_quadratic_part():
    size = scale.summarise(1000, 0.5, measured(10.0))
    assert size["summed_job_s"] == 70
    shares = {name: r["share"] for name, r in size["per_rule"].items()}
    assert shares == pytest.approx(
        {
            "cluster[llav_features]": 4 / 7,
            "cluster[naive_features]": 2 / 7,
            "publish[publish]": 1 / 7,
        }
    )
    assert size["quadratic_s"] == 40 and size["quadratic_share"] == pytest.approx(4 / 7)
    assert size["warm_peak_job_mib"] == 900 and size["warm_peak_job"] == "cluster[llav_features]"
    assert size["warm_concurrent_peak_mib"] == 1400  # the two fits overlap; publish runs alone
    assert size["cold_concurrent_peak_mib"] == 1400 and size["warm_cpu_median_s"] == 90


@pytest.mark.unit
def test_growth_is_last_size_against_first():
    sizes = [scale.summarise(n, 0.5, measured(n / 100)) for n in (1000, 2000, 10_000)]
    ratios = scale.growth(sizes)
    assert ratios["tracks"] == 10 and ratios["from_tracks"] == 1000
    assert ratios["n_log_n"] == pytest.approx(10 * 4 / 3)
    assert ratios["warm_median_s"] == pytest.approx(10) and ratios["quadratic_s"] == pytest.approx(
        10
    )
    assert ratios["warm_peak_job_mib"] == 1
    assert scale.growth(sizes[:1]) is None


@pytest.mark.unit
def test_scale_report_and_figure_from_hand_made_measures(tmp_path):
    report = hand_made_report()
    text = render_scale(report)
    row = "| full | 1000 | 0.5 | 70.0 | 60.0 (60.0) | 105.0 / 90.0 | "
    assert row + "900 / 900 (cluster[llav_features]) | 1400 / 1400 | 57% |" in text
    assert "| full | 1000 → 3000 | 3.00x | 3.48x | 3.00x |" in text
    assert "| job (basic, 1000 tracks, warm) | wall s | share | CPU s | peak MiB |" in text
    assert "| basic |" in text.split("N log N")[0] and "| basic | 1000 →" not in text
    plot = write_scale_plot(report, tmp_path / "scale.png")
    assert plot.read_bytes()[:8] == PNG and plot.stat().st_size > 20_000


@pytest.mark.unit
def test_scale_options():
    parser = argparse.ArgumentParser()
    scale.add_arguments(parser)
    args = parser.parse_args(["--scale", "--scale-full", "", "--scale-repeats", "2,3"])
    assert args.scale and args.scale_full == [] and args.scale_repeats == (2, 3)
    assert args.scale_basic == [100_000, 1_000_000]
    for bad in (["--scale-basic", "1e5"], ["--scale-basic", "0"], ["--scale-repeats", "1"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


@pytest.mark.workflow
def test_the_quadratic_jobs_are_the_session_builds_fits(full_build):
    """The full series' quadratic part names jobs the workflow runs (else its share reads 0)."""
    jobs = rule_records(full_build)
    assert set(scale.QUADRATIC_JOBS) <= set(jobs)
    warm = {"wall_s": 60.0, "cpu_s": 90.0, "jobs": jobs}
    measures = {"runs": {"cold": [warm], "warm": [warm]}, "per_rule": jobs}
    measures |= {"cold_median_s": 60.0, "warm_median_s": 60.0, "warm_cpu_median_s": 90.0}
    size = scale.summarise(2000, 1.0, measures)
    assert 0 < size["quadratic_share"] < 1  # its size on tiny data varies with the load
    assert size["warm_peak_job_mib"] == max(r["max_rss_mib"] for r in jobs.values())


@pytest.mark.workflow
@pytest.mark.slow
def test_scale_mode_on_tiny_builds(tmp_path, capsys):
    """The mode end to end on two basic sizes: four real builds, each mostly its jobs'
    start-up at this size (the full series differs only in the demo data it writes)."""
    out, plot = tmp_path / "scale.json", tmp_path / "scale.png"
    argv = ["--scale", "--scale-full", "", "--scale-basic", "300,600", "--scale-repeats", "1,1"]
    argv += ["--workdir", str(tmp_path / "work"), "--out", str(out), "--plot", str(plot)]
    assert bench.main(argv) == 0
    report = json.loads(out.read_text())
    assert {"date", "host", "cpu", "cpu_arch"} <= set(report["machine"])
    assert report["repeats"] == {"cold": 1, "warm": 1} and report["cores"] == 2
    assert list(report["series"]) == ["basic"]
    basic = report["series"]["basic"]
    assert not basic["with_low_level"] and not basic["with_lyrics"]
    for size in basic["sizes"]:
        for which in ("cold", "warm"):
            assert len(size[f"{which}_s"]) == 1 and size[f"{which}_median_s"] > 0
            assert size[f"{which}_cpu_median_s"] > 0
            assert 0 < size[f"{which}_peak_job_mib"] <= size[f"{which}_concurrent_peak_mib"]
        jobs = size["per_rule"]
        assert "cluster[naive_features]" in jobs and "ingest_low_level[low_level]" not in jobs
        assert sum(r["share"] for r in jobs.values()) == pytest.approx(1)
        assert all(r["s"] > 0 and r["max_rss_mib"] > 0 and r["cpu_s"] >= 0 for r in jobs.values())
        assert size["quadratic_s"] == 0 and size["generate_s"] > 0
    growth = basic["growth"]
    assert [s["tracks"] for s in basic["sizes"]] == [300, 600] and growth["tracks"] == 2
    assert growth["warm_median_s"] > 0 and growth["quadratic_s"] is None
    assert plot.read_bytes()[:8] == PNG and plot.stat().st_size > 20_000
    assert "| basic | 300 → 600 | 2.00x |" in capsys.readouterr().out
