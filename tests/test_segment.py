"""Segmenters: units, ids, interviewer exclusion, and refusals."""

from __future__ import annotations

import pytest

import tr_discourse as trd
from conftest import DATA, assert_segment_invariants

INTERVIEW = DATA / "interview" / "interview.txt"
THREAD = DATA / "thread" / "thread.txt"


@pytest.mark.parametrize(
    ("path", "unit", "n", "first_id"),
    [
        (INTERVIEW, "turn", 6, "interview:t001"),
        (INTERVIEW, "paragraph", 6, "interview:p001"),
        (INTERVIEW, "sentence", 13, "interview:s001"),
        (INTERVIEW, "document", 1, "interview"),
        (THREAD, "comment", 9, "thread:c001"),
        (THREAD, "paragraph", 13, "thread:p001"),
        (THREAD, "sentence", 24, "thread:s001"),
        (THREAD, "document", 1, "thread"),
    ],
)
def test_segment_counts_and_ids(path, unit, n, first_id):
    corpus = trd.read_corpus(path, unit=unit)
    assert corpus.n_segments == n
    assert corpus.segments["segment_id"].iloc[0] == first_id
    assert corpus.segments["segment_id"].is_unique
    assert_segment_invariants(corpus)


def test_sentences_keep_their_turn_and_speaker():
    seg = trd.read_corpus(INTERVIEW, unit="sentence").segments
    row = seg.set_index("segment_id").loc["interview:s006"]
    assert row["text"] == ("[laughs] We went from a public service to a company with "
                           "shareholders overnight.")
    assert (row["unit_id"], row["speaker"], row["n_notes"]) == ("interview:t002", "P7", 1)


def test_paragraphs_of_a_reply_point_at_the_parent_comment():
    seg = trd.read_corpus(THREAD, unit="paragraph").segments
    replies = seg[seg["kind"] == "reply"]
    assert replies["parent_id"].tolist() == ["thread:c003", "thread:c003", "thread:c008"]
    assert replies["unit_id"].tolist() == ["thread:c004", "thread:c005", "thread:c009"]


def test_leaving_out_interviewer_turns_keeps_ids_and_counts_characters():
    full = trd.read_corpus(INTERVIEW)
    participant = full.segment("turn", interviewer=False)
    assert participant.segments["segment_id"].tolist() == [
        "interview:t002", "interview:t004", "interview:t006"]
    acc = participant.accounting().iloc[0]
    assert acc["excluded"] == len("Thanks for doing this. How long have you worked in probation?"
                                  "What changed first?And the office?")
    assert_segment_invariants(participant)
    sentences = full.segment("sentence", interviewer=False).segments
    assert sentences["segment_id"].iloc[0] == "interview:s003"
    assert set(sentences["role"]) == {"participant"}


def test_segment_ids_are_stable_across_reads():
    a = trd.read_corpus(THREAD, unit="sentence").segments["segment_id"].tolist()
    b = trd.read_corpus(THREAD, unit="sentence").segments["segment_id"].tolist()
    assert a == b


def test_turn_unit_on_a_blog_is_refused_with_advice():
    with pytest.raises(ValueError, match=r"unit 'turn' applies to interview documents, but "
                                         r"'thread' is a blog document .*unit='auto'"):
        trd.read_corpus(THREAD, unit="turn")


def test_unknown_unit_lists_units():
    with pytest.raises(trd.UnknownNameError, match=r"Unknown unit 'line'\. Known units: 'auto'"):
        trd.read_corpus(THREAD, unit="line")


def test_history_records_the_steps():
    corpus = trd.read_corpus(INTERVIEW).segment("sentence", interviewer=False)
    assert corpus.history[-2:] == ("segment('auto')", "segment('sentence', interviewer=False)")


def test_sentences_respect_list_items_links_and_brackets():
    seg = trd.read_corpus(THREAD, unit="sentence").segments.set_index("segment_id")["text"]
    assert seg["thread:s016"] == "https://www.example.com/blog/ttg-review"
    assert seg[["thread:s021", "thread:s022", "thread:s023"]].tolist() == [
        "Three things missing on the day of release:", "1. a bed", "2. ID"]
