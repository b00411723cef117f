"""Build each corpus's adjudicated reference coding from the two codings and the decisions.

The reference is, for every unit, the codes both coders gave when they agreed,
and the adjudicator's decision (``codings/adjudication.csv``: segment_id, codes
separated by ``;``, the rule applied and a note) where they did not. Running it
again rewrites ``codings/reference.csv`` identically.

Usage::

    python corpora/adjudicate.py corpora/tr_interviews corpora/tr_blog
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import tr_discourse as trd


def reference(folder: Path) -> pd.DataFrame:
    """Return the reference codings of one corpus folder."""
    codings = folder / "codings"
    a = trd.coded_sets(trd.read_codings(codings / "coder_a.csv"))
    b = trd.coded_sets(trd.read_codings(codings / "coder_b.csv"))
    if set(a.index) != set(b.index):
        raise ValueError(f"{folder}: the two codings cover different units "
                         f"({len(set(a.index) ^ set(b.index))} differ)")
    decisions = pd.read_csv(codings / "adjudication.csv", dtype=str, keep_default_na=False)
    decided = {row.segment_id: frozenset(c for c in row.codes.split(";") if c)
               for row in decisions.itertuples()}
    disputed = {s for s in a.index if a[s] != b[s]}
    if disputed != set(decided):
        missing, extra = sorted(disputed - set(decided)), sorted(set(decided) - disputed)
        raise ValueError(f"{folder}: adjudication.csv must decide exactly the disputed units; "
                         f"missing {missing[:5]}, not disputed {extra[:5]}")
    final = {s: decided.get(s, a[s]) for s in a.index}
    return trd.codings_from_sets(final, coder="reference")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for folder in args.folders:
        table = reference(folder)
        out = trd.write_codings(table, folder / "codings" / "reference.csv")
        print(f"{out}: {table['segment_id'].nunique()} units, "
              f"{int(table['code'].notna().sum())} codings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
