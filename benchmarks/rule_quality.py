"""Precision, recall and F1 of the rule coder against the sample corpora's reference coding.

Scores are computed on the held-out (``test``) documents of each corpus's fixed
split by default; patterns are tuned on the ``train`` documents only (pass
``--split train`` to see those). Child codes are rolled up to their parents
on both sides, so ``marketisation`` counts a segment coded ``supply_chain``.

Usage::

    python benchmarks/rule_quality.py                 # held-out documents
    python benchmarks/rule_quality.py --split train   # the documents patterns are tuned on
    python benchmarks/rule_quality.py --markdown      # a table for the README
    python benchmarks/rule_quality.py --split train --patterns   # patterns that cost F1

``--patterns`` also lists the patterns whose removal would raise their code's F1
on that split (:func:`tr_discourse.evaluation.pattern_precision`): how codebook
1.3.0 was pruned, on the training documents.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

import tr_discourse as trd
from tr_discourse.codings import roll_up
from tr_discourse.evaluation import pattern_precision
from tr_discourse.sample import document_split, read_corpus_codings

ROOT = Path(__file__).parents[1]
FOLDERS = [ROOT / "corpora" / "tr_interviews", ROOT / "corpora" / "tr_blog"]
REQUIRED = ["marketisation", "professionalisation", "penal_drift", "displacement"]


def quality(split: str = "test", codebook: Path = ROOT / "codebooks" / "tr_core.yaml"
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-code precision, recall, F1 and kappa of the rule coder on one half of the split.

    Also returns :func:`pattern_precision`'s table for the same segments.
    """
    book = trd.load_codebook(codebook)
    coder = trd.RuleCoder(book, roll_up=True).fit()
    refs, preds, evidence = [], [], []
    for folder in FOLDERS:
        segments = trd.read_corpus(folder).segments
        docs = document_split(folder)
        keep = segments["doc_id"].map(docs).eq(split) & segments["kind"].ne("preamble")
        segments = segments[keep]
        ref = read_corpus_codings(folder)
        refs.append(roll_up(ref[ref["segment_id"].isin(segments["segment_id"])], book))
        codings, found = coder.code(segments)
        preds.append(codings)
        evidence.append(found)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", trd.ReliabilityWarning)
        table = trd.agreement(pd.concat(refs), pd.concat(preds), codes=[c.id for c in book.codes])
    required = table.loc[REQUIRED, ["precision", "recall", "f1", "cohen_kappa"]].mean()
    table.loc["(macro, required codes)"] = required
    return table, pattern_precision(pd.concat(evidence), pd.concat(refs))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "train"], default="test")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--patterns", action="store_true",
                        help="also list the patterns whose removal would raise F1")
    args = parser.parse_args(argv)
    table, patterns = quality(args.split)
    cols = ["units", "n_a", "n_b", "precision", "recall", "f1", "cohen_kappa"]
    shown = table[cols].rename(columns={"n_a": "reference", "n_b": "rules"})
    shown = shown.map(lambda v: "" if pd.isna(v) else f"{v:.3f}" if v % 1 else f"{v:.0f}")
    print(f"rule coder against the reference coding, {args.split} documents\n")
    print(shown.to_markdown() if args.markdown else shown.to_string())
    if args.patterns:
        costly = patterns[patterns["f1_without"] > patterns["f1"]]
        print(f"\npatterns whose removal would raise their code's F1 on the {args.split} "
              f"documents ({len(costly)} of {len(patterns)} that fired)\n")
        print(costly.round(3).to_string(index=False) if len(costly) else "(none)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
