"""The rule coder's screen: which texts of a batch can hold a match of some rule.

Tokenising is most of the rule coder's time, and many texts hold nothing it
looks for. Before tokenising, one RE2 set search over each text, lower-cased
and with underscores made NULs (:func:`screen_text`; ``google-re2``: a DFA
in C++, one pass over the text for every pattern at once), tells which of the
codebook's *atoms* the text holds:

* per phrase key of the rule coder's ``PhraseMatcher``: any of its phrases,
  each token one of its lower-case forms (a glob: its pattern), adjacent
  tokens joined by nothing or one space;
* per regular expression run over the texts: each of its literal conditions
  (:func:`~tr_discourse.coders._regex.literal_conditions`).

Each atom is a necessary condition. A token's lower case is a piece of the
text's lower case, and two adjacent tokens are joined in the text by nothing
or by one space (other white space is a token of its own), so a phrase the
``PhraseMatcher`` finds is found by its atom too; a regex match meets its
conditions. A phrase's first (last) form must follow (precede) a word
boundary (RE2's ``\\b``: anything but an ASCII letter or digit, once
underscores are NULs), so that "uc" is not found in "much", but only where
the form begins (ends) with an ASCII letter and the tokenizer never splits
that token from a letter or digit with nothing between ("cannot" is "can" +
"not", "10km" is "10" + "km"; :func:`form_pattern`). Literals and patterns
are written for the screened text: an underscore in them is a NUL too.

A rule can match in a text only if every phrase key and regex it needs (a
NEAR needs both sides) can; only such texts are tokenised, and a regex runs
only over the texts that meet all its conditions. Exclusions and negation only
take matches away, so the screen ignores them. It lets through every text in
which a rule can match: it changes how fast the coder runs,
never what it finds.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

__all__ = ["GLOB_CHAR", "Screen", "form_pattern", "literal", "screen_text",
           "sequence_pattern"]

#: An RE2 class for a character a glob's ``?`` or ``*`` stands for: in the screened
#: text (:func:`screen_text`) a token holds no white space. Broader than the glob's
#: letters, digits, underscores, apostrophes and hyphens, and far cheaper for RE2's
#: DFA than Unicode's letter and digit classes.
GLOB_CHAR = r"\S"

_MAX_MEM = 256 << 20  # bytes RE2 may use for the set's DFA


def screen_text(text: str) -> str:
    """Return ``text`` as the screen searches it: lower-cased, underscores made NULs.

    RE2's ``\\b`` takes an underscore for a letter, but the tokenizer splits it
    from a word ("_UC_" is "_", "UC", "_"); a NUL is neither a letter nor
    white space.

    Examples
    --------
    >>> screen_text("Tier_2 CRC")
    'tier\\x002 crc'

    """
    return text.lower().replace("_", "\x00")


def literal(text: str) -> str:
    """Return an RE2 pattern matching ``text`` in the screened text.

    Examples
    --------
    >>> literal("e.g. 50%")
    'e\\\\.g\\\\.\\\\ 50\\\\%'
    >>> literal("tr_core")
    'tr\\\\x00core'

    """
    import re2

    return re2.escape(text.replace("_", "\x00"))


def form_pattern(form: str, *, start: bool = False, end: bool = False) -> str:
    """Return an RE2 pattern for a token's lower-case form, bounded where it is safe.

    ``start`` and ``end`` say that the token begins or ends a phrase. A word
    boundary must then come before (after) it, if the form begins (ends) with
    an ASCII letter and the tokenizer never puts this token right after
    (before) a letter or digit with nothing between.

    Examples
    --------
    >>> form_pattern("uc", start=True, end=True)
    '\\\\buc\\\\b'
    >>> form_pattern("not", start=True, end=True)  # "cannot" is "can" + "not"
    'not'
    >>> form_pattern("km", start=True)  # "10km" is "10" + "km"
    'km'
    >>> form_pattern("été", start=True, end=True)  # é: its neighbours may be letters
    'été'

    """
    return ((_BEFORE if start and _bounded(form, end=False) else "") + literal(form)
            + (_AFTER if end and _bounded(form, end=True) else ""))


_BEFORE = _AFTER = r"\b"  # ASCII letters and digits only: the screened text has no "_"


@lru_cache(maxsize=1 << 16)
def _bounded(form: str, end: bool) -> bool:
    """Whether a token ``form`` never follows (precedes) an ASCII letter or digit directly."""
    edge = form[-1:] if end else form[:1]
    if not (edge.isascii() and edge.isalpha()):
        return False  # a digit (units split from numbers), or a letter that may abut others
    if form in _glued()[1 if end else 0]:
        return False
    # A prefix, suffix or infix rule that splits it from a letter or digit, in any case
    # ("10KB" is "10" + "KB"): asked of the rules' own expressions, not by tokenising.
    tokenizer = _tokenizer()
    for written in {form, form.upper(), form.title()}:
        for other in ("a", "A", "1"):
            probe, at = (written + other, len(written)) if end else (other + written, 1)
            if _splits(tokenizer, probe, at):
                return False
    return True


def _splits(tokenizer: Any, text: str, at: int) -> bool:
    """Whether one of the tokenizer's affix rules can split ``text`` at ``at``."""
    if tokenizer.prefix_search and (m := tokenizer.prefix_search(text)) and m.end() == at:
        return True
    if tokenizer.suffix_search and (m := tokenizer.suffix_search(text)) and m.start() == at:
        return True
    return bool(tokenizer.infix_finditer) and any(
        at in (m.start(), m.end()) for m in tokenizer.infix_finditer(text))


