"""`tr-discourse report`: a self-contained HTML report that renders in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess

import pandas as pd
import pytest

import tr_discourse as trd
from tr_discourse.cli import main
from tr_discourse.codings import read_codings, roll_up
from tr_discourse.errors import TrDiscourseError, TrDiscourseWarning
from tr_discourse.report import build_report


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--roll-up", "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def interviews(tmp_path_factory):
    """A rolled-up run with pairs that are significant once parent-child pairs are out."""
    out = tmp_path_factory.mktemp("interviews")
    assert main(["code", "corpora/tr_interviews", "--codebook", "codebooks/tr_core.yaml",
                 "--roll-up", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    """A run without --roll-up: a parent code counts only its own patterns' segments."""
    out = tmp_path_factory.mktemp("flat")
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--out", str(out), "--quiet"]) == 0
    return out


def _shown(page: str, after: str) -> dict[str, list[str]]:
    """The rows of the first table after ``after`` in the page: first cell -> the others."""
    table = page.split(after, 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    return {row[0]: row[1:] for row in rows}


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def _assert_report_shows_the_csvs(page: str, run_dir) -> int:
    """Check the counts and significant pairs shown against the run's CSVs; return the pairs."""
    freq = pd.read_csv(run_dir / "frequencies.csv").set_index("code")
    counts = _shown(page, "<h2>Counts</h2>")
    assert list(counts) == list(freq.index)
    for code, (segments, documents, share, *_) in counts.items():
        assert _number(segments) == freq.loc[code, "segments"], code
        assert _number(documents) == freq.loc[code, "documents"], code
        assert _number(share) == pytest.approx(freq.loc[code, "share"], abs=5e-4), code
    pairs = pd.read_csv(run_dir / "cooccurrence.csv").set_index(["code_a", "code_b"])
    expected = pairs[pairs["significant"]].sort_values("npmi", ascending=False).head(15)
    after = page.split("more often than chance", 1)[1] if len(expected) else ""
    shown = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>"
                       r"<td>(.*?)</td>", after.split("</table>", 1)[0])
    assert [(a, b) for a, b, *_ in shown] == expected.index.tolist()
    for a, b, n_a, n_b, n_ab in shown:
        assert [int(n_a), int(n_b), int(n_ab)] == \
            pairs.loc[(a, b), ["n_a", "n_b", "n_ab"]].tolist(), (a, b)
    return len(shown)


def test_report_counts_are_the_run_tables_without_roll_up(flat):
    page = build_report(flat)
    assert _assert_report_shows_the_csvs(page, flat) > 0
    codings = read_codings(flat / "codings.parquet")
    book = trd.load_codebook("codebooks/tr_core.yaml")
    own = int(codings["code"].eq("marketisation").sum())
    rolled = int(roll_up(codings, book)["code"].eq("marketisation").sum())
    shown = _shown(page, "<h2>Counts</h2>")["marketisation"][0]
    assert _number(shown) == own == 771 and rolled == 812  # not rolled up behind the run's back
    assert "children rolled up to their parents on both sides" in page  # the reference table


NESTED = {("marketisation", "payment_by_results"), ("marketisation", "supply_chain"),
          ("professionalisation", "caseload_pressure")}


def test_report_counts_are_the_run_tables_with_roll_up(run):
    page = (run / "report.html").read_text(encoding="utf-8")
    # Parent-child pairs are left out; thirteen pairs of unrelated codes remain significant.
    assert _assert_report_shows_the_csvs(page, run) == 13
    pairs = pd.read_csv(run / "cooccurrence.csv")
    # Rolled up, a code and its parent co-occur by construction: the run leaves them out.
    together = set(zip(pairs["code_a"], pairs["code_b"], strict=True))
    assert len(pairs) == 12 * 11 // 2 - 3
    assert not together & NESTED


def test_report_shows_the_significant_pairs_of_a_rolled_up_run(interviews):
    """The pairs shown are the run's, and those are what a count by hand finds significant."""
    from scipy.stats import fisher_exact

    page = build_report(interviews)
    shown = _assert_report_shows_the_csvs(page, interviews)
    # By hand, from the rolled-up codings: every pair of codes but the nested ones, one
    # Fisher test each, Holm's correction over those tests.
    codings = read_codings(interviews / "codings.parquet")
    sets = [set(codes.dropna()) for _, codes in codings.groupby("segment_id")["code"]]
    book = trd.load_codebook("codebooks/tr_core.yaml")
    codes = [c.id for c in book.codes]
    tests = {}
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            if (a, b) in NESTED:
                continue
            n_a, n_b = sum(a in s for s in sets), sum(b in s for s in sets)
            n_ab = sum(a in s and b in s for s in sets)
            table = [[n_ab, n_a - n_ab], [n_b - n_ab, len(sets) - n_a - n_b + n_ab]]
            tests[a, b] = (n_a, n_b, n_ab, fisher_exact(table, alternative="greater")[1])
    ranked = sorted(tests, key=lambda pair: tests[pair][3])
    holm, running = {}, 0.0
    for k, pair in enumerate(ranked):
        running = max(running, min(1.0, (len(ranked) - k) * tests[pair][3]))
        holm[pair] = running
    expected = {pair for pair, p in holm.items() if p < 0.05}
    pairs = pd.read_csv(interviews / "cooccurrence.csv").set_index(["code_a", "code_b"])
    assert set(pairs.index) == set(tests)
    assert set(pairs.index[pairs["significant"]]) == expected
    for pair, (n_a, n_b, n_ab, _) in tests.items():
        assert pairs.loc[pair, ["units", "n_a", "n_b", "n_ab"]].tolist() == \
            [len(sets), n_a, n_b, n_ab], pair
        assert pairs.loc[pair, "p_adjusted"] == pytest.approx(holm[pair], rel=1e-6), pair
    assert len(expected) >= 3 and shown == min(len(expected), 15)  # the report shows 15


