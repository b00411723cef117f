"""Bad input: encodings, unknown formats and extensions, malformed tables and XML."""

from __future__ import annotations

import json

import pytest

import tr_discourse as trd
from tr_discourse._text import decode_bytes


def test_utf8_bom_and_crlf_are_read():
    assert decode_bytes(b"\xef\xbb\xbfI: Hi\r\nR: Yo\r\n", "a.txt") == "I: Hi\nR: Yo\n"


def test_utf16_with_bom_is_read():
    assert decode_bytes("R: café".encode("utf-16"), "a.txt") == "R: café"


def test_cp1252_fallback_warns_naming_the_file_and_line(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("I: Hello\nR: It\x92s the \x93contract\x94 \x96 again\n".encode("latin-1"))
    with pytest.warns(trd.DecodingWarning, match=r"legacy\.txt: not valid UTF-8 .*0x92 on line 2"):
        corpus = trd.read_corpus(path)
    assert corpus.segments["text"].tolist() == ["Hello", "It’s the “contract” – again"]


def test_bytes_that_are_neither_utf8_nor_cp1252_raise_with_line(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(b"I: fine\nR: \x81\x81\n")
    with pytest.raises(trd.FormatError, match=r"broken\.txt, line 2: byte 0x81"):
        trd.read_corpus(path)


def test_unknown_format_name_lists_the_known_ones(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("text")
    with pytest.raises(trd.UnknownNameError,
                       match=r"Unknown format 'pdf'\. Known formats: 'blogger-atom', "):
        trd.read_corpus(path, format="pdf")


def test_unknown_extension_lists_extensions_and_formats(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(trd.FormatError, match=r"a\.pdf: no reader for files ending '\.pdf'; "
                                              r"known extensions: \.atom, \.csv"):
        trd.read_corpus(path)


def test_format_name_overrides_detection(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("I: one\nR: two\n")
    assert trd.detect_format(path) == "transcript"
    corpus = trd.read_corpus(path, format="text")
    assert corpus.segments["kind"].tolist() == ["text"]


def test_option_a_reader_does_not_take_is_refused(tmp_path):
    path = tmp_path / "a.vtt"
    path.write_text("WEBVTT\n")
    with pytest.raises(TypeError, match=r"format 'webvtt' does not take option.*columns_map"):
        trd.read_corpus(path, columns_map={"a": "id"})


def test_table_without_text_column_names_columns_and_fix(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("id,body\n1,hello\n")
    with pytest.raises(trd.FormatError, match=r"docs\.csv: the table has no 'text' column "
                                              r"\(columns: \['id', 'body'\]\).*columns_map"):
        trd.read_corpus(path)


def test_table_duplicate_id_names_both_lines(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("id,text\na,one\nb,two\na,three\n")
    with pytest.raises(trd.FormatError, match="id 'a' on line 4 was already used on line 2"):
        trd.read_corpus(path)


def test_jsonl_bad_line_is_named(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "x"}) + "\n{not json\n")
    with pytest.raises(trd.FormatError, match=r"docs\.jsonl, line 2: not valid JSON"):
        trd.read_corpus(path)


def test_jsonl_text_must_be_a_string(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"id": "a", "text": 5}) + "\n")
    with pytest.raises(trd.FormatError, match=r"line 1 \(id 'a'\): 'text' must be a string"):
        trd.read_corpus(path)


def test_malformed_xml_names_the_line(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">\n'
                    "<channel>\n<item></chanel>\n")
    with pytest.raises(trd.FormatError, match=r"export\.xml, line 4: not well-formed XML"):
        trd.read_corpus(path)


def test_duplicate_document_ids_name_both_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "int01.txt").write_text("I: x\nR: y\n")
    (tmp_path / "b" / "int01.txt").write_text("I: x\nR: y\n")
    with pytest.raises(trd.FormatError, match=r"'int01' is used by both .*a/int01\.txt and "
                                              r".*b/int01\.txt"):
        trd.read_corpus([tmp_path / "a", tmp_path / "b"])


def test_missing_input_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.txt: no such file or folder"):
        trd.read_corpus(tmp_path / "nope.txt")
