"""WebVTT and SRT: multi-cue turns, voice tags and prefixes, cue timing, malformed files."""

from __future__ import annotations

import pytest

import tr_discourse as trd
from conftest import DATA, assert_segment_invariants
from tr_discourse.io.subtitles import parse_cues


def test_vtt_multi_cue_turns_exactly():
    corpus = trd.read_corpus(DATA / "interview" / "interview.vtt")
    seg = corpus.segments
    assert seg["speaker"].tolist() == ["Interviewer", "P7"] * 3
    assert seg["start"].tolist() == [55, 160, 432, 495, 758, 817]
    assert seg["end"].tolist() == [116, 379, 451, 705, 773, 877]
    assert seg["time_end"].tolist() == [10.5, 30.0, 34.0, 61.0, 64.0, 72.0]
    assert corpus.structure["n_cues"].tolist() == [1, 2, 1, 2, 1, 1]
    assert seg.loc[1, "text"] == (
        "Since 2006, so before the split. I was in the trust, then the CRC took us over.\n"
        "It was a shock. [laughs] We went from a public service to a company with "
        "shareholders overnight."
    )
    assert seg["n_notes"].tolist() == [0, 1, 0, 1, 0, 0]
    assert_segment_invariants(corpus)


def test_vtt_notes_classes_and_name_prefixes():
    vtt = ("WEBVTT - exported\n\nNOTE made by the call software\n\n"
           "00:00:01.000 --> 00:00:02.000 align:start\n<v.loud Sam Jones>Hello</v>\n\n"
           "00:00:03.000 --> 00:00:04.000\nP2: First line\nsecond <i>line</i>\n\n"
           "00:00:05.000 --> 00:00:06.000\nstill P2\n\n"
           "00:00:07.000 --> 00:00:08.000\nP2: again\n")
    doc = parse_cues(vtt, doc_id="v", source="v.vtt", format="webvtt")
    assert [(u.speaker, u.meta["n_cues"]) for u in doc.units] == [("Sam Jones", 1), ("P2", 3)]
    spans = [(m.start, m.end) for m in doc.markup]
    from tr_discourse._text import strip_spans

    assert strip_spans(vtt, doc.units[1].start, doc.units[1].end, spans) == (
        "First line\nsecond line\nstill P2\nagain")


def test_vtt_without_header_is_an_error_naming_line_1():
    with pytest.raises(trd.FormatError, match=r"a\.vtt, line 1: a WebVTT file must begin"):
        parse_cues("1\n00:00:01.000 --> 00:00:02.000\nHi\n", doc_id="a", source="a.vtt",
                   format="webvtt")


def test_subtitle_bad_timing_line_names_the_line():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03 -> 00:00:04\nThere\n"
    with pytest.raises(trd.FormatError, match=r"b\.srt, line 6: expected a cue timing line"):
        parse_cues(srt, doc_id="b", source="b.srt", format="srt")
