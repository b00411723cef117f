"""REFI-QDA codebooks (``.qdc``): export to and import from NVivo, ATLAS.ti, MAXQDA, QualCoder.

A ``.qdc`` file holds codes with a name, colour, description and nesting, and
sets of codes. On export each code's description is written for people (the
definition, inclusion and exclusion criteria, examples) and ends with a block
headed ``[tr_discourse]`` that keeps the code's id, criteria, examples and
patterns, so that a file exported here imports back to the same codebook (same
content hash). Codebook name, version, authors and language travel in the
``origin`` attribute. Exclusive groups are written as sets. A ``.qdc`` from
another program imports with ids made from the code names and no patterns.
GUIDs are deterministic (UUID 5 of the codebook name and code id).
"""

from __future__ import annotations

import json
import uuid
from os import PathLike
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
import yaml

from .._version import __version__
from ..errors import FormatError
from ..io.write import atomic_write_bytes
from .load import codebook_from_data, make_code_id
from .model import Code, Codebook

__all__ = ["read_qdc", "write_qdc"]

NS = "urn:QDA-XML:codebook:1.0"
_Q = f"{{{NS}}}"
_MARK = "[tr_discourse]"
_GROUP_NOTE = "Mutually exclusive codes (tr_discourse exclusive group)."


def _guid(book: str, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tr_discourse:{book}:{key}"))


def _human_description(code: Code) -> str:
    parts = [code.description] if code.description else []
    for title, items in (("Include when:", code.include), ("Exclude when:", code.exclude),
                         ("Examples:", code.positive_examples),
                         ("Not examples:", code.negative_examples)):
        if items:
            parts.append(title + "\n" + "\n".join(f"- {i}" for i in items))
    return "\n\n".join(parts)




def write_qdc(book: Codebook, path: str | PathLike[str]) -> Path:
    """Write ``book`` as a REFI-QDA codebook (``.qdc``), valid against Codebook.xsd.

    Examples
    --------
    >>> import tempfile, pathlib, tr_discourse as trd
    >>> book = trd.load_codebook("tests/data/codebooks/small.yaml")
    >>> out = trd.write_qdc(book, pathlib.Path(tempfile.mkdtemp()) / "small.qdc")
    >>> trd.read_qdc(out).hash == book.hash
    True

    """
    ET.register_namespace("", NS)
    meta = {"name": book.name, "version": book.version, "authors": list(book.authors),
            "description": book.description, "language": book.language}
    origin = f"tr_discourse {__version__} {json.dumps(meta, ensure_ascii=False)}"
    root = ET.Element(f"{_Q}CodeBook", {"origin": origin})
    codes_el = ET.SubElement(root, f"{_Q}Codes")
    elements: dict[str, ET.Element] = {}
    for code in book.codes:  # parents may come after children in the file
        attrs = {"guid": _guid(book.name, code.id), "name": code.label, "isCodable": "true"}
        if code.color:
            attrs["color"] = code.color
        el = ET.Element(f"{_Q}Code", attrs)
        block = yaml.safe_dump({"id": code.id, **code.to_data()}, sort_keys=False,
                               allow_unicode=True, width=88)
        human = _human_description(code)
        ET.SubElement(el, f"{_Q}Description").text = (human + "\n\n" if human else "") + \
            f"{_MARK}\n{block}"
        elements[code.id] = el
    for code in book.codes:
        parent = elements.get(code.parent) if code.parent else codes_el
        parent.append(elements[code.id])  # type: ignore[union-attr]
    if book.exclusive_groups:
        sets = ET.SubElement(root, f"{_Q}Sets")
        for group, members in book.exclusive_groups.items():
            s = ET.SubElement(sets, f"{_Q}Set", {"guid": _guid(book.name, f"set:{group}"),
                                                "name": group})
            ET.SubElement(s, f"{_Q}Description").text = _GROUP_NOTE
            for m in members:
                ET.SubElement(s, f"{_Q}MemberCode", {"guid": _guid(book.name, m)})
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return atomic_write_bytes(Path(path), data)


def read_qdc(path: str | PathLike[str]) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) as a :class:`Codebook`.

    Codes exported by tr_discourse come back whole; codes from other programs
    get ids made from their names, their description, colour and nesting.
    """
    path = Path(path)
    try:
        root = SafeET.parse(str(path)).getroot()
    except ET.ParseError as exc:
        raise FormatError(f"not well-formed XML ({exc})", path=path,
                          line=exc.position[0]) from None
    if root.tag != f"{_Q}CodeBook":
        raise FormatError(f"a REFI-QDA codebook has the root <CodeBook xmlns=\"{NS}\">, "
                          f"found <{root.tag}>", path=path, line=1)
    meta: dict[str, Any] = {"name": path.stem, "version": "1"}
    origin = root.get("origin", "")
    if origin.startswith("tr_discourse") and "{" in origin:
        meta.update(json.loads(origin[origin.index("{"):]))
    else:
        meta["description"] = f"Imported from the REFI-QDA codebook {path.name}" + (
            f" ({origin})" if origin else "") + "."
    codes: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    by_guid: dict[str, str] = {}

    def walk(parent_el: ET.Element, parent: str | None) -> None:
        for el in parent_el.findall(f"{_Q}Code"):
            desc_el = el.find(f"{_Q}Description")
            desc = (desc_el.text or "") if desc_el is not None else ""
            name = el.get("name", "").strip()
            if _MARK in desc:
                spec = yaml.safe_load(desc.split(_MARK, 1)[1]) or {}
                code_id = spec.pop("id", None) or make_code_id(name, taken)
                taken.add(code_id)
                spec["label"] = name or spec.get("label", code_id)
            else:
                code_id = make_code_id(name, taken)
                spec = {"label": name or code_id, "description": desc.strip()}
                if el.get("color"):
                    spec["color"] = el.get("color")
            if parent:
                spec["parent"] = parent
            else:
                spec.pop("parent", None)
            codes[code_id] = spec
            by_guid[el.get("guid", "").strip("{}").lower()] = code_id
            walk(el, code_id)

    codes_el = root.find(f"{_Q}Codes")
    if codes_el is not None:
        walk(codes_el, None)
    groups = {}
    for s in root.iter(f"{_Q}Set"):
        desc_el = s.find(f"{_Q}Description")
        if desc_el is not None and desc_el.text == _GROUP_NOTE:
            groups[s.get("name", "group")] = [
                by_guid[m.get("guid", "").strip("{}").lower()]
                for m in s.findall(f"{_Q}MemberCode")
                if m.get("guid", "").strip("{}").lower() in by_guid
            ]
    data = {**meta, "codes": codes}
    if groups:
        data["exclusive_groups"] = groups
    return codebook_from_data(data, str(path))
