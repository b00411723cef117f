"""Codebook, Code and Pattern: frozen records of what each code means and how to find it."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .patterns import Expr

__all__ = ["Code", "Codebook", "Pattern"]


@dataclass(frozen=True)
class Pattern:
    """One pattern of a code, parsed, with its stable id and options.

    Attributes
    ----------
    id : str
        Stable id that evidence names (``"{code}:{pattern as written}"`` unless set).
    code : str
        The code the pattern finds.
    source : str
        The pattern as written.
    expr : Sequence, Near or Regex
        The parsed pattern (see :mod:`tr_discourse.codebook.patterns`).
    unless : tuple of str
        Exclusion contexts as written: a match inside one of them does not count.
    negation : bool
        Whether a match right after a negator does not count.

    """

    id: str
    code: str
    source: str
    expr: Expr
    unless: tuple[str, ...] = ()
    unless_exprs: tuple[Expr, ...] = ()
    negation: bool = False
    explicit_id: bool = False
    line: int | None = field(default=None, compare=False)

    @property
    def kind(self) -> str:
        """``lemma``, ``exact``, ``glob``, ``case``, ``phrase``, ``near`` or ``regex``."""
        return self.expr.kind

    def to_data(self) -> str | dict[str, Any]:
        """Return the pattern as a codebook file writes it (text when it has no options)."""
        if not (self.unless or self.negation or self.explicit_id):
            return self.source
        out: dict[str, Any] = {"match": self.source}
        if self.explicit_id:
            out["id"] = self.id
        if self.unless:
            out["unless"] = list(self.unless)
        if self.negation:
            out["negation"] = True
        return out


@dataclass(frozen=True)
class Code:
    """A code: its meaning for human coders and its patterns for the rule coder."""

    id: str
    label: str
    parent: str | None = None
    description: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    positive_examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    color: str | None = None
    patterns: tuple[Pattern, ...] = ()
    unless: tuple[str, ...] = ()
    unless_exprs: tuple[Expr, ...] = ()
    line: int | None = field(default=None, compare=False)

    def to_data(self) -> dict[str, Any]:
        """Return the code as a codebook file writes it (empty fields left out)."""
        out: dict[str, Any] = {"label": self.label}
        if self.parent:
            out["parent"] = self.parent
        if self.color:
            out["color"] = self.color
        if self.description:
            out["description"] = self.description
        if self.include:
            out["include"] = list(self.include)
        if self.exclude:
            out["exclude"] = list(self.exclude)
        examples = {}
        if self.positive_examples:
            examples["positive"] = list(self.positive_examples)
        if self.negative_examples:
            examples["negative"] = list(self.negative_examples)
        if examples:
            out["examples"] = examples
        if self.unless:
            out["unless"] = list(self.unless)
        if self.patterns:
            out["patterns"] = [p.to_data() for p in self.patterns]
        return out


@dataclass(frozen=True)
class Codebook(Mapping[str, Code]):
    """A validated codebook: a mapping of code ids to :class:`Code`.

    Make one with :func:`tr_discourse.load_codebook` (YAML), :func:`read_dictionary`
    (quanteda YAML, LIWC, Lexicoder) or :func:`read_qdc` (REFI-QDA).

    Examples
    --------
    >>> import tr_discourse as trd
    >>> book = trd.load_codebook("tests/data/codebooks/small.yaml")
    >>> book
    <Codebook 'Small test codebook' 1.0: 3 codes, 6 patterns, hash ...>
    >>> book.children("marketisation")
    ('payment_by_results',)

    """

    name: str
    version: str
    codes: tuple[Code, ...]
    authors: tuple[str, ...] = ()
    description: str = ""
    language: str = "en"
    exclusive_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str | None = field(default=None, compare=False)

    # ------------------------------------------------------------- mapping
    @cached_property
    def _by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self.codes}

    def __getitem__(self, code_id: str) -> Code:
        try:
            return self._by_id[code_id]
        except KeyError:
            known = ", ".join(repr(c) for c in self._by_id)
            raise KeyError(
                f"no code {code_id!r} in codebook {self.name!r}; codes: {known}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self.codes)

    def __hash__(self) -> int:
        return hash(self.hash)

    # ----------------------------------------------------------- hierarchy
    def children(self, code_id: str) -> tuple[str, ...]:
        """Ids of the codes whose parent is ``code_id``."""
        return tuple(c.id for c in self.codes if c.parent == code_id)

    def ancestors(self, code_id: str) -> tuple[str, ...]:
        """Ids of the parent, grandparent, ... of ``code_id``, nearest first."""
        out = []
        parent = self[code_id].parent
        while parent is not None:
            out.append(parent)
            parent = self[parent].parent
        return tuple(out)

    def descendants(self, code_id: str) -> tuple[str, ...]:
        """Ids of all codes below ``code_id``, depth first."""
        out: list[str] = []
        for child in self.children(code_id):
            out += [child, *self.descendants(child)]
        return tuple(out)

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        """Every pattern of every code, in file order."""
        return tuple(p for c in self.codes for p in c.patterns)

    def exclusive_group_of(self, code_id: str) -> str | None:
        """Return the mutually exclusive group a code belongs to, if any."""
        return next((g for g, ids in self.exclusive_groups.items() if code_id in ids), None)

    # ---------------------------------------------------------- provenance
    def to_data(self) -> dict[str, Any]:
        """Return the codebook as its YAML file holds it (plain dicts and lists)."""
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.authors:
            out["authors"] = list(self.authors)
        if self.description:
            out["description"] = self.description
        out["language"] = self.language
        if self.exclusive_groups:
            out["exclusive_groups"] = {g: list(ids) for g, ids in self.exclusive_groups.items()}
        out["codes"] = {c.id: c.to_data() for c in self.codes}
        return out

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the codebook's content (not of its file layout or comments)."""
        return _content_hash(self.to_data())

    @cached_property
    def definitions_hash(self) -> str:
        """SHA-256 of what human coders use: the codebook without its patterns.

        Codes, labels, parents, definitions, criteria, examples and exclusive
        groups, but not ``patterns``, ``unless`` or the version. Tuning the rule
        coder's patterns (and bumping the version for it) leaves it unchanged,
        so a human coding made with the codebook stays valid; changing a
        definition changes it.

        Examples
        --------
        >>> import tr_discourse as trd
        >>> book = trd.load_codebook("codebooks/tr_core.yaml")
        >>> len(book.definitions_hash), book.definitions_hash == book.hash
        (64, False)

        """
        data = self.to_data()
        data.pop("version", None)
        for code in data.get("codes", {}).values():
            code.pop("patterns", None)
            code.pop("unless", None)
        return _content_hash(data)

    def provenance(self) -> dict[str, str]:
        """Name, version and content hash: what every output made with it records."""
        return {"codebook": self.name, "codebook_version": self.version,
                "codebook_hash": self.hash}

    def to_yaml(self, path: Any = None) -> str:
        """Return the codebook as YAML, and write it to ``path`` if given (atomically)."""
        from .load import dump_yaml

        return dump_yaml(self, path)

    # ------------------------------------------------------------- display
    def __repr__(self) -> str:
        return (f"<Codebook {self.name!r} {self.version}: {len(self.codes)} codes, "
                f"{len(self.patterns)} patterns, hash {self.hash[:4]}...>")

    def _repr_html_(self) -> str:
        rows = []
        for c in self.codes:
            depth = len(self.ancestors(c.id))
            swatch = (f'<span style="display:inline-block;width:0.9em;height:0.9em;'
                      f'background:{c.color}"></span> ' if c.color else "")
            rows.append(
                f"<tr><td style='padding-left:{depth * 1.2 + 0.3}em'>{swatch}"
                f"<code>{html.escape(c.id)}</code></td><td>{html.escape(c.label)}</td>"
                f"<td>{len(c.patterns)}</td><td>{html.escape(c.description[:120])}</td></tr>"
            )
        title = f"{html.escape(self.name)} {html.escape(self.version)}"
        return (f"<div><strong>Codebook</strong> {title}"
                f" (hash <code>{self.hash[:12]}</code>)<table><tr><th>code</th><th>label</th>"
                f"<th>patterns</th><th>description</th></tr>{''.join(rows)}</table></div>")


def _content_hash(data: Any) -> str:
    """SHA-256 of data written as canonical JSON (sorted keys)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
