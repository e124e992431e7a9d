"""Choice of the base variant (modelprep.build.configs.selection)."""

import pytest

from modelprep.build.configs.selection import CRITERION, choose_base, metrics_table
from modelprep.errors import VariantsFailed

pytestmark = pytest.mark.unit


def config(name, score, clusters=5):
    return {
        "variant_name": name,
        "silhouette_score": score,
        "n_clusters": clusters,
        "n_tracks": 100,
        "n_noise_points": 3,
        "noise_fraction": 0.03,
        "silhouette_sample_size": 97,
        "largest_cluster_size": 40,
        "smallest_cluster_size": 11,
    }


def test_highest_silhouette_wins():
    choice = choose_base([config("a", 0.3), config("b", 0.6), config("c", 0.5)])
    assert choice["variant"] == "b" and choice["score"] == 0.6
    assert choice["criterion"] == CRITERION
    assert [r["variant"] for r in choice["ranking"]] == ["b", "c", "a"]


def test_ties_go_to_the_first_variant_in_config_order():
    assert choose_base([config("a", 0.5), config("b", 0.5)])["variant"] == "a"
    assert choose_base([config("b", 0.5), config("a", 0.5)])["variant"] == "b"


def test_variants_with_fewer_than_two_clusters_cannot_win():
    assert choose_base([config("a", 0.9, clusters=1), config("b", 0.1)])["variant"] == "b"
    with pytest.raises(VariantsFailed, match="no variant"):
        choose_base([config("a", -1.0, clusters=1)])


def test_metrics_table_keeps_config_order():
    table = metrics_table([config("z", 0.1), config("a", 0.2)])
    assert list(table) == ["z", "a"] and table["a"]["silhouette_score"] == 0.2
