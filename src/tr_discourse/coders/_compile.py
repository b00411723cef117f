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
           "regex_phrases", "required_literals"]

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


@lru_cache(maxsize=1)
def blank_nlp() -> Any:
    """``spacy.blank("en")``: the rule-based English tokenizer (shared, built once)."""
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
    from re import _constants as sre
    from re import _parser

    table = _word_logprob() if logprob is None else logprob

    def best(items: Any) -> list[str] | None:
        """Return the strongest set of literals one of which every match of ``items`` holds."""
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
        options = [o for o in options if min(map(len, o)) >= 3]
        # The option a text is least likely to hold: fewest AC hits, fewest texts to scan.
        return min(options, key=lambda o: (_expected_rate(o, table), -min(map(len, o)))) \
            if options else None

    try:
        found = best(_parser.parse(pattern))
    except Exception:  # an unparsable pattern just runs everywhere
        return None
    return None if found is None else list(dict.fromkeys(found))


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


@dataclass(frozen=True)
class _Rule:
    code: str
    rule_id: str
    expr: Expr
    unless: tuple[Expr, ...]
    negation: bool


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
        self._seen: set[int] = set()
        self.rules: list[_Rule] = []
        for code in codebook.codes:
            for p in code.patterns:
                unless = tuple(p.unless_exprs) + tuple(code.unless_exprs)
                rule = _Rule(code.id, p.id, p.expr, unless, p.negation)
                self.rules.append(rule)
                for expr in (rule.expr, *rule.unless):
                    self._register(expr)
        logprob = _word_logprob() if self._regexes else {}  # 1M words: used here, then freed
        self._literals = {expr: required_literals(expr.pattern, logprob)
                          for expr in self._regexes}
        del logprob
        self._always = [e for e, lits in self._literals.items() if lits is None]
        self._literal_regexes = [e for e, lits in self._literals.items() if lits is not None]
        self._automaton = _literal_automaton(
            [self._literals[e] or [] for e in self._literal_regexes])
        # Which rules to look at when a phrase or regex has matched in a text.
        self._triggers: dict[Any, list[_Rule]] = defaultdict(list)
        for rule in self.rules:
            self._triggers[self._trigger(rule.expr)].append(rule)

    # ---------------------------------------------------------------- compile
    def _trigger(self, expr: Expr) -> Any:
        if isinstance(expr, Near):
            return self._trigger(expr.left)
        if isinstance(expr, Regex):
            return self._regex_keys.get(expr, expr)
        return self._seqs[expr].key

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

    def _learn_forms(self, docs: Sequence[Any]) -> None:
        """Test the batch's new word forms against the globs; extend the matcher."""
        if not self._glob_seqs:
            return
        from spacy.attrs import LOWER

        arrays = [d.to_array([LOWER]).ravel() for d in docs if len(d)]
        if not arrays:
            return
        new = [h for h in np.unique(np.concatenate(arrays)).tolist() if h not in self._seen]
        self._seen.update(new)
        strings = self.nlp.vocab.strings
        words = [strings[h] for h in new]
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
        docs = list(self.nlp.tokenizer.pipe(texts))
        self._learn_forms(docs)
        regex_hits = self._regex_hits(texts)
        return [self._doc_evidence(doc, texts[n], regex_hits[n]) for n, doc in enumerate(docs)]

    def _regex_hits(self, texts: list[str]) -> list[dict[Regex, list[tuple[int, int]]]]:
        hits: list[dict[Regex, list[tuple[int, int]]]] = [defaultdict(list) for _ in texts]
        if not self._regexes:
            return hits
        everything = list(range(len(texts)))
        for expr in self._always:  # no required literal: scan the whole batch
            _scan(self._regexes[expr], expr, texts, everything, hits)
        if self._automaton is None:
            return hits
        # One Aho-Corasick pass finds every required literal of every regex; a regex
        # then runs only on the texts that hold one of its literals.
        lowered = [t.lower() for t in texts]
        low_starts = _starts(lowered)
        candidates: list[set[int]] = [set() for _ in self._literal_regexes]
        for end, regex_ids in self._automaton.iter(_SEPARATOR.join(lowered)):
            k = bisect_right(low_starts, end) - 1
            for r in regex_ids:
                candidates[r].add(k)
        for r, ks in enumerate(candidates):
            if ks:
                expr = self._literal_regexes[r]
                _scan(self._regexes[expr], expr, texts, sorted(ks), hits)
        return hits

    def _doc_evidence(self, doc: Any, text: str, regex_hits: dict[Regex, list[tuple[int, int]]]
                      ) -> list[Evidence]:
        seq_spans: dict[str, list[tuple[int, int]]] = defaultdict(list)  # token spans
        strings = self.nlp.vocab.strings
        for match_id, s, e in self.matcher(doc):
            info = self._by_key[strings[match_id]]
            if info.case_terms or info.exact is not None:
                span = text[doc[s].idx:doc[e - 1].idx + len(doc[e - 1])]
                if info.case_terms and not _case_ok(span, info.case_terms):
                    continue
                if info.exact is not None and re.sub(r"\s+", " ", span) not in info.exact:
                    continue
            seq_spans[info.key].append((s, e))
        if not seq_spans and not regex_hits:
            return []
        cache: dict[str, Any] = {}

        def arrays() -> dict[str, Any]:
            """Token offsets and word counts, made only when NEAR, regex or negation need them."""
            if not cache:
                from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH

                arr = doc.to_array([IDX, LENGTH, IS_PUNCT, IS_SPACE])
                cache["idx"] = arr[:, 0].tolist()
                cache["ends"] = (arr[:, 0] + arr[:, 1]).tolist()
                cache["words"] = np.concatenate(
                    [[0], np.cumsum((arr[:, 2] == 0) & (arr[:, 3] == 0))])
            return cache

        def chars(s: int, e: int) -> tuple[int, int]:
            last = doc[e - 1]
            return doc[s].idx, last.idx + len(last)

        def char_spans(expr: Expr) -> list[tuple[int, int]]:
            if isinstance(expr, Regex):
                key = self._regex_keys.get(expr)
                if key is not None:
                    return [chars(s, e) for s, e in seq_spans.get(key, [])]
                return regex_hits.get(expr, [])
            if isinstance(expr, Near):
                return [chars(s, e) for s, e in token_spans(expr)]
            return [chars(s, e) for s, e in seq_spans.get(self._seqs[expr].key, [])]

        def token_spans(expr: Expr) -> list[tuple[int, int]]:
            if isinstance(expr, Near):
                out = []
                for a in token_spans(expr.left):
                    for b in token_spans(expr.right):
                        first, second = (a, b) if a[0] <= b[0] else (b, a)
                        words = arrays()["words"]
                        gap = max(0, int(words[second[0]] - words[first[1]]))
                        if gap <= expr.distance:
                            out.append((first[0], max(first[1], second[1])))
                return sorted(set(out))
            if isinstance(expr, Regex) and expr in self._regex_keys:
                return seq_spans.get(self._regex_keys[expr], [])
            if isinstance(expr, Regex):
                a = arrays()
                return [_token_span(a["idx"], a["ends"], s, e)
                        for s, e in regex_hits.get(expr, [])]
            return seq_spans.get(self._seqs[expr].key, [])

        found: list[Evidence] = []
        candidates = [r for key in (*seq_spans, *regex_hits) for r in self._triggers.get(key, ())]
        for rule in candidates:
            spans = char_spans(rule.expr)
            if not spans:
                continue
            vetoes = [v for u in rule.unless for v in char_spans(u)]
            for s, e in spans:
                if any(vs <= s and e <= ve for vs, ve in vetoes):
                    continue
                if rule.negation and _negated(doc, arrays()["idx"], s):
                    continue
                found.append(Evidence(rule.code, rule.rule_id, s, e, text[s:e]))
        found.sort(key=lambda ev: (ev.start, ev.end, ev.code, ev.rule_id))
        return found


