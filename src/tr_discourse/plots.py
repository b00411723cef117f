"""Plots: Axes-level functions that take ``ax=None`` and return the Axes.

Colours come from the codebook where it gives them, else from a colour-blind
safe palette (Okabe and Ito).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["OKABE_ITO", "plot_scores"]

#: The Okabe-Ito colour-blind safe palette.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")


def _colors(codes: list[str], codebook: Any | None) -> list[str]:
    out = []
    for i, code in enumerate(codes):
        color = codebook[code].color if codebook is not None and code in codebook else None
        out.append(color or OKABE_ITO[i % len(OKABE_ITO)])
    return out


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
    import matplotlib.pyplot as plt

    if metric not in table:
        raise ValueError(f"the table has no {metric!r} column; it has "
                         f"{', '.join(map(str, table.columns))}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(table) + 1))
    codes = [str(c) for c in table.index]
    values = table[metric].astype(float).to_numpy()
    y = range(len(codes))[::-1]
    labels = [codebook[c].label if codebook is not None and c in codebook else c for c in codes]
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
