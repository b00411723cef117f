"""Character n-gram TF-IDF computed once per word type, for the ML coder.

scikit-learn's ``TfidfVectorizer(analyzer="char_wb")`` cuts every word of every
text into padded character n-grams in Python, which made it the slowest step of
coding. The n-grams of a ``char_wb`` text are the n-grams of its
whitespace-separated words, added up, so the counts of a batch are a product of
two sparse matrices: texts x word types (how often each word occurs) times word
types x n-grams (each type's n-grams, computed once and kept). The result is the
same matrix scikit-learn makes, at a fraction of the cost, because a corpus
repeats a few thousand word types millions of times.

Word n-grams get the same treatment where it is possible: one regular
expression pass per text and vocabulary look-ups in C-level ``map`` calls,
instead of scikit-learn's per-n-gram Python loop.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.preprocessing import normalize

__all__ = ["CharNgramVectorizer", "WordNgramVectorizer"]

_CACHE_LIMIT = 200_000  # word types kept; the cache is emptied when it grows past this


def _wb_ngrams(word: str, lo: int, hi: int) -> list[str]:
    """Return the ``char_wb`` n-grams of one word, as scikit-learn makes them."""
    w = f" {word} "
    out = []
    for n in range(lo, hi + 1):
        if len(w) <= n:  # a short word counts once, whole, and no longer n-gram follows
            out.append(w)
            break
        out += [w[i:i + n] for i in range(len(w) - n + 1)]
    return out


def _count_matrix(indices: list[int], indptr: list[int], n_cols: int) -> sp.csr_matrix:
    """Texts x columns counts from each text's column indices (repeats are summed)."""
    counts = sp.csr_matrix((np.ones(len(indices)), indices, indptr),
                           shape=(len(indptr) - 1, n_cols))
    counts.sum_duplicates()
    return counts


def _tfidf(counts: sp.spmatrix, idf: np.ndarray, sublinear_tf: bool) -> sp.csr_matrix:
    """Weight raw counts as scikit-learn's ``TfidfTransformer`` does (l2 norm, smoothed idf)."""
    x = sp.csr_matrix(counts, dtype=np.float64, copy=True)  # the caller keeps its counts
    if sublinear_tf:
        np.log(x.data, out=x.data)
        x.data += 1.0
    return normalize(x @ sp.diags(idf), norm="l2", copy=False)  # (x.multiply(idf) is slower)


