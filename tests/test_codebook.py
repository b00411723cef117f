"""Codebook loading: the model, validation messages (all at once), hashing and YAML round trip."""

from __future__ import annotations

import textwrap

import pytest

import tr_discourse as trd
from conftest import DATA

SMALL = DATA / "codebooks" / "small.yaml"


def load(tmp_path, text):
    path = tmp_path / "book.yaml"
    path.write_text(textwrap.dedent(text))
    return trd.load_codebook(path)


def problems(tmp_path, text):
    with pytest.raises(trd.CodebookError) as info:
        load(tmp_path, text)
    return [str(p) for p in info.value.problems]


def test_small_codebook_model():
    book = trd.load_codebook(SMALL)
    assert list(book) == ["marketisation", "payment_by_results", "displacement"]
    mkt = book["marketisation"]
    assert (mkt.label, mkt.color, mkt.parent) == ("Marketisation", "#1b9e77", None)
    assert mkt.include == ("Contracting, tendering, payment by results, profit.",)
    assert mkt.positive_examples == ("The CRC cut our funding when the contract changed.",)
    market = mkt.patterns[1]
    assert (market.id, market.unless, market.negation) == ("mkt-market",
                                                           ("market town", "market stall"), True)
    assert market.line == 23
    assert book.children("marketisation") == ("payment_by_results",)
    assert book.ancestors("payment_by_results") == ("marketisation",)
    assert book["displacement"].unless == ("hub of the community",)
    assert [p.kind for p in book.patterns] == ["lemma", "lemma", "case", "regex", "phrase", "near"]


def test_codebook_hash_is_content_not_layout(tmp_path):
    book = trd.load_codebook(SMALL)
    relaid = tmp_path / "relaid.yaml"
    book.to_yaml(relaid)
    again = trd.load_codebook(relaid)
    assert again == book and again.hash == book.hash
    assert len(book.hash) == 64
    assert book.provenance() == {"codebook": "Small test codebook", "codebook_version": "1.0",
                                 "codebook_hash": book.hash}
    changed = relaid.read_text().replace("Rehabilitation work turned", "Probation turned")
    relaid.write_text(changed)
    assert trd.load_codebook(relaid).hash != book.hash


def test_unknown_keys_are_reported_with_a_suggestion(tmp_path):
    got = problems(tmp_path, """\
        name: B
        version: 1
        codez: {}
        codes:
          a:
            lable: A
            patterns:
              - match: x
                unles: [y]
        """)
    path = str(tmp_path / "book.yaml")
    assert f"{path}, line 3: unknown key 'codez'; did you mean 'codes'? Allowed keys: name, " \
           "version, authors, description, language, exclusive_groups, codes." in got
    assert any(p.startswith(f"{path}, line 6, code 'a': unknown key 'lable'; did you mean "
                            "'label'?") for p in got)
    assert any(p.startswith(f"{path}, line 9, code 'a': unknown key 'unles'; did you mean "
                            "'unless'?") for p in got)


def test_all_problems_are_reported_together(tmp_path):
    got = problems(tmp_path, """\
        name: B
        version: 1
        exclusive_groups:
          stance: [a, b]
          tone: [b, c]
        codes:
          a:
            parent: ghost
            patterns: ["/(bad/", "", "x NEAR/0 y"]
          b:
            parent: c
            color: green
          c:
            parent: b
          a:
            label: again
        """)
    path = str(tmp_path / "book.yaml")
    assert got == [
        f"{path}, line 15, code 'a': duplicate code id 'a' (first on line 7)",
        f"{path}, line 9, code 'a': pattern '/(bad/': the regular expression '/(bad/' does not "
        "compile: missing ), unterminated subpattern at position 0",
        f"{path}, line 9, code 'a': pattern '': the pattern is empty",
        f"{path}, line 9, code 'a': pattern 'x NEAR/0 y': NEAR/0: the distance must be a whole "
        "number of words from 1 to 50",
        f"{path}, line 12, code 'b': colour 'green' is not #RRGGBB or #RGB (for example "
        "'#1b9e77')",
        f"{path}, line 8, code 'a': parent 'ghost' is not a code of this codebook",
        f"{path}, line 10, code 'b': the parents form a cycle: b -> c -> b",
        f"{path}, line 5, code 'b': the code is in two exclusive groups, 'stance' and 'tone'; "
        "a code may be in one",
    ]


def test_error_message_counts_problems(tmp_path):
    with pytest.raises(trd.CodebookError, match=r"^2 problems in the codebook:\n  .*line 4"):
        load(tmp_path, """\
            name: B
            version: 1
            codes:
              a: {patterns: [""], color: red}
            """)


def test_duplicate_pattern_ids_and_bad_group_members(tmp_path):
    got = problems(tmp_path, """\
        name: B
        version: 1
        exclusive_groups:
          solo: [a]
          stance: [a, nope]
        codes:
          a:
            patterns: [contract, contract, {match: hub, id: p1}, {match: hubs, id: p1}]
        """)
    assert any("duplicate pattern id 'a:contract' (first in code 'a', line 8)" in p for p in got)
    assert any("duplicate pattern id 'p1'" in p for p in got)
    assert any("exclusive group 'solo' needs at least two codes" in p for p in got)
    assert any("code 'nope': exclusive group 'stance' names a code that does not exist" in p
               for p in got)


def test_missing_required_keys_and_bad_yaml(tmp_path):
    got = problems(tmp_path, "codes:\n  a: {}\n")
    assert any("the codebook needs 'name'" in p for p in got)
    assert any("the codebook needs 'version'" in p for p in got)
    with pytest.raises(trd.CodebookError, match=r"line 2: not valid YAML"):
        load(tmp_path, "name: [unclosed\nversion: 1\n")


def test_exclusive_groups_are_kept(tmp_path):
    book = load(tmp_path, """\
        name: B
        version: 1
        exclusive_groups:
          stance: [pro, anti]
        codes:
          pro: {}
          anti: {}
          other: {}
        """)
    assert book.exclusive_groups == {"stance": ("pro", "anti")}
    assert book.exclusive_group_of("anti") == "stance"
    assert book.exclusive_group_of("other") is None
    assert book["pro"].label == "Pro"


def test_codebook_reprs():
    book = trd.load_codebook(SMALL)
    assert repr(book).startswith("<Codebook 'Small test codebook' 1.0: 3 codes, 6 patterns, "
                                 f"hash {book.hash[:4]}")
    html = book._repr_html_()
    assert "background:#1b9e77" in html and "<code>payment_by_results</code>" in html


def test_definitions_hash_ignores_patterns_and_version_but_not_definitions(tmp_path):
    base = ("name: H\nversion: 1\ncodes:\n  a:\n    description: Contracting out.\n"
            "    patterns: [contract]\n")
    paths = {}
    for key, text in {"base": base,
                      "patterns": base.replace("[contract]", "[contract, tender]"),
                      "version": base.replace("version: 1", "version: 2"),
                      "definition": base.replace("Contracting out.", "Selling services.")}.items():
        paths[key] = tmp_path / f"{key}.yaml"
        paths[key].write_text(text)
    books = {k: trd.load_codebook(p) for k, p in paths.items()}
    assert books["patterns"].definitions_hash == books["base"].definitions_hash
    assert books["version"].definitions_hash == books["base"].definitions_hash
    assert books["patterns"].hash != books["base"].hash
    assert books["definition"].definitions_hash != books["base"].definitions_hash