@lru_cache(maxsize=1)
def _glued() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case tokens the tokenizer's special cases put right after (before) a word character."""
    from spacy.symbols import ORTH

    after, before = set(), set()
    for tokens in _tokenizer().rules.values():
        orths = [t.get(ORTH, t.get("ORTH", "")) for t in tokens]
        for a, b in pairwise(orths):
            if a and b and _word_char(a[-1]) and _word_char(b[0]):
                after.add(b.lower())
                before.add(a.lower())
    return frozenset(after), frozenset(before)


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """Return the English rule-based tokenizer the rule coder uses, to probe its rules."""
    from ._compile import blank_nlp  # imported here: _compile imports this module

    return blank_nlp().tokenizer


def sequence_pattern(tokens: Sequence[Sequence[str]]) -> str:
    """Return an RE2 pattern for adjacent tokens, each given as RE2 alternatives.

    Examples
    --------
    >>> sequence_pattern([["contract", "contracts"], ["out"]])
    '(?:contract|contracts)[ ]?(?:out)'

    """
    return "[ ]?".join("(?:" + "|".join(alternatives) + ")" for alternatives in tokens)


class Screen:
    """Tell which texts can hold a match of some rule, and which regexes may match there.

    Parameters
    ----------
    phrases : mapping of str to str or None
        Per phrase key, an RE2 pattern every match of the key's phrases matches
        in the lower-cased text; None for a key no text can match.
    regex_conditions : sequence
        Per regular expression (by index), its literal conditions: lists of
        lower-case strings of which a text that can hold a match holds one each.
    needs : iterable of iterables of str or int
        Per rule, the phrase keys (str) and regex indices (int) that must all
        match for the rule to match.

    Examples
    --------
    >>> screen = Screen({"k0": sequence_pattern([["outsourcing"]]),
    ...                  "k1": sequence_pattern([["payment"], ["by"], ["results"]])},
    ...                 [[["miles"]]], [["k0"], ["k1", 0]])
    >>> screen.screen(["Outsourcing again.", "Payment by results, 40 miles away.",
    ...                "Payment by results.", "Nothing here."])
    [[], [0], None, None]

    """

    def __init__(self, phrases: Mapping[str, str | None],
                 regex_conditions: Sequence[Sequence[Sequence[str]]],
                 needs: Iterable[Iterable[str | int]]) -> None:
        import re2

        options = re2.Options()
        options.max_mem = _MAX_MEM
        options.log_errors = False  # a failed search is counted and warned of here
        self._set = re2.Set.SearchSet(options)
        # Atom 0 matches every text, so a search that returns nothing has failed (the
        # DFA ran out of memory): the text is then let through, never dropped.
        self._set.Add("")
        ids: dict[str, int] = {}

        def atom(pattern: str) -> int:
            if pattern not in ids:
                ids[pattern] = self._set.Add(pattern)
            return ids[pattern]

        atoms: dict[str | int, frozenset[int]] = {
            key: frozenset({atom(p)}) for key, p in phrases.items() if p is not None}
        self._regex_atoms = [frozenset(atom("|".join(map(literal, options)))
                                       for options in conditions)
                             for conditions in regex_conditions]
        atoms.update(enumerate(self._regex_atoms))
        self._set.Compile()
        requirements = {frozenset().union(*(atoms[k] for k in keys))
                        for keys in map(list, needs) if all(k in atoms for k in keys)}
        self._always = frozenset() in requirements  # a rule that can match in any text
        self._single = frozenset(next(iter(r)) for r in requirements if len(r) == 1)
        # Each requirement of several atoms under one of them, looked at when it is found.
        self._multi: dict[int, list[frozenset[int]]] = defaultdict(list)
        for r in requirements:
            if len(r) > 1:
                self._multi[min(r)].append(r)
        self._multi_atoms = frozenset(self._multi)
        # Each conditioned regex under one of its atoms; the others may match anywhere.
        self._by_atom: dict[int, list[int]] = defaultdict(list)
        for i, regex_atoms in enumerate(self._regex_atoms):
            if regex_atoms:
                self._by_atom[min(regex_atoms)].append(i)
        self._first_atoms = frozenset(self._by_atom)
        self._unconditioned = [i for i, a in enumerate(self._regex_atoms) if not a]
        self._every_regex = list(range(len(self._regex_atoms)))
        #: Texts let through because RE2's search failed on them (see :meth:`screen`).
        self.failed = 0

    def screen(self, texts: Iterable[str]) -> list[list[int] | None]:
        """Return, per text, None if no rule can match in it, else the regexes that may."""
        out: list[list[int] | None] = []
        match = self._set.Match
        single, multi, multi_atoms = self._single, self._multi, self._multi_atoms
        for text in texts:
            found = match(screen_text(text))
            if found is None:  # the search failed: let the text through
                out.append(self._every_regex)
                self._failed()
            elif self._always or not single.isdisjoint(found) or any(
                    r.issubset(found) for a in multi_atoms.intersection(found) for r in multi[a]):
                out.append(self._candidates(found))
            else:
                out.append(None)
        return out

    def _failed(self) -> None:
        self.failed += 1
        if self.failed == 1:
            warnings.warn("the rule coder's screen could not search a text (RE2 ran out of "
                          f"memory, {_MAX_MEM >> 20} MB); such texts are coded without it: "
                          "the same evidence, found more slowly", RuntimeWarning, stacklevel=3)

    def _candidates(self, found: list[int]) -> list[int]:
        """Return the regexes whose every condition is among the atoms ``found``."""
        firsts = self._first_atoms.intersection(found)
        if not firsts:
            return self._unconditioned
        present = frozenset(found)
        regexes = self._unconditioned + [i for a in firsts for i in self._by_atom[a]
                                         if self._regex_atoms[i] <= present]
        return sorted(regexes)
