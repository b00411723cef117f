"""Plots: Axes-level functions that take ``ax=None`` and return the Axes.

Colours come from the codebook where it gives them, else from a colour-blind
safe palette (Okabe and Ito).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["OKABE_ITO", "plot_cooccurrence_heatmap", "plot_frequencies", "plot_group_heatmap",
           "plot_network", "plot_scores", "plot_timeline"]

#: The Okabe-Ito colour-blind safe palette.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")


def _colors(codes: list[str], codebook: Any | None) -> list[str]:
    out = []
    for i, code in enumerate(codes):
        color = codebook[code].color if codebook is not None and code in codebook else None
        out.append(color or OKABE_ITO[i % len(OKABE_ITO)])
    return out


def _new_ax(ax: Any, size: tuple[float, float]) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


def plot_scores(table: pd.DataFrame, metric: str = "f1", *, ax: Any = None,
                codebook: Any | None = None, reference: pd.DataFrame | None = None,
                reference_label: str = "reference") -> Any:
    """Horizontal bars of a per-code score with its confidence interval.

    Parameters
    ----------
    table : DataFrame
        One row per code with ``metric`` and, if present, ``{metric}_low`` and
        ``{metric}_high`` (as :func:`tr_discourse.evaluation.cross_validate`
        returns).
    metric : str, default "f1"
        The column to draw.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    codebook : Codebook, optional
        For the codes' colours and labels.
    reference : DataFrame, optional
        A second table whose ``metric`` is drawn as a marker on each bar (for
        example the rule coder's scores next to the model's).
    reference_label : str, default "reference"
        The legend's name for ``reference``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"f1": [0.7, 0.5], "f1_low": [0.6, 0.3], "f1_high": [0.8, 0.6]},
    ...                  index=["marketisation", "displacement"])
    >>> ax = plot_scores(t)
    >>> len(ax.patches), ax.get_xlabel()
    (2, 'f1 (95% interval)')

    """
    if metric not in table:
        raise ValueError(f"the table has no {metric!r} column; it has "
                         f"{', '.join(map(str, table.columns))}")
    ax = _new_ax(ax, (6, 0.35 * len(table) + 1))
    codes = [str(c) for c in table.index]
    values = table[metric].astype(float).to_numpy()
    y = range(len(codes))[::-1]
    labels = [_label(c, codebook) for c in codes]
    ax.barh(list(y), values, color=_colors(codes, codebook), alpha=0.85)
    if f"{metric}_low" in table and f"{metric}_high" in table:
        low = values - table[f"{metric}_low"].astype(float).to_numpy()
        high = table[f"{metric}_high"].astype(float).to_numpy() - values
        ax.errorbar(values, list(y), xerr=[low, high], fmt="none", ecolor="#333333",
                    capsize=3, linewidth=1)
        ax.set_xlabel(f"{metric} (95% interval)")
    else:
        ax.set_xlabel(metric)
    if reference is not None and metric in reference:
        ref = reference.reindex(codes)[metric].astype(float).to_numpy()
        ax.scatter(ref, list(y), marker="|", s=200, color="#000000", zorder=3,
                   label=reference_label)
        ax.legend(loc="lower right", frameon=False)
    ax.set_yticks(list(y), labels)
    ax.set_xlim(min(0.0, float(pd.Series(values).min()) - 0.05), 1.0)
    ax.axvline(0, color="#999999", linewidth=0.8)
    return ax


def plot_frequencies(freq: pd.DataFrame, *, ax: Any = None, codebook: Any | None = None,
                     value: str = "share") -> Any:
    """Draw grouped bars of a frequency table with 95% Wilson intervals.

    ``freq`` is :func:`tr_discourse.analysis.frequencies` output, indexed by
    code or by (group, code); one bar per code, grouped by the first index
    level when there are groups. ``value`` is ``"share"`` (with intervals),
    ``"segments"`` or ``"per_1000_words"``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"share": [0.3, 0.1], "share_low": [0.2, 0.05],
    ...                   "share_high": [0.4, 0.2]}, index=pd.Index(["x", "y"], name="code"))
    >>> len(plot_frequencies(f).patches)
    2

    """
    import numpy as np

    ax = _new_ax(ax, (7, 4))
    table = freq if isinstance(freq.index, pd.MultiIndex) else \
        pd.concat({"": freq}, names=["group"])
    groups = list(dict.fromkeys(table.index.get_level_values(0)))
    codes = list(dict.fromkeys(table.index.get_level_values(-1)))
    width = 0.8 / max(1, len(groups))
    x = np.arange(len(codes))
    for g, group in enumerate(groups):
        part = table.xs(group, level=0).reindex(codes)
        values = part[value].astype(float).to_numpy()
        offset = x - 0.4 + width * (g + 0.5)
        color = OKABE_ITO[g % len(OKABE_ITO)] if len(groups) > 1 else _colors(codes, codebook)
        ax.bar(offset, values, width=width * 0.95, color=color,
               label=str(group) if len(groups) > 1 else None)
        if value == "share":
            err = [values - part["share_low"].to_numpy(float),
                   part["share_high"].to_numpy(float) - values]
            ax.errorbar(offset, values, yerr=err, fmt="none", ecolor="#333333", capsize=2,
                        linewidth=0.8)
    labels = [_label(c, codebook) for c in codes]
    ax.set_xticks(x, labels, rotation=40, ha="right")
    ax.set_ylabel({"share": "share of segments (95% interval)", "segments": "segments",
                   "per_1000_words": "segments per 1,000 words"}.get(value, value))
    if len(groups) > 1:
        ax.legend(frameon=False, fontsize="small")
    return ax


def _label(code: str, codebook: Any | None) -> str:
    """Return the codebook's label of ``code``, or the code itself."""
    return codebook[code].label if codebook is not None and code in codebook else code


