"""The public API is explicit: a snapshot of __all__, and no side effects on import."""

from __future__ import annotations

import subprocess
import sys

import tr_discourse as trd


def test_public_api_snapshot():
    assert trd.__all__ == [
        "Code", "Codebook", "CodebookError", "Corpus", "DecodingWarning", "FormatError",
        "FormatWarning", "MLCoder", "Pattern", "ReliabilityWarning", "RuleCoder",
        "TrDiscourseError", "TrDiscourseWarning", "UnknownNameError", "__version__", "agreement",
        "coded_sets",
        "codings_from_sets", "detect_format", "get_format", "list_formats", "load_codebook",
        "parse_pattern", "read_codings", "read_corpus", "read_dictionary", "read_qdc",
        "register_format", "write_codings", "write_qdc", "write_table",
    ]
    for name in trd.__all__:
        assert hasattr(trd, name)


def test_import_loads_neither_spacy_nor_matplotlib():
    code = ("import sys, tr_discourse; "
            "print(sorted(m for m in ('spacy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_list_formats_table():
    table = trd.list_formats()
    assert table["name"].tolist() == ["blogger-text", "transcript", "text", "webvtt", "srt",
                                      "docx", "blogger-atom", "wxr", "csv", "jsonl", "parquet"]
    assert table.set_index("name").loc["transcript", "options"] == "speakers interviewer_labels"
