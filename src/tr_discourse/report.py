"""A self-contained HTML report of a coding run (``tr-discourse report DIR``).

The report reads what ``tr-discourse code`` wrote to DIR and shows: the run
(inputs, coder, codebook version and hash), counts per code with intervals,
plots (frequencies, co-occurrence heatmap and network, timeline, code by
corpus and kind), the reliability of the run against the reference coding
when the inputs are corpus folders that bring one, and example passages per
code with the evidence highlighted. Images are embedded, so the file can be
mailed or archived on its own.
"""

from __future__ import annotations

import base64
import html
import io
import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from . import analysis, plots
from ._version import __version__
from .codebook.load import load_codebook
from .codebook.model import Codebook
from .codings import _code_table, read_codings, roll_up
from .errors import TrDiscourseError, TrDiscourseWarning
from .io.write import atomic_write_text
from .sample import reference_codings
from .views import EvidenceView

__all__ = ["build_report", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:.88em;margin:.5em 0}
th,td{border-bottom:1px solid #e5e5e5;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}
img{max-width:100%;height:auto;margin:.5em 0}
.meta{color:#555;font-size:.9em}.grid{display:flex;flex-wrap:wrap;gap:1em}
.grid>div{flex:1 1 480px}
"""


def _png(ax: Any, name: str, images: dict[str, bytes]) -> str:
    import matplotlib.pyplot as plt

    fig = ax.figure
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    images[name] = buf.getvalue()
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame, digits: int = 3) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if pd.isna(v) else (f"{v:,.0f}" if v.is_integer() and abs(v) >= 1
                                           else f"{v:.{digits}f}")
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "",
                                                                *frame.columns])
    rows = "".join("<tr><td>" + html.escape(str(i)) + "</td>" +
                   "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                   for i, row in zip(frame.index, frame.to_numpy(), strict=True))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "manifest.json"
    if not path.exists():
        raise TrDiscourseError(f"{run_dir}: no manifest.json; this is not the output of a "
                               "complete tr-discourse code run (or the run was interrupted)")
    return json.loads(path.read_text(encoding="utf-8"))


def _output(run_dir: Path, name: str) -> Path:
    """Return the path of one of the run's outputs, which must still be there."""
    path = run_dir / name
    if not path.exists():
        raise TrDiscourseError(f"{path} is missing: the coding run in {run_dir} wrote it "
                               "(its manifest.json lists it), and the report reads it; re-run "
                               "tr-discourse code to write the run's outputs again")
    return path


def _run_table(path: Path) -> pd.DataFrame:
    """Read a CSV table the run wrote: only empty cells are missing (a code may be ``NA``)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""],
                       dtype={"code": str, "code_a": str, "code_b": str})


def _run_codebook(run_dir: Path, manifest: dict[str, Any]) -> Codebook | None:
    """Load the run's codebook; None, with a warning, when its file is gone.

    Raises when the file now holds another codebook than the run recorded.
    """
    path = Path(manifest.get("codebook_path") or "")
    if not path.is_file():
        warnings.warn(f"{path}, the codebook of the coding run in {run_dir}, no longer exists: "
                      "the report leaves out the comparison with the reference coding and "
                      "the example passages, and names codes by id; restore the codebook "
                      "to have them", TrDiscourseWarning, stacklevel=3)
        return None
    book = load_codebook(path)
    recorded = manifest.get("codebook_hash")
    if recorded is not None and book.hash != recorded:
        raise TrDiscourseError(
            f"{path} has changed since the coding run in {run_dir}: its content hash is now "
            f"{book.hash[:12]}... (version {book.version}), but the run recorded "
            f"{str(recorded)[:12]}... (version {manifest.get('codebook_version')}) in "
            "manifest.json, so the report would label, roll up and compare the run's codes "
            "by another codebook than the one that made them; re-run tr-discourse code with "
            "this codebook to report on it, or restore the codebook the run used")
    return book


def _skipped_note(manifest: dict[str, Any]) -> str:
    """Say how many segments the run left uncoded for their speaker's role ("" if none)."""
    n = manifest.get("counts", {}).get("not_coded_for_role", 0)
    roles = manifest.get("coder_params", {}).get("skip_roles") or []
    if not n:
        return ""
    return (f" {n:,} segments were examined but not coded for their speaker's role "
            f"({', '.join(roles)}; skip_roles).")


def _reference(manifest: dict[str, Any], book: Codebook) -> pd.DataFrame | None:
    """Return the reference codings the run's inputs bring, rolled up (None: none).

    The inputs are found where the run found them (their resolved paths), so a
    report built from another directory still finds them; an input that is no
    longer there is named in a warning.
    """
    inputs = manifest.get("inputs_resolved") or manifest.get("inputs", [])
    gone = [i for i in inputs if not Path(i).exists()]
    if gone:
        warnings.warn(f"the run's inputs {', '.join(gone)} are not there any more: the "
                      "comparison with the reference coding leaves them out",
                      TrDiscourseWarning, stacklevel=3)
    try:
        found = reference_codings([i for i in inputs if Path(i).exists()])
    except TrDiscourseError as exc:
        warnings.warn(f"the comparison with the reference coding is left out: {exc}",
                      TrDiscourseWarning, stacklevel=3)
        return None
    return None if found is None else roll_up(found, book)


def build_report(run_dir: str | Path, *, examples: int = 3,
                 images: dict[str, bytes] | None = None) -> str:
    """Return the HTML report of the coding run in ``run_dir``.

    The counts and co-occurrence shown are the run's own ``frequencies.csv``
    and ``cooccurrence.csv``, and the timeline, the codes by group and the
    example passages come from its ``codings.parquet`` as written, so the
    report always agrees with the run's tables, rolled up or not as the run
    was (``--roll-up``). Only the comparison with a reference coding rolls
    child codes up to their parents on both sides, as ``tr-discourse agree
    --codebook`` does, since the reference codings carry every parent.

    Parameters
    ----------
    run_dir : str or Path
        The output folder of ``tr-discourse code``
        (:func:`tr_discourse.run.code_corpus`).
    examples : int, default 3
        Example passages per code: the code's highest-scoring segments.
    images : dict, optional
        Receives each plot as PNG bytes under a file name.

    Returns
    -------
    str
        A self-contained HTML page (images embedded).

    Raises
    ------
    TrDiscourseError
        When ``run_dir`` holds no complete run (no ``manifest.json``), when an
        output the report reads is missing, or when the run's codebook file
        has changed since the run (its content hash differs from the one in
        the manifest). The codebook gives the report its code labels, the
        hierarchy for rolling up and the evidence view; a report of codes by
        another codebook than the one that made them would misstate the run
        it documents, so this is an error rather than a warning: re-run
        ``tr-discourse code`` with the new codebook, or restore the old one.
        Edits that leave the content alone (comments, layout) do not count.

    Warns
    -----
    TrDiscourseWarning
        When the codebook file no longer exists (the report leaves out what
        needs it), or a corpus folder among the inputs has a broken
        ``corpus.yaml`` (the comparison with the reference is left out).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from tr_discourse.run import code_corpus
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = code_corpus([Path("tests/data/thread/thread.txt")],
    ...                 Path("codebooks/tr_core.yaml"), out)
    >>> images = {}
    >>> page = build_report(out, images=images)
    >>> page.startswith("<!DOCTYPE html>"), "<h2>Counts</h2>" in page
    (True, True)
    >>> sorted(images)
    ['codes_by_kind.png', 'cooccurrence_heatmap.png', 'cooccurrence_network.png',
     'frequencies.png', 'timeline.png']

    """
    images = {} if images is None else images
    run_dir = Path(run_dir)
    manifest = _manifest(run_dir)
    book = _run_codebook(run_dir, manifest)
    segments = pd.read_parquet(_output(run_dir, "segments.parquet"))
    codings = read_codings(_output(run_dir, "codings.parquet"))
    evidence = pd.read_parquet(run_dir / "evidence.parquet") \
        if (run_dir / "evidence.parquet").exists() else None
    freq = _run_table(_output(run_dir, "frequencies.csv")).set_index("code")
    cooc = _run_table(_output(run_dir, "cooccurrence.csv"))
    cooc["significant"] = cooc["significant"].astype(bool)
    codes = list(freq.index)
    parsed = _code_table(codings)  # one parse for the timeline and the codes by group
    parts = [f"<h1>Coding report: {html.escape(', '.join(manifest.get('inputs', [])))}</h1>",
             '<p class="meta">' + html.escape(
                 f"coder {manifest.get('coder')} · codebook {manifest.get('codebook')} "
                 f"{manifest.get('codebook_version')} (hash "
                 f"{str(manifest.get('codebook_hash'))[:12]}) · unit {manifest.get('unit')} · "
                 f"made {manifest.get('created')} with tr_discourse "
                 f"{manifest.get('tr_discourse')}; report by tr_discourse {__version__}") + "</p>"]
    counts = manifest.get("counts", {})
    parts.append("<h2>Counts</h2><p>" + html.escape(
        f"{counts.get('documents', 0):,} documents, {counts.get('segments', 0):,} segments; "
        f"{counts.get('coded_segments', 0):,} segments got {counts.get('codings', 0):,} "
        "codes." + _skipped_note(manifest)) + "</p>")
    shown = freq[["segments", "documents", "share", "share_low", "share_high",
                  "per_1000_words"]].copy()
    parts.append(_table(shown))
    parts.append("<h2>Frequencies and co-occurrence</h2><div class='grid'>")
    parts.append("<div>" + _png(plots.plot_frequencies(freq, codebook=book), "frequencies.png",
                                images) + "</div>")
    parts.append("<div>" + _png(plots.plot_cooccurrence_heatmap(cooc), "cooccurrence_heatmap.png",
                                      images) + "</div>")
    parts.append("<div>" + _png(plots.plot_network(cooc, codebook=book, min_value=0.05),
                                      "cooccurrence_network.png", images)
                 + "</div></div>")
    significant = cooc[cooc["significant"]].sort_values("npmi", ascending=False)
    if len(significant):
        parts.append("<p>Pairs that occur together more often than chance (one-sided "
                     "hypergeometric test, Holm-corrected, 5%):</p>")
        parts.append(_table(significant.set_index(["code_a"])[
            ["code_b", "n_a", "n_b", "n_ab", "jaccard", "npmi", "p_adjusted"]].head(15)))
    if segments["date"].notna().any():
        series = analysis._time_series(segments, parsed, codes=codes[:6])
        parts.append("<h2>Over time</h2>" + _png(plots.plot_timeline(series, codebook=book),
                                                     "timeline.png", images))
    for column in ("corpus", "kind"):
        if column in segments and segments[column].nunique() > 1:
            table = analysis._crosstab(segments, parsed, column, codes=codes, value="share")
            parts.append(f"<h2>Codes by {column}</h2>" + _png(plots.plot_group_heatmap(table),
                                                                  f"codes_by_{column}.png", images))
    reference = _reference(manifest, book) if book is not None else None
    if reference is not None:
        from .reliability import agreement

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = agreement(reference, roll_up(codings, book), codes=codes)
        parts.append("<h2>Against the reference coding</h2><p>The inputs bring an "
                     "adjudicated reference coding; this run is B, the reference A, with "
                     "children rolled up to their parents on both sides (as tr-discourse "
                     "agree --codebook does).</p>")
        parts.append(_table(table[["units", "n_a", "n_b", "precision", "recall", "f1",
                                   "cohen_kappa", "krippendorff_alpha"]]))
        parts.append(_png(plots.plot_scores(table.loc[codes], "f1", codebook=book),
                          "reliability.png", images))
    if book is not None:
        parts.append("<h2>Example passages</h2>")
        view_evidence = evidence if evidence is not None else pd.DataFrame(
            columns=["segment_id", "code", "rule_id", "start", "end", "text"])
        by_id = segments.set_index("segment_id")
        for code in codes:
            coded = codings.loc[codings["code"] == code].sort_values("score", ascending=False)
            ids = coded["segment_id"].head(examples)
            if ids.empty:
                continue
            segs = by_id.loc[ids].reset_index()
            ev = view_evidence[view_evidence["segment_id"].isin(ids)]
            parts.append(f"<h3>{html.escape(book[code].label)} <small>({code})</small></h3>")
            parts.append(EvidenceView(segs, ev, book).to_html())
    body = "\n".join(parts)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>tr_discourse "
            f"report</title><style>{_CSS}</style></head><body>{body}</body></html>")


def write_report(run_dir: str | Path, html_path: str | Path | None = None) -> Path:
    """Write the report of ``run_dir`` (default ``run_dir/report.html``) atomically.

    The plots are also written as PNG files to ``run_dir/plots/``.

    Parameters
    ----------
    run_dir : str or Path
        The output folder of ``tr-discourse code``.
    html_path : str or Path, optional
        Where to write the report (default ``run_dir/report.html``).

    Returns
    -------
    Path
        The report's path.

    Raises
    ------
    TrDiscourseError
        As :func:`build_report`; nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from tr_discourse.run import code_corpus
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = code_corpus([Path("tests/data/thread/thread.txt")],
    ...                 Path("codebooks/tr_core.yaml"), out)
    >>> write_report(out).name, (out / "plots" / "frequencies.png").exists()
    ('report.html', True)

    """
    from .io.write import atomic_write_bytes

    path = Path(html_path) if html_path is not None else Path(run_dir) / "report.html"
    images: dict[str, bytes] = {}
    page = build_report(run_dir, images=images)
    for name, data in images.items():
        atomic_write_bytes(Path(run_dir) / "plots" / name, data)
    return atomic_write_text(path, page)
