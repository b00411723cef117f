"""The pattern language of codebooks: parse a pattern as written into a structure.

=========================  ===============================================================
written                    meaning
=========================  ===============================================================
``contract``               a lowercase word, matched by lemma (contracts, contracted)
``privatis*``              a glob on the lowercased word: ``*`` any letters, ``?`` one
``payment by results``     several words: a phrase of consecutive words
``"target"``               quoted: this exact form only (any case), no lemma
``CRC``, ``Grayling``      a word with a capital letter: exact and case-sensitive
``/\\bPbR\\b/``            a regular expression over the segment text, ignoring case;
                           ``/.../c`` is case-sensitive
``contract NEAR/8 charity``  both sides within 8 words, in either order, in the segment
=========================  ===============================================================

The rule coder (a later module) compiles these structures into spaCy matchers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Near", "PatternSyntaxError", "Regex", "Sequence", "Term", "parse_pattern"]

TermKind = Literal["lemma", "exact", "glob", "case"]

#: Largest distance a NEAR pattern may use.
MAX_DISTANCE = 50


class PatternSyntaxError(ValueError):
    """A pattern could not be parsed; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a pattern and how it is matched."""

    kind: TermKind
    text: str

    def __str__(self) -> str:
        return f'"{self.text}"' if self.kind == "exact" else self.text


@dataclass(frozen=True, slots=True)
class Sequence:
    """A word or a phrase: terms matched on consecutive words."""

    terms: tuple[Term, ...]

    @property
    def kind(self) -> str:
        """``phrase`` for several terms, else the one term's kind."""
        return "phrase" if len(self.terms) > 1 else self.terms[0].kind

    def __str__(self) -> str:
        if all(t.kind == "exact" for t in self.terms) and len(self.terms) > 1:
            return '"' + " ".join(t.text for t in self.terms) + '"'
        return " ".join(str(t) for t in self.terms)


@dataclass(frozen=True, slots=True)
class Near:
    """Two sequences within ``distance`` words of each other, in either order."""

    left: Sequence
    right: Sequence
    distance: int
    kind: str = "near"

    def __str__(self) -> str:
        return f"{self.left} NEAR/{self.distance} {self.right}"


@dataclass(frozen=True, slots=True)
class Regex:
    """A regular expression over the segment text."""

    pattern: str
    case_sensitive: bool = False
    kind: str = "regex"

    def compiled(self) -> re.Pattern[str]:
        """Return the compiled expression."""
        return re.compile(self.pattern, 0 if self.case_sensitive else re.IGNORECASE)

    def __str__(self) -> str:
        return f"/{self.pattern}/" + ("c" if self.case_sensitive else "")


Expr = Sequence | Near | Regex

_NEAR = re.compile(r"\s+NEAR/(\S*)\s+")
_GLOB_CHARS = re.compile(r"[*?]")


def _term(word: str) -> Term:
    if _GLOB_CHARS.search(word):
        fixed = _GLOB_CHARS.sub("", word)
        if len(fixed) < 2:
            raise PatternSyntaxError(
                f"the glob {word!r} needs at least 2 fixed letters; it would match too much"
            )
        return Term("glob", word.lower())
    if word != word.lower():
        return Term("case", word)
    return Term("lemma", word)


def _sequence(text: str) -> Sequence:
    if text.count('"') % 2:
        raise PatternSyntaxError(f"unbalanced double quote in {text!r}")
    terms: list[Term] = []
    for k, part in enumerate(text.split('"')):
        words = part.split()
        if k % 2:  # inside quotes
            if not words:
                raise PatternSyntaxError(f"empty quotes in {text!r}")
            terms += [Term("exact", w.lower()) for w in words]
        else:
            terms += [_term(w) for w in words]
    if not terms:
        raise PatternSyntaxError("the pattern is empty")
    return Sequence(tuple(terms))


def parse_pattern(text: str) -> Expr:
    """Parse one pattern as written in a codebook.

    Raises
    ------
    PatternSyntaxError
        With a sentence saying what is wrong and what is accepted.

    Examples
    --------
    >>> parse_pattern("payment by results").kind
    'phrase'
    >>> parse_pattern("privatis*")
    Sequence(terms=(Term(kind='glob', text='privatis*'),))
    >>> str(parse_pattern('contract NEAR/8 "third sector"'))
    'contract NEAR/8 "third sector"'
    >>> parse_pattern("/(unclosed/")
    Traceback (most recent call last):
    ...
    tr_discourse.codebook.patterns.PatternSyntaxError: the regular expression ...

    """
    if not isinstance(text, str):
        raise PatternSyntaxError(f"a pattern must be text, got {text!r}")
    text = text.strip()
    if not text:
        raise PatternSyntaxError("the pattern is empty")
    if text.startswith("/"):
        m = re.fullmatch(r"/(.*)/(c?)", text, flags=re.S)
        if m is None:
            raise PatternSyntaxError(
                f"a regular expression is written /expression/ (or /expression/c for "
                f"case-sensitive); got {text!r}"
            )
        if not m.group(1):
            raise PatternSyntaxError("the regular expression is empty")
        expr = Regex(m.group(1), case_sensitive=bool(m.group(2)))
        try:
            expr.compiled()
        except re.error as exc:
            raise PatternSyntaxError(
                f"the regular expression {text!r} does not compile: {exc}"
            ) from None
        if expr.compiled().search("") is not None:
            raise PatternSyntaxError(f"the regular expression {text!r} matches empty text")
        return expr
    parts = _NEAR.split(text)
    if len(parts) == 1:
        if re.search(r"\bNEAR\b", text):
            raise PatternSyntaxError(
                f"write proximity as 'word NEAR/n word' with a number n; got {text!r}"
            )
        return _sequence(text)
    if len(parts) != 3:
        raise PatternSyntaxError(f"a pattern may hold one NEAR/n, got {text!r}")
    left, distance, right = parts
    if not distance.isdigit() or not 1 <= int(distance) <= MAX_DISTANCE:
        raise PatternSyntaxError(
            f"NEAR/{distance}: the distance must be a whole number of words from 1 to "
            f"{MAX_DISTANCE}"
        )
    return Near(_sequence(left), _sequence(right), int(distance))