def test_report_builds_the_segment_index_once(flat, monkeypatch):
    calls = []
    real = pd.DataFrame.set_index

    def counted(self, keys, *args, **kwargs):
        calls.append(keys)
        return real(self, keys, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "set_index", counted)
    page = build_report(flat)
    assert page.count("<h3>") == 12  # example passages for every code
    assert calls.count("segment_id") == 1


@pytest.fixture
def own_codebook_run(tmp_path):
    book = tmp_path / "book.yaml"
    shutil.copy("codebooks/tr_core.yaml", book)
    out = tmp_path / "run"
    assert main(["code", "tests/data/thread/thread.txt", "--codebook", str(book),
                 "--out", str(out), "--quiet"]) == 0
    return book, out


def test_report_refuses_a_codebook_changed_since_the_run(own_codebook_run, capsys):
    book, out = own_codebook_run
    recorded = json.loads((out / "manifest.json").read_text())["codebook_hash"]
    text = book.read_text(encoding="utf-8")
    book.write_text("# a comment changes the file, not the codebook\n" + text, encoding="utf-8")
    assert "Example passages" in build_report(out)
    book.write_text(text.replace("version: 1.5.0", "version: 1.5.1"), encoding="utf-8")
    current = trd.load_codebook(book).hash
    assert current != recorded
    with pytest.raises(TrDiscourseError, match="has changed since the coding run") as info:
        build_report(out)
    message = str(info.value)
    for part in (str(book.resolve()), recorded[:12], current[:12], "1.5.0", "1.5.1",
                 "tr-discourse code"):
        assert part in message, part
    assert main(["report", str(out)]) == 2
    assert "has changed since the coding run" in capsys.readouterr().err
    assert not (out / "report.html").exists()


def test_report_without_the_codebook_warns_and_leaves_out_what_needs_it(own_codebook_run):
    book, out = own_codebook_run
    book.unlink()
    with pytest.warns(TrDiscourseWarning, match="no longer exists") as caught:
        page = build_report(out)
    assert str(book.resolve()) in str(caught[0].message)
    assert "<h2>Counts</h2>" in page and "Example passages" not in page


def test_report_names_a_missing_output_of_the_run(own_codebook_run):
    _, out = own_codebook_run
    (out / "frequencies.csv").unlink()
    with pytest.raises(TrDiscourseError, match=r"frequencies\.csv.*re-run tr-discourse code"):
        build_report(out)


def test_report_is_self_contained_and_complete(run):
    page = (run / "report.html").read_text(encoding="utf-8")
    for heading in ("Counts", "Frequencies and co-occurrence", "Over time",
                    "Codes by kind", "Against the reference coding", "Example passages"):
        assert f"<h2>{heading}</h2>" in page, heading
    images = re.findall(r'<img alt="plot" src="data:image/png;base64,', page)
    assert len(images) == 6  # frequencies, heatmap, network, timeline, by kind, reliability
    assert not re.search(r'(src|href)="(http|//)', page)  # nothing fetched from outside
    assert page.count("<mark") > 10  # evidence highlighted in the example passages
    assert "TR core codebook 1.5.0" in page
    assert sorted(p.name for p in (run / "plots").iterdir()) == [
        "codes_by_kind.png", "cooccurrence_heatmap.png", "cooccurrence_network.png",
        "frequencies.png", "reliability.png", "timeline.png"]


def test_report_refuses_a_directory_without_a_manifest(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_report_renders_in_headless_chromium(run, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); "
                    "the report's HTML is still checked by the other tests")
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={shot}", "--window-size=1200,3000",
                    (run / "report.html").as_uri()], check=True, capture_output=True,
                   timeout=120)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 3000)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes


def test_report_finds_the_runs_inputs_from_another_directory(flat, tmp_path, monkeypatch):
    """The manifest keeps each input's resolved path, so cwd does not matter."""
    manifest = json.loads((flat / "manifest.json").read_text())
    assert manifest["inputs"] == ["corpora/tr_blog"]
    assert manifest["inputs_resolved"][0].endswith("/corpora/tr_blog")
    here = build_report(flat)
    monkeypatch.chdir(tmp_path)
    there = build_report(flat)
    assert "<h2>Against the reference coding</h2>" in here
    assert there == here
    gone = tmp_path / "gone"
    shutil.copytree(flat, gone)
    manifest["inputs_resolved"] = [str(tmp_path / "moved" / "tr_blog")]
    (gone / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(TrDiscourseWarning, match=r"inputs .*moved/tr_blog are not there any more"):
        page = build_report(gone)
    assert "<h2>Against the reference coding</h2>" not in page
