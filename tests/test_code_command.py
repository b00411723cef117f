"""`tr-discourse code`: the outputs of a coding run, their provenance, and --jobs."""

from __future__ import annotations

import contextlib
import io
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


@pytest.fixture(scope="module")
def weak_model(tmp_path_factory):
    """A model trained on the rule coder's output (fast: no human coding), with train's stderr."""
    model = tmp_path_factory.mktemp("weak") / "weak.skops"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["train", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                     "--model", str(model), "--weak"]) == 0
    return model, err.getvalue()


def test_code_writes_every_output_with_the_codebook_provenance(runs):
    d = runs[1]
    assert sorted(p.name for p in d.iterdir()) == sorted(OUTPUT_FILES)
    manifest = json.loads((d / "manifest.json").read_text())
    book = trd.load_codebook("codebooks/tr_core.yaml")
    assert manifest["codebook_hash"] == book.hash
    assert manifest["codebook_version"] == book.version
    assert manifest["counts"]["segments"] == 3598 and manifest["counts"]["documents"] == 74
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


@pytest.mark.parametrize("roll_up", [False, True], ids=["flat", "rolled"])
def test_a_run_parses_its_codings_once_and_writes_the_public_functions_tables(
        tmp_path, monkeypatch, roll_up):
    """Both tables come from one parse, not rolled up again, and are what the functions give."""
    from tr_discourse import analysis, codings, run
    from tr_discourse.io.write import write_table

    parses, roll_ups = [], []
    real_parse, real_roll = run._code_table, codings._CodeTable.rolled_up
    monkeypatch.setattr(run, "_code_table", lambda c: parses.append(len(c)) or real_parse(c))
    monkeypatch.setattr(analysis, "_code_table", lambda c: pytest.fail("parsed again"))
    monkeypatch.setattr(codings._CodeTable, "rolled_up",
                        lambda self, book: roll_ups.append(book) or real_roll(self, book))
    out = tmp_path / "run"
    run.code_corpus([Path("corpora/tr_blog")], Path("codebooks/tr_core.yaml"), out,
                    roll_up=roll_up)
    monkeypatch.undo()
    written = trd.read_codings(out / "codings.parquet")
    assert parses == [len(written)] and roll_ups == []
    book = trd.load_codebook("codebooks/tr_core.yaml")
    codes = [c.id for c in book.codes]
    segments = pd.read_parquet(out / "segments.parquet")
    expected = {"frequencies.csv": frequencies(segments, written, codes=codes).reset_index(),
                "cooccurrence.csv": cooccurrence(written, codes=codes,
                                                 codebook=book if roll_up else None)}
    for name, table in expected.items():
        write_table(table, tmp_path / name)
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name
    if roll_up:  # parent-child pairs left out
        assert len(pd.read_csv(out / "cooccurrence.csv")) == 12 * 11 // 2 - 3


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
    assert codings["segment_id"].nunique() == 3598
    other = tmp_path / "other.yaml"
    other.write_text("name: Other\nversion: 2\ncodes:\n  x: {patterns: [contract]}\n")
    assert main(["code", "corpora/tr_blog", "--codebook", str(other), "--coder", "ml",
                 "--model", str(model), "--out", str(tmp_path / "x")]) == 2
    assert "retrain the model with this codebook" in capsys.readouterr().err
    assert main(["train", "tests/data/thread/thread.txt", "--codebook",
                 "codebooks/tr_core.yaml", "--model", str(model)]) == 2
    assert "brings no reference codings" in capsys.readouterr().err


def test_weak_training_and_hybrid_coding_from_the_command_line(weak_model, tmp_path, capsys):
    model, err = weak_model
    assert "weak supervision" in err
    out = tmp_path / "hybrid"
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--coder", "hybrid", "--model", str(model), "--out", str(out),
                 "--quiet"]) == 0
    assert set(trd.read_codings(out / "codings.parquet")["coder"]) == {"hybrid"}
    # --coder ml with that (HybridCoder) model codes with the model alone.
    alone = tmp_path / "alone"
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--coder", "ml", "--model", str(model), "--out", str(alone), "--quiet"]) == 0
    written = trd.read_codings(alone / "codings.parquet")
    assert set(written["coder"]) == {"ml"}
    from tr_discourse.coders.ml import MLCoder

    expected = MLCoder.predict(MLCoder.load(model), trd.read_corpus("corpora/tr_blog").segments)
    assert written["code"].tolist() == expected["code"].tolist()
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--coder", "hybrid", "--out", str(out)]) == 2
    assert "--coder hybrid needs --model PATH" in capsys.readouterr().err


