"""The rule coder as a spaCy pipeline component: codes as span groups in ``doc.spans``.

>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("tr_discourse_coder", config={"codebook": "codebooks/tr_core.yaml"})
>>> doc = nlp("They closed the office and moved us to a hub.")
>>> [span.text for span in doc.spans["tr_discourse"]]
['closed the office', 'closed the office', 'closed the office', 'moved us to a hub', 'hub']
>>> {span.label_ for span in doc.spans["tr_discourse"]}
{'displacement'}

``displacy.render(doc, style="span", options=span_options(codebook))`` shows the
coded text in a notebook, in the codebook's colours.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..codebook.model import Codebook
from .rules import RuleCoder

__all__ = ["RuleCoderComponent", "make_rule_coder", "span_options"]


class RuleCoderComponent:
    """Put the rule coder's evidence into ``doc.spans[spans_key]``, one span per match.

    Each span's label is the code; ``span.id_`` holds the pattern id. Spans of
    one code may overlap (a span group allows that).
    """

    def __init__(self, nlp: Language, name: str, codebook: str, spans_key: str,
                 roll_up: bool) -> None:
        self.name = name
        self.spans_key = spans_key
        self.coder = RuleCoder(codebook, roll_up=roll_up).fit()

    def __call__(self, doc: Doc) -> Doc:
        """Code one document."""
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Any, batch_size: int = 1000) -> Any:
        """Code documents in batches (used by ``nlp.pipe``)."""
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._code(batch)
                batch = []
        if batch:
            yield from self._code(batch)

    def _code(self, docs: list[Doc]) -> list[Doc]:
        for doc, found in zip(docs, self.coder.find([d.text for d in docs]), strict=True):
            spans = []
            for ev in found:
                span = doc.char_span(ev.start, ev.end, label=ev.code, alignment_mode="expand")
                if span is not None:
                    spans.append(Span(doc, span.start, span.end, label=ev.code,
                                      span_id=ev.rule_id))
            doc.spans[self.spans_key] = spans
        return docs


@Language.factory(
    "tr_discourse_coder",
    default_config={"codebook": "codebooks/tr_core.yaml", "spans_key": "tr_discourse",
                    "roll_up": False},
)
def make_rule_coder(nlp: Language, name: str, codebook: str, spans_key: str,
                    roll_up: bool) -> RuleCoderComponent:
    """Build the ``tr_discourse_coder`` component (spaCy factory)."""
    return RuleCoderComponent(nlp, name, codebook, spans_key, roll_up)


def span_options(codebook: Codebook, spans_key: str = "tr_discourse") -> dict[str, Any]:
    """Options for ``displacy.render(doc, style="span", options=...)`` in the codebook's colours.

    Examples
    --------
    >>> import tr_discourse as trd
    >>> span_options(trd.load_codebook("codebooks/tr_core.yaml"))["colors"]["displacement"]
    '#...'

    """
    return {"spans_key": spans_key,
            "colors": {c.id: c.color for c in codebook.codes if c.color}}
