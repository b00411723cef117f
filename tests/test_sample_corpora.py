"""Integrity of the sample corpora and their reference coding (corpora/)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import yaml

import tr_discourse as trd
from tr_discourse.codings import roll_up, validate_codings
from tr_discourse.sample import corpus_config, document_split, read_corpus_codings

ROOT = Path(__file__).parents[1]
CORPORA = ROOT / "corpora"
FOLDERS = [CORPORA / "tr_interviews", CORPORA / "tr_blog"]
REQUIRED = ("marketisation", "professionalisation", "penal_drift", "displacement")
HELD_OUT = {"tr_interviews": ["int03", "int07", "int10", "int13"],
            "tr_blog": ["2014-06-grayling-sale", "2016-10-through-the-gate-report",
                        "2019-05-reunification-announced", "2021-06-unification-day"]}


@pytest.fixture(scope="module")
def book():
    return trd.load_codebook(ROOT / "codebooks" / "tr_core.yaml")


@pytest.fixture(scope="module")
def corpora():
    # pytest's filterwarnings turns any TrDiscourseWarning into an error here.
    return {f.name: trd.read_corpus(f) for f in FOLDERS}


def test_documented_counts(corpora):
    interviews, blog = corpora["tr_interviews"], corpora["tr_blog"]
    assert (interviews.n_documents, interviews.n_segments) == (76, 6400)
    assert interviews.segments["kind"].value_counts().to_dict() == {"turn": 6346,
                                                                    "preamble": 54}
    assert (blog.n_documents, blog.n_segments) == (74, 3598)
    assert blog.segments["kind"].value_counts().to_dict() == {"comment": 1613, "reply": 1508,
                                                              "post": 477}


def test_interviews_are_long_varied_and_described(corpora):
    corpus = corpora["tr_interviews"]
    seg = corpus.segments
    words = seg[seg["kind"] == "turn"].groupby("doc_id")["n_words"].sum()
    assert words.between(2500, 4000).all(), words[~words.between(2500, 4000)]
    assert {"transcript", "webvtt", "srt", "docx"} <= set(corpus.documents["format"])
    meta = pd.read_csv(FOLDERS[0] / "metadata.csv", dtype=str)
    assert sorted(meta["doc_id"]) == sorted(corpus.documents["doc_id"])
    assert {"role", "sector", "region", "interview_date"} <= set(meta.columns)
    assert meta["participant"].is_unique
    assert (seg[seg["kind"] == "turn"].groupby("doc_id")["role"].nunique() == 2).all()


def test_blog_threads_span_the_years_and_have_ten_to_forty_five_comments(corpora):
    seg = corpora["tr_blog"].segments
    comments = seg[seg["kind"].isin(["comment", "reply"])].groupby("doc_id").size()
    assert comments.between(10, 45).all()
    assert (seg[seg["kind"] == "reply"].groupby("doc_id").size() >= 1).all()
    years = pd.to_datetime(corpora["tr_blog"].documents["date"]).dt.year
    assert set(range(2013, 2022)) <= set(years)


@pytest.mark.parametrize(("stem", "export"), [
    ("2019-05-reunification-announced", "atom"), ("2016-10-through-the-gate-report", "wxr")])
def test_exports_read_to_the_same_segments_as_the_page_copy(stem, export):
    copy = trd.read_corpus(FOLDERS[1] / f"{stem}.txt").segments
    exported = trd.read_corpus(FOLDERS[1] / "exports" / f"{stem}-{export}.xml").segments
    for col in ("segment_id", "kind", "parent_id", "text"):
        assert copy[col].fillna("").tolist() == exported[col].fillna("").tolist(), col


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_corpus_yaml_and_readme_say_synthetic(folder):
    config = yaml.safe_load((folder / "corpus.yaml").read_text())
    assert config["synthetic"] is True
    assert {"title", "description", "reader", "unit", "codings", "split"} <= set(config)
    assert "no real person's words" in (folder / "README.md").read_text()


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_codings_are_complete_and_consistent(folder, corpora, book):
    seg = corpora[folder.name].segments
    units = seg.loc[seg["kind"] != "preamble", "segment_id"]
    assert units.is_unique and seg["segment_id"].is_unique
    for coder in ("coder_a", "coder_b", "reference"):
        codings = read_corpus_codings(folder, coder)
        validate_codings(codings, codes=list(book), segments=seg)
        examined = set(codings["segment_id"])
        assert examined == set(units), f"{coder} does not examine every unit"
        assert not codings.duplicated(["segment_id", "code"]).any()
        rolled = roll_up(codings, book)
        assert len(rolled) == len(codings), f"{coder}: a child code without its parent"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_reference_is_rebuilt_from_the_codings_and_the_adjudication(folder):
    spec = importlib.util.spec_from_file_location("adjudicate", CORPORA / "adjudicate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = trd.coded_sets(module.reference(folder))
    stored = trd.coded_sets(read_corpus_codings(folder, "reference"))
    assert rebuilt.to_dict() == stored.to_dict()
    log = pd.read_csv(folder / corpus_config(folder)["adjudication"], dtype=str,
                      keep_default_na=False)
    assert {"segment_id", "codes", "rule", "note"} <= set(log.columns)
    assert (log["note"].str.len() > 10).all()


def test_reference_coding_has_the_promised_shape(book):
    ref = pd.concat([read_corpus_codings(f) for f in FOLDERS])
    sets = trd.coded_sets(ref)
    assert len(sets) >= 1500
    for code in REQUIRED:
        assert sum(code in s for s in sets) >= 60, code
    for code in book:
        assert any(code in s for s in sets), f"{code} never occurs"
    top = sets.map(lambda s: {c for c in s if book[c].parent is None})
    assert (top.map(len) == 0).mean() >= 1 / 3
    assert (top.map(len) >= 2).mean() >= 0.15


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_split_is_a_partition_of_documents(folder, corpora):
    split = document_split(folder)
    docs = set(corpora[folder.name].documents["doc_id"])
    assert set(split.index) == docs
    # The held-out documents are those of release 1.0; later documents only joined training.
    assert sorted(split[split == "test"].index) == HELD_OUT[folder.name]
    config = corpus_config(folder)
    book = trd.load_codebook((folder / config["codebook"]).resolve())
    # The coders' instrument (definitions, criteria, examples) is unchanged since coding.
    assert book.definitions_hash == config["codebook_definitions_hash"]
    assert len(config["codebook_hash"]) == 64 and config["codebook_version"]


def test_reference_codings_read_each_corpus_yaml_once(monkeypatch, tmp_path):
    import tr_discourse.sample as sample

    read = []
    real = sample._corpus_config
    monkeypatch.setattr(sample, "_corpus_config", lambda folder: read.append(folder) or
                        real(folder))
    plain = tmp_path / "plain"  # a folder of files, not a corpus folder
    plain.mkdir()
    found = sample.reference_codings([*FOLDERS, "tests/data/thread/thread.txt", plain])
    assert read == FOLDERS  # once each; the file and the plain folder have none to read
    read.clear()
    each = [read_corpus_codings(f) for f in FOLDERS]
    pd.testing.assert_frame_equal(found, pd.concat(each, ignore_index=True))
    assert len(found) == sum(map(len, each)) > 1500 and set(found["coder"]) == {"reference"}
    assert sample.reference_codings(["tests/data/thread/thread.txt", plain]) is None
    with pytest.raises(trd.FormatError, match=r"plain: brings no reference codings.*--codings"):
        sample.reference_codings([FOLDERS[0], plain], required=True)


def test_an_undeclared_coder_is_named_with_the_coders_the_corpus_declares():
    from tr_discourse.errors import UnknownNameError
    from tr_discourse.sample import read_corpus_codings

    with pytest.raises(UnknownNameError, match=r"corpora/tr_blog/corpus\.yaml: unknown coder "
                       r"'coder_z'\. Known coders: 'coder_a', 'coder_b', 'reference'\."):
        read_corpus_codings("corpora/tr_blog", "coder_z")
