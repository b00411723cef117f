"""Notebook views: segments with the evidence for their codes highlighted.

``EvidenceView(segments, evidence, codebook)`` shows, for each segment, its id,
speaker and text with every match marked in the code's colour and labelled
with the code and the pattern that fired. In Jupyter it renders itself; in
scripts :meth:`EvidenceView.to_html` gives the HTML.
"""

from __future__ import annotations

import html
from itertools import pairwise
from typing import Any

import pandas as pd

from .codebook.model import Codebook

__all__ = ["EvidenceView", "ExplanationView"]

_FALLBACK = "#d9d9d9"


class EvidenceView:
    """Segments with their evidence highlighted in the codebook's colours.

    Parameters
    ----------
    segments : DataFrame
        Segments with ``segment_id`` and ``text`` (and ``speaker`` if known).
    evidence : DataFrame
        ``RuleCoder.evidence(segments)``: segment_id, code, rule_id, start, end.
    codebook : Codebook
        For the colours and labels.
    max_segments : int, default 50
        Show at most this many segments (those with evidence first).

    Examples
    --------
    >>> import pandas as pd, tr_discourse as trd
    >>> coder = trd.RuleCoder("codebooks/tr_core.yaml").fit()
    >>> segs = pd.DataFrame({"segment_id": ["a:t001"], "text": ["We moved to a hub."]})
    >>> view = EvidenceView(segs, coder.evidence(segs), coder.codebook_)
    >>> "<mark" in view.to_html() and "displacement" in view.to_html()
    True

    """

    def __init__(self, segments: pd.DataFrame, evidence: pd.DataFrame, codebook: Codebook,
                 *, max_segments: int = 50) -> None:
        self.segments = segments
        self.evidence = evidence
        self.codebook = codebook
        self.max_segments = max_segments

    def _color(self, code: str) -> str:
        color = self.codebook[code].color if code in self.codebook else None
        return color or _FALLBACK

    def _label(self, code: str) -> str:
        return self.codebook[code].label if code in self.codebook else code

    def segment_html(self, text: str, matches: pd.DataFrame) -> str:
        """Return one segment's text as HTML with its matches marked.

        Overlapping matches are split at every boundary; each piece is marked
        with the colour of the first code that covers it and names all of them.
        """
        bounds = sorted({0, len(text), *matches["start"].tolist(), *matches["end"].tolist()})
        pieces = []
        for s, e in pairwise(bounds):
            if s >= e:
                continue
            cover = matches[(matches["start"] <= s) & (matches["end"] >= e)]
            piece = html.escape(text[s:e])
            if cover.empty:
                pieces.append(piece)
                continue
            title = "; ".join(f"{self._label(r.code)} ({r.rule_id})" for r in cover.itertuples())
            pieces.append(f'<mark style="background:{self._color(cover.iloc[0]["code"])}66;'
                          f'border-bottom:2px solid {self._color(cover.iloc[0]["code"])}" '
                          f'title="{html.escape(title)}">{piece}</mark>')
        return "".join(pieces).replace("\n", "<br>")

    def to_html(self) -> str:
        """Return the view as an HTML fragment."""
        ev = self.evidence
        coded = set(ev["segment_id"])
        segs = self.segments.assign(_has=self.segments["segment_id"].isin(coded))
        segs = segs.sort_values("_has", ascending=False, kind="stable").head(self.max_segments)
        rows = []
        for seg in segs.itertuples():
            matches = ev[ev["segment_id"] == seg.segment_id]
            codes = list(dict.fromkeys(matches["code"]))
            chips = " ".join(
                f'<span style="background:{self._color(c)};color:#fff;padding:0 4px;'
                f'border-radius:3px;font-size:85%">{html.escape(self._label(c))}</span>'
                for c in codes) or '<span style="color:#888">no code</span>'
            speaker = getattr(seg, "speaker", None)
            who = "" if speaker is None or pd.isna(speaker) else f" &middot; {html.escape(speaker)}"
            rows.append(f'<div style="margin:0 0 0.8em 0"><div style="font-size:85%;color:#555">'
                        f"<code>{html.escape(str(seg.segment_id))}</code>{who} {chips}</div>"
                        f"<div>{self.segment_html(str(seg.text), matches)}</div></div>")
        shown = len(segs)
        more = len(self.segments) - shown
        tail = f'<div style="color:#888">... {more} more segments</div>' if more > 0 else ""
        return f'<div class="tr-discourse-evidence">{"".join(rows)}{tail}</div>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return (f"<EvidenceView: {len(self.segments)} segments, {len(self.evidence)} matches "
                f"of {self.evidence['code'].nunique() if len(self.evidence) else 0} codes>")


