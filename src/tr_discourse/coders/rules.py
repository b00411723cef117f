"""The rule coder: a codebook's patterns applied to segments, with evidence."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..codebook.load import load_codebook
from ..codebook.model import Codebook
from ..codings import _frame
from ._compile import CompiledCodebook, Evidence, gc_paused

__all__ = ["DEFAULT_SKIP_ROLES", "EVIDENCE_COLUMNS", "RuleCoder", "skipped_roles"]

#: The speaker roles whose segments the coders leave uncoded unless told otherwise.
DEFAULT_SKIP_ROLES = ("interviewer",)

#: Columns of the evidence table, one row per match that counts.
EVIDENCE_COLUMNS = ("segment_id", "code", "rule_id", "start", "end", "text")


class RuleCoder:
    """Code segments with a codebook's patterns, showing the evidence for every code.

    The coder follows scikit-learn's estimator contract: parameters are stored
    as given, :meth:`fit` compiles the codebook and returns the coder, and
    ``get_params``/``set_params``/``sklearn.base.clone`` work.

    Parameters
    ----------
    codebook : Codebook, CompiledCodebook, str or Path
        The codebook, or the path of a codebook file; or another coder's
        ``compiled_`` patterns, which are used as they are (compiling takes
        about a second, and the patterns do not depend on the other
        parameters).
    roll_up : bool, default False
        Also give a segment every ancestor of a code it gets (a child code
        implies its parents), with the child's evidence.
    batch_size : int, default 4000
        Segments screened, tokenised and matched together: larger batches run
        a little faster and hold more memory (about 50 MB more than batches
        of 1,000). With ``n_jobs > 1``, at most this many segments are coded
        in this process alone; more go to the worker processes.
    n_jobs : int, default 1
        Processes to code with. Segments are cut into contiguous chunks and
        the results joined in order, so the output is the same for any
        ``n_jobs``. The worker processes are kept between calls (their caches
        stay warm) until :meth:`close`, or until the coder is garbage collected.
    skip_roles : sequence of str, default ("interviewer",)
        Segments whose ``role`` (a column of the segments table) is one of
        these are examined but not coded: each gets a "no code" row whose
        ``evidence`` says why, and no evidence. By the sample corpora's coding
        brief an interviewer's turn is coded only when it states a view itself
        (a loaded question), which patterns cannot tell from a neutral
        question; on the training documents the rules' codes for the four
        required codes on interviewer turns were wrong 40 times and right 14.
        Pass ``()`` to code every segment. Tables without a ``role`` column
        (blogs) are not affected, nor is :meth:`find`, which sees only texts.
        The "no code" row's score is 0.0, as for any segment the rules leave
        uncoded (the ML coder's is 1.0, its certainty that no code applies).

    Attributes
    ----------
    codebook_ : Codebook
        The loaded codebook (after :meth:`fit`).
    compiled_ : CompiledCodebook
        The matchers, with a ``spacy.blank("en")`` of their own (``compiled_.nlp``).

    Notes
    -----
    Memory stays bounded however long the corpus: the matchers' vocabulary is
    renewed when it outgrows ``compiled_.max_strings`` strings (see
    :meth:`CompiledCodebook.renew_vocabulary`), with the same evidence.

    A fitted coder can be pickled (or saved with joblib): its compiled patterns
    are stored as their codebook and compiled again when loaded (about a
    second); worker processes are not copied, and a loaded coder with
    ``n_jobs > 1`` starts its own when it needs them.

    A segment's score for a code is ``1 - 0.5 ** k`` where ``k`` is the number
    of distinct patterns of the code that matched: 0.5 for one pattern, 0.75
    for two, 0.875 for three. It ranks segments; it is not a probability.

    Examples
    --------
    >>> import pandas as pd
    >>> coder = RuleCoder("codebooks/tr_core.yaml").fit()
    >>> segs = pd.DataFrame({"segment_id": ["a:t001", "a:t002"],
    ...                      "text": ["They shut our office and moved us to a hub.",
    ...                               "We met in the market town."]})
    >>> coder.predict(segs)[["segment_id", "code"]].astype(object).values.tolist()
    [['a:t001', 'displacement'], ['a:t002', <NA>]]

    An interviewer's turn is left uncoded, and says so:

    >>> turns = pd.DataFrame({"segment_id": ["i:t001", "i:t002"],
    ...                       "role": ["interviewer", "participant"],
    ...                       "text": ["Did payment by results change things?",
    ...                                "Payment by results changed everything."]})
    >>> coder.predict(turns)[["segment_id", "code", "evidence"]].astype(object).values.tolist()
    [['i:t001', <NA>, 'not coded: role interviewer (skip_roles)'], \
['i:t002', 'payment_by_results', 'Payment by results']]

    """

    def __init__(self, codebook: Codebook | str | Path = "codebooks/tr_core.yaml", *,
                 roll_up: bool = False, batch_size: int = 4000, n_jobs: int = 1,
                 skip_roles: Sequence[str] = DEFAULT_SKIP_ROLES) -> None:
        self.codebook = codebook
        self.roll_up = roll_up
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.skip_roles = skip_roles

    # scikit-learn contract --------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the parameters (scikit-learn convention)."""
        return {"codebook": self.codebook, "roll_up": self.roll_up,
                "batch_size": self.batch_size, "n_jobs": self.n_jobs,
                "skip_roles": self.skip_roles}

    def set_params(self, **params: Any) -> RuleCoder:
        """Set parameters (scikit-learn convention) and return the coder."""
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"RuleCoder has no parameter {key!r}; it has "
                                 f"{', '.join(self.get_params())}")
            setattr(self, key, value)
        return self

    def __getstate__(self) -> dict[str, Any]:
        # The worker processes stay with this coder; a copy starts its own if it needs them.
        return {key: value for key, value in self.__dict__.items()
                if key not in ("_pool_", "_pool_key_", "_pool_stop_")}

    def __sklearn_clone__(self) -> RuleCoder:
        return RuleCoder(**self.get_params())

    def __repr__(self) -> str:
        book = self.codebook
        if isinstance(book, CompiledCodebook):
            book = book.codebook
        book = f"<Codebook {book.name!r}>" if isinstance(book, Codebook) else repr(book)
        return f"RuleCoder(codebook={book}, roll_up={self.roll_up})"

    def fit(self, segments: Any = None, codings: Any = None) -> RuleCoder:
        """Compile the codebook's patterns; the arguments are ignored (rules are not learnt)."""
        book = self.codebook
        if isinstance(book, CompiledCodebook):
            self.codebook_, self.compiled_ = book.codebook, book
            return self
        self.codebook_ = book if isinstance(book, Codebook) else load_codebook(book)
        self.compiled_ = CompiledCodebook(self.codebook_)
        return self

    def close(self) -> None:
        """Stop the worker processes ``n_jobs > 1`` started (they are kept between calls)."""
        stop = getattr(self, "_pool_stop_", None)
        if stop is not None and stop.detach() is not None:  # not stopped yet
            self._pool_.shutdown()
        self._pool_ = self._pool_stop_ = None

    def _check_fitted(self) -> None:
        if not hasattr(self, "compiled_"):
            self.fit()

    # coding --------------------------------------------------------------------
    def find(self, texts: Sequence[str]) -> list[list[Evidence]]:
        """Return the evidence found in each text, in text order."""
        self._check_fitted()
        texts = list(texts)
        if self.n_jobs > 1 and len(texts) > self.batch_size:
            found = _parallel_evidence(self, texts)
        else:
            found = self.compiled_.evidence(texts, batch_size=self.batch_size)
        return self._rolled(found) if self.roll_up else found

    def _rolled(self, found: list[list[Evidence]]) -> list[list[Evidence]]:
        """Add each match's copies for the ancestors of its code (``roll_up=True``)."""
        book = self.codebook_
        return [ev + [Evidence(a, e.rule_id, e.start, e.end, e.text)
                      for e in ev for a in book.ancestors(e.code)] for ev in found]

    def as_found(self, found: list[list[Evidence]], n_texts: int) -> list[list[Evidence]]:
        """Return another coder's :meth:`find` result as this coder's would be.

        The matches do not depend on ``roll_up``; the parents' copies do: they
        are dropped, and added again if this coder rolls up. Raises ValueError
        when ``found`` does not hold one list per text or names patterns the
        codebook does not have.

        Examples
        --------
        >>> texts = ["Payment by results meant our contract was cut."]
        >>> flat = RuleCoder("codebooks/tr_core.yaml").fit()
        >>> rolled = RuleCoder("codebooks/tr_core.yaml", roll_up=True).fit()
        >>> [e.code for e in flat.find(texts)[0]]
        ['payment_by_results', 'marketisation']
        >>> [e.code for e in rolled.as_found(flat.find(texts), 1)[0]]
        ['payment_by_results', 'marketisation', 'marketisation']
        >>> flat.as_found(rolled.find(texts), 1) == flat.find(texts)
        True

        """
        self._check_fitted()
        check_found(found, n_texts)
        own = {rule.rule_id: rule.code for rule in self.compiled_.rules}
        unknown = {e.rule_id for ev in found for e in ev} - own.keys()
        if unknown:
            raise ValueError(f"found holds pattern ids that codebook {self.codebook_.name!r} "
                             f"does not have ({', '.join(sorted(unknown)[:3])}): was it found "
                             "with another codebook?")
        found = [[e for e in ev if own[e.rule_id] == e.code] for ev in found]
        return self._rolled(found) if self.roll_up else found

    def find_segments(self, segments: pd.DataFrame, skipped: list[str | None] | None = None
                      ) -> list[list[Evidence]]:
        """Return :meth:`find`'s evidence for a segments table's texts, one list per row.

        A segment the coder leaves uncoded for its role (``skip_roles``) is not
        searched: its list is empty. ``skipped`` is :func:`skipped_roles` of the
        table, when already known. The result serves :meth:`code` and a
        model's ``predict(found=...)``.

        Examples
        --------
        >>> segs = pd.DataFrame({"segment_id": ["i:t1", "i:t2"],
        ...                      "role": ["interviewer", "participant"],
        ...                      "text": ["Was it the contract?", "It was the contract."]})
        >>> [len(ev) for ev in RuleCoder("codebooks/tr_core.yaml").find_segments(segs)]
        [0, 1]

        """
        if skipped is None:
            skipped = skipped_roles(segments, self.skip_roles)
        texts = segments["text"].fillna("").astype(str).tolist()
        searched = iter(self.find([t for t, s in zip(texts, skipped, strict=True) if not s]))
        return [[] if s else next(searched) for s in skipped]

    def evidence(self, segments: pd.DataFrame, *, found: list[list[Evidence]] | None = None
                 ) -> pd.DataFrame:
        """Return every match that counts: segment, code, pattern id, offsets, text.

        ``start`` and ``end`` are offsets within the segment's ``text``, so
        ``text[start:end]`` is the matched text. Segments left uncoded for their
        role have none. ``found``, as in :meth:`code`, saves finding it again.

        Examples
        --------
        >>> segs = pd.DataFrame({"segment_id": ["s1"], "text": ["Payment by results again."]})
        >>> ev = RuleCoder("codebooks/tr_core.yaml").evidence(segs)
        >>> ev[["code", "start", "end", "text"]].to_numpy().tolist()
        [['payment_by_results', 0, 18, 'Payment by results']]

        """
        ids, skipped, found = self._prepared(segments, found)
        return _evidence_table((seg, e) for seg, ev, role in zip(ids, found, skipped, strict=True)
                               if role is None for e in ev)

    def predict(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code a segments table; return the long codings table (coder ``rules``).

        One row per segment and code, with the score and the first evidence
        (offsets, matched text, pattern id); a segment with no code gets one row
        with a missing code (examined, nothing found).
        """
        return self.code(segments)[0]

    def code(self, segments: pd.DataFrame, *, found: list[list[Evidence]] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return both :meth:`predict`'s codings and :meth:`evidence`'s table from one pass.

        ``found``, what :meth:`find` returned for these segments' texts (by this
        or another rule coder of the same codebook), saves finding it again.
        """
        ids, skipped, found = self._prepared(segments, found)
        rows: list[dict[str, Any]] = []
        evidence: list[tuple[str, Evidence]] = []
        for seg, ev, role in zip(ids, found, skipped, strict=True):
            if role is not None:
                rows.append({"segment_id": seg, "code": None, "coder": "rules", "score": 0.0,
                             "evidence": _skip_note(role)})
                continue
            by_code: dict[str, list[Evidence]] = {}
            for e in ev:
                by_code.setdefault(e.code, []).append(e)
                evidence.append((seg, e))
            if not by_code:
                rows.append({"segment_id": seg, "code": None, "coder": "rules", "score": 0.0})
            for code, hits in by_code.items():
                first = hits[0]
                k = len({h.rule_id for h in hits})
                rows.append({"segment_id": seg, "code": code, "coder": "rules",
                             "score": 1 - math.pow(0.5, k), "start": first.start,
                             "end": first.end, "evidence": first.text,
                             "rule_id": first.rule_id})
        codings = _frame(rows) if rows else _frame([])
        return codings, _evidence_table(evidence)

    def _prepared(self, segments: pd.DataFrame, found: list[list[Evidence]] | None
                  ) -> tuple[list[str], list[str | None], list[list[Evidence]]]:
        """Check the table; return its ids, skipped roles and evidence (found if not given)."""
        for col in ("segment_id", "text"):
            if col not in segments:
                raise ValueError(f"the segments table needs a {col!r} column; it has "
                                 f"{', '.join(map(str, segments.columns))}")
        ids = segments["segment_id"].astype(str).tolist()
        skipped = skipped_roles(segments, self.skip_roles)
        found = self.find_segments(segments, skipped) if found is None else \
            self.as_found(found, len(ids))
        return ids, skipped, found


def _evidence_table(pairs: Iterable[tuple[str, Evidence]]) -> pd.DataFrame:
    """Return the evidence table of (segment id, evidence) pairs."""
    table = pd.DataFrame([(seg, e.code, e.rule_id, e.start, e.end, e.text) for seg, e in pairs],
                         columns=list(EVIDENCE_COLUMNS))
    table[["start", "end"]] = table[["start", "end"]].astype("int64")
    return table


def skipped_roles(segments: pd.DataFrame, roles: Sequence[str]) -> list[str | None]:
    """For each segment, its role if it is one of ``roles`` (not to be coded), else None.

    Roles are compared without case or surrounding spaces; a table with no
    ``role`` column has none.

    Examples
    --------
    >>> segs = pd.DataFrame({"role": ["Interviewer", "participant", None]})
    >>> skipped_roles(segs, ["interviewer"])
    ['Interviewer', None, None]

    """
    wanted = _role_set(roles)
    if not wanted or "role" not in segments:
        return [None] * len(segments)
    return [r if isinstance(r, str) and r.strip().lower() in wanted else None
            for r in segments["role"].astype(object).tolist()]


def coded_mask(segments: pd.DataFrame, roles: Sequence[str]) -> np.ndarray:
    """Return True for each segment a coder with ``skip_roles=roles`` codes, else False.

    See :func:`skipped_roles`.

    Examples
    --------
    >>> coded_mask(pd.DataFrame({"role": ["interviewer", "participant"]}), ["interviewer"])
    array([False,  True])

    """
    return np.array([r is None for r in skipped_roles(segments, roles)], dtype=bool)


def _role_set(roles: Sequence[str]) -> set[str]:
    if roles is None or isinstance(roles, str):
        given = "None" if roles is None else f"the string {roles!r}"
        hint = "()" if roles is None or not roles.strip() else \
            repr([r.strip() for r in roles.split(",") if r.strip()])
        raise TypeError(f"skip_roles must be a list of speaker roles, not {given}: write "
                        f"{hint} ({'()' if hint != '()' else 'an empty tuple'} codes every "
                        "segment)")
    return {str(r).strip().lower() for r in roles if str(r).strip()}


def check_found(found: Sequence[Any], n_segments: int) -> None:
    """Raise ValueError unless ``found`` (a :meth:`RuleCoder.find` result) has one list per segment.

    Examples
    --------
    >>> check_found([[], []], 3)
    Traceback (most recent call last):
    ...
    ValueError: found holds the evidence of 2 texts, but there are 3 segments: pass ...

    """
    if len(found) != n_segments:
        raise ValueError(f"found holds the evidence of {len(found):,} texts, but there are "
                         f"{n_segments:,} segments: pass what find() returned for their texts")


def _skip_note(role: str) -> str:
    return f"not coded: role {role} (skip_roles)"


_WORKER: tuple[Any, int] | None = None  # (compiled codebook, batch size) in a worker


def _init_worker(compiled: CompiledCodebook, batch_size: int) -> None:
    global _WORKER
    _WORKER = (compiled, batch_size)


def _work(texts: list[str]) -> list[list[tuple[str, str, int, int, str]]]:
    assert _WORKER is not None
    compiled, batch_size = _WORKER
    # Plain tuples: the parent unpickles them ten times as fast as Evidence tuples.
    found = compiled.evidence(texts, batch_size=batch_size)
    with gc_paused():
        return [[tuple(e) for e in ev] for ev in found]


def _pool(coder: RuleCoder, jobs: int) -> Any:
    """Return the coder's worker processes, started on first use and kept for later calls.

    Keeping them means each worker's tokenizer cache and learnt glob forms stay
    warm from one call to the next, as they do in a single process.
    """
    import multiprocessing as mp
    import weakref
    from concurrent.futures import ProcessPoolExecutor

    pool = getattr(coder, "_pool_", None)
    if pool is not None and coder._pool_key_ == (id(coder.compiled_), jobs):
        return pool
    coder.close()
    # Forked workers take the compiled matchers as they are; spawned ones unpickle them,
    # which compiles the codebook again (CompiledCodebook.__reduce__).
    fork = "fork" in mp.get_all_start_methods()
    context = mp.get_context("fork" if fork else "spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=(coder.compiled_, coder.batch_size))
    coder._pool_ = pool
    coder._pool_key_ = (id(coder.compiled_), jobs)
    # The workers end with their coder, on close(), or when the interpreter exits (a
    # finalizer runs at exit too), and no reference to the pool outlives them.
    coder._pool_stop_ = weakref.finalize(coder, pool.shutdown, wait=False)
    return pool


def _parallel_evidence(coder: RuleCoder, texts: list[str]) -> list[list[Evidence]]:
    """Code contiguous chunks of ``texts`` in ``coder.n_jobs`` processes, in order."""
    jobs = min(coder.n_jobs, max(1, len(texts) // coder.batch_size))
    # Eight chunks a process even out the load: texts the screen skips cost little.
    size = -(-len(texts) // (jobs * 8))
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    pool = _pool(coder, coder.n_jobs)
    make = Evidence._make
    with gc_paused():  # receiving and making the evidence, as in one process
        return [[make(e) for e in ev] for part in pool.map(_work, chunks) for ev in part]
