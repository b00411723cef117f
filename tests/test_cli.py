"""The command line: `tr-discourse read` writes the segments table and reports where text went."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from conftest import DATA
from tr_discourse.cli import main


@pytest.mark.parametrize("ext", [".jsonl", ".csv", ".parquet"])
def test_read_writes_each_table_format(tmp_path, capsys, ext):
    out = tmp_path / f"segments{ext}"
    assert main(["read", str(DATA / "thread" / "thread.txt"), "--out", str(out)]) == 0
    if ext == ".parquet":
        table = pd.read_parquet(out)
    elif ext == ".csv":
        table = pd.read_csv(out)
    else:
        table = pd.read_json(out, lines=True)
    assert table["segment_id"].tolist()[:3] == ["thread:c001", "thread:c002", "thread:c003"]
    assert len(table) == 9
    err = capsys.readouterr().err
    assert "1,391 characters read; 1,052 in segments; 242 removed markup; " \
           "97 white space between segments." in err
    assert "button_label 76" in err
    assert f"wrote 9 segments to {out}" in err


def test_read_jsonl_rows_are_complete_records(tmp_path):
    out = tmp_path / "s.jsonl"
    main(["read", str(DATA / "interview" / "interview.vtt"), "--unit", "sentence",
          "--no-interviewer", "--out", str(out), "--quiet"])
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows[0]["segment_id"] == "interview:s003"
    assert rows[0]["text"] == "Since 2006, so before the split."
    assert rows[0]["time_start"] == 11.0 and rows[0]["role"] == "participant"


def test_read_table_with_column_mapping(tmp_path):
    out = tmp_path / "s.csv"
    code = main(["read", str(DATA / "tables" / "documents.jsonl"), "--column", "doc_no=id",
                 "--column", "body=text", "--unit", "document", "--out", str(out), "--quiet"])
    assert code == 0
    assert pd.read_csv(out)["segment_id"].tolist() == [
        "talk-2015-napo", "editorial-2018", "report-2020"]


def test_read_errors_are_one_line_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "a.vtt"
    bad.write_text("not a vtt\n")
    assert main(["read", str(bad), "--out", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tr-discourse: error: ") and "a.vtt, line 1" in err
    assert not (tmp_path / "x.jsonl").exists()


def test_read_refuses_an_unknown_output_extension(tmp_path, capsys):
    assert main(["read", str(DATA / "thread" / "thread.txt"), "--out",
                 str(tmp_path / "x.xlsx")]) == 2
    assert capsys.readouterr().err == (
        f"tr-discourse: error: --out {tmp_path / 'x.xlsx'}: unknown output extension '.xlsx'. "
        "Known output extensions: '.csv', '.jsonl', '.parquet'.\n")


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    out = tmp_path / "s.parquet"

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(KeyboardInterrupt):
        main(["read", str(DATA / "thread" / "thread.txt"), "--out", str(out)])
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_runs_the_same_command(tmp_path):
    out = tmp_path / "s.csv"
    done = subprocess.run([sys.executable, "-m", "tr_discourse", "read",
                           str(DATA / "interview" / "interview.txt"), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "wrote 6 segments" in done.stderr


def test_agree_prints_and_writes_the_agreement_table(tmp_path, capsys):
    import pandas as pd

    from tr_discourse.cli import main

    out = tmp_path / "agree.csv"
    assert main(["agree", "corpora/tr_blog/codings/coder_a.csv",
                 "corpora/tr_blog/codings/coder_b.csv", "--codebook", "codebooks/tr_core.yaml",
                 "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "krippendorff_alpha" in captured.out and "marketisation" in captured.out
    assert "3,598 units examined by both; 0 only by A, 0 only by B" in captured.err
    table = pd.read_csv(out).set_index("code")
    assert table.loc["marketisation", "cohen_kappa"] == pytest.approx(0.947, abs=5e-4)
    assert list(table.index[-2:]) == ["(macro)", "(code set)"]


def test_warnings_are_printed_once_each_and_not_when_quiet(tmp_path, capsys):
    source = tmp_path / "talk.txt"
    source.write_bytes("A talk about the caf\u00e9 and the hub.\n".encode("cp1252"))
    out = tmp_path / "s.csv"
    assert main(["read", str(source), "--out", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    warned = [line for line in err if line.startswith("warning: ")]
    assert warned == [f"warning: {source}: not valid UTF-8 (first bad byte 0xe9 on line 1); "
                      "decoded as cp1252 (Windows Western European)"]
    assert err[0] == warned[0]  # before the summary
    assert main(["read", str(source), "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_agree_prints_the_warnings_of_the_agreement(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("segment_id,code\ns1,x\ns2,x\n")
    b.write_text("segment_id,code\ns1,x\ns2,x\n")
    assert main(["agree", str(a), str(b)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: ") == 1
    assert "warning: agreement: kappa or alpha is undefined (NaN) for x" in err


@pytest.mark.parametrize(("given", "roles"), [
    ("interviewer", ("interviewer",)), ("interviewer, Moderator", ("interviewer", "Moderator")),
    ("none", ()), ("None", ()), ("", ())])
def test_skip_roles_option_reads_a_comma_separated_list(given, roles):
    from tr_discourse.cli import _roles

    assert _roles(given) == roles


def test_agree_prints_a_codings_files_decoding_warning_once_in_the_cli_shape(tmp_path, capsys):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_bytes("segment_id,code,coder\ns1,x,Zoë\ns2,,Zoë\n".encode("cp1252"))
    b.write_text("segment_id,code,coder\ns1,x,B\ns2,x,B\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes as a Python warning
        assert main(["agree", str(a), str(b)]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 1 and "a.csv" in lines[0] and "cp1252" in lines[0]
    assert "DecodingWarning" not in err
