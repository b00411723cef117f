"""Compile a codebook's patterns into spaCy matchers and find evidence in texts.

How each pattern kind is matched, without a per-pattern loop over tokens:

* words and phrases (lemma, exact, case-sensitive): one spaCy ``PhraseMatcher``
  on the ``LOWER`` attribute holds every phrase of the codebook. A lemma term is
  expanded to all word forms that ``spacy-lookups-data``'s English lookup table
  gives the same lemma ("contract" -> contract, contracts, contracted,
  contracting), so no lemmatiser has to run over the text. Case-sensitive terms
  are checked on the few matches found.
* globs (``privatis*``): each new lower-case word form met in a batch is tested
  once against the globs; matching forms are added to the ``PhraseMatcher``.
  The cost grows with the vocabulary, not with the number of tokens.
* regular expressions: most match a finite set of phrases and join the
  ``PhraseMatcher``; the rest run per batch, each only over the texts that can
  hold a match (see ``_regex``).
* proximity (``a NEAR/n b``): pairs of matches of ``a`` and ``b`` with at most
  ``n`` words (punctuation not counted) between them, in either order.
* exclusion contexts (``unless``) veto a match that lies inside one of their
  matches; ``negation`` vetoes a match with a negator among the three words
  before it.

Only the texts in which some rule can match are tokenised: a screen (see
``_screen``) finds them with one RE2 set search over each text, and tells which
regexes may match in each.

The coder tokenises with a ``spacy.blank("en")`` of its own (``blank_nlp``):
spaCy's rules, with a larger tokenizer cache and only the lexical attributes
the coder reads; its vocabulary is renewed when it outgrows ``MAX_STRINGS``
strings, so that memory stays bounded on any corpus.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from typing import Any, NamedTuple

import numpy as np

from ..codebook.model import Codebook
from ..codebook.patterns import Expr, Near, Regex, Term
from ..codebook.patterns import Sequence as Seq
from ._regex import Hits, RegexSet, regex_phrases
from ._screen import GLOB_CHAR, Screen, form_pattern, literal, sequence_pattern

__all__ = ["LEXICAL_ATTRIBUTES", "MAX_STRINGS", "NEGATORS", "TOKENIZER_CACHE",
           "CompiledCodebook", "Evidence", "blank_nlp", "lemma_forms"]

#: Words that make a following match not count when a pattern has ``negation: true``.
NEGATORS = frozenset({"not", "no", "never", "n't", "nothing", "hardly", "without", "nor",
                      "neither", "nobody", "none", "cannot"})
_NEGATION_WINDOW = 3
#: How many distinct chunks of text (the runs between spaces: "contracts,",
#: "CRC's") the coder's tokenizer keeps the tokens of. spaCy's default is 10,000;
#: a corpus passes that within its first hundred thousand words or so, after
#: which every chunk not among the first 10,000 is split by the prefix, suffix
#: and infix regexes again each time it is met. On the speed benchmark's text
#: (about 23,500 distinct chunks) the tokenizer ran at 1.22-1.27 million words a
#: second with 10,000 and at 1.88-1.91 million with 200,000 (README, runs 41-43).
#: Each chunk kept costs about 210 bytes, so the cache stays under about 45 MB.
TOKENIZER_CACHE = 200_000
#: How many strings a compiled codebook's vocabulary may hold before it starts
#: a new one (see ``CompiledCodebook.renew_vocabulary``): with the tokenizer's
#: cache, about 150 MB of word forms (``benchmarks/rule_memory.py``). The
#: codebook itself brings about 4,000.
MAX_STRINGS = 500_000
#: The lexical attributes the coder reads of a token: the phrase matcher's
#: ``LOWER``, ``IS_PUNCT`` and ``IS_SPACE`` for the words a proximity counts,
#: and ``LIKE_URL`` for web addresses, where no pattern fires.
LEXICAL_ATTRIBUTES = ("LOWER", "IS_PUNCT", "IS_SPACE", "LIKE_URL")
_MAX_FORMS = 5000


class Evidence(NamedTuple):
    """One match that counts for a code: offsets within the segment's text.

    A named tuple: cheap to make by the hundred thousand and to send between
    processes.
    """

    code: str
    rule_id: str
    start: int
    end: int
    text: str


def blank_nlp() -> Any:
    """Return a new ``spacy.blank("en")``: the rule-based English tokenizer and a vocabulary.

    Each compiled codebook has its own, so that every word form in its
    vocabulary came from its own texts or patterns (see ``_learn_forms``).
    Its tokenizer caches up to ``TOKENIZER_CACHE`` chunks of text, and a word
    form new to its vocabulary gets only the lexical attributes the coder reads
    (``LEXICAL_ATTRIBUTES``) instead of spaCy's 23: each is a Python call
    made once per form, which is most of what a new form costs. The tokens are
    the same; a new form's other attributes (``is_stop``, ``shape_``,
    ``like_num``...) are left unset, so use your own pipeline to read those.
    """
    import spacy
    from spacy.attrs import IDS

    nlp = spacy.blank("en")
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {IDS[name]: getters[IDS[name]] for name in LEXICAL_ATTRIBUTES}
    return nlp


@lru_cache(maxsize=1)
def _lemma_tables() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """English lookup lemmas (form -> lemma) and their inverse (lemma -> forms).

    Read from ``spacy-lookups-data``'s ``en_lemma_lookup`` table (the table
    spaCy's lookup lemmatiser uses), which ships inside the package.
    """
    import spacy_lookups_data
    from spacy.util import load_language_data

    table = load_language_data(spacy_lookups_data.en["lemma_lookup"])  # reads the .json.gz
    forward: dict[str, str] = {}
    inverse: dict[str, set[str]] = defaultdict(set)
    for form, lemma in table.items():
        form, lemma = form.lower(), lemma.lower()
        forward.setdefault(form, lemma)
        inverse[lemma].add(form)
    return forward, {k: frozenset(v) for k, v in inverse.items()}


def lemma_forms(word: str) -> frozenset[str]:
    """All lower-case forms sharing ``word``'s lookup lemma, ``word`` included.

    Examples
    --------
    >>> sorted(lemma_forms("contract"))
    ['contract', 'contracted', 'contracting', 'contracts']

    """
    forward, inverse = _lemma_tables()
    word = word.lower()
    lemma = forward.get(word, word)
    return frozenset({word, lemma} | inverse.get(lemma, frozenset()))


def _glob_regex(glob: str) -> re.Pattern[str]:
    """Return the Python regex a lower-case word form must match in full to fit ``glob``."""
    return re.compile(_glob_body(glob, r"[\w'’-]", re.escape))


def _screen_pattern(forms: Sequence[Iterable[str]], globs: dict[int, str]) -> str:
    """Return the screen's RE2 pattern of a phrase: each token one of its forms or its glob."""
    last = len(forms) - 1
    return sequence_pattern([
        [_glob_body(globs[pos], GLOB_CHAR, literal)] if pos in globs
        else [form_pattern(f, start=pos == 0, end=pos == last) for f in sorted(forms[pos])]
        for pos in range(len(forms))])


