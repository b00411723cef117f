"""Regenerate tests/data/interview/interview.docx from interview.txt (one paragraph a line)."""

from pathlib import Path

import docx

here = Path(__file__).parent / "interview"
document = docx.Document()
for line in (here / "interview.txt").read_text(encoding="utf-8").splitlines():
    document.add_paragraph(line)
document.core_properties.author = "tr_discourse fixtures"
document.save(here / "interview.docx")
