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
* regular expressions: each runs once per batch over the batch's texts joined
  together, and matches are mapped back to their segment.
* proximity (``a NEAR/n b``): pairs of matches of ``a`` and ``b`` with at most
  ``n`` words (punctuation not counted) between them, in either order.
* exclusion contexts (``unless``) veto a match that lies inside one of their
  matches; ``negation`` vetoes a match with a negator among the three words
  before it.
"""

from __future__ import annotations

import gc
import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from typing import Any, NamedTuple

import numpy as np

from ..codebook.model import Codebook
from ..codebook.patterns import Expr, Near, Regex, Term
from ..codebook.patterns import Sequence as Seq

__all__ = ["NEGATORS", "CompiledCodebook", "Evidence", "blank_nlp", "lemma_forms",
           "literal_conditions", "regex_phrases", "required_literals"]

#: Words that make a following match not count when a pattern has ``negation: true``.
NEGATORS = frozenset({"not", "no", "never", "n't", "nothing", "hardly", "without", "nor",
                      "neither", "nobody", "none", "cannot"})
_NEGATION_WINDOW = 3
_MAX_FORMS = 5000
_SEPARATOR = "\n\u2029\n"  # between texts of a batch; no pattern matches across it


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
    """
    import spacy

    return spacy.blank("en")


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


def required_literals(pattern: str, logprob: dict[str, float] | None = None
                      ) -> list[str] | None:
    """Lower-case strings of which every match of ``pattern`` contains one, or None.

    Read from the parsed expression: a run of literal characters that every
    match must hold, or one literal from each branch of a group (at least three
    characters each). None when none can be told; the regex then runs over
    every text.

    Examples
    --------
    >>> required_literals(r"\\bperformance (management|managed)\\b")
    ['manage']
    >>> required_literals(r"\\b(layers?|tiers?) of (management|bureaucracy)\\b")
    ['management', 'bureaucracy']
    >>> required_literals(r"\\b(de-?)?professionali[sz]e\\b")
    ['professionali']
    >>> required_literals(r"\\b(tick[- ]?box|box[- ]?ticking)\\b")
    ['tick', 'ticking']
    >>> required_literals(r"\\w+ly") is None
    True

    """
    found = literal_conditions(pattern, logprob)
    return found[0] if found else None


def literal_conditions(pattern: str, logprob: dict[str, float] | None = None
                       ) -> list[list[str]]:
    """Every condition on literals that a match of ``pattern`` meets, the rarest first.

    Each condition is a list of lower-case strings of which every match holds
    one; a match meets all of them. :func:`required_literals` is the first. A
    text that fails any condition cannot hold a match, so the rule coder runs
    the regex only on texts that meet the rarest few.

    Examples
    --------
    >>> literal_conditions(r"\\b(shut|closed) (the )?(offices?|premises)\\b")
    [['office', 'premises'], ['shut', 'closed']]

    """
    from re import _constants as sre
    from re import _parser

    table = _word_logprob() if logprob is None else logprob

    def rate(option: list[str]) -> tuple[float, int]:
        """Sort key: fewest Aho-Corasick hits and fewest texts to scan first; then longest."""
        return _expected_rate(option, table), -min(map(len, option))

    def conditions(items: Any) -> list[list[str]]:
        """Return the literal options every match of ``items`` holds, one per element."""
        options: list[list[str]] = []
        run = ""
        for op, av in items:
            if op is sre.LITERAL:
                run += chr(av).lower()
                continue
            if run:
                options.append([run])
                run = ""
            if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
                continue
            if op is sre.SUBPATTERN:
                inner = best(av[3])
            elif op is sre.BRANCH:
                alts = [best(a) for a in av[1]]
                inner = None if any(a is None for a in alts) else [x for a in alts for x in a]
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
                inner = best(av[2])
            else:
                inner = None
            if inner is not None:
                options.append(inner)
        if run:
            options.append([run])
        return [list(dict.fromkeys(o)) for o in options if min(map(len, o)) >= 3]

    def best(items: Any) -> list[str] | None:
        """Return the strongest single option of ``items``, or None."""
        found = conditions(items)
        return min(found, key=rate) if found else None

    try:
        return sorted(conditions(_parser.parse(pattern)), key=rate)
    except Exception:  # an unparsable pattern just runs everywhere
        return []


