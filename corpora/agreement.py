"""Print the agreement between the two independent codings of the sample corpora.

For each corpus folder (default: corpora/tr_interviews and corpora/tr_blog, then
both together) this prints, per code of the codebook, the units both coders
examined, how many each coded, percent agreement, Cohen's kappa and
Krippendorff's alpha (nominal, each code as present/absent), then the mean over
codes and the whole code set (exact agreement, alpha with the MASI distance).
It also profiles the adjudicated reference: units per code, units with no code
and units with two or more top-level codes.

Usage::

    python corpora/agreement.py                 # plain text
    python corpora/agreement.py --markdown      # tables to paste into a README
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import tr_discourse as trd
from tr_discourse.codings import roll_up
from tr_discourse.sample import corpus_config, read_corpus_codings

HERE = Path(__file__).parent
DEFAULT = [HERE / "tr_interviews", HERE / "tr_blog"]


def _codings(folder: Path, coder: str, book: trd.Codebook) -> pd.DataFrame:
    return roll_up(read_corpus_codings(folder, coder), book)


def agreement_table(folders: list[Path]) -> tuple[pd.DataFrame, trd.Codebook]:
    """Agreement of coder_b with coder_a over the given corpus folders."""
    book = _codebook(folders[0])
    a = pd.concat([_codings(f, "coder_a", book) for f in folders], ignore_index=True)
    b = pd.concat([_codings(f, "coder_b", book) for f in folders], ignore_index=True)
    table = trd.agreement(a, b, codes=[c.id for c in book.codes])
    return table, book


def reference_profile(folders: list[Path]) -> pd.DataFrame:
    """Units per code in the adjudicated reference, and the share of uncoded / multi-coded units."""
    book = _codebook(folders[0])
    ref = pd.concat([_codings(f, "reference", book) for f in folders], ignore_index=True)
    sets = trd.coded_sets(ref)
    top = sets.map(lambda s: {c for c in s if book[c].parent is None})
    counts = {c.id: int(sum(c.id in s for s in sets)) for c in book.codes}
    profile = pd.Series(counts, name="units").to_frame()
    profile.loc["(no code)"] = int(sum(not s for s in sets))
    profile.loc["(two or more top-level codes)"] = int(sum(len(s) >= 2 for s in top))
    profile.loc["(all units)"] = len(sets)
    profile["share"] = profile["units"] / len(sets)
    return profile


def _codebook(folder: Path) -> trd.Codebook:
    path = corpus_config(folder).get("codebook", "../../codebooks/tr_core.yaml")
    return trd.load_codebook((folder / path).resolve())


def _show(table: pd.DataFrame, markdown: bool) -> str:
    shown = table.copy()
    for col in shown.columns:
        if col in ("units", "n_a", "n_b"):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
        elif col == "share":
            shown[col] = shown[col].map(lambda v: f"{v:.1%}")
        elif shown[col].dtype.kind == "f":
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    return shown.to_markdown() if markdown else shown.to_string()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)
    groups = [[f] for f in args.folders]
    if len(args.folders) > 1:
        groups.append(list(args.folders))
    columns = ["units", "n_a", "n_b", "percent_agreement", "cohen_kappa", "krippendorff_alpha"]
    for group in groups:
        name = " + ".join(f.name for f in group)
        table, book = agreement_table(group)
        print(f"\n## {name}: coder B against coder A ({book.name} {book.version})\n")
        print(_show(table[columns], args.markdown))
        print(f"\n{name}: adjudicated reference\n")
        print(_show(reference_profile(group), args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
