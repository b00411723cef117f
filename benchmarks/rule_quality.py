"""Precision, recall and F1 of the rule coder against the sample corpora's reference coding.

Scores are computed on the held-out (``test``) documents of each corpus's fixed
split by default; patterns are tuned on the ``train`` documents only (pass
``--split train`` to see those). Child codes are rolled up to their parents
on both sides, so ``marketisation`` counts a segment coded ``supply_chain``.

Usage::

    python benchmarks/rule_quality.py                 # held-out documents
    python benchmarks/rule_quality.py --split train   # the documents patterns are tuned on
    python benchmarks/rule_quality.py --markdown      # a table for the README
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

import tr_discourse as trd
from tr_discourse.codings import roll_up
from tr_discourse.sample import document_split, read_corpus_codings

ROOT = Path(__file__).parents[1]
FOLDERS = [ROOT / "corpora" / "tr_interviews", ROOT / "corpora" / "tr_blog"]
REQUIRED = ["marketisation", "professionalisation", "penal_drift", "displacement"]


def quality(split: str = "test", codebook: Path = ROOT / "codebooks" / "tr_core.yaml"
            ) -> pd.DataFrame:
    """Per-code precision, recall, F1 and kappa of the rule coder on one half of the split."""
    book = trd.load_codebook(codebook)
    coder = trd.RuleCoder(book, roll_up=True).fit()
    refs, preds = [], []
    for folder in FOLDERS:
        segments = trd.read_corpus(folder).segments
        docs = document_split(folder)
        keep = segments["doc_id"].map(docs).eq(split) & segments["kind"].ne("preamble")
        segments = segments[keep]
        ref = read_corpus_codings(folder)
        refs.append(roll_up(ref[ref["segment_id"].isin(segments["segment_id"])], book))
        preds.append(coder.predict(segments))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", trd.ReliabilityWarning)
        table = trd.agreement(pd.concat(refs), pd.concat(preds), codes=[c.id for c in book.codes])
    required = table.loc[REQUIRED, ["precision", "recall", "f1", "cohen_kappa"]].mean()
    table.loc["(macro, required codes)"] = required
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "train"], default="test")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    table = quality(args.split)
    cols = ["units", "n_a", "n_b", "precision", "recall", "f1", "cohen_kappa"]
    shown = table[cols].rename(columns={"n_a": "reference", "n_b": "rules"})
    shown = shown.map(lambda v: "" if pd.isna(v) else f"{v:.3f}" if v % 1 else f"{v:.0f}")
    print(f"rule coder against the reference coding, {args.split} documents\n")
    print(shown.to_markdown() if args.markdown else shown.to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
