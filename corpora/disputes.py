"""Write the units of a coding packet that two coders coded differently, for an adjudicator.

Each coder's file holds one JSON Lines row ``{"id": SEGMENT_ID, "codes": [CODE,
...]}`` per unit of the packet, in the packet's order (see
``coding_packets.py``), with codes of the codebook. A unit is disputed when the
two sets of codes differ. Each disputed unit is written as its packet line
with ``context_before`` (up to three preceding units of the same document: id,
speaker, kind and the first 700 characters of the text), ``coder_a``,
``coder_b`` and ``both`` (the codes both gave), each list sorted. The
adjudicator returns a CSV ``segment_id,codes,rule,note`` (see
``merge_codings.py``).

Usage::

    python corpora/disputes.py packets/w32.jsonl --coder-a codings/w32_coder_a.jsonl \
        --coder-b codings/w32_coder_b.jsonl --out disputes/w32.jsonl
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from coding_packets import read_jsonl, read_packet, write_jsonl

import tr_discourse as trd

#: How many preceding units of the same document a dispute shows, and how much of each.
CONTEXT_UNITS, CONTEXT_CHARS = 3, 700
CODEBOOK = Path(__file__).resolve().parent.parent / "codebooks" / "tr_core.yaml"
_SHAPE = 'a coding has one line {"id": SEGMENT_ID, "codes": [CODE, ...]} per unit of the packet'


def read_coding(path: str | Path, packet: str | Path, units: list[tuple[int, dict[str, Any]]],
                codes: Collection[str], *, coder: str) -> pd.DataFrame:
    """Read one coder's coding of a packet, checked line by line against the packet.

    Parameters
    ----------
    path : str or Path
        The coder's JSON Lines file.
    packet : str or Path
        The packet's file (named in errors).
    units : list of (int, dict)
        The packet's units, as :func:`coding_packets.read_packet` returns them.
    codes : collection of str
        The codebook's code ids.
    coder : str
        The coder's name, put in the table's ``coder`` column.

    Returns
    -------
    DataFrame
        The codings table, as ``tr_discourse.read_codings`` reads the file.

    Raises
    ------
    FormatError
        Naming the file and line: a row not of that shape, a segment other than
        the packet's unit at that place, a unit left out, or an unknown code.

    """
    lines = read_jsonl(path)
    seen: dict[str, int] = {}
    ids = {unit["id"]: n for n, unit in units}
    for k, (number, row) in enumerate(lines):
        codes_ = row.get("codes")
        if "id" not in row or not isinstance(codes_, list) or \
                not all(isinstance(c, str) for c in codes_):
            raise trd.FormatError(f"got {json.dumps(row, ensure_ascii=False)[:80]}; {_SHAPE}",
                                  path=path, line=number)
        got = row["id"]
        if k >= len(units) or got != units[k][1]["id"]:
            if got in seen:
                why = f"segment {got!r} again (first on line {seen[got]})"
            elif got not in ids:
                why = f"segment {got!r} is not a unit of {packet}"
            else:
                why = (f"segment {got!r} where {packet}, line {units[k][0]}, has "
                       f"{units[k][1]['id']!r}")
            raise trd.FormatError(f"{why}; {_SHAPE}, in its order", path=path, line=number)
        seen[got] = number
        for code in codes_:
            if code not in codes:
                near = difflib.get_close_matches(code, codes, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise trd.FormatError(f"unknown code {code!r} for segment {got!r}{hint}; "
                                      f"known codes: {', '.join(sorted(codes))}",
                                      path=path, line=number)
    if len(lines) < len(units):
        number, unit = units[len(lines)]
        raise trd.FormatError(f"codes {len(lines)} of the {len(units)} units of {packet}; the "
                              f"first not coded is {unit['id']!r} ({packet}, line {number}); "
                              f"{_SHAPE}", path=path)
    return trd.read_codings(path, coder=coder).assign(coder=coder)


def read_packet_codings(packet: str | Path, codings: Mapping[str, str | Path],
                        codes: Collection[str]) -> tuple[list[dict[str, Any]],
                                                         dict[str, pd.DataFrame]]:
    """Read a packet and each coder's coding of it (``{coder: path}``), all checked.

    Returns
    -------
    units : list of dict
        The packet's units, in order.
    tables : dict of str to DataFrame
        Each coder's codings table.

    """
    units = read_packet(packet)
    tables = {coder: read_coding(path, packet, units, codes, coder=coder)
              for coder, path in codings.items()}
    return [unit for _, unit in units], tables


def find_disputes(units: list[dict[str, Any]], a: Mapping[str, Collection[str]],
                  b: Mapping[str, Collection[str]]) -> list[dict[str, Any]]:
    """Return the units whose codes differ between ``a`` and ``b``, with their context.

    Examples
    --------
    >>> units = [{"id": f"d:t00{i}", "doc": "d", "kind": "turn", "speaker": "P1",
    ...           "text": f"unit {i}"} for i in (1, 2)]
    >>> [(d["id"], d["coder_a"], d["coder_b"], d["both"], len(d["context_before"]))
    ...  for d in find_disputes(units, {"d:t001": [], "d:t002": ["x", "y"]},
    ...                         {"d:t001": [], "d:t002": ["y"]})]
    [('d:t002', ['x', 'y'], ['y'], ['y'], 1)]

    """
    out = []
    for i, unit in enumerate(units):
        mine, theirs = set(a[unit["id"]]), set(b[unit["id"]])
        if mine == theirs:
            continue
        context = [{"id": q["id"], "speaker": q["speaker"], "kind": q["kind"],
                    "text": q["text"][:CONTEXT_CHARS]}
                   for q in units[max(0, i - CONTEXT_UNITS):i] if q["doc"] == unit["doc"]]
        out.append({**unit, "context_before": context, "coder_a": sorted(mine),
                    "coder_b": sorted(theirs), "both": sorted(mine & theirs)})
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packet", type=Path, help="the packet (.jsonl)")
    parser.add_argument("--coder-a", required=True, type=Path, help="coder A's coding (.jsonl)")
    parser.add_argument("--coder-b", required=True, type=Path, help="coder B's coding (.jsonl)")
    parser.add_argument("--codebook", type=Path, default=CODEBOOK,
                        help="the codebook (default: codebooks/tr_core.yaml)")
    parser.add_argument("--out", required=True, type=Path, help="the disputed units (.jsonl)")
    args = parser.parse_args(argv)
    try:
        codes = {code.id for code in trd.load_codebook(args.codebook).codes}
        units, tables = read_packet_codings(
            args.packet, {"coder_a": args.coder_a, "coder_b": args.coder_b}, codes)
        disputes = find_disputes(units, *(trd.coded_sets(t) for t in tables.values()))
        write_jsonl(disputes, args.out)
    except (ValueError, OSError) as exc:
        print(f"disputes.py: error: {exc}", file=sys.stderr)
        return 2
    same = len(units) - len(disputes)
    print(f"{args.packet}: {len(units)} units, agreed exactly on {same} "
          f"({same / len(units):.1%}), {len(disputes)} disputed -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