def _glob_body(glob: str, char: str, escape: Any) -> str:
    """Return a regex body for ``glob``: ``*`` any run of ``char``, ``?`` one of it."""
    return "".join(char + "*" if ch == "*" else char if ch == "?" else escape(ch)
                   for ch in glob)


@dataclass
class _SeqInfo:
    """A phrase key of the matcher: a pattern's word sequence, or a regex's phrases."""

    key: str
    seq: Seq | None  # None for a regular expression matched as phrases
    forms: list[set[str]]  # per token of the phrase
    case_terms: tuple[str, ...] = ()
    globs: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    exact: frozenset[str] | None = None  # case-sensitive regex: the texts as written
    phrases: list[tuple[str, ...]] | None = None  # a regex's phrases, as lower-case words

    def word_sequences(self) -> list[tuple[str, ...]]:
        """Return the word sequences the matcher holds for this key (none while a glob has none)."""
        if self.phrases is not None:
            return self.phrases
        return list(product(*[sorted(f) for f in self.forms]))


# A compiled expression ("plan"), evaluated per text without hashing pattern objects:
#   ("s", key)                   phrase key of the matcher (a word sequence, or a regex as phrases)
#   ("r", index)                 a regular expression run over the text
#   ("n", left, right, distance) NEAR of two plans
_Plan = tuple[Any, ...]


