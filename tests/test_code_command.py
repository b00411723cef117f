"""`tr-discourse code`: the outputs of a coding run, their provenance, and --jobs."""

from __future__ import annotations

import json
import stat
from pathlib import Path

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


def test_train_then_code_with_the_ml_coder(tmp_path, capsys):
    model = tmp_path / "blog.skops"
    assert main(["train", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--model", str(model), "--split", "train"]) == 0
    err = capsys.readouterr().err
    assert "cross-validated by document" in err and f"saved the model to {model}" in err
    out = tmp_path / "ml"
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--coder", "ml", "--model", str(model), "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["coder"] == "ml" and manifest["coder_params"]["model"] == str(model)
    codings = trd.read_codings(out / "codings.parquet")
    assert set(codings["coder"]) == {"ml"}
    assert codings["segment_id"].nunique() == 479
    other = tmp_path / "other.yaml"
    other.write_text("name: Other\nversion: 2\ncodes:\n  x: {patterns: [contract]}\n")
    assert main(["code", "corpora/tr_blog", "--codebook", str(other), "--coder", "ml",
                 "--model", str(model), "--out", str(tmp_path / "x")]) == 2
    assert "retrain the model with this codebook" in capsys.readouterr().err
    assert main(["train", "tests/data/thread/thread.txt", "--codebook",
                 "codebooks/tr_core.yaml", "--model", str(model)]) == 2
    assert "brings no reference codings" in capsys.readouterr().err


def test_weak_training_and_hybrid_coding_from_the_command_line(tmp_path, capsys):
    model = tmp_path / "weak.skops"
    assert main(["train", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--model", str(model), "--weak"]) == 0
    assert "weak supervision" in capsys.readouterr().err
    out = tmp_path / "hybrid"
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--coder", "hybrid", "--model", str(model), "--out", str(out),
                 "--quiet"]) == 0
    assert set(trd.read_codings(out / "codings.parquet")["coder"]) == {"hybrid"}
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--coder", "hybrid", "--out", str(out)]) == 2
    assert "--coder hybrid needs --model PATH" in capsys.readouterr().err


def test_ml_and_hybrid_runs_find_the_rule_evidence_once(tmp_path, monkeypatch):
    from tr_discourse.coders._compile import CompiledCodebook
    from tr_discourse.run import code_corpus

    model = tmp_path / "weak.skops"
    assert main(["train", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--model", str(model), "--weak", "--quiet"]) == 0
    calls = []
    real = CompiledCodebook.evidence
    monkeypatch.setattr(CompiledCodebook, "evidence",
                        lambda self, texts, batch_size=1000: calls.append(len(texts)) or
                        real(self, texts, batch_size))
    for coder in ("ml", "hybrid"):
        calls.clear()
        manifest = code_corpus([Path("corpora/tr_blog")], Path("codebooks/tr_core.yaml"),
                               tmp_path / coder, coder=coder, model=model)
        assert calls == [manifest["counts"]["segments"]], coder
