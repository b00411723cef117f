"""Loading, validating and writing YAML codebooks.

Loading reports every problem at once, each with the file, line, code id and what
is wrong: unknown keys (with a suggestion), duplicate ids, a missing parent, a
cycle, a pattern that does not parse (bad regular expression, empty pattern, bad
NEAR distance), a code in two exclusive groups, a bad colour.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import TrDiscourseError
from ..io.write import atomic_write_text
from .model import Code, Codebook, Pattern
from .patterns import PatternSyntaxError, parse_pattern

__all__ = ["CodebookError", "Problem", "codebook_from_data", "load_codebook"]

TOP_KEYS = ("name", "version", "authors", "description", "language", "exclusive_groups", "codes")
CODE_KEYS = ("label", "parent", "description", "include", "exclude", "examples", "color",
             "patterns", "unless")
EXAMPLE_KEYS = ("positive", "negative")
PATTERN_KEYS = ("match", "id", "unless", "negation")
_CODE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


@dataclass(frozen=True)
class Problem:
    """One problem found in a codebook."""

    path: str | None
    line: int | None
    code: str | None
    message: str

    def __str__(self) -> str:
        where = [self.path or "<codebook>"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.code is not None:
            where.append(f"code {self.code!r}")
        return f"{', '.join(where)}: {self.message}"


class CodebookError(TrDiscourseError, ValueError):
    """A codebook has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the codebook:"
        super().__init__("\n".join([head, *(f"  {p}" for p in problems)]))


# --------------------------------------------------------------- YAML with lines
class _LDict(dict):
    line: int = 0
    key_lines: dict[str, int]


class _LList(list):
    line: int = 0
    item_lines: list[int]


def _to_python(node: yaml.Node, loader: yaml.SafeLoader, report, parent_key: str = "") -> Any:
    if isinstance(node, yaml.MappingNode):
        out = _LDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                what = "code id" if parent_key == "codes" else "key"
                report(line, key if parent_key == "codes" else None,
                       f"duplicate {what} {key!r} (first on line {out.key_lines[key]})")
                continue
            out[key] = _to_python(value_node, loader, report, key)
            out.key_lines[key] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = _LList(_to_python(n, loader, report) for n in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [n.start_mark.line + 1 for n in node.value]
        return seq
    return loader.construct_object(node, deep=True)


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint} Allowed keys: {', '.join(allowed)}."


# ----------------------------------------------------------------- validation
class _Builder:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line: int | None, code: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, code, message))

    def check_keys(self, mapping: Any, allowed: tuple[str, ...], code: str | None) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(_line_of(mapping, key), code, _suggest(key, allowed))

    def strings(self, value: Any, line: int | None, code: str | None, what: str
                ) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.problem(line, code, f"{what} must be a text or a list of texts, got {value!r}")
        return ()

    def text(self, value: Any, line: int | None, code: str | None, what: str) -> str:
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        self.problem(line, code, f"{what} must be text, got {value!r}")
        return ""

    def pattern(self, item: Any, line: int | None, code: str) -> Pattern | None:
        options: dict[str, Any] = {}
        if isinstance(item, dict):
            self.check_keys(item, PATTERN_KEYS, code)
            if "match" not in item:
                self.problem(line, code, "a pattern written as a mapping needs 'match: PATTERN'")
                return None
            options = item
            item = item["match"]
        if not isinstance(item, str):
            self.problem(line, code, f"a pattern must be text, got {item!r}")
            return None
        try:
            expr = parse_pattern(item)
        except PatternSyntaxError as exc:
            self.problem(line, code, f"pattern {item!r}: {exc}")
            return None
        unless = self.strings(options.get("unless"), line, code, "'unless'")
        unless_exprs = []
        for u in unless:
            try:
                unless_exprs.append(parse_pattern(u))
            except PatternSyntaxError as exc:
                self.problem(line, code, f"exclusion context {u!r} of pattern {item!r}: {exc}")
        negation = options.get("negation", False)
        if not isinstance(negation, bool):
            self.problem(line, code, f"'negation' must be true or false, got {negation!r}")
            negation = False
        explicit = "id" in options
        pid = options.get("id") if explicit else f"{code}:{item.strip()}"
        if not isinstance(pid, str) or not pid.strip():
            self.problem(line, code, f"a pattern id must be non-empty text, got {pid!r}")
            return None
        return Pattern(pid, code, item.strip(), expr, unless, tuple(unless_exprs), negation,
                       explicit, line)


