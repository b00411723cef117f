"""The rule coder's screen: it skips texts where no rule can match, and never one where one can."""

from __future__ import annotations

import pytest

import tr_discourse as trd
from tr_discourse.coders._compile import CompiledCodebook
from tr_discourse.coders._regex import literal_conditions
from tr_discourse.coders._screen import Screen, sequence_pattern

BOOK = """\
name: Screen
version: "1"
codes:
  a:
    patterns:
      - not get paid
      - r?sum?
      - contract NEAR/3 charity
      - PbR
      - UC
      - /\\b(\\d+|ten) years\\b.{0,9}\\b(left|retired)\\b/
      - match: market
        unless: [market town]
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "book.yaml"
    path.write_text(BOOK)
    return CompiledCodebook(trd.load_codebook(path))


@pytest.fixture(scope="module")
def corpus_texts():
    segs = trd.read_corpus(["corpora/tr_interviews", "corpora/tr_blog"]).segments
    texts = segs["text"].tolist()
    # and new pairings of them
    return texts + [f"{a} {b}" for a, b in zip(texts[::7], texts[3::7], strict=False)]


def _unscreened(compiled, texts):
    """Evidence with the screen letting every text through, every regex a candidate."""
    screen = compiled._screen
    every = screen._every_regex
    original = screen.screen
    screen.screen = lambda batch: [every for _ in batch]
    try:
        return compiled.evidence(texts)
    finally:
        screen.screen = original


@pytest.mark.parametrize(("text", "expected"), [
    # "cannot" is two tokens with no space between: the phrase starts inside a word.
    ("We cannot get paid for it.", [("a", 6, 18, "not get paid")]),
    # A glob's ? and * take any letter, not only ASCII ones.
    ("Her résumé was thin.", [("a", 4, 10, "résumé")]),
    ("THE PBR MONEY and the PbR money.", [("a", 22, 25, "PbR")]),  # case-sensitive
    ("A charity, with one contract.", [("a", 2, 28, "charity, with one contract")]),
    ("After 20 years, she left.", [("a", 6, 24, "20 years, she left")]),
    ("On _UC_ again.", [("a", 4, 6, "UC")]),  # "_" is split off: UC is a token
])
def test_texts_with_a_match_pass_the_screen_and_keep_their_evidence(compiled, text, expected):
    assert compiled._screen.screen([text]) != [None]
    assert [tuple(e)[:1] + tuple(e)[2:] for e in compiled.evidence([text])[0]] == expected


@pytest.mark.parametrize("text", [
    "Nothing to see.",
    "A contract, and nothing else.",       # one side of a NEAR only
    "Twenty years on, nobody went.",       # a regex's condition ("years") but not the other
    "Much of it, as such.",                # "uc" inside words is not the token UC
])
def test_texts_no_rule_can_match_in_are_screened_out(compiled, text):
    assert compiled._screen.screen([text]) == [None]
    assert compiled.evidence([text]) == [[]]


def test_texts_let_through_may_still_find_nothing(compiled):
    """The screen ignores exclusions, negation and case, and takes é for a boundary."""
    texts = ["The market town.", "pbr is lower case.", "Ten years ago he left.", "Un éUC."]
    assert [s is not None for s in compiled._screen.screen(texts)] == [True] * 4
    assert [[e.text for e in ev] for ev in compiled.evidence(texts)] == [
        [], [], ["Ten years ago he left"], []]


def test_regexes_run_only_where_their_conditions_are_find_what_they_find_everywhere(
        corpus_texts):
    assert literal_conditions(r"\b(\d+|ten) years\b.{0,9}\b(left|retired)\b") == [
        ["left", "retired"], [" years"]]
    assert literal_conditions(r"\w+ly\b") == []
    compiled = CompiledCodebook(trd.load_codebook("codebooks/tr_core.yaml"))
    assert max(map(len, compiled._regexes.conditions)) >= 2  # some need two words
    texts = corpus_texts
    screened = compiled._screen.screen(texts)
    found = compiled._regexes.hits(texts, [s or [] for s in screened])
    checked = 0
    for expr, index in compiled._regex_index.items():
        rx = expr.compiled()
        for text, hits in zip(texts, found, strict=True):
            everywhere = [(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()]
            assert hits.get(index, []) == everywhere, (expr.pattern, text)
            checked += len(everywhere)
    assert checked > 50


def test_the_screen_changes_nothing_the_coder_finds_in_the_sample_corpora(corpus_texts):
    compiled = CompiledCodebook(trd.load_codebook("codebooks/tr_core.yaml"))
    screened = compiled._screen.screen(corpus_texts)
    found = compiled.evidence(corpus_texts)
    assert found == _unscreened(compiled, corpus_texts)
    skipped = sum(s is None for s in screened)
    assert all(not ev for ev, s in zip(found, screened, strict=True) if s is None)
    # Exact counts on the sample corpora (9,998 segments and 1,428 new pairings):
    # the screen skips 5,775 texts; of the 5,651 it lets through, 308 hold no match.
    assert (len(corpus_texts), skipped) == (11426, 5775)
    assert sum(1 for ev in found if not ev) - skipped == 308


def test_a_failed_search_lets_every_text_through():
    """RE2 returns nothing when its DFA runs out of memory: no text is then dropped."""
    screen = Screen({"k": sequence_pattern([["outsourcing"]])}, [[["miles"]], []],
                    [["k"], [0]])
    assert screen.screen(["Nothing.", "Outsourcing, 3 miles."]) == [None, [0, 1]]

    class Failing:
        def Match(self, text):  # RE2's name
            return None

    screen._set = Failing()
    with pytest.warns(RuntimeWarning, match="RE2 ran out of memory"):
        assert screen.screen(["Nothing.", "Outsourcing."]) == [[0, 1], [0, 1]]
    assert screen.failed == 2


def test_a_regex_without_conditions_lets_every_text_through():
    screen = Screen({}, [[]], [[0]])
    assert screen.screen(["Anything at all.", ""]) == [[0], [0]]


def test_a_phrase_no_text_can_match_screens_every_text_out():
    screen = Screen({"k": None}, [], [["k"]])
    assert screen.screen(["Anything at all."]) == [None]


def test_a_unit_split_from_a_number_needs_no_boundary(tmp_path):
    """The tokenizer splits "46K" into "46" + "K" (its unit suffixes are case-sensitive)."""
    path = tmp_path / "book.yaml"
    path.write_text("name: U\nversion: '1'\ncodes:\n  a:\n    patterns: ['\"k\"', '\"kb\"']\n")
    compiled = CompiledCodebook(trd.load_codebook(path))
    texts = ["Paid 46K a year.", "Only 10kb left.", "A knock."]
    assert compiled._screen.screen(texts)[:2] != [None, None]
    assert [[(e.start, e.end, e.text) for e in ev] for ev in compiled.evidence(texts)] == [
        [(7, 8, "K")], [(7, 9, "kb")], []]


def test_a_regex_match_across_two_texts_hides_none_of_their_own():
    """[^.] takes the separator of joined texts: "office" in one and "sold" in the next
    made one match across them, which hid the match inside the second."""
    from tr_discourse.codebook.patterns import Regex
    from tr_discourse.coders._regex import RegexSet

    rs = RegexSet([Regex(r"\b(offices?|buildings?|premises)\b[^.]{0,40}\bsold\b"),
                   Regex(r"^Local")])  # anchored: each text searched alone
    texts = ["The office", "Local offices sold and not coming back.", "Local."]
    assert rs.hits(texts) == [{}, {0: [(6, 18)], 1: [(0, 5)]}, {1: [(0, 5)]}]


def test_the_screen_changes_nothing_on_generated_upper_case_and_underscored_text(corpus_texts):
    import sys

    sys.path.insert(0, "benchmarks")
    from rule_speed import generate

    compiled = CompiledCodebook(trd.load_codebook("codebooks/tr_core.yaml"))
    texts = next(generate(200_000, 200_000, seed=11))
    texts += [t.upper() for t in corpus_texts[:1500]]
    texts += [t.replace(" ", "_") for t in corpus_texts[1500:2000]]
    found = compiled.evidence(texts)
    assert found == _unscreened(compiled, texts)
    assert sum(map(len, found)) > 5000
