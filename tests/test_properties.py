"""Property tests: for every reader's output and every unit, segments are exact views.

For every segment the raw text sliced at ``start:end`` with the markup deleted
is the segment's text; segments do not overlap; positions are ordered; every
character is in a segment, markup, a left-out turn or white space.
"""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_segment_invariants
from tr_discourse.corpus import Corpus, _Doc
from tr_discourse.io.blogger import parse_blogger_text
from tr_discourse.io.feeds import ThreadComment, render_thread
from tr_discourse.io.plain import parse_plain
from tr_discourse.io.subtitles import parse_cues
from tr_discourse.io.transcript import parse_transcript

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
UNITS = ["auto", "paragraph", "sentence", "document"]

word = st.sampled_from(["the", "contract", "CRC", "hub", "targets", "[laughs]", "[inaudible]",
                        "it's", "Mr.", "no.", "well,", "(pause)", "1.", "-", "“quoted”",
                        "https://example.org/a", "caseload.", "Why?", "Q.", "A:", "e.g."])
line = st.lists(word, min_size=1, max_size=8).map(" ".join)
stamp = st.sampled_from(["", "[00:12:31] ", "00:12:31 ", "(12:31) ", "[1:02:03.5] "])
label = st.sampled_from(["Interviewer", "I", "R", "P3", "Jane Smith", "Int", "Respondent 2"])


def check(doc, interviewer=True):
    for unit in UNITS:
        if unit == "document" and not interviewer:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            corpus = Corpus([_Doc(doc, "h")], unit=unit, interviewer=interviewer)
            assert_segment_invariants(corpus)


@st.composite
def transcripts(draw):
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        sep = draw(st.sampled_from([": ", ":", " : "]))
        parts.append(f"{draw(stamp)}{draw(label)}{sep}{draw(line)}")
        for _ in range(draw(st.integers(0, 2))):
            parts.append(draw(st.sampled_from(["", "  ", "\n"])) + draw(stamp) + draw(line))
    return draw(st.sampled_from(["", "Header line\n\n"])) + "\n".join(parts)


@given(transcripts(), st.booleans())
@SETTINGS
def test_transcripts_segment_exactly(text, interviewer):
    doc = parse_transcript(text, doc_id="x", source="x.txt")
    check(doc, interviewer)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300))
@SETTINGS
def test_any_text_through_every_text_reader(text):
    text = text.replace("\r", "\n")
    check(parse_transcript(text, doc_id="x", source="x.txt"))
    check(parse_plain(text, doc_id="x", source="x.txt"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(parse_blogger_text(text, doc_id="x", source="x.txt"))


@st.composite
def blogger_pages(draw):
    out = ["Tuesday, 5 March 2019", "", "A title", ""]
    for _ in range(draw(st.integers(0, 3))):
        out += [draw(line), ""]
    comments = draw(st.lists(st.integers(0, 3), max_size=5))
    out += [f"{len(comments) + sum(comments)} comments:", ""]

    def body(indent):
        lines = [draw(line) for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["- Old Lag", "'Anon", "-- Jim (ex-PO)"])))
        gap = draw(st.sampled_from(["\n", "\n\n"]))
        return (gap + " " * indent).join(lines)

    for n, replies in enumerate(comments, start=1):
        out += [f"  {n}. {body(4)}", "", "    ReplyDelete"]
        if replies:
            out.append("    Replies")
            for k in range(1, replies + 1):
                out += [f"    {k}. {body(6)}", "", "      Delete"]
    return "\n".join(out) + "\n"


@given(blogger_pages())
@SETTINGS
def test_blogger_pages_segment_exactly(page):
    doc = parse_blogger_text(page, doc_id="x", source="x.txt")
    assert doc.meta["comments_found"] == doc.meta["comments_declared"]
    check(doc)


@given(st.lists(st.tuples(st.sampled_from(["P3", "Interviewer", None]), line,
                          st.booleans()), min_size=1, max_size=8))
@SETTINGS
def test_webvtt_segments_exactly(cues):
    blocks = ["WEBVTT", ""]
    for k, (speaker, text, tagged) in enumerate(cues):
        payload = text if speaker is None else (
            f"<v {speaker}>{text}</v>" if tagged else f"{speaker}: {text}")
        blocks += [str(k + 1), f"00:00:{k:02d}.000 --> 00:00:{k:02d}.900", payload, ""]
    doc = parse_cues("\n".join(blocks), doc_id="v", source="v.vtt", format="webvtt")
    check(doc)


@given(st.lists(line, min_size=1, max_size=3),
       st.lists(st.tuples(line, st.integers(0, 4)), max_size=6))
@SETTINGS
def test_rendered_threads_segment_exactly(post, comments):
    thread = [ThreadComment(str(k), str(p) if p < k else None, "Anonymous", None, text)
              for k, (text, p) in enumerate(comments)]
    doc = render_thread(doc_id="t", source="t.xml", format="wxr", title="T",
                        post_text="\n\n".join(post), author=None, date=None, comments=thread)
    check(doc)
