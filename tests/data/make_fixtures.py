"""Regenerate the binary fixtures from their text twins.

- interview/interview.docx from interview/interview.txt (one paragraph a line);
- tables/documents.parquet from tables/documents.jsonl.

Run from the repository root: ``python tests/data/make_fixtures.py``. (Nothing
runs on import: pytest imports every module under tests/ to collect doctests.)
"""

from pathlib import Path


def main() -> None:
    """Write the binary fixtures."""
    import docx
    import pandas as pd

    here = Path(__file__).parent
    document = docx.Document()
    for line in (here / "interview" / "interview.txt").read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    document.core_properties.author = "tr_discourse fixtures"
    document.save(here / "interview" / "interview.docx")

    table = pd.read_json(here / "tables" / "documents.jsonl", lines=True, dtype=False)
    table.to_parquet(here / "tables" / "documents.parquet", index=False)


if __name__ == "__main__":
    main()