class _NgramTfidf(BaseEstimator):
    """What both vectorizers share: choosing the vocabulary, idf, weighting, names."""

    min_df: int
    sublinear_tf: bool

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_cache", None)  # rebuilt on use, never saved
        return state

    def _learn(self, counts: sp.spmatrix, names: list[str], max_features: int | None = None
               ) -> sp.csr_matrix:
        """Choose the vocabulary and idf from raw counts; return the weighted matrix.

        Keeps the n-grams found in at least ``min_df`` texts (the ``max_features``
        most frequent of them), in alphabetical order.
        """
        counts = counts.tocsc()
        df = np.diff(counts.indptr)
        keep = np.flatnonzero(df >= self.min_df)
        grams = np.array(names, dtype=object)
        if max_features is not None and len(keep) > max_features:
            tf = np.asarray(counts.sum(axis=0)).ravel()[keep]
            order = np.lexsort((grams[keep].astype(str), -tf))  # most frequent, then A-Z
            keep = keep[order[:max_features]]
        keep = keep[np.argsort(grams[keep].astype(str), kind="stable")]
        self.vocabulary_ = {str(g): i for i, g in enumerate(grams[keep])}
        self.idf_ = np.log((1 + counts.shape[0]) / (1 + df[keep])) + 1.0
        return _tfidf(counts[:, keep], self.idf_, self.sublinear_tf)

    def _check_fitted(self) -> None:
        if not hasattr(self, "vocabulary_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet: call fit(texts)")

    def fit(self, texts: Iterable[str], y: Any = None) -> _NgramTfidf:
        """Learn the vocabulary and idf from ``texts``; return the vectorizer."""
        self.fit_transform(texts)  # type: ignore[attr-defined]
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the n-grams, in column order."""
        return np.array(sorted(self.vocabulary_, key=self.vocabulary_.get), dtype=object)


class CharNgramVectorizer(_NgramTfidf):
    """TF-IDF of character n-grams within words (scikit-learn's ``char_wb``), fast.

    Gives the same features and weights as ``TfidfVectorizer(analyzer="char_wb",
    lowercase=True, ...)`` with the default smoothed idf and l2 norm, but
    computes each word type's n-grams once and adds them up with a sparse
    matrix product.

    Parameters
    ----------
    ngram_range : tuple of int, default (2, 5)
        Smallest and largest n-gram length.
    min_df : int, default 2
        Keep n-grams that occur in at least this many texts.
    max_features : int or None, default None
        Keep at most this many n-grams, the most frequent over the training
        texts (ties broken alphabetically).
    sublinear_tf : bool, default True
        Use ``1 + log(tf)`` for the term frequency.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Column of each n-gram; columns are in alphabetical order of n-gram.
    idf_ : ndarray
        Inverse document frequency of each column.

    Examples
    --------
    >>> vec = CharNgramVectorizer(ngram_range=(2, 3), min_df=1)
    >>> x = vec.fit_transform(["the hub", "the hub closed"])
    >>> x.shape
    (2, 27)
    >>> list(vec.get_feature_names_out()[:4])
    [' c', ' cl', ' h', ' hu']

    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2,
                 max_features: int | None = None, sublinear_tf: bool = True) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _word_counts(texts: Iterable[str]) -> tuple[list[str], sp.csr_matrix]:
        """Word types of the texts (lower case, split on white space) and a texts x types matrix."""
        types: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            indices += [types.setdefault(w, len(types)) for w in text.lower().split()]
            indptr.append(len(indices))
        return list(types), _count_matrix(indices, indptr, len(types))

    def _type_matrix(self, words: list[str]) -> sp.csr_matrix:
        """Word types x kept n-grams, from the per-type cache."""
        cache = self.__dict__.setdefault("_cache", {})
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        vocab, (lo, hi) = self.vocabulary_, self.ngram_range
        parts = []
        for w in words:
            row = cache.get(w)
            if row is None:
                counts = Counter(vocab[g] for g in _wb_ngrams(w, lo, hi) if g in vocab)
                row = cache[w] = (np.fromiter(counts.keys(), np.int64, len(counts)),
                                  np.fromiter(counts.values(), np.float64, len(counts)))
            parts.append(row)
        indptr = np.zeros(len(parts) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(p[0]) for p in parts])
        cols = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        vals = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
        return sp.csr_matrix((vals, cols, indptr), shape=(len(words), len(vocab)))

    # --------------------------------------------------------------------- API
    def fit_transform(self, texts: Iterable[str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and idf, and return the TF-IDF matrix of ``texts``."""
        words, by_type = self._word_counts(texts)
        lo, hi = self.ngram_range
        grams: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for r, w in enumerate(words):
            for g, c in Counter(_wb_ngrams(w, lo, hi)).items():
                rows.append(r)
                cols.append(grams.setdefault(g, len(grams)))
                vals.append(c)
        per_type = sp.csr_matrix((vals, (rows, cols)), shape=(len(words), len(grams)))
        self._cache: dict[str, Any] = {}
        return self._learn(by_type @ per_type, list(grams), self.max_features)

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Return the TF-IDF matrix of ``texts`` over the learnt vocabulary."""
        self._check_fitted()
        words, by_type = self._word_counts(texts)
        return _tfidf(by_type @ self._type_matrix(words), self.idf_, self.sublinear_tf)

class WordNgramVectorizer(_NgramTfidf):
    """TF-IDF of word n-grams, as ``TfidfVectorizer(lowercase=True, token_pattern=...)`` gives.

    Parameters
    ----------
    ngram_range : tuple of int, default (1, 2)
        Smallest and largest n-gram length (at most 3).
    min_df : int, default 2
        Keep n-grams that occur in at least this many texts.
    sublinear_tf : bool, default True
        Use ``1 + log(tf)`` for the term frequency.
    token_pattern : str
        What a word is; n-grams join words with one space.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Column of each n-gram, in alphabetical order.
    idf_ : ndarray
        Inverse document frequency of each column.

    Examples
    --------
    >>> vec = WordNgramVectorizer(min_df=1)
    >>> x = vec.fit_transform(["The hub closed.", "the hub"])
    >>> list(vec.get_feature_names_out())
    ['closed', 'hub', 'hub closed', 'the', 'the hub']

    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_df: int = 2,
                 sublinear_tf: bool = True, token_pattern: str = r"(?u)\b\w[\w'’]*\b") -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.token_pattern = token_pattern

    def _grams(self, text: str, findall: Any) -> list[str]:
        return self._join(findall(text.lower()))

    def gram_spans(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Return where each n-gram of ``text``, formed as for the features, lies in it.

        Words are found by ``token_pattern`` in the lower-cased text, as for the
        features; each n-gram maps to the (start, end) character offsets of its
        occurrences, so ``text[start:end]`` is the n-gram as written. Every
        n-gram of the text is given, in the vocabulary or not (the vectorizer
        need not be fitted); :meth:`transform` counts those in the vocabulary.

        Examples
        --------
        >>> spans = WordNgramVectorizer(min_df=1).gram_spans("The hub, the Hub's")
        >>> spans["the"], spans["the hub"], spans["the hub's"]
        ([(0, 3), (9, 12)], [(0, 7)], [(9, 18)])

        """
        lowered = text.lower()
        found = [(m.group(), m.start(), m.end()) for m in re.finditer(self.token_pattern, lowered)]
        if len(lowered) != len(text):  # lower-casing lengthened a letter ("İ"): map offsets back
            origin = [i for i, ch in enumerate(text) for _ in ch.lower()]
            found = [(w, origin[a], origin[b - 1] + 1) for w, a, b in found]
        grams = self._join([w for w, _, _ in found])
        lo, hi = self.ngram_range
        spans = [(found[k][1], found[k + size - 1][2]) for size in range(max(lo, 1), hi + 1)
                 for k in range(len(found) - size + 1)]
        out: dict[str, list[tuple[int, int]]] = {}
        for gram, span in zip(grams, spans, strict=True):
            out.setdefault(gram, []).append(span)
        return out

    def _join(self, words: list[str]) -> list[str]:
        """Return the n-grams of a text's ``words``: shortest first, each in text order."""
        lo, hi = self.ngram_range
        out = words if lo == 1 else []
        if hi >= 2 and lo <= 2:
            out = out + list(map(" ".join, pairwise(words)))
        if hi >= 3:
            out = out + list(map(" ".join, zip(words, words[1:], words[2:], strict=False)))
        return out

    def fit_transform(self, texts: Iterable[str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and idf, and return the TF-IDF matrix of ``texts``."""
        if self.ngram_range[1] > 3:
            raise ValueError(f"ngram_range goes up to 3 words, got {self.ngram_range}")
        findall = re.compile(self.token_pattern).findall
        grams: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            indices += [grams.setdefault(g, len(grams)) for g in self._grams(text, findall)]
            indptr.append(len(indices))
        return self._learn(_count_matrix(indices, indptr, len(grams)), list(grams))

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Return the TF-IDF matrix of ``texts`` over the learnt vocabulary."""
        self._check_fitted()
        findall = re.compile(self.token_pattern).findall
        get = self.vocabulary_.get
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            indices += [k for k in map(get, self._grams(text, findall)) if k is not None]
            indptr.append(len(indices))
        return _tfidf(_count_matrix(indices, indptr, len(self.vocabulary_)), self.idf_,
                      self.sublinear_tf)
