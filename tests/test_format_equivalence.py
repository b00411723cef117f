"""The same interview, thread or table in every format gives the same segments."""

from __future__ import annotations

import pandas as pd
import pytest

import tr_discourse as trd
from conftest import DATA, assert_segment_invariants

COMPARED = ["position", "kind", "speaker", "role", "text", "n_words", "n_notes", "bare_link",
            "comment_no"]


def _comparable(corpus: trd.Corpus) -> pd.DataFrame:
    seg = corpus.segments
    out = seg[COMPARED].copy()
    out["id_suffix"] = seg["segment_id"].str.split(":").str[-1]
    out["parent_suffix"] = seg["parent_id"].str.split(":").str[-1]
    return out.reset_index(drop=True)


INTERVIEW = ["interview.txt", "interview.vtt", "interview.srt", "interview.docx"]
THREAD = ["thread.txt", "thread-atom.xml", "thread-wxr.xml"]
TABLES = ["documents.csv", "documents.jsonl", "documents.parquet"]


@pytest.mark.parametrize("unit", ["turn", "paragraph", "sentence", "document"])
@pytest.mark.parametrize("name", INTERVIEW[1:])
def test_interview_formats_give_identical_segments(name, unit):
    expected = trd.read_corpus(DATA / "interview" / INTERVIEW[0], unit=unit)
    got = trd.read_corpus(DATA / "interview" / name, unit=unit)
    pd.testing.assert_frame_equal(_comparable(got), _comparable(expected))
    assert_segment_invariants(got)


@pytest.mark.parametrize("name", INTERVIEW)
def test_interview_formats_keep_turn_start_times(name):
    seg = trd.read_corpus(DATA / "interview" / name).segments
    assert seg["time_start"].tolist() == [5.0, 11.0, 31.0, 35.0, 62.0, 65.0]


def test_interview_formats_are_detected():
    detected = [trd.detect_format(DATA / "interview" / n) for n in INTERVIEW]
    assert detected == ["transcript", "webvtt", "srt", "docx"]


@pytest.mark.parametrize("unit", ["comment", "paragraph", "sentence"])
@pytest.mark.parametrize("name", THREAD[1:])
def test_thread_formats_give_identical_segments(name, unit):
    expected = trd.read_corpus(DATA / "thread" / THREAD[0], unit=unit)
    with pytest.warns(trd.FormatWarning, match="left out entries"):
        got = trd.read_corpus(DATA / "thread" / name, unit=unit)
    pd.testing.assert_frame_equal(_comparable(got), _comparable(expected))
    assert_segment_invariants(got)


def test_thread_formats_are_detected():
    detected = [trd.detect_format(DATA / "thread" / n) for n in THREAD]
    assert detected == ["blogger-text", "blogger-atom", "wxr"]


@pytest.mark.parametrize("unit", ["document", "paragraph", "sentence"])
@pytest.mark.parametrize("name", TABLES[1:])
def test_table_formats_give_identical_segments(name, unit):
    mapping = {"doc_no": "id", "body": "text"}
    expected = trd.read_corpus(DATA / "tables" / TABLES[0], unit=unit, columns_map=mapping)
    got = trd.read_corpus(DATA / "tables" / name, unit=unit, columns_map=mapping)
    cols = ["segment_id", "doc_id", "start", "end", "date", "author", *COMPARED]
    pd.testing.assert_frame_equal(got.segments[cols], expected.segments[cols])
    assert_segment_invariants(got)