def _word_logprob() -> dict[str, float]:
    """English word log-probabilities (``spacy-lookups-data``'s ``en_lexeme_prob``)."""
    import spacy_lookups_data
    from spacy.util import load_language_data

    return load_language_data(spacy_lookups_data.en["lexeme_prob"])


def _expected_rate(literals: list[str], logprob: dict[str, float]) -> float:
    """Roughly how often some literal of ``literals`` occurs per word of English text.

    A literal is at most as frequent as its rarest word; a literal with no whole
    word (punctuation, digits) counts as frequent.
    """
    rate = 0.0
    for lit in literals:
        words = re.findall(r"[a-z]+", lit)
        # A piece the word table lacks is rare if long, but short ones are often word
        # fragments ("ing", "ers" of a factored group) that occur everywhere.
        rate += math.exp(min(logprob.get(w, -20.0 if len(w) >= 7 else -6.0) for w in words)) \
            if words else 1.0
    return rate


_MAX_REGEX_PHRASES = 2000
_MAX_CONDITIONS = 3  # literal conditions tested per regex at most
_RARE_CONDITION = 1e-3  # expected hits per word below which a further condition is tested


def regex_phrases(pattern: str) -> list[str] | None:
    """Every text a word-bounded regular expression can match, when they are few.

    An expression written ``\\b...\\b`` from literals, white space,
    character sets of a few letters, alternatives and optional parts
    (``\\b(tick[- ]?box|box[- ]?ticking)\\b``) matches a finite set of texts; the
    rule coder then matches them as phrases with the other phrases, instead of
    running the expression. None when the set is infinite or larger than 2,000
    (``\\w+``, ``.{0,40}``, look-arounds) or the ends are not word boundaries.

    Examples
    --------
    >>> regex_phrases(r"\\btick[- ]?box(es)?\\b")
    ['tick box', 'tick boxes', 'tick-box', 'tick-boxes', 'tickbox', 'tickboxes']
    >>> regex_phrases(r"\\w+ly\\b") is None
    True

    """
    from re import _constants as sre
    from re import _parser

    def expand(items: Any) -> list[str] | None:
        out = [""]
        for op, av in items:
            if op is sre.AT:
                continue
            if op is sre.LITERAL:
                options: list[str] | None = [chr(av)]
            elif op is sre.IN:
                options = []
                for o, a in av:
                    if o is sre.LITERAL:
                        options.append(chr(a))
                    elif o is sre.RANGE and a[1] - a[0] < 10:
                        options += [chr(c) for c in range(a[0], a[1] + 1)]
                    elif o is sre.CATEGORY and a is sre.CATEGORY_SPACE:
                        options.append(" ")  # \s: word boundaries are spaces to a phrase
                    else:
                        return None
            elif op is sre.SUBPATTERN:
                options = expand(av[3])
            elif op is sre.BRANCH:
                options = []
                for alt in av[1]:
                    sub = expand(alt)
                    if sub is None:
                        return None
                    options += sub
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                body = expand(av[2])
                if body is None:
                    return None
                if body == [" "] and av[0] >= 1:  # \s+ between words
                    options = [" "]
                elif av[1] <= 3:
                    options = ["".join(p) for k in range(av[0], av[1] + 1)
                               for p in product(body, repeat=k)]
                else:
                    return None
            else:
                return None
            if options is None:
                return None
            out = [a + b for a in out for b in options]
            if len(out) > _MAX_REGEX_PHRASES:
                return None
        return out

    try:
        items = list(_parser.parse(pattern))
    except Exception:  # an unparsable pattern is left to the regex engine
        return None
    boundary = (sre.AT, sre.AT_BOUNDARY)
    if len(items) < 3 or items[0] != boundary or items[-1] != boundary:
        return None
    found = expand(items)
    if not found:
        return None
    return sorted({f for f in found if f.strip()})