def _starts(texts: Sequence[str]) -> list[int]:
    """Offsets of each text in ``_SEPARATOR.join(texts)``."""
    return np.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]]).tolist()


def _scan(rx: re.Pattern[str], expr: Regex, texts: list[str], which: list[int],
          hits: list[dict[Regex, list[tuple[int, int]]]]) -> None:
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
            hits[which[i]][expr].append((m.start() - base, m.end() - base))


def _literal_automaton(literals: list[list[str]]) -> Any:
    """Build an Aho-Corasick automaton mapping each literal to the regexes that need it."""
    if not literals:
        return None
    import ahocorasick

    owners: dict[str, list[int]] = defaultdict(list)
    for r, lits in enumerate(literals):
        for lit in lits:
            owners[lit].append(r)
    automaton = ahocorasick.Automaton()
    for lit, regex_ids in owners.items():
        automaton.add_word(lit, tuple(regex_ids))
    automaton.make_automaton()
    return automaton


def _case_ok(span_text: str, case_terms: tuple[str, ...]) -> bool:
    return all(re.search(rf"(?<!\w){re.escape(t)}(?!\w)", span_text) for t in case_terms)


def _token_span(idx: list[int], ends: list[int], s: int, e: int) -> tuple[int, int]:
    first = max(0, bisect_right(idx, s) - 1)
    last = max(first + 1, bisect_right(idx, e - 1))
    return first, min(last, len(ends))


def _negated(doc: Any, idx: list[int], start: int) -> bool:
    first = max(0, bisect_right(idx, start) - 1)
    window = doc[max(0, first - _NEGATION_WINDOW):first]
    return any(t.lower_ in NEGATORS for t in window)
