"""`tr-discourse code`: the outputs of a coding run, their provenance, and --jobs."""

from __future__ import annotations

import json
import stat

import pandas as pd
import pyarrow.parquet as pq
import pytest

import tr_discourse as trd
from tr_discourse.analysis import cooccurrence, frequencies
from tr_discourse.cli import main
from tr_discourse.run import OUTPUT_FILES


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for jobs in (1, 2):
        d = tmp_path_factory.mktemp(f"jobs{jobs}")
        assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                     "--out", str(d), "--jobs", str(jobs), "--quiet"]) == 0
        out[jobs] = d
    return out


def test_code_writes_every_output_with_the_codebook_provenance(runs):
    d = runs[1]
    assert sorted(p.name for p in d.iterdir()) == sorted(OUTPUT_FILES)
    manifest = json.loads((d / "manifest.json").read_text())
    book = trd.load_codebook("codebooks/tr_core.yaml")
    assert manifest["codebook_hash"] == book.hash
    assert manifest["codebook_version"] == book.version
    assert manifest["counts"]["segments"] == 479 and manifest["counts"]["documents"] == 12
    meta = json.loads(pq.read_schema(d / "codings.parquet").metadata[b"tr_discourse"])
    assert meta["codebook_hash"] == book.hash
    assert stat.S_IMODE((d / "codings.parquet").stat().st_mode) & 0o044  # readable by others


def test_code_outputs_agree_with_each_other(runs):
    d = runs[1]
    segments = pd.read_parquet(d / "segments.parquet")
    codings = trd.read_codings(d / "codings.parquet")
    evidence = pd.read_parquet(d / "evidence.parquet")
    assert set(codings["segment_id"]) == set(segments["segment_id"])  # every segment examined
    text = dict(zip(segments["segment_id"], segments["text"], strict=True))
    assert all(text[r.segment_id][r.start:r.end] == r.text for r in evidence.itertuples())
    freq = pd.read_csv(d / "frequencies.csv").set_index("code")
    expected = frequencies(segments, codings)
    assert freq.loc["marketisation", "segments"] == expected.loc["marketisation", "segments"]
    assert freq.loc["marketisation", "segments"] == codings["code"].eq("marketisation").sum()
    co = pd.read_csv(d / "cooccurrence.csv")
    assert len(co) == 12 * 11 // 2
    assert co["n_ab"].sum() == cooccurrence(codings)["n_ab"].sum()


def test_jobs_two_gives_identical_output(runs):
    for name in ("codings.parquet", "evidence.parquet", "frequencies.csv", "cooccurrence.csv"):
        one, two = runs[1] / name, runs[2] / name
        if name.endswith(".csv"):
            assert one.read_text() == two.read_text(), name
        else:
            pd.testing.assert_frame_equal(pd.read_parquet(one), pd.read_parquet(two))


def test_code_rejects_bad_options(tmp_path, capsys):
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--out", str(tmp_path), "--jobs", "0"]) == 2
    assert "--jobs must be 1 or more, got 0" in capsys.readouterr().err
    assert main(["code", "corpora/tr_blog", "--codebook", "nope.yaml",
                 "--out", str(tmp_path)]) == 2
    assert "nope.yaml" in capsys.readouterr().err