def _glob_regex(glob: str) -> re.Pattern[str]:
    body = "".join(r"[\w'’-]*" if ch == "*" else r"[\w'’-]" if ch == "?" else re.escape(ch)
                   for ch in glob)
    return re.compile(body)


@dataclass
class _SeqInfo:
    """A phrase key of the matcher: a pattern's word sequence, or a regex's phrases."""

    key: str
    seq: Seq | None  # None for a regular expression matched as phrases
    forms: list[set[str]]  # per token of the phrase
    case_terms: tuple[str, ...] = ()
    globs: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    exact: frozenset[str] | None = None  # case-sensitive regex: the texts as written


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
    needs: frozenset[str | int] = frozenset()  # keys that must all match for the plan to
    vetoed_by: frozenset[str | int] = frozenset()  # keys of the exclusions

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", frozenset(_leaves(self.plan)))
        object.__setattr__(self, "vetoed_by",
                           frozenset(k for u in self.unless for k in _leaves(u)))


class CompiledCodebook:
    """A codebook's patterns compiled for fast matching over batches of texts.

    Parameters
    ----------
    codebook : Codebook
        The codebook whose patterns are compiled.

    """

    def __init__(self, codebook: Codebook) -> None:
        from spacy.matcher import PhraseMatcher

        self.codebook = codebook
        self.nlp = blank_nlp()
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._seqs: dict[Seq, _SeqInfo] = {}
        self._regexes: dict[Regex, re.Pattern[str]] = {}
        self._regex_keys: dict[Regex, str] = {}  # regexes matched as phrases
        self._by_key: dict[str, _SeqInfo] = {}  # every phrase key of the matcher
        self._glob_seqs: list[_SeqInfo] = []
        self._seen = np.zeros(0, dtype=np.uint64)  # LOWER hashes tested on the globs
        self.rules: list[_Rule] = []
        written = []
        for code in codebook.codes:
            for p in code.patterns:
                unless = tuple(p.unless_exprs) + tuple(code.unless_exprs)
                written.append((code.id, p.id, p.expr, unless, p.negation))
                for expr in (p.expr, *unless):
                    self._register(expr)
        self._regex_list = list(self._regexes)
        self._regex_index = {e: i for i, e in enumerate(self._regex_list)}
        self.rules = [_Rule(code, rule_id, self._plan(expr), tuple(map(self._plan, unless)),
                            negation) for code, rule_id, expr, unless, negation in written]
        strings = self.nlp.vocab.strings
        self._info_by_id = {strings.add(key): info for key, info in self._by_key.items()}
        # The vocabulary's word forms so far (the tokenizer's and the patterns' own) are
        # tested on the globs now; later ones as texts bring them (_learn_forms).
        self._vocab_size = -1  # lexemes in the vocabulary when all were last tested
        self._learn_vocabulary()
        logprob = _word_logprob() if self._regexes else {}  # 1M words: used here, then freed
        # A regex runs only on texts that meet its rarest literal condition and any
        # other rare one (each a necessary condition: two rare words narrow it most).
        conditions = {}
        for expr in self._regexes:
            found = literal_conditions(expr.pattern, logprob)
            conditions[expr] = found[:1] + [c for c in found[1:_MAX_CONDITIONS] if
                                            _expected_rate(c, logprob) <= _RARE_CONDITION]
        del logprob
        self._always = [e for e, conds in conditions.items() if not conds]
        self._literal_regexes = [e for e, conds in conditions.items() if conds]
        self._conditions = [conditions[e] for e in self._literal_regexes]
        self._automaton = _literal_automaton(self._conditions)
        # Which rules to look at when a phrase or regex has matched in a text.
        # A phrase key (str) or a regex index (int): the rules to look at when it matched.
        self._triggers: dict[str | int, list[_Rule]] = defaultdict(list)
        for rule in self.rules:
            self._triggers[_trigger(rule.plan)].append(rule)
        # Plain rules (a phrase, no exclusions, no negation) give one piece of evidence
        # per match: for a phrase key whose rules are all plain, that is all there is
        # to do (its code and pattern ids here; None: some rule needs the full pass).
        self._direct: dict[int, tuple[tuple[str, str], ...] | None] = {}
        for match_id, info in self._info_by_id.items():
            rules = self._triggers.get(info.key, [])
            plain = all(r.plan[0] == "s" and not r.unless and not r.negation for r in rules)
            self._direct[match_id] = tuple((r.code, r.rule_id) for r in rules) if plain else None
        self._direct_keys = {self._info_by_id[m].key for m, d in self._direct.items()
                             if d is not None}

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
            if expr in self._regex_keys or expr in self._regexes:
                return
            phrases = regex_phrases(expr.pattern)
            if phrases:
                key = f"rx{len(self._regex_keys)}"
                # Matched on lower case; a case-sensitive one is then checked as written.
                self._by_key[key] = _SeqInfo(
                    key, None, [], exact=frozenset(phrases) if expr.case_sensitive else None)
                docs = []
                for phrase in phrases:
                    words = [t.lower_ for t in self.nlp.make_doc(phrase) if not t.is_space]
                    if words:
                        docs.append(self._phrase_doc(words))
                self.matcher.add(key, docs)
                self._regex_keys[expr] = key
            else:
                self._regexes[expr] = expr.compiled()
        elif isinstance(expr, Near):
            self._register(expr.left)
            self._register(expr.right)
        elif expr not in self._seqs:
            self._add_sequence(expr)

    def _add_sequence(self, seq: Seq) -> None:
        key = f"seq{len(self._seqs)}"
        forms: list[set[str]] = []
        globs: list[tuple[int, re.Pattern[str]]] = []
        case_terms = []
        for term in seq.terms:
            words = self._term_words(term)
            for k, word in enumerate(words):
                if term.kind == "glob":
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
        if globs:
            self._glob_seqs.append(info)
        else:
            self._add_phrases(info, forms)

    def _term_words(self, term: Term) -> list[str]:
        if term.kind == "glob":
            return [term.text]
        return [t.text for t in self.nlp.make_doc(term.text)]

    def _add_phrases(self, info: _SeqInfo, forms: Sequence[Iterable[str]]) -> None:
        combos = list(product(*[sorted(f) for f in forms]))
        if not combos:
            return
        if len(combos) > _MAX_FORMS:
            raise ValueError(f"the pattern {info.seq} expands to {len(combos)} word sequences; "
                             f"at most {_MAX_FORMS} are allowed (use fewer lemma words or globs)")
        docs = [self._phrase_doc(c) for c in combos]
        self.matcher.add(info.key, docs)

    def _phrase_doc(self, words: Sequence[str]) -> Any:
        from spacy.tokens import Doc

        return Doc(self.nlp.vocab, words=list(words))

    def _learn_vocabulary(self) -> None:
        """Test every word form of the vocabulary not tested yet against the globs.

        Run when compiling, and before coding when the vocabulary grew outside
        the coder (someone used ``self.nlp``): it costs one pass over the
        vocabulary, so coding itself tests only the forms its own docs bring.
        """
        if len(self.nlp.vocab) == self._vocab_size or not self._glob_seqs:
            self._vocab_size = len(self.nlp.vocab)
            return
        self._test_forms(np.array([lex.lower for lex in self.nlp.vocab], dtype=np.uint64))

    def _learn_forms(self, docs: Sequence[Any]) -> None:
        """Test the word forms met for the first time against the globs; extend the matcher.

        The vocabulary is this codebook's own: when no lexeme was added since
        every form was last tested (:meth:`_learn_vocabulary` runs first), the
        docs hold no new form and nothing is done.
        """
        if not self._glob_seqs or len(self.nlp.vocab) == self._vocab_size:
            return
        from spacy.attrs import LOWER

        arrays = [d.to_array(LOWER) for d in docs if len(d)]
        self._test_forms(np.concatenate(arrays) if arrays else np.zeros(0, np.uint64))

    def _test_forms(self, forms: np.ndarray) -> None:
        """Test the forms (LOWER hashes) not tested yet on the globs; note the vocabulary size."""
        new = np.setdiff1d(np.unique(forms), self._seen, assume_unique=True)  # sorted, in C
        if len(new):
            self._seen = np.union1d(self._seen, new)
            strings = self.nlp.vocab.strings
            self._learn_words([strings[h] for h in new.tolist()])
        self._vocab_size = len(self.nlp.vocab)

    def _learn_words(self, words: list[str]) -> None:
        """Add the ``words`` that fit a glob to the glob's forms and the matcher."""
        for info in self._glob_seqs:
            added = False
            for pos, rx in info.globs:
                hits = {w for w in words if rx.fullmatch(w)}
                if hits - info.forms[pos]:
                    info.forms[pos] |= hits
                    added = True
            if added and all(info.forms):
                # Re-adding the whole expansion is simple and stays small: globs
                # have at least two fixed letters, so their form sets stay short.
                if info.key in self.matcher:
                    self.matcher.remove(info.key)
                self._add_phrases(info, info.forms)

    # ---------------------------------------------------------------- match
    def evidence(self, texts: Sequence[str], batch_size: int = 1000) -> list[list[Evidence]]:
        """Return, for each text, the evidence of every rule that counts, in text order."""
        out: list[list[Evidence]] = []
        for i in range(0, len(texts), batch_size):
            out.extend(self._batch(list(texts[i:i + batch_size])))
        return out

    def _batch(self, texts: list[str]) -> list[list[Evidence]]:
        out: list[list[Evidence]] = []
        # The batch makes no reference cycles, but many small objects that would set off
        # the cyclic garbage collector again and again (about a tenth of the time).
        paused = gc.isenabled()
        gc.disable()
        try:
            regex_hits = self._regex_hits(texts)
            self._learn_vocabulary()  # forms someone else's use of self.nlp brought in
            # Tokenise in short runs: a hundred docs alive at a time stay in the CPU cache.
            for i in range(0, len(texts), _DOC_RUN):
                part = texts[i:i + _DOC_RUN]
                docs = list(self.nlp.tokenizer.pipe(part))
                self._learn_forms(docs)
                out += map(self._doc_evidence, docs, part, regex_hits[i:i + _DOC_RUN])
        finally:
            if paused:
                gc.enable()
        return out

    def _regex_hits(self, texts: list[str]) -> list[dict[int, list[tuple[int, int]]]]:
        hits: list[dict[int, list[tuple[int, int]]]] = [{} for _ in texts]
        if not self._regexes:
            return hits
        everything = list(range(len(texts)))
        for expr in self._always:  # no required literal: scan the whole batch
            _scan(self._regexes[expr], self._regex_index[expr], texts, everything, hits)
        if self._automaton is None:
            return hits
        # One Aho-Corasick pass finds every literal of every regex's conditions; a regex
        # then runs only on the texts that meet all its conditions.
        lowered = [t.lower() for t in texts]
        low_starts = _starts(lowered)
        met: list[list[set[int]]] = [[set() for _ in conds] for conds in self._conditions]
        for end, owners in self._automaton.iter(_SEPARATOR.join(lowered)):
            k = bisect_right(low_starts, end) - 1
            for r, c in owners:
                met[r][c].add(k)
        for r, sets in enumerate(met):
            ks = set.intersection(*sets)
            if ks:
                expr = self._literal_regexes[r]
                _scan(self._regexes[expr], self._regex_index[expr], texts, sorted(ks), hits)
        return hits

    def _doc_evidence(self, doc: Any, text: str, regex_hits: dict[int, list[tuple[int, int]]]
                      ) -> list[Evidence]:
        matches = self.matcher(doc)
        if not matches and not regex_hits:
            return []
        out: list[Evidence] = []
        seq_spans: dict[str, list[tuple[int, int]]] = {}  # phrase key -> token spans
        infos, direct = self._info_by_id, self._direct
        found: _Found | None = None  # token offsets and the full check, made if needed
        for match_id, s, e in matches:
            info = infos[match_id]
            if info.case_terms or info.exact is not None:
                found = found or _Found(doc, regex_hits, seq_spans)
                span = text[found.idx[s]:found.ends[e - 1]]
                if info.case_terms and not _case_ok(span, info.case_terms):
                    continue
                if info.exact is not None and re.sub(r"\s+", " ", span) not in info.exact:
                    continue
            seq_spans.setdefault(info.key, []).append((s, e))
            plain = direct.get(match_id)
            if plain:
                a, last = doc[s].idx, doc[e - 1]
                b = last.idx + len(last)
                out += [Evidence(code, rule_id, a, b, text[a:b]) for code, rule_id in plain]
        direct_keys = self._direct_keys
        for key in (*seq_spans, *regex_hits):
            if key in direct_keys:
                continue  # given above, match by match
            for rule in self._triggers.get(key, ()):
                if any(k not in seq_spans and k not in regex_hits for k in rule.needs):
                    continue  # a NEAR whose other side is absent
                if rule.plan[0] == "s" and not rule.negation and not any(
                        k in seq_spans or k in regex_hits for k in rule.vetoed_by):
                    for s, e in seq_spans[key]:  # no exclusion matched: the matches count
                        a, last = doc[s].idx, doc[e - 1]
                        b = last.idx + len(last)
                        out.append(Evidence(rule.code, rule.rule_id, a, b, text[a:b]))
                    continue
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


