"""`tr-discourse report`: a self-contained HTML report that renders in a real browser."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import pytest

from tr_discourse.cli import main


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(["code", "corpora/tr_blog", "--codebook", "codebooks/tr_core.yaml",
                 "--roll-up", "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out)]) == 0
    return out


def test_report_is_self_contained_and_complete(run):
    page = (run / "report.html").read_text(encoding="utf-8")
    for heading in ("Counts", "Frequencies and co-occurrence", "Over time",
                    "Codes by kind", "Against the reference coding", "Example passages"):
        assert f"<h2>{heading}</h2>" in page, heading
    images = re.findall(r'<img alt="plot" src="data:image/png;base64,', page)
    assert len(images) == 6  # frequencies, heatmap, network, timeline, by kind, reliability
    assert not re.search(r'(src|href)="(http|//)', page)  # nothing fetched from outside
    assert page.count("<mark") > 10  # evidence highlighted in the example passages
    assert "TR core codebook 1.3.0" in page
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
