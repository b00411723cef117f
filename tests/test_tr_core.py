"""The default codebook: required ids, complete definitions, enough patterns, no false friends."""

from __future__ import annotations

from pathlib import Path

import pytest

import tr_discourse as trd

TR_CORE = Path(__file__).parents[1] / "codebooks" / "tr_core.yaml"
REQUIRED = ("marketisation", "professionalisation", "penal_drift", "displacement")
FURTHER = ("structural_problem", "resistance", "partnership", "desistance",
           "resettlement_barriers")


@pytest.fixture(scope="module")
def book():
    return trd.load_codebook(TR_CORE)


def test_tr_core_has_the_required_and_further_codes(book):
    assert set(REQUIRED + FURTHER) <= set(book)
    for code_id in REQUIRED + FURTHER:
        assert book[code_id].parent is None


@pytest.mark.parametrize("code_id", REQUIRED + FURTHER)
def test_tr_core_codes_are_fully_defined(book, code_id):
    code = book[code_id]
    assert len(code.description.split()) >= 20
    assert len(code.include) >= 3 and len(code.exclude) >= 3
    assert len(code.positive_examples) >= 3 and len(code.negative_examples) >= 3
    assert code.color is not None


@pytest.mark.parametrize("code_id", REQUIRED)
def test_tr_core_required_codes_have_at_least_25_patterns_of_several_kinds(book, code_id):
    patterns = [p for c in (code_id, *book.descendants(code_id)) for p in book[c].patterns]
    assert len(patterns) >= 25
    assert len({p.kind for p in patterns}) >= 4


@pytest.mark.parametrize("code_id", FURTHER)
def test_tr_core_further_codes_have_patterns(book, code_id):
    assert len(book[code_id].patterns) >= 10


def test_tr_core_guards_against_false_friends(book):
    guards = {u for p in book.patterns for u in p.unless} | {
        u for c in book.codes for u in c.unless}
    text = " ".join(guards).lower()
    for friend in ("market town", "target audience"):
        assert friend in text
    assert any(p.negation for p in book.patterns)


def test_tr_core_colours_are_distinct(book):
    colours = [book[c].color.lower() for c in REQUIRED + FURTHER]
    assert len(set(colours)) == len(colours)


def test_tr_core_survives_qdc_round_trip(book, tmp_path):
    assert trd.read_qdc(trd.write_qdc(book, tmp_path / "tr_core.qdc")).hash == book.hash