_DOC_RUN = 128  # docs tokenised together within a batch


def _leaves(plan: _Plan) -> list[str | int]:
    """Return the phrase keys and regex indices in a plan."""
    return [*_leaves(plan[1]), *_leaves(plan[2])] if plan[0] == "n" else [plan[1]]


def _trigger(plan: _Plan) -> str | int:
    """Return the phrase key or regex index whose match makes a rule worth looking at."""
    return _trigger(plan[1]) if plan[0] == "n" else plan[1]


class _Found:
    """What matched in one text, and its token offsets (made when first needed)."""

    __slots__ = ("_idx", "_words", "doc", "ends", "regex_hits", "seq_spans")

    def __init__(self, doc: Any, regex_hits: dict[int, list[tuple[int, int]]],
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


def _starts(texts: Sequence[str]) -> list[int]:
    """Offsets of each text in ``_SEPARATOR.join(texts)``."""
    return np.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]]).tolist()


def _scan(rx: re.Pattern[str], index: int, texts: list[str], which: list[int],
          hits: list[dict[int, list[tuple[int, int]]]]) -> None:
    """Run ``rx`` once over the texts ``which`` joined, adding matches to ``hits``.

    One call over the joined texts instead of one per text; the separator
    cannot be part of a match, and a match is kept only if it lies in one text.
    """
    chosen = [texts[k] for k in which]
    offsets = _starts(chosen)
    for m in rx.finditer(_SEPARATOR.join(chosen)):
        i = bisect_right(offsets, m.start()) - 1
        base = offsets[i]
        if m.end() > m.start() and m.end() - base <= len(chosen[i]):
            hits[which[i]].setdefault(index, []).append((m.start() - base, m.end() - base))


def _literal_automaton(conditions: list[list[list[str]]]) -> Any:
    """Build an Aho-Corasick automaton: each literal -> the (regex, condition) pairs it meets."""
    if not conditions:
        return None
    import ahocorasick

    owners: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r, conds in enumerate(conditions):
        for c, lits in enumerate(conds):
            for lit in lits:
                owners[lit].append((r, c))
    automaton = ahocorasick.Automaton()
    for lit, pairs in owners.items():
        automaton.add_word(lit, tuple(pairs))
    automaton.make_automaton()
    return automaton


def _case_ok(span_text: str, case_terms: tuple[str, ...]) -> bool:
    return all(re.search(rf"(?<!\w){re.escape(t)}(?!\w)", span_text) for t in case_terms)


def _token_span(idx: list[int], ends: list[int], s: int, e: int) -> tuple[int, int]:
    first = max(0, bisect_right(idx, s) - 1)
    last = max(first + 1, bisect_right(idx, e - 1))
    return first, min(last, len(ends))
