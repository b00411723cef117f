"""Exact expectations on the Blogger page copy reader."""

from __future__ import annotations

from collections import Counter

import pytest

import tr_discourse as trd
from conftest import DATA, assert_segment_invariants
from tr_discourse.io.blogger import parse_blogger_text


@pytest.fixture(scope="module")
def thread():
    return trd.read_corpus(DATA / "thread" / "thread.txt")


def test_blogger_thread_segments_exactly(thread):
    seg = thread.segments
    got = list(zip(seg["segment_id"], seg["kind"], seg["speaker"].fillna("-"),
                   seg["parent_id"].fillna("-"), seg["comment_no"].fillna("-"),
                   seg["start"], seg["end"], strict=True))
    assert got == [
        ("thread:c001", "post", "Probation Watcher", "-", "-", 50, 126),
        ("thread:c002", "post", "Probation Watcher", "-", "-", 128, 238),
        ("thread:c003", "comment", "-", "-", "1", 296, 433),
        ("thread:c004", "reply", "Old Lag", "thread:c003", "1.1", 470, 525),
        ("thread:c005", "reply", "-", "thread:c003", "1.2", 547, 614),
        ("thread:c006", "comment", "-", "-", "2", 634, 684),
        ("thread:c007", "comment", "Anon", "-", "3", 707, 1018),
        ("thread:c008", "comment", "Netnipper", "-", "4", 1041, 1176),
        ("thread:c009", "reply", "-", "thread:c008", "4.1", 1213, 1376),
    ]
    assert seg["bare_link"].fillna(False).tolist() == [False] * 5 + [True] + [False] * 3


def test_blogger_thread_texts_drop_indentation_and_keep_signoffs(thread):
    text = thread.segments.set_index("segment_id")["text"]
    assert text["thread:c004"] == "Nobody in management is left to say it.\n- Old Lag"
    assert text["thread:c003"] == (
        "Same story in our office. Half the team on agency contracts and the rest off with "
        "stress.\n\nNobody in management will say it out loud."
    )
    # the pasted article keeps its paragraphs; the numbered list stays inside the reply
    assert text["thread:c007"].count("\n\n") == 3
    assert text["thread:c009"].endswith("1. a bed\n2. ID\n3. money that lasts until the first "
                                        "Universal Credit payment")


def test_blogger_thread_metadata_and_markup(thread):
    doc = thread.documents.iloc[0]
    assert doc["title"] == "Another Week In Probation"
    assert str(doc["date"].date()) == "2019-03-05"
    assert doc["comments_declared"] == 7 and doc["comments_found"] == 7
    counts = Counter(thread.markup["category"])
    assert counts == {"button_label": 9, "comment_number": 7, "indent": 11, "date_line": 1,
                      "title": 1, "byline": 1, "comment_count": 1}
    labels = set(thread.markup.loc[thread.markup["category"] == "button_label", "text"])
    assert labels == {"ReplyDelete", "Replies", "Delete"}
    assert all("ReplyDelete" not in t for t in thread.segments["text"])
    assert_segment_invariants(thread)


def test_blogger_header_count_mismatch_warns_with_file_and_counts():
    page = ("Monday, 2 June 2014\n\nTitle\n\nPost.\n\n3 comments:\n\n"
            "  1. Only one.\n\n    ReplyDelete\n")
    with pytest.warns(trd.FormatWarning, match=r"x\.txt, line 7: the header says 3 comments but 1"):
        doc = parse_blogger_text(page, doc_id="x", source="x.txt")
    assert doc.meta["comments_found"] == 1


def test_blogger_comment_author_line_gives_speaker_and_date():
    page = ("Monday, 2 June 2014\n\nTitle\n\nPost.\n\n1 comment:\n\n"
            "  1. Anonymous 3 June 2014 at 09:15\n    It is a fire sale.\n\n    ReplyDelete\n")
    doc = parse_blogger_text(page, doc_id="x", source="x.txt")
    comment = doc.units[1]
    assert (comment.speaker, comment.date) == ("Anonymous", "2014-06-03")
    assert doc.text[comment.start:comment.end] == "It is a fire sale."


def test_blogger_numbered_list_inside_a_comment_is_not_a_comment():
    page = ("Monday, 2 June 2014\n\nTitle\n\nPost.\n\n2 comments:\n\n"
            "  1. Two problems:\n    1. the contract\n    2. the hub\n\n    ReplyDelete\n"
            "  2. Agreed.\n\n    ReplyDelete\n")
    doc = parse_blogger_text(page, doc_id="x", source="x.txt")
    assert [u.kind for u in doc.units] == ["post", "comment", "comment"]
    assert doc.text[doc.units[1].start:doc.units[1].end].endswith("2. the hub")


def test_blogger_text_outside_any_comment_is_kept_and_warned():
    page = ("Monday, 2 June 2014\n\nTitle\n\nPost.\n\n1 comment:\n\n"
            "Stray line with no number.\n\n  1. Agreed.\n\n    ReplyDelete\n")
    with pytest.warns(trd.FormatWarning, match="line 9: 1 line.*kind 'other'"):
        doc = parse_blogger_text(page, doc_id="x", source="x.txt")
    assert [u.kind for u in doc.units] == ["post", "other", "comment"]


def test_blogger_page_without_comments():
    doc = parse_blogger_text("Monday, 2 June 2014\n\nTitle\n\nOne.\n\nTwo.\n\nNo comments:\n",
                             doc_id="x", source="x.txt")
    assert [doc.text[u.start:u.end] for u in doc.units] == ["One.", "Two."]
    assert doc.meta["comments_declared"] == 0


def test_blogger_page_furniture_is_a_whole_line_not_a_prefix():
    page = ("Monday, 2 June 2014\n\nTitle\n\nPost.\nLabels: probation, TR\n\n1 comment:\n\n"
            "  1. First line.\n    Homeless on release, again.\n    Home Office figures.\n\n"
            "    ReplyDelete\n\nNewer Post\nOlder Post\nHome\n"
            "Subscribe to: Post Comments (Atom)\n")
    doc = parse_blogger_text(page, doc_id="x", source="x.txt")
    assert [u.kind for u in doc.units] == ["post", "comment"]
    assert doc.text[doc.units[1].start:doc.units[1].end].endswith(
        "Homeless on release, again.\n    Home Office figures.")
    chrome = [doc.text[m.start:m.end].strip() for m in doc.markup
              if m.category == "page_chrome"]
    assert chrome == ["Labels: probation, TR", "Newer Post", "Older Post", "Home",
                      "Subscribe to: Post Comments (Atom)"]
