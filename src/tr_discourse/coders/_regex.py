"""The regular expressions of a codebook: what they need, and running them over a batch.

Most of a codebook's regular expressions match a finite set of phrases
(:func:`regex_phrases`) and go to the rule coder's ``PhraseMatcher`` with the
other phrases. The rest run here (:class:`RegexSet`): each once over the texts
that can hold a match joined together, with its matches mapped back to their
text. Which texts can hold a match is told by the literal conditions every
match meets (:func:`literal_conditions`), which the rule coder's screen
(``_screen``) looks for in each text.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from itertools import product
from typing import Any

import numpy as np

from ..codebook.patterns import Regex

__all__ = ["RegexSet", "literal_conditions", "regex_phrases"]

_SEPARATOR = "\n\u2029\n"  # between texts of a batch; no pattern matches across it

#: Regex matches per text: regex index -> (start, end) character offsets.
Hits = dict[int, list[tuple[int, int]]]


class RegexSet:
    """Regular expressions run over batches of texts, each only where it may match.

    Parameters
    ----------
    exprs : sequence of Regex
        The expressions; a match is reported under the expression's position.

    Attributes
    ----------
    conditions : list of list of list of str
        Per expression, the rarest of its :func:`literal_conditions` and up to
        two more rare ones (the rarest of those of one character or more when
        none has three): a text that fails one cannot hold a match.

    Examples
    --------
    >>> from tr_discourse.codebook.patterns import Regex
    >>> rs = RegexSet([Regex(r"\\b(shut|closed) (the )?offices?\\b")])
    >>> rs.conditions
    [[['office'], ['shut', 'closed']]]
    >>> rs.hits(["They closed the office.", "An office, shut tight.", "No."])
    [{0: [(5, 22)]}, {}, {}]
    >>> rs.hits(["They closed the office.", "They closed the office."], [[0], []])
    [{0: [(5, 22)]}, {}]

    """

    def __init__(self, exprs: Sequence[Regex]) -> None:
        self.exprs = list(exprs)
        self.compiled = [e.compiled() for e in self.exprs]
        # Searched text by text, not joined: they assert the start or end of the text.
        self._alone = [_anchored(e.pattern) for e in self.exprs]
        logprob = _word_logprob() if self.exprs else {}  # 1M words: used here, then freed
        self.conditions = []
        for expr in self.exprs:
            found = literal_conditions(expr.pattern, logprob) or \
                literal_conditions(expr.pattern, logprob, min_length=1)[:1]
            # Common words test little and cost the screen a hit in most texts.
            self.conditions.append(found[:1] + [c for c in found[1:_MAX_CONDITIONS]
                                                if _expected_rate(c, logprob) <= _RARE_CONDITION])
        del logprob

    def __len__(self) -> int:
        return len(self.exprs)

    def hits(self, texts: list[str], candidates: Sequence[Sequence[int]] | None = None
             ) -> list[Hits]:
        """Return, for each text, the matches of each expression that matched in it.

        ``candidates``, one list per text, names the expressions that may match
        in it (the others are not run there); by default every expression runs
        over every text.
        """
        hits: list[Hits] = [{} for _ in texts]
        if not self.exprs:
            return hits
        if candidates is None:
            which: dict[int, list[int]] = {i: list(range(len(texts))) for i in range(len(self))}
        else:
            which = defaultdict(list)
            for k, regexes in enumerate(candidates):
                for i in regexes:
                    which[i].append(k)
        for i, ks in sorted(which.items()):
            if ks:
                _scan(self.compiled[i], i, texts, ks, hits, alone=self._alone[i])
        return hits


def literal_conditions(pattern: str, logprob: dict[str, float] | None = None, *,
                       min_length: int = 3) -> list[list[str]]:
    """Every condition on literals that a match of ``pattern`` meets, the rarest first.

    Each condition is a list of lower-case strings of which every match holds
    one: a run of literal characters the match must hold, or one literal from
    each branch of a group (each at least ``min_length`` characters long); a
    match meets all of them. A text whose lower case fails any condition cannot
    hold a match, so the rule coder runs the regex only on texts that meet them
    all. Empty when none can be told; the regex then runs over every text.

    Examples
    --------
    >>> literal_conditions(r"\\b(shut|closed) (the )?(offices?|premises)\\b")
    [['office', 'premises'], ['shut', 'closed']]
    >>> literal_conditions(r"\\bperformance (management|managed)\\b")[0]
    ['manage']
    >>> literal_conditions(r"\\b(layers?|tiers?) of (management|bureaucracy)\\b")[0]
    ['management', 'bureaucracy']
    >>> literal_conditions(r"\\b(de-?)?professionali[sz]e\\b")[0]
    ['professionali']
    >>> literal_conditions(r"\\b(tick[- ]?box|box[- ]?ticking)\\b")[0]
    ['tick', 'ticking']
    >>> literal_conditions(r"\\w+ly")
    []
    >>> literal_conditions(r"£\\s?46\\b", min_length=1)
    [['46'], ['£']]

    """
    from re import _constants as sre
    from re import _parser

    table = _word_logprob() if logprob is None else logprob

    def rate(option: list[str]) -> tuple[float, int]:
        """Sort key: rarest first (fewest texts to scan), then longest."""
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
        return [list(dict.fromkeys(o)) for o in options if min(map(len, o)) >= min_length]

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


def _starts(texts: Sequence[str]) -> list[int]:
    """Offsets of each text in ``_SEPARATOR.join(texts)``."""
    return np.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]]).tolist()


def _scan(rx: re.Pattern[str], index: int, texts: list[str], which: list[int],
          hits: list[dict[int, list[tuple[int, int]]]], *, alone: bool = False) -> None:
    """Run ``rx`` over the texts ``which``, adding matches to ``hits``, as if over each alone.

    One call over the joined texts instead of one per text; the separator
    cannot be part of a match of most expressions. One that can match across
    it (``[^.]{0,40}`` takes new lines) hides the matches it overlaps, so the
    texts such a match touches are searched again one by one. With ``alone``
    (an expression anchored to the start or end of the text), every text is.
    """
    if alone:
        for k in which:
            _scan_one(rx, index, texts[k], hits[k])
        return
    chosen = [texts[k] for k in which]
    offsets = _starts(chosen)
    again: set[int] = set()
    for m in rx.finditer(_SEPARATOR.join(chosen)):
        if m.end() == m.start():
            continue
        i = bisect_right(offsets, m.start()) - 1
        base = offsets[i]
        if m.end() - base <= len(chosen[i]):
            hits[which[i]].setdefault(index, []).append((m.start() - base, m.end() - base))
        else:
            again.update(range(i, bisect_right(offsets, m.end() - 1)))
    for i in sorted(again):
        hits[which[i]].pop(index, None)
        _scan_one(rx, index, chosen[i], hits[which[i]])


def _scan_one(rx: re.Pattern[str], index: int, text: str,
              hits: dict[int, list[tuple[int, int]]]) -> None:
    found = [(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()]
    if found:
        hits[index] = found


def _anchored(pattern: str) -> bool:
    """Whether ``pattern`` asserts the start or end of the text (or of a line)."""
    from re import _constants as sre
    from re import _parser

    ends = {sre.AT_BEGINNING, sre.AT_BEGINNING_STRING, sre.AT_END, sre.AT_END_STRING}

    def walk(node: Any) -> bool:
        """Any AT of ``ends`` in ``node``: a parsed pattern, or a value nesting them."""
        if isinstance(node, _parser.SubPattern):
            return any((op is sre.AT and av in ends) or walk(av) for op, av in node)
        return isinstance(node, (list, tuple)) and any(map(walk, node))

    try:
        return walk(_parser.parse(pattern))
    except Exception:  # an unparsable pattern: search each text alone
        return True
