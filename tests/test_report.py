"""The report: one readable figure per variant, the metrics, each job's cost
(modelprep.build.report)."""

import matplotlib.image
import numpy as np
import pytest
from conftest import run_snakemake

from modelprep.build.report import figures as report

pytestmark = pytest.mark.workflow

VARIANTS = ["naive_features", "pca_features", "combined_features", "llav_features", "llav_pca"]


@pytest.fixture(scope="module")
def built_report(full_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = run_snakemake(full_build, "--report", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return full_build, out.read_text(encoding="utf-8")


def test_the_report_has_one_figure_per_variant_and_both_tables(built_report):
    workdir, html = built_report
    for variant in VARIANTS:
        assert html.count(f"clusters_{variant}.png") >= 1, variant
    assert "metrics.html" in html and "run_statistics.html" in html
    figures = sorted((workdir / "data" / "processed" / "report").glob("clusters_*.png"))
    assert [f.name for f in figures] == sorted(f"clusters_{v}.png" for v in VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_figure_shows_coloured_clusters(built_report, variant):
    workdir, _ = built_report
    image = matplotlib.image.imread(workdir / "data/processed/report" / f"clusters_{variant}.png")
    assert image.shape[0] > 500 and image.shape[1] > 1200
    colours = np.unique((image[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 50  # points in many colours, not an empty canvas


def test_tables_name_every_variant_and_job(built_report):
    workdir, _ = built_report
    tables = workdir / "data" / "processed" / "report"
    metrics = (tables / "metrics.html").read_text()
    assert all(v in metrics for v in VARIANTS) and "dbcv" in metrics and "(base)" in metrics
    jobs = (tables / "run_statistics.html").read_text()
    assert all(f"cluster[{v}]" in jobs for v in VARIANTS) and "publish[publish]" in jobs


def test_plot_sample_is_seeded_and_capped():
    labels = np.arange(12_000) % 7
    rows = report.plot_sample(labels, 5000, seed=3)
    assert rows.size == 5000 and np.array_equal(rows, report.plot_sample(labels, 5000, seed=3))
    assert np.all(np.diff(rows) > 0)
    assert report.plot_sample(labels[:100], 5000, seed=3).size == 100
