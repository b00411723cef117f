"""The ML coder on the sample corpora: alternatives, held-out quality against the rules, speed.

1. Alternatives (feature sets, regularisation, class weights, context) compared by
   cross-validation grouped by document on the *training* documents only: the
   default is chosen here, never on the held-out documents.
2. The default model trained on the training documents, scored on the held-out
   (``test``) documents of the fixed split against the adjudicated reference,
   next to the rule coder on the same documents.
3. Speed: training on 5,000 segments (the training segments repeated, as
   separate documents) and coding segments per second, on one core.

Usage::

    python benchmarks/ml_quality.py              # all three
    python benchmarks/ml_quality.py --skip-alternatives --skip-speed
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd

import tr_discourse as trd
from tr_discourse.codings import roll_up
from tr_discourse.sample import document_split, read_corpus_codings

ROOT = Path(__file__).parents[1]
FOLDERS = [ROOT / "corpora" / "tr_interviews", ROOT / "corpora" / "tr_blog"]
REQUIRED = ["marketisation", "professionalisation", "penal_drift", "displacement"]
ALTERNATIVES = {
    "default (words + chars + rule evidence, C=4, balanced)": {},
    "words only": {"char_ngrams": False, "rule_features": False},
    "words + chars": {"rule_features": False},
    "words + rule evidence": {"char_ngrams": False},
    "C=1": {"C": 1.0},
    "C=16": {"C": 16.0},
    "no class weights": {"class_weight": None},
    "with context (previous unit / parent comment)": {"context": True},
}


def load() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, trd.Codebook]:
    """Training segments, held-out segments, reference codings, codebook."""
    book = trd.load_codebook(ROOT / "codebooks" / "tr_core.yaml")
    segs, refs, splits = [], [], []
    for folder in FOLDERS:
        s = trd.read_corpus(folder).segments
        segs.append(s[s["kind"] != "preamble"])
        refs.append(read_corpus_codings(folder))
        splits.append(document_split(folder))
    segments = pd.concat(segs, ignore_index=True)
    split = pd.concat(splits)
    half = segments["doc_id"].map(split)
    return segments[half == "train"], segments[half == "test"], pd.concat(refs), book


def _show(table: pd.DataFrame) -> str:
    def cell(v: object) -> str:
        if pd.isna(v):
            return ""
        if isinstance(v, float) and not v.is_integer():
            return f"{v:.3f}"
        return f"{v:.0f}" if isinstance(v, float) else str(v)

    return table.map(cell).to_string()


def main(argv: list[str] | None = None) -> int:
    """Run the comparisons and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-alternatives", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)
    train, test, ref, book = load()
    codes = [c.id for c in book.codes]

    if not args.skip_alternatives:
        rows = {}
        for name, params in ALTERNATIVES.items():
            coder = trd.MLCoder(book, **params).fit(train, ref)
            cv = coder.cv_scores_
            rows[name] = {"required codes F1": cv.loc[REQUIRED, "f1"].mean(),
                          "all codes F1": cv["f1"].mean()}
        print("1. alternatives, cross-validated by document on the training documents "
              "(out-of-fold F1 at tuned thresholds)\n")
        print(_show(pd.DataFrame(rows).T) + "\n")

    coder = trd.MLCoder(book).fit(train, ref)
    truth = roll_up(ref[ref["segment_id"].isin(test["segment_id"])], book)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", trd.ReliabilityWarning)
        ml = trd.agreement(truth, coder.predict(test), codes=codes)
        rules = trd.agreement(truth, trd.RuleCoder(book, roll_up=True).predict(test),
                              codes=codes)
    table = pd.DataFrame({"reference": ml["n_a"], "ml precision": ml["precision"],
                          "ml recall": ml["recall"], "ml F1": ml["f1"],
                          "ml kappa": ml["cohen_kappa"], "rules F1": rules["f1"]})
    table.loc["(macro, required codes)"] = table.loc[REQUIRED].mean()
    table.loc["(macro, required codes)", "reference"] = float("nan")
    print(f"2. held-out documents ({test['doc_id'].nunique()} documents, {len(test)} "
          f"segments), trained on {coder.n_train_} segments\n")
    print(_show(table.loc[[*codes, "(macro, required codes)"]]) + "\n")

    if not args.skip_speed:
        copies = []
        k = 0
        while sum(map(len, copies)) < 5000:
            copies.append(train.assign(doc_id=train["doc_id"] + f"#{k}",
                                       segment_id=train["segment_id"] + f"#{k}"))
            k += 1
        big = pd.concat(copies, ignore_index=True).head(5000)
        big_ref = pd.concat([ref.assign(segment_id=ref["segment_id"] + f"#{i}")
                             for i in range(k)], ignore_index=True)
        t0 = time.perf_counter()
        trd.MLCoder(book).fit(big, big_ref)
        fit_s = time.perf_counter() - t0
        many = pd.concat([test] * 20, ignore_index=True)
        t0 = time.perf_counter()
        coder.predict(many)
        per_s = len(many) / (time.perf_counter() - t0)
        print(f"3. training on {len(big):,} segments (with 5-fold threshold tuning): "
              f"{fit_s:.1f} s; coding: {per_s:,.0f} segments per second "
              f"({len(many):,} segments)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
