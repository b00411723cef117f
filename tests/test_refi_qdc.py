"""REFI-QDA codebooks: export validates against Codebook.xsd and round-trips."""

from __future__ import annotations

import pytest
import xmlschema

import tr_discourse as trd
from conftest import DATA

# REFI-QDA's published schema (MIT licence, notice inside the file), vendored for the tests.
XSD = DATA / "refi" / "Codebook-mrt2019.xsd"


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(XSD))


@pytest.mark.parametrize("source", ["codebooks/small.yaml", "dictionaries/nested.yml"])
def test_qdc_export_is_valid_and_round_trips(tmp_path, schema, source):
    path = DATA / source
    book = trd.load_codebook(path) if path.parent.name == "codebooks" else \
        trd.read_dictionary(path)
    out = trd.write_qdc(book, tmp_path / "book.qdc")
    schema.validate(str(out))
    back = trd.read_qdc(out)
    assert back == book
    assert back.hash == book.hash


def test_qdc_exclusive_groups_become_sets(tmp_path, schema):
    yaml_path = tmp_path / "g.yaml"
    yaml_path.write_text("name: G\nversion: 1\nexclusive_groups:\n  stance: [pro, anti]\n"
                         "codes:\n  pro: {color: '#abc'}\n  anti: {}\n")
    book = trd.load_codebook(yaml_path)
    out = trd.write_qdc(book, tmp_path / "g.qdc")
    schema.validate(str(out))
    assert "<Set " in out.read_text()
    assert trd.read_qdc(out).exclusive_groups == {"stance": ("pro", "anti")}


def test_qdc_from_another_program_imports_names_nesting_and_colours(tmp_path):
    qdc = tmp_path / "nvivo.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">\n<Codes>\n'
        '<Code guid="{11111111-1111-1111-1111-111111111111}" name="Markets" isCodable="true" '
        'color="#FF0000"><Description>Contracting out.</Description>\n'
        '<Code guid="22222222-2222-2222-2222-222222222222" name="Payment by results" '
        'isCodable="true"/></Code>\n</Codes>\n</CodeBook>\n')
    book = trd.read_qdc(qdc)
    assert [(c.id, c.label, c.parent) for c in book.codes] == [
        ("markets", "Markets", None), ("payment_by_results", "Payment by results", "markets")]
    assert book["markets"].description == "Contracting out."
    assert book["markets"].color == "#FF0000"
    assert book.name == "nvivo"


def test_qdc_not_a_codebook(tmp_path):
    bad = tmp_path / "x.qdc"
    bad.write_text('<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0"/>\n')
    with pytest.raises(trd.FormatError, match=r"x\.qdc, line 1: a REFI-QDA codebook has the root"):
        trd.read_qdc(bad)