@dataclass(frozen=True)
class _Rule:
    code: str
    rule_id: str
    plan: _Plan
    unless: tuple[_Plan, ...]
    negation: bool
    # Phrase keys and regex indices that must all have matched for the plan to match,
    # and those of the exclusions (derived from the plans).
    needs: frozenset[str | int] = field(init=False)
    vetoed_by: frozenset[str | int] = field(init=False)
    # A phrase without negation: each of its matches is evidence unless an exclusion matched.
    phrase: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", frozenset(_leaves(self.plan)))
        object.__setattr__(self, "vetoed_by",
                           frozenset(k for u in self.unless for k in _leaves(u)))
        object.__setattr__(self, "phrase", self.plan[0] == "s" and not self.negation)


class CompiledCodebook:
    """A codebook's patterns compiled for fast matching over batches of texts.

    Parameters
    ----------
    codebook : Codebook
        The codebook whose patterns are compiled.

    Attributes
    ----------
    nlp : spacy.language.Language
        The ``spacy.blank("en")`` whose tokenizer and vocabulary the matcher uses.
        A new one takes its place when the vocabulary outgrows ``max_strings``.
    max_strings : int
        How many strings the vocabulary may hold before the next batch starts a
        new one (``MAX_STRINGS``; see :meth:`renew_vocabulary`).

    """

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.max_strings = MAX_STRINGS
        self._new_vocabulary()
        self._seqs: dict[Seq, _SeqInfo] = {}
        self._regex_index: dict[Regex, int] = {}  # regexes run over the texts
        self._regex_keys: dict[Regex, str] = {}  # regexes matched as phrases
        self._by_key: dict[str, _SeqInfo] = {}  # every phrase key of the matcher
        self._glob_seqs: list[_SeqInfo] = []
        self._screen_phrases: dict[str, str | None] = {}  # phrase key -> RE2 pattern
        written = []
        for code in codebook.codes:
            for p in code.patterns:
                unless = tuple(p.unless_exprs) + tuple(code.unless_exprs)
                written.append((code.id, p.id, p.expr, unless, p.negation))
                for expr in (p.expr, *unless):
                    self._register(expr)
        self._regexes = RegexSet(list(self._regex_index))
        self.rules = [_Rule(code, rule_id, self._plan(expr), tuple(map(self._plan, unless)),
                            negation) for code, rule_id, expr, unless, negation in written]
        # Any glob: most new word forms fit none, and one search tells.
        self._any_glob = re.compile("|".join(sorted(
            {f"(?:{rx.pattern})" for info in self._glob_seqs for _, rx in info.globs})))
        self._index_keys()
        # Which rules to look at when a phrase or regex has matched in a text.
        # A phrase key (str) or a regex index (int): the rules to look at when it matched.
        self._triggers: dict[str | int, list[_Rule]] = defaultdict(list)
        for rule in self.rules:
            self._triggers[_trigger(rule.plan)].append(rule)
        self._screen = Screen(self._screen_phrases, self._regexes.conditions,
                              [rule.needs for rule in self.rules])

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its codebook: spaCy's matcher and RE2's sets cannot be, and
        # compiling again gives the same patterns (glob forms are learnt again).
        return _compiled, (self.codebook, self.max_strings)

    # ---------------------------------------------------------------- vocabulary
    def renew_vocabulary(self) -> None:
        """Start a new ``nlp`` and vocabulary, with the same patterns and the glob forms learnt.

        spaCy's vocabulary keeps every word form its tokenizer has met (about
        300 bytes each, with the tokenizer's cache), so on fresh text it grows
        with the corpus. :meth:`evidence` calls this before a batch when the
        vocabulary holds more than ``max_strings`` strings, so that memory stays
        bounded; the evidence is the same, and the next texts meet a cold
        tokenizer cache. Call it yourself to free the memory between corpora.

        Examples
        --------
        >>> from tr_discourse import RuleCoder
        >>> compiled = RuleCoder("codebooks/tr_core.yaml").fit().compiled_
        >>> found = compiled.evidence(["Zorblax Quenwick took the contract."])
        >>> "zorblax" in compiled.nlp.vocab.strings
        True
        >>> compiled.renew_vocabulary()
        >>> "zorblax" in compiled.nlp.vocab.strings
        False
        >>> compiled.evidence(["Zorblax Quenwick took the contract."]) == found
        True

        """
        self._new_vocabulary()
        for info in self._by_key.values():
            self._add_phrases(info)
        self._index_keys()

    def _new_vocabulary(self) -> None:
        from spacy.attrs import LOWER
        from spacy.matcher import PhraseMatcher

        self.nlp = blank_nlp()
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        # The word forms to test on the globs: the strings the vocabulary holds now
        # (the tokenizer's own), then each lower-case form as its first word form
        # enters the vocabulary (see _learn_forms).
        self._new_forms: list[str] = list(self.nlp.vocab.strings)
        getters = self.nlp.vocab.lex_attr_getters
        getters[LOWER] = _recording(getters[LOWER], self._new_forms)

    def _index_keys(self) -> None:
        strings = self.nlp.vocab.strings
        self._info_by_id = {strings.add(key): info for key, info in self._by_key.items()}
        self._learn_forms()

    # ---------------------------------------------------------------- compile
    def _plan(self, expr: Expr) -> _Plan:
        if isinstance(expr, Near):
            return ("n", self._plan(expr.left), self._plan(expr.right), expr.distance)
        if isinstance(expr, Regex):
            key = self._regex_keys.get(expr)
            return ("s", key) if key is not None else ("r", self._regex_index[expr])
        return ("s", self._seqs[expr].key)

    def _register(self, expr: Expr) -> None:
        if isinstance(expr, Regex):
            if expr in self._regex_keys or expr in self._regex_index:
                return
            phrases = regex_phrases(expr.pattern)
            if phrases:
                key = f"rx{len(self._regex_keys)}"
                # Matched on lower case; a case-sensitive one is then checked as written.
                words = [tuple(t.lower_ for t in self.nlp.make_doc(phrase) if not t.is_space)
                         for phrase in phrases]
                words = [w for w in words if w]
                info = self._by_key[key] = _SeqInfo(
                    key, None, [], exact=frozenset(phrases) if expr.case_sensitive else None,
                    phrases=words)
                self._add_phrases(info)
                screen = [_screen_pattern([[w] for w in ws], {}) for ws in words]
                self._screen_phrases[key] = "|".join(screen) if screen else None
                self._regex_keys[expr] = key
            else:
                self._regex_index[expr] = len(self._regex_index)
        elif isinstance(expr, Near):
            self._register(expr.left)
            self._register(expr.right)
        elif expr not in self._seqs:
            self._add_sequence(expr)

    def _add_sequence(self, seq: Seq) -> None:
        key = f"seq{len(self._seqs)}"
        forms: list[set[str]] = []
        globs: list[tuple[int, re.Pattern[str]]] = []
        glob_at: dict[int, str] = {}
        case_terms = []
        for term in seq.terms:
            words = self._term_words(term)
            for k, word in enumerate(words):
                if term.kind == "glob":
                    glob_at[len(forms)] = word
                    globs.append((len(forms), _glob_regex(word)))
                    forms.append(set())
                elif term.kind == "lemma" and len(words) == 1:
                    forms.append(set(lemma_forms(word)))
                else:
                    forms.append({word.lower()})
                if term.kind == "case" and k == 0:
                    case_terms.append(term.text)
        info = _SeqInfo(key, seq, forms, tuple(case_terms), globs)
        self._seqs[seq] = self._by_key[key] = info
        self._screen_phrases[key] = _screen_pattern(forms, glob_at)
        if globs:
            self._glob_seqs.append(info)
        else:
            self._add_phrases(info)

    def _term_words(self, term: Term) -> list[str]:
        if term.kind == "glob":
            return [term.text]
        return [t.text for t in self.nlp.make_doc(term.text)]

    def _add_phrases(self, info: _SeqInfo) -> None:
        """Put the key's word sequences in the matcher, in place of any it held."""
        combos = info.word_sequences()
        if len(combos) > _MAX_FORMS:
            raise ValueError(f"the pattern {info.seq} expands to {len(combos)} word sequences; "
                             f"at most {_MAX_FORMS} are allowed (use fewer lemma words or globs)")
        if info.key in self.matcher:
            self.matcher.remove(info.key)
        if combos:
            self.matcher.add(info.key, [self._phrase_doc(c) for c in combos])

    def _phrase_doc(self, words: Sequence[str]) -> Any:
        from spacy.tokens import Doc

        return Doc(self.nlp.vocab, words=list(words))

    def _learn_forms(self) -> None:
        """Test the lower-case forms new to the vocabulary since the last test on the globs.

        A token's lower-case form is its lexeme's, made once, when the lexeme
        enters the vocabulary; the vocabulary's ``LOWER`` getter records it then
        (``_recording``), whoever tokenised the text (this coder, or anyone's use
        of ``self.nlp``). So the forms recorded since the last call are every form
        not tested yet, and testing them costs nothing when none came, and never a
        pass over the batch's tokens or the whole vocabulary.
        """
        if not self._new_forms:
            return
        new = set(self._new_forms)
        self._new_forms.clear()
        if self._glob_seqs:
            fits = self._any_glob.fullmatch
            self._learn_words({w for w in new if fits(w) and w == w.lower()})

    def _learn_words(self, words: set[str]) -> None:
        """Add the ``words`` that fit a glob to the glob's forms and the matcher."""
        for info in self._glob_seqs:
            added = False
            for pos, rx in info.globs:
                hits = {w for w in words if rx.fullmatch(w)}
                if hits - info.forms[pos]:
                    info.forms[pos] |= hits
                    added = True
            if added:
                # Re-adding the whole expansion is simple and stays small: globs
                # have at least two fixed letters, so their form sets stay short.
                self._add_phrases(info)

    # ---------------------------------------------------------------- match
    def evidence(self, texts: Sequence[str], batch_size: int = 4000) -> list[list[Evidence]]:
        """Return, for each text, the evidence of every rule that counts, in text order."""
        out: list[list[Evidence]] = []
        for i in range(0, len(texts), batch_size):
            if len(self.nlp.vocab.strings) > self.max_strings:
                self.renew_vocabulary()
            out.extend(self._batch(list(texts[i:i + batch_size])))
        return out

    def _batch(self, texts: list[str]) -> list[list[Evidence]]:
        with gc_paused():
            out: list[list[Evidence]] = [[] for _ in texts]
            # Only the texts where some rule can match are tokenised; each regex runs
            # over the texts that meet its conditions.
            screened = self._screen.screen(texts)
            kept = [k for k, regexes in enumerate(screened) if regexes is not None]
            kept_texts = [texts[k] for k in kept]
            regex_hits = self._regexes.hits(kept_texts, [screened[k] for k in kept])
            # The whole batch's docs at once: 4-20% faster than runs of 128 docs in six
            # A/B rounds, and a batch is at most batch_size texts.
            docs = list(self.nlp.tokenizer.pipe(kept_texts))
            self._learn_forms()  # new word forms, from these docs or anyone's use of nlp
            found = map(self._doc_evidence, docs, kept_texts, regex_hits)
            for k, evidence in zip(kept, found, strict=True):
                out[k] = evidence
        return out

    def _doc_evidence(self, doc: Any, text: str, regex_hits: Hits
                      ) -> list[Evidence]:
        matches = self.matcher(doc)
        if regex_hits:
            regex_hits = _outside_urls(doc, regex_hits)
        if not matches and not regex_hits:
            return []
        out: list[Evidence] = []
        seq_spans: dict[str, list[tuple[int, int]]] = {}  # phrase key -> token spans
        infos = self._info_by_id
        for match_id, s, e in matches:
            info = infos[match_id]
            if info.case_terms or info.exact is not None:
                a, b = _chars(doc, s, e)
                if info.case_terms and not _case_ok(text[a:b], info.case_terms):
                    continue
                if info.exact is not None and re.sub(r"\s+", " ", text[a:b]) not in info.exact:
                    continue
            seq_spans.setdefault(info.key, []).append((s, e))
        found: _Found | None = None  # token offsets and the full check, made if needed
        for key in (*seq_spans, *regex_hits):
            for rule in self._triggers.get(key, ()):
                vetoed_by = rule.vetoed_by
                if rule.phrase and (not vetoed_by or (vetoed_by.isdisjoint(seq_spans)
                                                      and vetoed_by.isdisjoint(regex_hits))):
                    # A phrase (its key, the trigger, matched) and no exclusion: all count.
                    for s, e in seq_spans[key]:
                        a, b = _chars(doc, s, e)
                        out.append(Evidence(rule.code, rule.rule_id, a, b, text[a:b]))
                    continue
                if any(k not in seq_spans and k not in regex_hits for k in rule.needs):
                    continue  # a NEAR whose other side is absent
                found = found or _Found(doc, regex_hits, seq_spans)
                spans = found.char_spans(rule.plan)
                if not spans:
                    continue
                vetoes = [v for u in rule.unless for v in found.char_spans(u)]
                for s, e in spans:
                    if vetoes and any(vs <= s and e <= ve for vs, ve in vetoes):
                        continue
                    if rule.negation and found.negated(s):
                        continue
                    out.append(Evidence(rule.code, rule.rule_id, s, e, text[s:e]))
        if len(out) > 1:
            out.sort(key=lambda ev: (ev.start, ev.end, ev.code, ev.rule_id))
        return out


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while evidence is made.

    Evidence makes no reference cycles, but many small objects, which would set
    off the collector again and again; with many objects alive in the process,
    its full collections cost more than the coding (a tenth of the time in one
    process, more in the parent of worker processes).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _compiled(codebook: Codebook, max_strings: int) -> CompiledCodebook:
    """Compile ``codebook`` again (how a pickled ``CompiledCodebook`` is loaded)."""
    compiled = CompiledCodebook(codebook)
    compiled.max_strings = max_strings
    return compiled


