"""Plain-text interview transcripts: speaker conventions, timestamps, notes, preambles."""

from __future__ import annotations

import pytest

from tr_discourse._text import strip_spans
from tr_discourse.io.transcript import find_labels, parse_transcript, timestamp_seconds


def turns(text: str, **kw):
    doc = parse_transcript(text, doc_id="x", source="x.txt", **kw)
    spans = [(m.start, m.end) for m in doc.markup]
    return [(u.kind, u.speaker, u.role, strip_spans(doc.text, u.start, u.end, spans))
            for u in doc.units], doc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Interviewer: Why?\nP3: Money.", [("Interviewer", "interviewer"), ("P3", "participant")]),
        ("I: Why?\nR: Money.", [("I", "interviewer"), ("R", "participant")]),
        ("Q. Why?\nA. Money.", [("Q", "interviewer"), ("A", "participant")]),
        ("Int: Why?\nRespondent 2: Money.", [("Int", "interviewer"),
                                            ("Respondent 2", "participant")]),
        ("Jane Smith: Why?\nSam Jones: Money.\nJane Smith: Really?\nSam Jones: Yes.",
         [("Jane Smith", "participant"), ("Sam Jones", "participant")] * 2),
    ],
)
def test_transcript_speaker_conventions(text, expected):
    got, _ = turns(text)
    assert [(s, r) for _, s, r, _ in got] == expected


def test_transcript_names_need_two_lines_unless_known():
    # "Date:" labels one line only, so it is not a speaker; the header becomes a preamble
    got, _ = turns("Date: 12 May 2019\n\nInterviewer: Hello.\nP1: Hi.")
    assert got[0] == ("preamble", None, None, "Date: 12 May 2019")
    assert [g[1] for g in got[1:]] == ["Interviewer", "P1"]


def test_transcript_interviewer_labels_and_speakers_options():
    text = "Jane Smith: Why?\nSam Jones: Money.\nJane Smith: Really?\nSam Jones: Yes."
    got, _ = turns(text, interviewer_labels=["Jane Smith"])
    assert [r for _, _, r, _ in got] == ["interviewer", "participant"] * 2
    assert find_labels(text, speakers=["Sam Jones"]) == {"Sam Jones"}


def test_transcript_timestamps_are_markup_and_continue_the_turn():
    text = ("[00:12:31] Interviewer: Go on.\n"
            "[00:12:35] P3: The contract [00:12:40] changed.\n"
            "\n"
            "00:13:02 And then [inaudible] the hub.\n"
            "(00:13:30) Interviewer [00:13:31]: Right.")
    got, doc = turns(text)
    assert got == [
        ("turn", "Interviewer", "interviewer", "Go on."),
        ("turn", "P3", "participant", "The contract changed.\n\nAnd then [inaudible] the hub."),
        ("turn", "Interviewer", "interviewer", "Right."),
    ]
    stamps = [doc.text[m.start:m.end].strip() for m in doc.markup if m.category == "timestamp"]
    assert stamps == ["[00:12:31]", "[00:12:35]", "[00:12:40]", "00:13:02", "(00:13:30)",
                      "[00:13:31]"]
    assert [u.meta.get("time_start") for u in doc.units] == [751.0, 755.0, 810.0]


def test_transcript_label_on_its_own_line():
    got, _ = turns("Interviewer:\nWhat happened?\nP2:\nThey sold us.")
    assert [t[3] for t in got] == ["What happened?", "They sold us."]


def test_timestamp_seconds():
    assert timestamp_seconds("00:01:02,5") == 62.5
