"""Import existing coding dictionaries as codebooks.

Formats (as quanteda reads them): quanteda/YAML dictionaries (``.yml``,
``.yaml``), LIWC (``.dic``), Lexicoder (``.lc3``, ``.lcd``) and WordStat
(``.cat``). Categories become codes (nested categories become child codes) and
entries become patterns with the dictionaries' own meaning: entries are matched
case-insensitively as written (``"more"``), ``*`` and ``?`` are globs, and
multi-word entries are phrases. Nothing is lemmatised, so an imported
dictionary codes what it coded in quanteda.
"""

from __future__ import annotations

import re
import warnings
from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from .._text import read_text
from ..errors import FormatWarning, unknown_name
from .load import CodebookError, Problem, codebook_from_data, make_code_id
from .model import Codebook

__all__ = ["DICTIONARY_FORMATS", "read_dictionary"]

#: Dictionary formats by name, with their file extensions.
DICTIONARY_FORMATS = {
    "yaml": (".yml", ".yaml"),
    "liwc": (".dic",),
    "lexicoder": (".lc3", ".lcd"),
    "wordstat": (".cat",),
}


def entry_to_pattern(entry: str) -> str:
    """Write a dictionary entry in the pattern language, keeping its meaning.

    Examples
    --------
    >>> entry_to_pattern("Contract*"), entry_to_pattern("payment by results")
    ('contract*', '"payment by results"')
    >>> entry_to_pattern("supply chain*")
    '"supply" chain*'

    """
    words = entry.lower().replace('"', "").split()
    if all(not re.search(r"[*?]", w) for w in words):
        return '"' + " ".join(words) + '"'
    return " ".join(w if re.search(r"[*?]", w) else f'"{w}"' for w in words)


class _Tree:
    """Categories in file order with their entries and parents."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, Any]] = {}
        self.taken: set[str] = set()

    def add(self, name: str, parent: str | None) -> str:
        code_id = make_code_id(name, self.taken, parent)
        spec: dict[str, Any] = {"label": name.strip(), "patterns": []}
        if parent:
            spec["parent"] = parent
        self.codes[code_id] = spec
        return code_id

    def entry(self, code_id: str, entry: str) -> None:
        pattern = entry_to_pattern(entry)
        if pattern not in self.codes[code_id]["patterns"]:
            self.codes[code_id]["patterns"].append(pattern)

    def book(self, path: Path, fmt: str) -> Codebook:
        data = {"name": path.stem, "version": "1",
                "description": f"Imported from the {fmt} dictionary {path.name}.",
                "codes": self.codes}
        return codebook_from_data(data, str(path))


def _read_yaml(path: Path, tree: _Tree) -> None:
    data = yaml.safe_load(read_text(path))
    if not isinstance(data, dict):
        raise CodebookError([Problem(str(path), 1, None,
                                     "a YAML dictionary maps category names to lists of entries")])

    def walk(mapping: dict, parent: str | None) -> None:
        for name, value in mapping.items():
            code_id = tree.add(str(name), parent)
            if isinstance(value, dict):
                walk(value, code_id)
            else:
                for entry in [value] if isinstance(value, str) else value or []:
                    tree.entry(code_id, str(entry))

    walk(data, None)


def _read_liwc(path: Path, tree: _Tree) -> None:
    lines = read_text(path).split("\n")
    marks = [k for k, line in enumerate(lines) if line.strip() == "%"]
    if len(marks) < 2:
        raise CodebookError([Problem(str(path), 1, None,
                                     "a LIWC dictionary starts with a category legend between "
                                     "two lines holding only '%'")])
    ids: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for k in range(marks[0] + 1, marks[1]):
        line = lines[k]
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split(None, 1)
        if len(parts) != 2:
            raise CodebookError([Problem(str(path), k + 1, None,
                                         f"a legend line is 'number<TAB>category', got {line!r}")])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        code_id = tree.add(parts[1], stack[-1][1] if stack else None)
        ids[parts[0]] = code_id
        stack.append((depth, code_id))
    problems: list[Problem] = []
    skipped = 0
    for k in range(marks[1] + 1, len(lines)):
        line = lines[k].strip()
        if not line:
            continue
        if "<" in line or "(" in line:  # LIWC's conditional and <of> entries
            skipped += 1
            continue
        tokens = line.split()
        n_ids = 0
        while n_ids < len(tokens) - 1 and tokens[-1 - n_ids].isdigit():
            n_ids += 1
        if n_ids == 0:
            problems.append(Problem(str(path), k + 1, None,
                                    f"an entry is 'word<TAB>category number(s)', got {line!r}"))
            continue
        entry = " ".join(tokens[: len(tokens) - n_ids])
        for cat in tokens[len(tokens) - n_ids:]:
            if cat not in ids:
                problems.append(Problem(str(path), k + 1, None,
                                        f"entry {entry!r} names category {cat}, which the legend "
                                        f"does not define (defined: {', '.join(ids)})"))
            else:
                tree.entry(ids[cat], entry)
    if problems:
        raise CodebookError(problems)
    if skipped:
        warnings.warn(f"{path}: left out {skipped} conditional LIWC entries (with '<' or '('), "
                      "which have no equivalent in the pattern language", FormatWarning,
                      stacklevel=3)


def _read_lexicoder(path: Path, tree: _Tree) -> None:
    current = None
    for k, line in enumerate(read_text(path).split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("+"):
            current = tree.add(line[1:], None)
        elif current is None:
            raise CodebookError([Problem(str(path), k, None,
                                         f"entry {line!r} comes before any '+category' line")])
        else:
            tree.entry(current, line)


def _read_wordstat(path: Path, tree: _Tree) -> None:
    stack: list[tuple[int, str]] = []
    for k, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        text = line.strip()
        entry = re.fullmatch(r"(.+?)\s*\(\d+\)", text)
        if entry:
            if not stack:
                raise CodebookError([Problem(str(path), k, None,
                                             f"entry {text!r} comes before any category")])
            tree.entry(stack[-1][1], entry.group(1))
            continue
        while stack and stack[-1][0] >= depth:
            stack.pop()
        code_id = tree.add(text, stack[-1][1] if stack else None)
        stack.append((depth, code_id))


_READERS = {"yaml": _read_yaml, "liwc": _read_liwc, "lexicoder": _read_lexicoder,
            "wordstat": _read_wordstat}


def read_dictionary(path: str | PathLike[str], format: str | None = None) -> Codebook:
    """Read a coding dictionary as a :class:`Codebook`.

    Parameters
    ----------
    path : str or path-like
        The dictionary file.
    format : {'yaml', 'liwc', 'lexicoder', 'wordstat'}, optional
        Default: by extension (.yml/.yaml, .dic, .lc3/.lcd, .cat).

    Examples
    --------
    >>> import tr_discourse as trd
    >>> book = trd.read_dictionary("tests/data/dictionaries/tr.lc3")
    >>> [p.source for p in book["marketisation"].patterns]
    ['contract*', '"payment by results"', '"shareholders"']

    """
    path = Path(path)
    if format is None:
        ext = path.suffix.lower()
        format = next((f for f, exts in DICTIONARY_FORMATS.items() if ext in exts), None)
        if format is None:
            raise unknown_name("dictionary extension", ext or "(none)",
                               [e for exts in DICTIONARY_FORMATS.values() for e in exts])
    if format not in _READERS:
        raise unknown_name("dictionary format", format, _READERS)
    tree = _Tree()
    _READERS[format](path, tree)
    return tree.book(path, format)