def make_code_id(name: str, taken: set[str], parent: str | None = None) -> str:
    """Make a unique code id from a category or code name (and record it in ``taken``).

    Examples
    --------
    >>> taken = set()
    >>> make_code_id("Payment by Results", taken), make_code_id("2nd tier", taken)
    ('payment_by_results', 'c_2nd_tier')
    >>> make_code_id("profit", {"profit"}, parent="markets")
    'markets_profit'

    """
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "code"
    if not slug[0].isalpha():
        slug = f"c_{slug}"
    if slug in taken and parent:
        slug = f"{parent}_{slug}"
    base, k = slug, 2
    while slug in taken:
        slug, k = f"{base}_{k}", k + 1
    taken.add(slug)
    return slug


def _line_of(mapping: Any, key: str) -> int | None:
    lines = getattr(mapping, "key_lines", None)
    return lines.get(key) if lines else None


def codebook_from_data(data: Any, source: str | None = None) -> Codebook:
    """Validate codebook data (as parsed from YAML) and build a :class:`Codebook`.

    Raises
    ------
    CodebookError
        Listing every problem found.

    """
    b = _Builder(source)
    if not isinstance(data, dict):
        raise CodebookError([Problem(source, 1, None,
                                     "a codebook is a mapping with 'name', 'version' and 'codes'")])
    b.check_keys(data, TOP_KEYS, None)
    for required in ("name", "version", "codes"):
        if required not in data:
            b.problem(getattr(data, "line", None), None, f"the codebook needs {required!r}")
    name = b.text(data.get("name"), _line_of(data, "name"), None, "'name'")
    version = b.text(data.get("version"), _line_of(data, "version"), None, "'version'")
    authors = b.strings(data.get("authors"), _line_of(data, "authors"), None, "'authors'")
    description = b.text(data.get("description"), _line_of(data, "description"), None,
                         "'description'")
    language = b.text(data.get("language", "en"), _line_of(data, "language"), None,
                      "'language'") or "en"
    raw_codes = data.get("codes") or {}
    if not isinstance(raw_codes, dict):
        b.problem(_line_of(data, "codes"), None, "'codes' must be a mapping of code ids to codes")
        raw_codes = {}
    elif "codes" in data and not raw_codes:
        b.problem(_line_of(data, "codes"), None, "'codes' is empty")
    codes: list[Code] = []
    pattern_ids: dict[str, tuple[str, int | None]] = {}
    for code_id, spec in raw_codes.items():
        line = _line_of(raw_codes, code_id)
        if not _CODE_ID.match(code_id):
            b.problem(line, code_id, "a code id starts with a letter and holds only letters, "
                      "digits, '_' and '-'")
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            b.problem(line, code_id, f"a code is a mapping of keys to values, got {spec!r}")
            continue
        b.check_keys(spec, CODE_KEYS, code_id)
        examples = spec.get("examples") or {}
        if isinstance(examples, dict):
            b.check_keys(examples, EXAMPLE_KEYS, code_id)
        else:
            b.problem(_line_of(spec, "examples"), code_id,
                      "'examples' is a mapping with 'positive' and 'negative' lists")
            examples = {}
        color = spec.get("color")
        if color is not None and (not isinstance(color, str) or not _COLOR.match(color)):
            b.problem(_line_of(spec, "color"), code_id,
                      f"colour {color!r} is not #RRGGBB or #RGB (for example '#1b9e77')")
            color = None
        parent = spec.get("parent")
        if parent is not None and not isinstance(parent, str):
            b.problem(_line_of(spec, "parent"), code_id,
                      f"'parent' must be a code id, got {parent!r}")
            parent = None
        patterns = []
        raw_patterns = spec.get("patterns") or []
        if not isinstance(raw_patterns, list):
            b.problem(_line_of(spec, "patterns"), code_id, "'patterns' must be a list")
            raw_patterns = []
        item_lines = getattr(raw_patterns, "item_lines", [None] * len(raw_patterns))
        for item, item_line in zip(raw_patterns, item_lines, strict=True):
            p = b.pattern(item, item_line, code_id)
            if p is None:
                continue
            if p.id in pattern_ids:
                first_code, first_line = pattern_ids[p.id]
                b.problem(item_line, code_id, f"duplicate pattern id {p.id!r} (first in code "
                          f"{first_code!r}, line {first_line})")
                continue
            pattern_ids[p.id] = (code_id, item_line)
            patterns.append(p)
        unless = b.strings(spec.get("unless"), _line_of(spec, "unless"), code_id, "'unless'")
        unless_exprs = []
        for u in unless:
            try:
                unless_exprs.append(parse_pattern(u))
            except PatternSyntaxError as exc:
                b.problem(_line_of(spec, "unless"), code_id, f"exclusion context {u!r}: {exc}")
        codes.append(Code(
            id=code_id,
            label=b.text(spec.get("label"), _line_of(spec, "label"), code_id, "'label'")
            or code_id.replace("_", " ").capitalize(),
            parent=parent,
            description=b.text(spec.get("description"), _line_of(spec, "description"), code_id,
                               "'description'"),
            include=b.strings(spec.get("include"), _line_of(spec, "include"), code_id,
                              "'include'"),
            exclude=b.strings(spec.get("exclude"), _line_of(spec, "exclude"), code_id,
                              "'exclude'"),
            positive_examples=b.strings(examples.get("positive"), _line_of(examples, "positive"),
                                        code_id, "'positive' examples"),
            negative_examples=b.strings(examples.get("negative"), _line_of(examples, "negative"),
                                        code_id, "'negative' examples"),
            color=color,
            patterns=tuple(patterns),
            unless=unless,
            unless_exprs=tuple(unless_exprs),
            line=line,
        ))
    ids = {c.id for c in codes}
    by_id = {c.id: c for c in codes}
    for c in codes:
        if c.parent is not None and c.parent not in ids:
            b.problem(_line_of(raw_codes.get(c.id, {}), "parent"), c.id,
                      f"parent {c.parent!r} is not a code of this codebook")
    reported: set[str] = set()
    for c in codes:
        seen = [c.id]
        parent = c.parent
        while parent is not None and parent in by_id:
            if parent in seen:
                cycle = [*seen[seen.index(parent):], parent]
                if not reported & set(cycle):
                    b.problem(c.line, c.id, "the parents form a cycle: " + " -> ".join(cycle))
                    reported |= set(cycle)
                break
            seen.append(parent)
            parent = by_id[parent].parent
    groups: dict[str, tuple[str, ...]] = {}
    raw_groups = data.get("exclusive_groups") or {}
    if not isinstance(raw_groups, dict):
        b.problem(_line_of(data, "exclusive_groups"), None,
                  "'exclusive_groups' maps a group name to a list of code ids")
        raw_groups = {}
    member_of: dict[str, str] = {}
    for group, members in raw_groups.items():
        line = _line_of(raw_groups, group)
        members = b.strings(members, line, None, f"exclusive group {group!r}")
        if len(members) < 2:
            b.problem(line, None, f"exclusive group {group!r} needs at least two codes")
        for m in members:
            if m not in ids:
                b.problem(line, m, f"exclusive group {group!r} names a code that does not exist")
            elif m in member_of:
                b.problem(line, m, f"the code is in two exclusive groups, {member_of[m]!r} and "
                          f"{group!r}; a code may be in one")
            else:
                member_of[m] = group
        groups[group] = members
    if b.problems:
        raise CodebookError(b.problems)
    return Codebook(name=name, version=version, codes=tuple(codes), authors=authors,
                    description=description, language=language, exclusive_groups=groups,
                    source=source)


