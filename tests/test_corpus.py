"""The Corpus object: tables, summaries, reprs, corpus folders and metadata."""

from __future__ import annotations

import pytest

import tr_discourse as trd
from conftest import DATA
from tr_discourse.schema import SEGMENT_COLUMNS, SEGMENT_EXTRA_COLUMNS


@pytest.fixture
def corpus_folder(tmp_path):
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "corpus.yaml").write_text(
        "title: Mini\nsynthetic: true\nreader: auto\nunit: turn\nmetadata: people.csv\n")
    (folder / "people.csv").write_text("doc_id,role_title,region\nint01,CRC PO,Wales\n")
    (folder / "int01.txt").write_text("I: Why?\nR: The contract.\nI: And?\nR: The hub.\n")
    (folder / "README.md").write_text("Synthetic.\n")
    (folder / "consent.pdf").write_bytes(b"%PDF-1.4\n")
    return folder


def test_segments_columns_in_declared_order():
    seg = trd.read_corpus(DATA / "interview" / "interview.txt").segments
    expected = list(SEGMENT_COLUMNS) + list(SEGMENT_EXTRA_COLUMNS)
    assert list(seg.columns) == expected
    assert str(seg["date"].dtype).startswith("datetime64")
    assert seg["start"].dtype == "int64"


def test_repr_and_html_summaries():
    corpus = trd.read_corpus(DATA / "thread" / "thread.txt")
    assert repr(corpus) == ("<Corpus: 1 document, 9 segments (unit 'auto'; "
                            "kind: comment 4, reply 3, post 2)>")
    html = corpus._repr_html_()
    assert "<strong>Corpus</strong>: 1 document, 9 segments" in html
    assert "read_corpus(" in html and "<table" in html


def test_summary_counts_documents_segments_words():
    corpus = trd.read_corpus([DATA / "thread" / "thread.txt", DATA / "interview" / "interview.txt"])
    summary = corpus.summary(by="kind")
    assert summary.loc["turn"].tolist() == [1, 6, 92]
    assert summary.loc["reply"].tolist() == [1, 3, 52]
    assert summary["segments"].sum() == corpus.n_segments == 15


def test_corpus_folder_reads_config_and_metadata_and_reports_skipped_files(corpus_folder):
    with pytest.warns(trd.FormatWarning, match=r"not read \(no reader.*\): consent\.pdf$"):
        corpus = trd.read_corpus(corpus_folder)
    seg = corpus.segments
    assert corpus.unit == "turn"
    assert seg["corpus"].unique().tolist() == ["mini"]
    assert seg["region"].unique().tolist() == ["Wales"]
    assert seg["role_title"].unique().tolist() == ["CRC PO"]
    assert corpus.documents.loc[0, "region"] == "Wales"


def test_corpus_folder_with_bad_reader_names_the_file(corpus_folder):
    (corpus_folder / "corpus.yaml").write_text("reader: pdf\n")
    with pytest.raises(trd.FormatError, match=r"corpus\.yaml: reader 'pdf' is not a known format"):
        trd.read_corpus(corpus_folder)


def test_metadata_rows_without_documents_warn(corpus_folder):
    (corpus_folder / "people.csv").write_text("doc_id,region\nint01,Wales\nint99,London\n")
    with pytest.warns(trd.FormatWarning) as record:
        trd.read_corpus(corpus_folder)
    assert any("documents that were not found: int99" in str(w.message) for w in record)


def test_undatable_metadata_dates_warn(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("id,text,date\na,Some text.,last Tuesday\n")
    corpus = trd.read_corpus(path)
    with pytest.warns(trd.FormatWarning, match="could not be read as dates .*'last Tuesday'"):
        corpus.segments  # noqa: B018


def test_markup_table_lists_removed_text():
    markup = trd.read_corpus(DATA / "interview" / "interview.txt").markup
    assert markup[markup["category"] == "speaker_label"]["text"].str.strip().tolist()[:2] == [
        "Interviewer:", "P7:"]