class ExplanationView:
    """One text with the words that pushed a code up (green) or down (red) highlighted.

    Built from :meth:`tr_discourse.MLCoder.explain`: each word n-gram feature of
    the text is shaded by its contribution to the code's log-odds; hovering
    shows the value. Character n-gram, rule and embedding features are listed
    as totals beneath.

    Parameters
    ----------
    model : MLCoder
        A trained model.
    text : str
        The text to explain.
    code : str, optional
        The code to explain (default: the model's most probable code for the text).
    n : int, default 12
        Word features to show.

    Examples
    --------
    >>> import tr_discourse as trd
    >>> from tr_discourse.sample import read_corpus_codings
    >>> segs = trd.read_corpus("corpora/tr_blog").segments
    >>> model = trd.MLCoder(thresholds=0.5).fit(segs, read_corpus_codings("corpora/tr_blog"))
    >>> view = ExplanationView(model, "The company cut the contract.", code="marketisation")
    >>> "contract" in view.to_html() and "marketisation" in view.to_html()
    True

    """

    def __init__(self, model: Any, text: str, code: str | None = None, *, n: int = 12) -> None:
        self.model = model
        self.text = text
        self.n = n
        table = model.explain(text, n=None)
        if code is None:
            code = str(table.sort_values("probability", ascending=False)["code"].iloc[0]) \
                if len(table) else model.codes_[0]
        self.code = code
        self.table = table[table["code"] == code]

    def to_html(self) -> str:
        """Return the view as an HTML fragment."""
        rows = self.table
        words = rows[rows["feature"].str.startswith("word:")].copy()
        words["term"] = words["feature"].str.slice(5)
        words = words.reindex(words["contribution"].abs().sort_values(ascending=False).index)
        words = words.head(self.n)
        top = float(words["contribution"].abs().max()) if len(words) else 1.0
        marks: list[tuple[int, int, float, str]] = []
        taken = [False] * len(self.text)
        spans = self.model.vectorizers_[0].gram_spans(self.text)
        for row in words.itertuples():
            for start, end in spans.get(row.term, ()):
                if not any(taken[start:end]):
                    marks.append((start, end, row.contribution, row.term))
                    taken[start:end] = [True] * (end - start)
        marks.sort()
        out, pos = [], 0
        for start, end, value, term in marks:
            out.append(html.escape(self.text[pos:start]))
            alpha = 0.15 + 0.6 * abs(value) / top
            color = f"rgba(0,158,115,{alpha:.2f})" if value > 0 else \
                f"rgba(213,94,0,{alpha:.2f})"
            out.append(f'<span style="background:{color}" title="{html.escape(term)}: '
                       f'{value:+.3f}">{html.escape(self.text[start:end])}</span>')
            pos = end
        out.append(html.escape(self.text[pos:]))
        others = rows[~rows["feature"].str.startswith("word:")]
        totals = others.assign(kind=others["feature"].str.split(":").str[0]) \
            .groupby("kind")["contribution"].sum()
        extra = ", ".join(f"{k} features {v:+.2f}" for k, v in totals.items())
        probability = float(rows["probability"].iloc[0]) if len(rows) else float("nan")
        label = self.model.codebook_[self.code].label if self.code in self.model.codebook_ \
            else self.code
        return (f'<div class="tr-discourse-explanation"><div style="font-size:85%;color:#555">'
                f"{html.escape(label)} ({html.escape(self.code)}): probability "
                f"{probability:.2f}, threshold {self.model.thresholds_[self.code]:.2f}"
                f'{"; " + html.escape(extra) if extra else ""}</div>'
                f"<div>{''.join(out)}</div></div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"<ExplanationView of {self.code!r}: {len(self.table)} features>"