def _square(cooc: pd.DataFrame, measure: str) -> pd.DataFrame:
    codes = list(dict.fromkeys([*cooc["code_a"], *cooc["code_b"]]))
    square = pd.DataFrame(float("nan"), index=codes, columns=codes)
    for a, b, v in zip(cooc["code_a"], cooc["code_b"], cooc[measure], strict=True):
        square.loc[a, b] = square.loc[b, a] = v
    return square


def plot_cooccurrence_heatmap(cooc: pd.DataFrame, measure: str = "jaccard", *, ax: Any = None,
                              cluster: bool = True) -> Any:
    """Heatmap of a co-occurrence measure between codes, in clustered order.

    ``cooc`` is :func:`tr_discourse.analysis.cooccurrence` output. With
    ``cluster`` the codes are ordered by average-linkage hierarchical
    clustering on (max - measure), so codes that go together sit together.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"code_a": ["x", "x", "y"], "code_b": ["y", "z", "z"],
    ...                   "jaccard": [0.5, 0.1, 0.2]})
    >>> ax = plot_cooccurrence_heatmap(c)
    >>> len(ax.images), len(ax.texts)
    (1, 6)

    """
    import numpy as np

    square = _square(cooc, measure)
    codes = list(square.index)
    if cluster and len(codes) > 2:
        from scipy.cluster.hierarchy import leaves_list, linkage
        from scipy.spatial.distance import squareform

        values = square.fillna(square.min().min()).to_numpy()
        dist = np.nanmax(values) - values
        np.fill_diagonal(dist, 0)
        order = leaves_list(linkage(squareform(dist, checks=False), method="average"))
        codes = [codes[i] for i in order]
        square = square.loc[codes, codes]
    ax = _new_ax(ax, (0.5 * len(codes) + 2, 0.5 * len(codes) + 1.5))
    return _heatmap(ax, square.to_numpy(float), codes, codes, "{:.2f}", cmap="viridis",
                    label=measure, diagonal=False, rotation=60)


