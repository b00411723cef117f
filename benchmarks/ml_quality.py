"""The ML coder on the sample corpora: alternatives, held-out quality against the rules, speed.

1. Alternatives (feature sets, the NB-LR text model, regularisation, class
   weights, context), each trained on the training documents, with three
   scores: the cross-validated F1 on the training documents (grouped by
   document), the same with the rule evidence of codebook 1.0.0 as features,
   and the F1 on the held-out documents, at the cross-validated thresholds and
   at 0.5. The first is optimistic for every model with rule features: the
   codebook's patterns were tuned on those same training documents, so there
   the rule evidence looks more reliable than it is on new text (the rule
   features leak). Codebook 1.0.0 (``benchmarks/data/tr_core_1.0.0.yaml``) is
   the codebook as first written, before its patterns were tuned on the
   training documents: cross-validation with its evidence is a choice made on
   the training documents alone that sees rule evidence as imperfect as it is
   on new documents. Defaults are chosen on that column; the held-out figure
   is the result.
   With ``--embeddings`` (needs the ``embeddings`` extra), the alternatives
   include the default plus sentence-embedding features.
2. The default model trained on the training documents, scored on the held-out
   (``test``) documents of the fixed split against the adjudicated reference,
   next to the rule coder on the same documents, with the difference in F1 and
   its 95% interval from a paired bootstrap over documents
   (:func:`tr_discourse.evaluation.compare_coders`). Last, a ceiling: the F1 the
   same model's scores would give at the thresholds that are best on the
   held-out labels themselves (not a result: those thresholds peek). Between
   them, the hybrid coder (model plus precise rules) at three precision bars.
3. With ``--learning-curve``: held-out F1 of the default model and of words +
   characters alone, trained on 6, 12, 18, 25, 36 and 70 of the training
   documents (three random draws each, a fixed seed) and on all of them:
   whether more coded documents of the same kind would help.
4. Speed: training on 5,000 segments (the training segments repeated, as
   separate documents) and coding segments per second, on one core: the
   median and range of five runs over the held-out segments repeated 20 times,
   after a warm-up on the training segments; as the model codes by default
   (interviewer turns not scored) and scoring every segment, run by turns.

Usage::

    python benchmarks/ml_quality.py              # all three
    python benchmarks/ml_quality.py --skip-alternatives --skip-speed
    python benchmarks/ml_quality.py --skip-alternatives --skip-speed --learning-curve
    python benchmarks/ml_quality.py --skip-speed --embeddings   # with the extra installed
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import tr_discourse as trd
from tr_discourse.coders.rules import coded_mask
from tr_discourse.codings import roll_up
from tr_discourse.evaluation import compare_coders
from tr_discourse.sample import document_split, read_corpus_codings

ROOT = Path(__file__).parents[1]
FOLDERS = [ROOT / "corpora" / "tr_interviews", ROOT / "corpora" / "tr_blog"]
REQUIRED = ["marketisation", "professionalisation", "penal_drift", "displacement"]
UNTUNED_CODEBOOK = ROOT / "benchmarks" / "data" / "tr_core_1.0.0.yaml"
ALTERNATIVES = {
    "default (words + chars + rule evidence, NB-LR on words + chars, C=4, balanced)": {},
    "without the NB-LR text model (nb_text=False)": {"nb_text": False},
    "words only": {"char_ngrams": False, "rule_features": False},
    "words + chars": {"rule_features": False},
    "words + rule evidence": {"char_ngrams": False},
    "C=1": {"C": 1.0},
    "C=16": {"C": 16.0},
    "no class weights": {"class_weight": None},
    "with context (previous unit / parent comment)": {"context": True},
    "interviewer turns coded too": {"skip_roles": ()},
}


def heldout_f1(proba: pd.DataFrame, truth: pd.DataFrame, thresholds: dict[str, float],
               coded: np.ndarray) -> pd.Series:
    """F1 per required code of held-out probabilities (rows: segment ids) at ``thresholds``.

    ``coded`` marks the segments the coder codes (not skipped for their role), as
    ``MLCoder.predict`` does.
    """
    from tr_discourse.reliability import binary_scores

    out = {}
    for code in REQUIRED:
        gold = proba.index.isin(truth.loc[truth["code"] == code, "segment_id"])
        pred = (proba[code].to_numpy() >= thresholds[code]) & coded
        out[code] = float(binary_scores((gold & pred).sum(), (~gold & pred).sum(),
                                        (gold & ~pred).sum(), (~gold & ~pred).sum())["f1"])
    return pd.Series(out)


def best_threshold_f1(proba: pd.DataFrame, truth: pd.DataFrame, coded: np.ndarray
                      ) -> pd.Series:
    """F1 per required code at the threshold best on the held-out labels (a ceiling)."""
    return pd.Series({code: max(heldout_f1(proba, truth, dict.fromkeys(REQUIRED, t),
                                           coded)[code]
                                for t in proba[code].unique()) for code in REQUIRED})


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


def learning_curve(train: pd.DataFrame, test: pd.DataFrame, ref: pd.DataFrame,
                   truth: pd.DataFrame, book: trd.Codebook, draws: int = 3, seed: int = 0
                   ) -> pd.DataFrame:
    """Held-out F1 of two models trained on growing random subsets of the training documents."""
    rng = np.random.default_rng(seed)
    docs = train["doc_id"].unique()
    models = {"default": {}, "words + chars": {"rule_features": False}}
    rows = {}
    for k in [*[k for k in (6, 12, 18, 25, 36, 70) if k < len(docs)], len(docs)]:
        picks = [rng.choice(docs, k, replace=False) for _ in range(draws if k < len(docs)
                                                                   else 1)]
        row = {"segments (mean)": np.mean([train["doc_id"].isin(p).sum() for p in picks])}
        for name, params in models.items():
            scores = []
            for pick in picks:
                coder = trd.MLCoder(book, **params).fit(train[train["doc_id"].isin(pick)], ref)
                scores.append(heldout_f1(coder.predict_proba(test), truth, coder.thresholds_,
                                         coded_mask(test, coder.skip_roles)).mean())
            row[name] = float(np.mean(scores))
        rows[f"{k} documents"] = row
    return pd.DataFrame(rows).T


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
    parser.add_argument("--learning-curve", action="store_true")
    parser.add_argument("--embeddings", action="store_true",
                        help="also compare sentence-embedding features (the embeddings extra)")
    args = parser.parse_args(argv)
    train, test, ref, book = load()
    codes = [c.id for c in book.codes]

    truth = roll_up(ref[ref["segment_id"].isin(test["segment_id"])], book)
    if not args.skip_alternatives:
        untuned = trd.load_codebook(UNTUNED_CODEBOOK)
        rows = {}
        alternatives = dict(ALTERNATIVES)
        if args.embeddings:
            alternatives["default + sentence embeddings (embeddings=True)"] = {"embeddings": True}
        for name, params in alternatives.items():
            coder = trd.MLCoder(book, **params).fit(train, ref)
            proba = coder.predict_proba(test)
            coded = coded_mask(test, coder.skip_roles)
            # Codebook 1.0.0 has the same codes, parents and exclusive groups: without rule
            # evidence its patterns change nothing, and the model need not be fitted again.
            cv_untuned = coder.cv_scores_ if params.get("rule_features") is False else \
                trd.MLCoder(untuned, **params).fit(train, ref).cv_scores_
            rows[name] = {"CV F1 (train docs)": coder.cv_scores_.loc[REQUIRED, "f1"].mean(),
                          "CV F1, rules 1.0.0": cv_untuned.loc[REQUIRED, "f1"].mean(),
                          "held-out F1": heldout_f1(proba, truth, coder.thresholds_,
                                                    coded).mean(),
                          "held-out F1 at 0.5":
                              heldout_f1(proba, truth, dict.fromkeys(REQUIRED, 0.5),
                                         coded).mean()}
        print("1. alternatives: macro F1 over the required codes, cross-validated by document "
              "on the training documents (at tuned thresholds; with the codebook's rule "
              "evidence, and with that of codebook 1.0.0, whose patterns were not tuned on "
              "these documents) and on the held-out documents (at the cross-validated "
              "thresholds, and at 0.5)\n")
        print(_show(pd.DataFrame(rows).T) + "\n")

    coder = trd.MLCoder(book).fit(train, ref)
    predicted = coder.predict(test)
    by_rules = trd.RuleCoder(book, roll_up=True).predict(test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", trd.ReliabilityWarning)
        ml = trd.agreement(truth, predicted, codes=codes)
        rules = trd.agreement(truth, by_rules, codes=codes)
    diff = compare_coders(truth, predicted, by_rules, test, codes=codes)
    table = pd.DataFrame({"reference": ml["n_a"], "ml precision": ml["precision"],
                          "ml recall": ml["recall"], "ml F1": ml["f1"],
                          "ml kappa": ml["cohen_kappa"], "rules F1": rules["f1"],
                          "ml - rules": diff["difference"],
                          "95% interval": diff["difference_low"].map("{:+.3f}".format) + " to "
                          + diff["difference_high"].map("{:+.3f}".format)})
    numeric = table.columns.drop("95% interval")
    table.loc["(macro, required codes)", numeric] = table.loc[REQUIRED, numeric].mean()
    table.loc["(macro, required codes)", ["reference", "95% interval"]] = [float("nan"), ""]
    print(f"2. held-out documents ({test['doc_id'].nunique()} documents, {len(test)} "
          f"segments), trained on {coder.n_train_} segments; the interval of ml - rules is "
          f"a paired bootstrap over documents\n")
    print(_show(table.loc[[*codes, "(macro, required codes)"]]) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", trd.ReliabilityWarning)
        hybrid = {p: trd.agreement(truth, roll_up(coder.predict_hybrid(test, min_precision=p),
                                                  book), codes=codes).loc[REQUIRED, "f1"]
                  for p in (0.6, 0.8, 0.9)}
    print("   hybrid (the model's codes plus the codes of rules at least this precise on the "
          "training segments): macro F1 " + ", ".join(f"{f.mean():.3f} at {p}"
                                                      for p, f in hybrid.items())
          + " (default 0.8: " + ", ".join(f"{c} {v:.3f}" for c, v in hybrid[0.8].items())
          + ")")
    ceiling = best_threshold_f1(coder.predict_proba(test), truth,
                                coded_mask(test, coder.skip_roles))
    print("   ceiling: the same scores at the thresholds best on the held-out labels give "
          f"macro F1 {ceiling.mean():.3f} (" + ", ".join(f"{c} {v:.3f}" for c, v in
                                                      ceiling.items()) + ")\n")

    if args.learning_curve:
        print("3. learning curve: held-out macro F1 over the required codes by training "
              "documents (mean of three random draws of documents)\n")
        print(_show(learning_curve(train, test, ref, truth, book)) + "\n")

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
        roles = coder.skip_roles
        asked = int((~coded_mask(many, roles)).sum())
        # Warm up on other texts (imports, caches, first word forms), interviewer turns too.
        coder.set_params(skip_roles=()).predict(train)
        rates: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(5):  # this machine's speed swings: five runs each, interleaved
            for skipping in (True, False):  # as the model codes; and scoring every segment
                coder.set_params(skip_roles=roles if skipping else ())
                t0 = time.perf_counter()
                coder.predict(many)
                rates[skipping].append(len(many) / (time.perf_counter() - t0))
        coder.set_params(skip_roles=roles)
        rates, every = rates[True], rates[False]
        print(f"4. training on {len(big):,} segments (with 5-fold threshold tuning): "
              f"{fit_s:.1f} s; coding {len(many):,} segments ({asked:,} of them interviewer "
              f"turns, left uncoded), five times: median {np.median(rates):,.0f} segments "
              f"per second (from {min(rates):,.0f} to {max(rates):,.0f}); with every segment "
              f"scored (skip_roles=()): median {np.median(every):,.0f} (from {min(every):,.0f} "
              f"to {max(every):,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