@pytest.mark.parametrize("roll_up", [False, True], ids=["flat", "rolled"])
def test_ml_and_hybrid_runs_find_the_evidence_and_compile_the_codebook_once(
        weak_model, tmp_path, monkeypatch, roll_up):
    from tr_discourse.coders._compile import CompiledCodebook
    from tr_discourse.coders.ml import MLCoder
    from tr_discourse.run import code_corpus

    model, _ = weak_model
    book = trd.load_codebook("codebooks/tr_core.yaml")
    segments = trd.read_corpus("corpora/tr_blog").segments
    # What each coder gives on its own, each compiling the codebook for itself.
    # (The weak model is a HybridCoder: --coder ml codes with its model alone.)
    expected_codings = {"ml": MLCoder.predict(MLCoder.load(model), segments),
                        "hybrid": MLCoder.load(model).predict_hybrid(segments)}
    expected_evidence = trd.RuleCoder(book, roll_up=roll_up).fit().code(segments)[1]
    found, compiled = [], []
    real_evidence, real_init = CompiledCodebook.evidence, CompiledCodebook.__init__
    monkeypatch.setattr(CompiledCodebook, "evidence",
                        lambda self, texts, batch_size=1000: found.append(len(texts)) or
                        real_evidence(self, texts, batch_size))
    monkeypatch.setattr(CompiledCodebook, "__init__",
                        lambda self, codebook: compiled.append(codebook.hash) or
                        real_init(self, codebook))
    rule_codings, real_code = [], trd.RuleCoder.code
    monkeypatch.setattr(trd.RuleCoder, "code", lambda self, segments, **kw:
                        rule_codings.append(len(segments)) or real_code(self, segments, **kw))
    # Another skip_roles than the model's (no roles in a blog: same output) compiles nothing
    # more either: the patterns do not depend on it.
    for coder, skip in (("ml", ("interviewer",)), ("hybrid", ())):
        found.clear()
        compiled.clear()
        rule_codings.clear()
        out = tmp_path / coder
        manifest = code_corpus([Path("corpora/tr_blog")], Path("codebooks/tr_core.yaml"),
                               out, coder=coder, model=model, roll_up=roll_up, skip_roles=skip)
        assert found == [manifest["counts"]["segments"]], coder
        assert compiled == [book.hash], coder  # the model's rule coder serves the run too
        if coder == "ml":  # the run writes the rules' evidence, not their codings
            assert rule_codings == []
        written = trd.read_codings(out / "codings.parquet")
        expected = trd.read_codings(_written(expected_codings[coder],
                                             tmp_path / f"{coder}.parquet"))
        if roll_up:  # the run rolls the model's codings up, in roll_up's order
            from tr_discourse.codings import roll_up as rolled

            expected = rolled(expected, book)
        pd.testing.assert_frame_equal(written, expected)
        pd.testing.assert_frame_equal(pd.read_parquet(out / "evidence.parquet"),
                                      expected_evidence)


def _written(codings: pd.DataFrame, path: Path) -> Path:
    trd.write_codings(codings, path)
    return path


def test_skip_roles_leaves_interviewer_turns_uncoded_unless_told(tmp_path, weak_model):
    """By default an interviewer's turn gets a "no code" row saying why; 'none' codes it."""
    model, _ = weak_model
    src = "corpora/tr_interviews/int01.txt"
    segments = trd.read_corpus(src).segments
    asked = set(segments.loc[segments["role"].eq("interviewer"), "segment_id"])
    rules = trd.RuleCoder("codebooks/tr_core.yaml", skip_roles=()).predict(segments)
    would_code = asked & set(rules.loc[rules["code"].notna(), "segment_id"])
    assert would_code  # interviewer turns the patterns fire on
    for coder in ("rules", "ml"):
        runs = {}
        for roles in ("interviewer", "none"):
            d = tmp_path / f"{coder}-{roles}"
            extra = ["--coder", coder, "--model", str(model)] if coder == "ml" else []
            assert main(["code", src, "--codebook", "codebooks/tr_core.yaml", *extra,
                         "--skip-roles", roles, "--out", str(d), "--quiet"]) == 0
            runs[roles] = d
        manifest = json.loads((runs["interviewer"] / "manifest.json").read_text())
        assert manifest["coder_params"]["skip_roles"] == ["interviewer"]
        assert json.loads((runs["none"] / "manifest.json").read_text())[
            "coder_params"]["skip_roles"] == []
        skipped = pd.read_parquet(runs["interviewer"] / "codings.parquet")
        skipped = skipped[skipped["segment_id"].isin(asked)]
        assert len(skipped) == len(asked) and skipped["code"].isna().all()
        assert set(skipped["evidence"]) == {"not coded: role interviewer (skip_roles)"}
        every = pd.read_parquet(runs["none"] / "codings.parquet")
        if coder == "rules":
            assert set(every.loc[every["code"].notna(), "segment_id"]) & asked == would_code
            evidence = pd.read_parquet(runs["interviewer"] / "evidence.parquet")
            assert not evidence["segment_id"].isin(asked).any()


