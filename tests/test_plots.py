"""Every plot function returns its Axes, accepts ax=, and draws what it should."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

import tr_discourse as trd
from tr_discourse.analysis import cooccurrence, crosstab, frequencies, time_series
from tr_discourse.plots import (
    plot_cooccurrence_heatmap,
    plot_frequencies,
    plot_group_heatmap,
    plot_network,
    plot_scores,
    plot_timeline,
)
from tr_discourse.sample import read_corpus_codings


@pytest.fixture(scope="module")
def blog():
    segments = trd.read_corpus("corpora/tr_blog").segments
    book = trd.load_codebook("codebooks/tr_core.yaml")
    codes = [c.id for c in book.codes]
    return segments, read_corpus_codings("corpora/tr_blog"), book, codes


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_frequency_bars_per_code_and_per_group(blog):
    segments, codings, book, codes = blog
    _, ax = plt.subplots()
    out = plot_frequencies(frequencies(segments, codings, codes=codes), ax=ax, codebook=book)
    assert out is ax and len(ax.patches) == 12
    assert ax.patches[0].get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(book["marketisation"].color))
    grouped = plot_frequencies(frequencies(segments, codings, by="kind", codes=codes))
    assert len(grouped.patches) == 12 * 3 and len(grouped.get_legend().texts) == 3


def test_cooccurrence_heatmap_is_clustered_and_annotated(blog):
    _, codings, _, codes = blog
    cooc = cooccurrence(codings, codes=codes)
    _, ax = plt.subplots()
    out = plot_cooccurrence_heatmap(cooc, ax=ax)
    assert out is ax and len(ax.images) == 1
    assert len(ax.texts) == 12 * 11  # every off-diagonal cell
    assert sorted(t.get_text() for t in ax.get_xticklabels()) == sorted(codes)
    unclustered = plot_cooccurrence_heatmap(cooc, cluster=False)
    assert [t.get_text() for t in unclustered.get_xticklabels()] == codes


def test_network_draws_nodes_and_only_the_edges_asked_for(blog):
    _, codings, book, codes = blog
    cooc = cooccurrence(codings, codes=codes)
    _, ax = plt.subplots()
    out = plot_network(cooc, ax=ax, codebook=book, significant_only=True)
    assert out is ax
    nodes, edges = ax.collections[0], ax.collections[1]
    assert len(nodes.get_offsets()) == 12
    assert len(edges.get_paths()) == int(cooc["significant"].sum()) > 0
    assert len(ax.texts) == 12


def test_timeline_and_group_heatmap(blog):
    segments, codings, book, codes = blog
    _, ax = plt.subplots()
    series = time_series(segments, codings, codes=codes[:4])
    out = plot_timeline(series, ax=ax, codebook=book)
    assert out is ax and len(ax.lines) == 4
    assert len(ax.lines[0].get_xdata()) == 9  # 2013 to 2021
    _, ax2 = plt.subplots()
    table = crosstab(segments, codings, "kind", codes=codes, value="share")
    out2 = plot_group_heatmap(table, ax=ax2)
    assert out2 is ax2 and len(ax2.images) == 1 and len(ax2.texts) == 12 * 3


def test_reliability_chart_per_code(blog):
    _, _, book, codes = blog
    a = read_corpus_codings("corpora/tr_blog", "coder_a")
    b = read_corpus_codings("corpora/tr_blog", "coder_b")
    table = trd.agreement(a, b, codes=codes).loc[codes]
    _, ax = plt.subplots()
    out = plot_scores(table, "cohen_kappa", ax=ax, codebook=book)
    assert out is ax and len(ax.patches) == 12
    assert ax.get_xlabel() == "cohen_kappa"
