"""The pattern language: each feature parses to the structure the rule coder compiles."""

from __future__ import annotations

import pytest

from tr_discourse.codebook.patterns import (
    Near,
    PatternSyntaxError,
    Regex,
    Sequence,
    Term,
    parse_pattern,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("contract", Sequence((Term("lemma", "contract"),))),
        ("privatis*", Sequence((Term("glob", "privatis*"),))),
        ("Privatis?d", Sequence((Term("glob", "privatis?d"),))),
        ("payment by results", Sequence((Term("lemma", "payment"), Term("lemma", "by"),
                                         Term("lemma", "results")))),
        ('"target"', Sequence((Term("exact", "target"),))),
        ('"Tick Box"', Sequence((Term("exact", "tick"), Term("exact", "box")))),
        ("CRC", Sequence((Term("case", "CRC"),))),
        ("PbR", Sequence((Term("case", "PbR"),))),
        ('supply chain* "Tier 2"', Sequence((Term("lemma", "supply"), Term("glob", "chain*"),
                                              Term("exact", "tier"), Term("exact", "2")))),
        ("/\\bpbr\\b/", Regex("\\bpbr\\b")),
        ("/\\bTR2\\b/c", Regex("\\bTR2\\b", case_sensitive=True)),
        ("contract NEAR/8 charity", Near(Sequence((Term("lemma", "contract"),)),
                                         Sequence((Term("lemma", "charity"),)), 8)),
        ('"third sector" NEAR/10 CRC*', Near(
            Sequence((Term("exact", "third"), Term("exact", "sector"))),
            Sequence((Term("glob", "crc*"),)), 10)),
    ],
)
def test_pattern_features_parse(written, expected):
    assert parse_pattern(written) == expected


@pytest.mark.parametrize(
    ("written", "kind"),
    [("contract", "lemma"), ("privatis*", "glob"), ('"target"', "exact"), ("CRC", "case"),
     ("tick box", "phrase"), ("/x+y/", "regex"), ("hub NEAR/3 closed", "near")],
)
def test_pattern_kinds(written, kind):
    assert parse_pattern(written).kind == kind


def test_regex_is_case_insensitive_unless_c():
    assert parse_pattern("/pbr/").compiled().search("PbR schemes")
    assert not parse_pattern("/pbr/c").compiled().search("PbR schemes")


def test_patterns_print_as_written():
    for written in ["contract", "privatis*", '"tick box"', "CRC", "contract NEAR/8 charity",
                    "/\\bhub\\b/c"]:
        assert str(parse_pattern(written)) == written


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("", "the pattern is empty"),
        ("   ", "the pattern is empty"),
        ("/(unclosed/", r"the regular expression '/\(unclosed/' does not compile: missing \)"),
        ("//", "the regular expression is empty"),
        ("/a*/", "matches empty text"),
        ("/abc", r"a regular expression is written /expression/"),
        ('"tick box', "unbalanced double quote"),
        ('""', "empty quotes"),
        ("a*", "the glob 'a\\*' needs at least 2 fixed letters"),
        ("contract NEAR/x charity", "NEAR/x: the distance must be a whole number of words"),
        ("contract NEAR/99 charity", "NEAR/99: the distance must be"),
        ("contract NEAR charity", "write proximity as 'word NEAR/n word'"),
        ("a NEAR/2 b NEAR/2 c", "a pattern may hold one NEAR/n"),
    ],
)
def test_pattern_errors_say_what_is_wrong(written, message):
    with pytest.raises(PatternSyntaxError, match=message):
        parse_pattern(written)