def test_a_rolled_up_model_run_writes_tables_that_agree(weak_model, tmp_path):
    """--roll-up rolls the model's codings up too, so the CSVs count the same segments."""
    model, _ = weak_model
    out = tmp_path / "ml-rolled"
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--coder", "ml", "--model", str(model), "--roll-up", "--out", str(out),
                 "--quiet"]) == 0
    codings = trd.read_codings(out / "codings.parquet")
    sets = codings.dropna(subset=["code"]).groupby("segment_id")["code"].agg(set)
    children = {"payment_by_results": "marketisation", "supply_chain": "marketisation",
                "caseload_pressure": "professionalisation"}
    assert any(child in s for s in sets for child in children)
    assert all(parent in s for s in sets for child, parent in children.items() if child in s)
    freq = pd.read_csv(out / "frequencies.csv").set_index("code")["segments"]
    pairs = pd.read_csv(out / "cooccurrence.csv")
    for code in ("marketisation", "penal_drift"):
        n = sum(code in s for s in sets)
        assert freq[code] == n
        assert set(pairs.loc[pairs["code_a"] == code, "n_a"]) == {n}
    segments = pd.read_parquet(out / "segments.parquet")["segment_id"].tolist()
    order = {s: i for i, s in enumerate(segments)}
    assert codings["segment_id"].map(order).is_monotonic_increasing


def test_a_model_run_keeps_the_models_skip_roles_unless_told(tmp_path):
    model = tmp_path / "every.skops"
    src = "corpora/tr_interviews/int01.txt"
    assert main(["train", src, "corpora/tr_interviews/int02.txt", "--codebook",
                 "codebooks/tr_core.yaml", "--model", str(model), "--weak", "--skip-roles",
                 "none", "--quiet"]) == 0
    used = {}
    for given in ([], ["--skip-roles", "interviewer"]):
        out = tmp_path / f"run{len(given)}"
        assert main(["code", src, "--codebook", "codebooks/tr_core.yaml", "--coder", "ml",
                     "--model", str(model), *given, "--out", str(out), "--quiet"]) == 0
        used[len(given)] = json.loads((out / "manifest.json").read_text())[
            "coder_params"]["skip_roles"]
    assert used == {0: [], 2: ["interviewer"]}


def test_the_run_counts_and_reports_the_segments_left_uncoded_for_their_role(tmp_path, capsys):
    from tr_discourse.report import build_report

    src = "corpora/tr_interviews/int01.txt"
    segments = trd.read_corpus(src).segments
    n = int(segments["role"].eq("interviewer").sum())
    assert n > 0
    out = tmp_path / "run"
    assert main(["code", src, "--codebook", "codebooks/tr_core.yaml", "--out", str(out)]) == 0
    assert f"({n:,} segments not coded for their role: interviewer)" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["not_coded_for_role"] == n
    assert (f"{n:,} segments were examined but not coded for their speaker&#x27;s role "
            "(interviewer; skip_roles).") in build_report(out)
    every = tmp_path / "every"
    assert main(["code", src, "--codebook", "codebooks/tr_core.yaml", "--skip-roles", "none",
                 "--out", str(every), "--quiet"]) == 0
    manifest = json.loads((every / "manifest.json").read_text())
    assert manifest["counts"]["not_coded_for_role"] == 0
    assert "not coded for their speaker" not in build_report(every)
