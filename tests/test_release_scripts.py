"""The release scripts of corpora/: coding packets, disputes and the merge of new codings."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

import tr_discourse as trd

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
CODEBOOK = ROOT / "codebooks" / "tr_core.yaml"
CODES = {c.id for c in trd.load_codebook(CODEBOOK).codes}


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, CORPORA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # disputes.py and merge_codings.py import their siblings by name
    spec.loader.exec_module(module)
    return module


packets = _script("coding_packets")
disputes = _script("disputes")
merging = _script("merge_codings")
adjudicate = _script("adjudicate")


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def _coding(path: Path, sets: dict[str, list[str]]) -> Path:
    return _jsonl(path, [{"id": s, "codes": c} for s, c in sets.items()])


# --- packets ------------------------------------------------------------------------------

INT91 = ("Interviewer: How did the split go?\n"
         "P91: Badly. The CRC was paid per referral, so we chased numbers.\n"
         "Interviewer: And the office?\n"
         "P91: Closed. We report to a hub twenty miles away.\n")
INT91_UNITS = [
    {"id": "int91:t001", "doc": "int91", "kind": "turn", "speaker": "Interviewer",
     "text": "How did the split go?"},
    {"id": "int91:t002", "doc": "int91", "kind": "turn", "speaker": "P91",
     "text": "Badly. The CRC was paid per referral, so we chased numbers."},
    {"id": "int91:t003", "doc": "int91", "kind": "turn", "speaker": "Interviewer",
     "text": "And the office?"},
    {"id": "int91:t004", "doc": "int91", "kind": "turn", "speaker": "P91",
     "text": "Closed. We report to a hub twenty miles away."},
]


def _corpus(tmp_path: Path) -> Path:
    """A corpus folder: int90 coded (one disputed unit), int91 not yet coded."""
    folder = tmp_path / "corpus"
    (folder / "codings").mkdir(parents=True)
    (folder / "int90.txt").write_text("Interviewer: What changed?\n"
                                      "P90: The targets. Everything became a tick box.\n")
    (folder / "int91.txt").write_text(INT91)
    (folder / "corpus.yaml").write_text(
        f'title: tiny\nreader: auto\nunit: turn\ncodebook: "{CODEBOOK}"\n'
        "codings:\n  coder_a: codings/coder_a.csv\n  coder_b: codings/coder_b.csv\n"
        "adjudication: codings/adjudication.csv\n")
    trd.write_codings(trd.codings_from_sets(
        {"int90:t001": [], "int90:t002": ["professionalisation"]}, coder="coder_a"),
        folder / "codings" / "coder_a.csv")
    trd.write_codings(trd.codings_from_sets(
        {"int90:t001": [], "int90:t002": []}, coder="coder_b"),
        folder / "codings" / "coder_b.csv")
    (folder / "codings" / "adjudication.csv").write_text(
        "segment_id,codes,rule,note\n"
        "int90:t002,professionalisation,R3,Tick-box targets are the managerial turn\n")
    return folder


def test_packet_from_files_is_the_packet_of_the_corpus_folder(tmp_path, capsys):
    folder = _corpus(tmp_path)
    from_folder, from_file = tmp_path / "folder.jsonl", tmp_path / "file.jsonl"
    assert packets.main([str(folder), "--docs", "int91", "--out", str(from_folder)]) == 0
    assert capsys.readouterr().out == f"4 units from 1 documents -> {from_folder}\n"
    assert packets.main([str(folder / "int91.txt"), "--out", str(from_file)]) == 0
    expected = "".join(json.dumps(u, ensure_ascii=False) + "\n" for u in INT91_UNITS)
    assert from_file.read_text(encoding="utf-8") == expected
    assert from_folder.read_bytes() == from_file.read_bytes()


def test_packet_keeps_the_order_of_the_files_given(tmp_path):
    folder = _corpus(tmp_path)
    out = tmp_path / "p.jsonl"
    assert packets.main([str(folder / "int91.txt"), str(folder / "int90.txt"),
                         "--out", str(out)]) == 0
    ids = [unit["id"] for _, unit in packets.read_packet(out)]
    assert ids == ["int91:t001", "int91:t002", "int91:t003", "int91:t004",
                   "int90:t001", "int90:t002"]


@pytest.mark.parametrize(("corpus", "doc", "name"), [
    ("tr_interviews", "int03", "int03.vtt"),
    ("tr_blog", "2014-06-grayling-sale", "2014-06-grayling-sale.txt"),
])
def test_packet_of_a_sample_document_file_equals_its_corpus_packet(tmp_path, corpus, doc, name):
    from_folder, from_file = tmp_path / "folder.jsonl", tmp_path / "file.jsonl"
    assert packets.main([str(CORPORA / corpus), "--docs", doc, "--out", str(from_folder)]) == 0
    assert packets.main([str(CORPORA / corpus / name), "--out", str(from_file)]) == 0
    assert from_folder.read_bytes() == from_file.read_bytes()
    units = [unit for _, unit in packets.read_packet(from_file)]
    segments = trd.read_corpus(CORPORA / corpus / name).segments
    assert len(units) == int((segments["kind"] != "preamble").sum())
    assert {u["doc"] for u in units} == {doc}


def test_packet_refuses_unknown_documents_and_other_genres(tmp_path, capsys):
    folder = _corpus(tmp_path)
    out = tmp_path / "p.jsonl"
    assert packets.main([str(folder), "--docs", "int91", "int99", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"coding_packets.py: error: no document 'int99' in "
                                       f"{folder}; the documents read: int90, int91\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("Some notes about the day.\n\nNothing else.\n")
    assert packets.main([str(notes), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"coding_packets.py: error: {notes}: document 'notes' was read as "
                          "genre 'document' (format 'text'); a coding packet takes the genres "
                          "'interview', 'blog'")
    assert not out.exists()


@pytest.mark.parametrize(("lines", "message"), [
    ([{"id": "a:t001", "doc": "a", "kind": "turn", "text": "x"}],
     "line 1: keys 'id', 'doc', 'kind', 'text'; a packet unit has the keys "
     "'id', 'doc', 'kind', 'speaker', 'text'"),
    ([{"id": "a:t001", "doc": "a", "kind": "turn", "speaker": None, "text": "x"}] * 2,
     "line 2: unit 'a:t001' again (first on line 1); each unit is listed once"),
    ([], "no units; a packet has one JSON object per unit"),
])
def test_read_packet_names_the_line_and_what_is_accepted(tmp_path, lines, message):
    path = _jsonl(tmp_path / "p.jsonl", lines)
    with pytest.raises(trd.FormatError, match=re.escape(f"{path}, {message}" if lines
                                                        else f"{path}: {message}")):
        packets.read_packet(path)


# --- disputes -----------------------------------------------------------------------------

LONG = "The hub is twenty miles from the estate. " * 20  # 820 characters


def _unit(sid: str, text: str, speaker: str | None = "P1", kind: str = "turn") -> dict:
    return {"id": sid, "doc": sid.split(":")[0], "kind": kind, "speaker": speaker, "text": text}


UNITS = [
    _unit("a:t001", "How did the split go?", "Interviewer"),
    _unit("a:t002", "The CRC was paid per referral, so we chased numbers."),
    _unit("a:t003", LONG),
    _unit("a:t004", "Closed, and the rest went to the company."),
    _unit("a:t005", "Fine, I suppose. £40 a head."),
    _unit("b:c001", "Same here.", None, "comment"),
]
CODER_A = {"a:t001": [], "a:t002": ["payment_by_results", "marketisation"],
           "a:t003": ["displacement"], "a:t004": ["displacement", "marketisation"],
           "a:t005": [], "b:c001": ["professionalisation"]}
CODER_B = {"a:t001": [], "a:t002": ["marketisation"], "a:t003": ["displacement"],
           "a:t004": ["marketisation", "displacement"], "a:t005": ["marketisation"],
           "b:c001": []}


@pytest.fixture
def coded(tmp_path) -> tuple[Path, Path, Path]:
    return (_jsonl(tmp_path / "packet.jsonl", UNITS), _coding(tmp_path / "a.jsonl", CODER_A),
            _coding(tmp_path / "b.jsonl", CODER_B))


def test_disputes_are_the_units_coded_differently_with_their_context(tmp_path, coded, capsys):
    packet, a, b = coded
    out = tmp_path / "disputes.jsonl"
    assert disputes.main([str(packet), "--coder-a", str(a), "--coder-b", str(b),
                          "--out", str(out)]) == 0
    assert capsys.readouterr().out == (f"{packet}: 6 units, agreed exactly on 3 (50.0%), "
                                       f"3 disputed -> {out}\n")
    context = [{"id": u["id"], "speaker": u["speaker"], "kind": u["kind"], "text": u["text"]}
               for u in UNITS]
    context[2]["text"] = LONG[:700]
    expected = [
        {**UNITS[1], "context_before": context[:1],
         "coder_a": ["marketisation", "payment_by_results"], "coder_b": ["marketisation"],
         "both": ["marketisation"]},
        # three units before, all of the same document; the long one cut to 700 characters
        {**UNITS[4], "context_before": context[1:4], "coder_a": [], "coder_b": ["marketisation"],
         "both": []},
        # the first unit of another document: no context
        {**UNITS[5], "context_before": [], "coder_a": ["professionalisation"], "coder_b": [],
         "both": []},
    ]
    assert out.read_text(encoding="utf-8") == "".join(
        json.dumps(d, ensure_ascii=False) + "\n" for d in expected)
    assert len(LONG) == 820 and len(expected[1]["context_before"][1]["text"]) == 700
    assert "£40" in out.read_text(encoding="utf-8")  # not escaped


def test_no_disputes_gives_an_empty_file(tmp_path, coded, capsys):
    packet, a, _ = coded
    out = tmp_path / "disputes.jsonl"
    assert disputes.main([str(packet), "--coder-a", str(a), "--coder-b", str(a),
                          "--out", str(out)]) == 0
    assert out.read_text() == ""
    assert "6 units, agreed exactly on 6 (100.0%), 0 disputed" in capsys.readouterr().out


def _edited(sets: dict[str, list[str]], change: str) -> list[dict]:
    rows = [{"id": s, "codes": c} for s, c in sets.items()]
    if change == "swap":
        rows[0], rows[1] = rows[1], rows[0]
    elif change == "stranger":
        rows[5]["id"] = "b:c002"
    elif change == "twice":
        rows[1] = rows[0]
    elif change == "short":
        rows = rows[:5]
    elif change == "typo":
        rows[1]["codes"] = ["marketisaton"]
    elif change == "shape":
        rows[0] = {"id": "a:t001", "codes": "marketisation"}
    return rows


@pytest.mark.parametrize(("change", "where", "message"), [
    ("swap", ", line 1: ", "segment 'a:t002' where {packet}, line 1, has 'a:t001'; a coding has "
     'one line {{"id": SEGMENT_ID, "codes": [CODE, ...]}} per unit of the packet, in its order'),
    ("stranger", ", line 6: ", "segment 'b:c002' is not a unit of {packet}"),
    ("twice", ", line 2: ", "segment 'a:t001' again (first on line 1)"),
    ("short", ": ", "codes 5 of the 6 units of {packet}; the first not coded is 'b:c001' "
     "({packet}, line 6)"),
    ("typo", ", line 2: ", "unknown code 'marketisaton' for segment 'a:t002' (did you mean "
     "'marketisation'?); known codes: caseload_pressure, desistance, displacement, "),
    ("shape", ", line 1: ", 'got {{"id": "a:t001", "codes": "marketisation"}}; a coding has one '
     'line {{"id": SEGMENT_ID, "codes": [CODE, ...]}}'),
])
def test_a_coding_must_code_the_packet_units_in_order_with_known_codes(tmp_path, coded, change,
                                                                         where, message):
    packet, a, _ = coded
    b = _jsonl(tmp_path / "b.jsonl", _edited(CODER_B, change))
    with pytest.raises(trd.FormatError) as error:
        disputes.read_packet_codings(packet, {"coder_a": a, "coder_b": b}, CODES)
    assert str(error.value).startswith(f"{b}{where}{message.format(packet=packet)}")


def test_disputes_command_reports_a_bad_coding_and_writes_nothing(tmp_path, coded, capsys):
    packet, a, _ = coded
    b = _jsonl(tmp_path / "b.jsonl", _edited(CODER_B, "typo"))
    out = tmp_path / "disputes.jsonl"
    assert disputes.main([str(packet), "--coder-a", str(a), "--coder-b", str(b),
                          "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"disputes.py: error: {b}, line 2: unknown code")
    assert not out.exists()


# --- merge --------------------------------------------------------------------------------

NEW_A = {"int91:t001": [], "int91:t002": ["marketisation", "payment_by_results"],
         "int91:t003": [], "int91:t004": ["displacement"]}
NEW_B = {"int91:t001": [], "int91:t002": ["marketisation"], "int91:t003": [],
         "int91:t004": ["displacement", "professionalisation"]}
DECISIONS = ("segment_id,codes,rule,note\n"
             'int91:t002,marketisation;payment_by_results,R3,"Paid per referral, so the '
             'payment drives the work"\n'
             "int91:t004,displacement,R4,The hub twenty miles away is displacement\n")


@pytest.fixture
def release(tmp_path) -> dict[str, Path]:
    folder = _corpus(tmp_path)
    stage = tmp_path / "stage"
    stage.mkdir()
    packet = stage / "w1.jsonl"
    assert packets.main([str(folder / "int91.txt"), "--out", str(packet)]) == 0
    adjudication = stage / "w1.csv"
    adjudication.write_text(DECISIONS)
    return {"folder": folder, "packet": packet, "coder_a": _coding(stage / "a.jsonl", NEW_A),
            "coder_b": _coding(stage / "b.jsonl", NEW_B), "adjudication": adjudication}


def _merge(r: dict[str, Path], **kwargs) -> list[str]:
    return merging.merge([r["folder"]], r["packet"], r["coder_a"], r["coder_b"],
                         r["adjudication"], **kwargs)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "codings").iterdir())}


def test_merge_appends_exactly_the_new_rows(release):
    folder = release["folder"]
    before = {name: data.decode() for name, data in _files(folder).items()}
    codings = folder / "codings"
    assert _merge(release) == [f"{codings / 'coder_a.csv'}: 2 -> 7 rows",
                               f"{codings / 'coder_b.csv'}: 2 -> 7 rows",
                               f"{codings / 'adjudication.csv'}: 1 -> 3 rows"]
    after = {name: data.decode() for name, data in _files(folder).items()}
    assert sorted(after) == ["adjudication.csv", "coder_a.csv", "coder_b.csv"]  # no temp files
    assert after["coder_a.csv"] == before["coder_a.csv"] + (
        "int91:t001,,coder_a,1.0,,,,\n"
        "int91:t002,marketisation,coder_a,1.0,,,,\n"
        "int91:t002,payment_by_results,coder_a,1.0,,,,\n"
        "int91:t003,,coder_a,1.0,,,,\n"
        "int91:t004,displacement,coder_a,1.0,,,,\n")
    assert after["coder_b.csv"] == before["coder_b.csv"] + (
        "int91:t001,,coder_b,1.0,,,,\n"
        "int91:t002,marketisation,coder_b,1.0,,,,\n"
        "int91:t003,,coder_b,1.0,,,,\n"
        "int91:t004,displacement,coder_b,1.0,,,,\n"
        "int91:t004,professionalisation,coder_b,1.0,,,,\n")
    assert after["adjudication.csv"] == before["adjudication.csv"] + DECISIONS.split("\n", 1)[1]
    reference = trd.coded_sets(adjudicate.reference(folder))
    assert {s: sorted(c) for s, c in reference.items() if s.startswith("int91")} == {
        "int91:t001": [], "int91:t002": ["marketisation", "payment_by_results"],
        "int91:t003": [], "int91:t004": ["displacement"]}


def test_merge_refuses_a_segment_already_in_the_codings(release, capsys):
    _merge(release)
    before = _files(release["folder"])
    args = [str(release["folder"]), "--packet", str(release["packet"]),
            "--coder-a", str(release["coder_a"]), "--coder-b", str(release["coder_b"]),
            "--adjudication", str(release["adjudication"])]
    assert merging.main(args) == 2
    assert capsys.readouterr().err == (
        f"merge_codings.py: error: {release['folder'] / 'codings' / 'coder_a.csv'}, row 3: "
        f"segment 'int91:t001' is already there, and {release['packet']} would add it again; "
        "a merge adds only segments the file does not hold (was the packet merged before?)\n")
    assert _files(release["folder"]) == before


def test_merge_refuses_a_decision_already_in_the_adjudication(release):
    path = release["folder"] / "codings" / "adjudication.csv"
    path.write_text(path.read_text() + "int91:t004,displacement,R4,Decided by hand earlier\n")
    before = _files(release["folder"])
    with pytest.raises(ValueError, match=re.escape(
            f"{path}, row 2: segment 'int91:t004' is already there")):
        _merge(release)
    assert _files(release["folder"]) == before


@pytest.mark.parametrize(("row", "message"), [
    ("int91:t001,,R1,Agreed anyway", "row 3: segment 'int91:t001' is not a disputed unit of "
     "{packet}; the disputed units: int91:t002, int91:t004"),
    ("int91:t004,displacement,R4,Hub", "row 3: segment 'int91:t004' again (first on row 2); "
     "each disputed unit is decided once"),
])
def test_merge_checks_each_decision_is_of_a_disputed_unit_once(release, row, message):
    release["adjudication"].write_text(DECISIONS + row + "\n")
    before = _files(release["folder"])
    with pytest.raises(ValueError) as error:
        _merge(release)
    assert str(error.value) == (f"{release['adjudication']}, "
                                + message.format(packet=release["packet"]))
    assert _files(release["folder"]) == before


@pytest.mark.parametrize(("decision", "message"), [
    ("int91:t004,displacment,R4,Hub", "unknown code 'displacment'; known codes: "
     "caseload_pressure, desistance, displacement, "),
    ("int91:t004,displacement,R9,Hub", "rule 'R9'; accepted: R1, R2, R3, R4, R5, R6, R7, R8 "
     "(adjudication_rules.md)"),
    ("int91:t004,displacement,R4,", "empty note; each decision says why in a note"),
    ("int91:t004,,R4,Hub", "drops displacement, which both coders gave; a decision keeps the "
     "codes both gave"),
    ("int91:t004,displacement;penal_drift,R4,Hub", "adds penal_drift, which neither coder "
     "gave; a decision settles only the codes one coder gave (professionalisation)"),
])
def test_merge_checks_each_decision_by_the_rules(release, decision, message):
    lines = DECISIONS.splitlines()
    release["adjudication"].write_text("\n".join([*lines[:2], decision]) + "\n")
    before = _files(release["folder"])
    with pytest.raises(ValueError, match=re.escape(
            f"{release['adjudication']}, row 2: segment 'int91:t004': {message}")):
        _merge(release)
    assert _files(release["folder"]) == before


def test_merge_needs_a_decision_for_every_disputed_unit(release):
    release["adjudication"].write_text("\n".join(DECISIONS.splitlines()[:2]) + "\n")
    with pytest.raises(ValueError, match=re.escape(
            f"{release['adjudication']}: decides 1 of the 2 disputed units of "
            f"{release['packet']}; no decision for 'int91:t004'")):
        _merge(release)


def test_merge_checks_the_codings_against_the_packet(release):
    _coding(release["coder_b"], dict(list(NEW_B.items())[:3]))
    before = _files(release["folder"])
    with pytest.raises(trd.FormatError, match=re.escape(
            f"{release['coder_b']}: codes 3 of the 4 units of {release['packet']}; the first "
            f"not coded is 'int91:t004' ({release['packet']}, line 4)")):
        _merge(release)
    assert _files(release["folder"]) == before


def test_merge_refuses_units_edited_after_the_packet_unless_accepted(release):
    doc = release["folder"] / "int91.txt"
    doc.write_text(INT91.replace("a hub twenty miles away", "a hub 20 miles away"))
    before = _files(release["folder"])
    with pytest.raises(ValueError, match=re.escape(
            f"{release['packet']}: the corpus text of 'int91:t004' is not the packet's")):
        _merge(release)
    assert _files(release["folder"]) == before
    done = _merge(release, accept_edits=True)
    assert done[-1] == (f"{release['packet']}: accepted units whose corpus text is not the "
                        "packet's: int91:t004")


def test_merge_refuses_units_of_documents_outside_the_corpora(release, tmp_path):
    (tmp_path / "int92.txt").write_text(INT91.replace("P91", "P92"))
    assert packets.main([str(tmp_path / "int92.txt"), "--out", str(release["packet"])]) == 0
    for coder, sets in (("coder_a", NEW_A), ("coder_b", NEW_B)):
        _coding(release[coder], {s.replace("int91", "int92"): c for s, c in sets.items()})
    release["adjudication"].write_text(DECISIONS.replace("int91", "int92"))
    with pytest.raises(ValueError, match=re.escape(
            f"{release['packet']}: unit 'int92:t001' (document 'int92') is in none of "
            f"{release['folder']}; copy the packet's documents into the corpus folders first")):
        _merge(release)
