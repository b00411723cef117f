"""Shared fixtures: paths to the test data and helpers that check segment invariants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tr_discourse._text import strip_spans

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data() -> Path:
    return DATA


def assert_segment_invariants(corpus) -> None:
    """Text equals the raw slice minus markup; no overlap; positions ordered; chars accounted."""
    docs = corpus.documents.set_index("doc_id")["text"]
    markup = {
        doc_id: list(zip(g["start"], g["end"], strict=True))
        for doc_id, g in corpus.markup.groupby("doc_id")
    }
    for doc_id, group in corpus.segments.groupby("doc_id", sort=False):
        raw = docs[doc_id]
        spans = markup.get(doc_id, [])
        last_end, last_pos = -1, 0
        for row in group.itertuples():
            assert strip_spans(raw, row.start, row.end, spans) == row.text
            assert row.text == row.text.strip() and row.text
            assert row.start >= last_end, f"{row.segment_id} overlaps the segment before it"
            assert row.position > last_pos
            last_end, last_pos = row.end, row.position
    acc = corpus.accounting()
    parts = acc["in_segments"] + acc["markup"] + acc["excluded"] + acc["whitespace"]
    pd.testing.assert_series_equal(parts + acc["unaccounted"], acc["n_chars"], check_names=False)
    assert (acc["unaccounted"] == 0).all(), acc[acc["unaccounted"] > 0]