def _recording(lower: Any, into: list[str]) -> Any:
    """Wrap a vocabulary's ``LOWER`` getter so that it appends each form it makes to ``into``."""
    def record(string: str) -> str:
        form = lower(string)
        into.append(form)
        return form

    return record


def _leaves(plan: _Plan) -> list[str | int]:
    """Return the phrase keys and regex indices in a plan."""
    return [*_leaves(plan[1]), *_leaves(plan[2])] if plan[0] == "n" else [plan[1]]


def _trigger(plan: _Plan) -> str | int:
    """Return the phrase key or regex index whose match makes a rule worth looking at."""
    return _trigger(plan[1]) if plan[0] == "n" else plan[1]


class _Found:
    """What matched in one text, and its token offsets (made when first needed)."""

    __slots__ = ("_idx", "_words", "doc", "ends", "regex_hits", "seq_spans")

    def __init__(self, doc: Any, regex_hits: Hits,
                 seq_spans: dict[str, list[tuple[int, int]]]) -> None:
        self.doc = doc
        self.regex_hits = regex_hits
        self.seq_spans = seq_spans  # phrase key -> token spans
        self._idx: list[int] | None = None
        self._words: Any = None

    def _arrays(self) -> None:
        from spacy.attrs import IDX, LENGTH

        arr = self.doc.to_array([IDX, LENGTH])
        self._idx = arr[:, 0].tolist()
        self.ends = (arr[:, 0] + arr[:, 1]).tolist()

    @property
    def idx(self) -> list[int]:
        """Character offset of each token."""
        if self._idx is None:
            self._arrays()
        return self._idx  # type: ignore[return-value]

    def words(self) -> Any:
        """Words (not punctuation or space) before each token: NEAR distances count these."""
        if self._words is None:
            from spacy.attrs import IS_PUNCT, IS_SPACE

            arr = self.doc.to_array([IS_PUNCT, IS_SPACE])
            self._words = np.concatenate([[0], np.cumsum((arr[:, 0] == 0) & (arr[:, 1] == 0))])
        return self._words

    def char_spans(self, plan: _Plan) -> list[tuple[int, int]]:
        if plan[0] == "r":
            return self.regex_hits.get(plan[1], [])
        spans = self.seq_spans.get(plan[1], []) if plan[0] == "s" else self.token_spans(plan)
        if not spans:
            return []
        idx, ends = self.idx, self.ends
        return [(idx[s], ends[e - 1]) for s, e in spans]

    def token_spans(self, plan: _Plan) -> list[tuple[int, int]]:
        kind = plan[0]
        if kind == "s":
            return self.seq_spans.get(plan[1], [])
        if kind == "r":
            idx, ends = self.idx, self.ends
            return [_token_span(idx, ends, s, e) for s, e in self.regex_hits.get(plan[1], [])]
        out = []
        for a in self.token_spans(plan[1]):
            for b in self.token_spans(plan[2]):
                first, second = (a, b) if a[0] <= b[0] else (b, a)
                words = self.words()
                gap = max(0, int(words[second[0]] - words[first[1]]))
                if gap <= plan[3]:
                    out.append((first[0], max(first[1], second[1])))
        return sorted(set(out))

    def negated(self, start: int) -> bool:
        """Whether a negator is among the few tokens before the token at ``start``."""
        first = max(0, bisect_right(self.idx, start) - 1)
        window = self.doc[max(0, first - _NEGATION_WINDOW):first]
        return any(t.lower_ in NEGATORS for t in window)


def _outside_urls(doc: Any, hits: Hits) -> Hits:
    """Drop regex matches inside a web address, where no other pattern can match either.

    The tokenizer keeps a URL as one token, so words and phrases never match
    inside it; a regex runs on the text and would ("probation-sell-off" in a
    link). A bare link is not coded, so neither kind of pattern fires there.
    """
    urls = [(t.idx, t.idx + len(t)) for t in doc if t.like_url]
    if not urls:
        return hits
    kept = {key: [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in urls)]
            for key, spans in hits.items()}
    return {key: spans for key, spans in kept.items() if spans}


def _chars(doc: Any, start: int, end: int) -> tuple[int, int]:
    """Character offsets of the tokens ``start:end`` (cheaper than a Span or to_array)."""
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last)


def _case_ok(span_text: str, case_terms: tuple[str, ...]) -> bool:
    return all(re.search(rf"(?<!\w){re.escape(t)}(?!\w)", span_text) for t in case_terms)


def _token_span(idx: list[int], ends: list[int], s: int, e: int) -> tuple[int, int]:
    first = max(0, bisect_right(idx, s) - 1)
    last = max(first + 1, bisect_right(idx, e - 1))
    return first, min(last, len(ends))
