"""Dictionary import: the same dictionary in every format loads to the same codebook."""

from __future__ import annotations

import pytest

import tr_discourse as trd
from conftest import DATA

DICTS = DATA / "dictionaries"


@pytest.mark.parametrize("name", ["tr.dic", "tr.lc3", "tr.cat"])
def test_flat_dictionary_is_the_same_in_every_format(name):
    expected = trd.read_dictionary(DICTS / "tr.yml")
    got = trd.read_dictionary(DICTS / name)
    assert got.codes == expected.codes
    assert [p.source for p in got["marketisation"].patterns] == [
        "contract*", '"payment by results"', '"shareholders"']
    assert [p.kind for p in got["displacement"].patterns] == ["exact", "glob"]


@pytest.mark.parametrize("name", ["nested.dic", "nested.cat"])
def test_nested_dictionary_keeps_the_hierarchy(name):
    expected = trd.read_dictionary(DICTS / "nested.yml")
    got = trd.read_dictionary(DICTS / name)
    assert got.codes == expected.codes
    assert got.children("marketisation") == ("contracting", "profit")
    assert [p.source for p in got["penal_drift"].patterns] == ['"offender" manag*',
                                                              '"enforcement"']


def test_liwc_undefined_category_names_line(tmp_path):
    path = tmp_path / "bad.dic"
    path.write_text("%\n1\tmarket\n%\ncontract*\t1\nhub\t7\n")
    with pytest.raises(trd.CodebookError, match=r"bad\.dic, line 5: entry 'hub' names category 7, "
                                                r"which the legend does not define \(defined: 1\)"):
        trd.read_dictionary(path)


def test_liwc_conditional_entries_are_left_out_with_a_warning(tmp_path):
    path = tmp_path / "cond.dic"
    path.write_text("%\n1\tmarket\n%\ncontract*\t1\nlike\t(02 134)125/464\t1\n")
    with pytest.warns(trd.FormatWarning, match="left out 1 conditional LIWC entries"):
        book = trd.read_dictionary(path)
    assert [p.source for p in book["market"].patterns] == ["contract*"]


def test_lexicoder_entry_before_category(tmp_path):
    path = tmp_path / "bad.lc3"
    path.write_text("contract\n+market\n")
    with pytest.raises(trd.CodebookError, match=r"line 1: entry 'contract' comes before any"):
        trd.read_dictionary(path)


def test_unknown_dictionary_extension(tmp_path):
    with pytest.raises(trd.UnknownNameError, match=r"Unknown dictionary extension '\.txt'"):
        trd.read_dictionary(tmp_path / "x.txt")
