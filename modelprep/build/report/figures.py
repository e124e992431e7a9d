"""The report's figure per variant: static PNGs (matplotlib's Agg backend, no display needed)
that ``snakemake --report`` embeds."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from modelprep.schema import NOISE  # noqa: E402

MAX_POINTS = 5000
LEGEND_CLUSTERS = 20
NOISE_COLOUR, OTHER_COLOUR = "#b0b0b0", "#7d8fa3"
# Cluster sizes spread wider than this many times are drawn on a log scale.
LOG_SPREAD = 20


def legend_colours() -> list:
    """20 distinct colours: tab20 without its greys (noise is grey), two of tab20b instead."""
    tab20, tab20b = plt.get_cmap("tab20").colors, plt.get_cmap("tab20b").colors
    return [c for i, c in enumerate(tab20) if i not in (14, 15)] + [tab20b[0], tab20b[8]]


def plot_sample(labels: np.ndarray, max_points: int, seed: int) -> np.ndarray:
    """Rows of a seeded sample of at most ``max_points`` tracks, noise included, in row order."""
    rows = np.arange(len(labels))
    if rows.size > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=max_points, replace=False))
    return rows


def variant_figure(
    embedding: np.ndarray, labels: np.ndarray, variant: str, seed: int, out: str
) -> None:
    """A 2-D PCA projection of a seeded sample coloured by cluster, beside the cluster sizes.

    The 20 largest clusters have their own colour and legend entry; the others share one
    colour; noise is grey and drawn first, so clusters stay visible on top of it.
    """
    labels = np.asarray(labels)
    rows = plot_sample(labels, MAX_POINTS, seed)
    pca = PCA(n_components=2, random_state=seed)
    xy = pca.fit_transform(embedding[rows]) if embedding.shape[1] > 1 else embedding[rows]
    sizes = pd.Series(labels[labels != NOISE]).value_counts()
    top = list(sizes.index[:LEGEND_CLUSTERS])
    colours = dict(zip(top, legend_colours(), strict=False))
    sample = labels[rows]

    figure, (scatter, bars) = plt.subplots(
        1, 2, figsize=(15, 6.5), gridspec_kw={"width_ratios": [3, 2]}
    )
    groups = [("noise", sample == NOISE, NOISE_COLOUR, 4)]
    groups.append(
        (f"{max(0, len(sizes) - len(top))} smaller clusters", ~np.isin(sample, top)
         & (sample != NOISE), OTHER_COLOUR, 5)
    )  # fmt: skip
    groups += [(f"cluster {c} ({sizes[c]})", sample == c, colours[c], 6) for c in top]
    for name, mask, colour, size in groups:
        if mask.any():
            scatter.scatter(*xy[mask].T, s=size, color=colour, label=name, alpha=0.7, lw=0)
    ratio = getattr(pca, "explained_variance_ratio_", np.array([np.nan, np.nan]))
    scatter.set_xlabel(f"principal component 1 ({100 * ratio[0]:.0f}% of the sample's variance)")
    scatter.set_ylabel(f"principal component 2 ({100 * ratio[1]:.0f}%)")
    noise_share = 100 * (labels == NOISE).mean()
    scatter.set_title(
        f"{variant}: {len(sizes)} clusters, {noise_share:.1f}% noise "
        f"({rows.size:,} of {labels.size:,} tracks shown)"
    )
    scatter.legend(
        loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, markerscale=2, frameon=False
    )
    bars.bar(
        np.arange(len(sizes)),
        sizes.to_numpy(),
        color=[colours.get(c, OTHER_COLOUR) for c in sizes.index],
        width=1.0,
    )
    spread = sizes.max() / sizes.min() if len(sizes) else 1
    if spread > LOG_SPREAD:
        bars.set_yscale("log")
    bars.set_xlabel("clusters, largest first")
    bars.set_ylabel("tracks in the cluster" + (" (log scale)" if spread > LOG_SPREAD else ""))
    bars.set_title(
        f"cluster sizes (median {sizes.median():.0f}, noise {int((labels == NOISE).sum()):,})"
    )
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    plt.close(figure)