def plot_network(cooc: pd.DataFrame, measure: str = "jaccard", *, ax: Any = None,
                 codebook: Any | None = None, significant_only: bool = False,
                 min_value: float = 0.0, seed: int = 0) -> Any:
    """Co-occurrence network: codes as nodes, edge width by ``measure`` (networkx layout).

    Node size follows how many units carry the code. With
    ``significant_only`` only pairs whose corrected p-value is significant are
    drawn; ``min_value`` drops weaker edges. The layout is seeded, so the
    picture is the same every time.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"code_a": ["x", "x"], "code_b": ["y", "z"], "n_a": [5, 5],
    ...                   "n_b": [3, 2], "jaccard": [0.5, 0.0], "significant": [True, False]})
    >>> ax = plot_network(c, min_value=0.01)
    >>> len(ax.collections)
    2

    """
    import networkx as nx

    ax = _new_ax(ax, (6, 6))
    graph = nx.Graph()
    sizes: dict[str, float] = {}
    for row in cooc.itertuples():
        sizes[row.code_a] = float(getattr(row, "n_a", 1))
        sizes[row.code_b] = float(getattr(row, "n_b", 1))
        graph.add_node(row.code_a)
        graph.add_node(row.code_b)
        value = float(getattr(row, measure))
        if value > min_value and (not significant_only or bool(row.significant)):
            graph.add_edge(row.code_a, row.code_b, weight=value)
    pos = nx.spring_layout(graph, seed=seed, weight="weight")
    nodes = list(graph.nodes)
    biggest = max(sizes.values()) if sizes else 1.0
    nx.draw_networkx_nodes(graph, pos, ax=ax, nodelist=nodes,
                           node_size=[300 + 1500 * sizes[n] / biggest for n in nodes],
                           node_color=_colors(nodes, codebook), alpha=0.9)
    edges = list(graph.edges(data="weight"))
    if edges:
        top = max(w for _, _, w in edges) or 1.0
        nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=[(a, b) for a, b, _ in edges],
                               width=[0.5 + 6 * w / top for _, _, w in edges],
                               edge_color="#555555", alpha=0.7)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=8)
    ax.set_axis_off()
    return ax


def plot_timeline(series: pd.DataFrame, *, ax: Any = None, codes: list[str] | None = None,
                  codebook: Any | None = None, value: str = "share") -> Any:
    """Lines of each code's ``value`` per period (:func:`tr_discourse.analysis.time_series`).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([pd.to_datetime(["2015", "2016"]), ["x", "y"]],
    ...                                  names=["period", "code"])
    >>> s = pd.DataFrame({"share": [0.1, 0.2, 0.3, 0.1]}, index=idx)
    >>> len(plot_timeline(s).lines)
    2

    """
    ax = _new_ax(ax, (7, 4))
    table = series[value].unstack("code")
    codes = codes or list(table.columns)
    for code, color in zip(codes, _colors(codes, codebook), strict=True):
        ax.plot(table.index, table[code], marker="o", color=color, label=_label(code, codebook))
    ax.set_ylabel({"share": "share of segments"}.get(value, value))
    ax.legend(frameon=False, fontsize="small", ncol=2)
    return ax


def plot_group_heatmap(table: pd.DataFrame, *, ax: Any = None, fmt: str = "{:.0%}") -> Any:
    """Heatmap of a code-by-group table (:func:`tr_discourse.analysis.crosstab`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"PO": [0.5, 0.1], "manager": [1.0, 0.0]}, index=["x", "y"])
    >>> ax = plot_group_heatmap(t)
    >>> len(ax.images), len(ax.texts)
    (1, 4)

    """
    ax = _new_ax(ax, (0.9 * len(table.columns) + 3, 0.45 * len(table) + 1.5))
    return _heatmap(ax, table.to_numpy(float), [str(c) for c in table.index],
                    [str(c) for c in table.columns], fmt, cmap="cividis", aspect="auto")


def _heatmap(ax: Any, values: Any, rows: list[str], cols: list[str], fmt: str, *, cmap: str,
             label: str | None = None, diagonal: bool = True, rotation: int = 40,
             aspect: str | None = None) -> Any:
    """Draw ``values`` as an annotated heatmap (light text on dark cells); return the Axes."""
    import numpy as np

    image = ax.imshow(values, cmap=cmap, aspect=aspect)
    half = np.nanmax(values) / 2 if np.isfinite(values).any() else 0.0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if (diagonal or i != j) and not np.isnan(v):
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7,
                        color="white" if v < half else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=rotation, ha="right", fontsize="small")
    ax.set_yticks(range(len(rows)), rows, fontsize="small")
    ax.figure.colorbar(image, ax=ax, label=label, shrink=0.8)
    return ax