def load_codebook(path: str | os.PathLike[str]) -> Codebook:
    """Load and validate a YAML codebook.

    Parameters
    ----------
    path : str or path-like
        The YAML file (format: docs/codebook.md).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Every problem in the file, each with its line and code id.

    Examples
    --------
    >>> import tr_discourse as trd
    >>> book = trd.load_codebook("tests/data/codebooks/small.yaml")
    >>> [p.id for p in book["marketisation"].patterns][:2]
    ['marketisation:contract', 'mkt-market']

    """
    path = Path(path)
    source = str(path)
    text = path.read_text(encoding="utf-8-sig")
    problems: list[Problem] = []

    def report(line: int, code: str | None, message: str) -> None:
        problems.append(Problem(source, line, code, message))

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = _to_python(node, loader, report) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CodebookError([Problem(source, None if mark is None else mark.line + 1, None,
                                     f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    finally:
        loader.dispose()
    try:
        book = codebook_from_data(data, source)
    except CodebookError as exc:
        raise CodebookError(problems + exc.problems) from None
    if problems:
        raise CodebookError(problems)
    return book


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(book: Codebook, path: str | os.PathLike[str] | None = None) -> str:
    """Return ``book`` as YAML text; write it atomically to ``path`` when given."""
    text = yaml.dump(book.to_data(), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=88)
    if path is not None:
        atomic_write_text(path, text)
    return text
