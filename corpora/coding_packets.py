"""Write coding packets: the units of documents as JSON Lines, for a human coder.

Each line is one coding unit: ``id`` (the segment id), ``doc``, ``kind``,
``speaker`` and ``text``, in reading order: the documents in the order given
(a corpus folder's in its own order), each document's units in order, without
the preamble before an interview's first turn. Interviews are cut into turns
and blog threads into post paragraphs, comments and replies (a corpus folder's
declared unit). Coders return JSON Lines rows ``{"id": SEGMENT_ID, "codes":
[CODE, ...]}``, one per unit in the packet's order (an empty list means
"examined, no code"), which ``tr_discourse.read_codings`` reads.

The inputs are corpus folders (with ``corpus.yaml``) or document files, such
as a writer's new documents before they join a corpus; ``--docs`` keeps only
the named documents.

Usage::

    python corpora/coding_packets.py corpora/tr_interviews --docs int01 int02 --out packet.jsonl
    python corpora/coding_packets.py new/int77.txt new/2021-09-x.txt --out packets/w32.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import tr_discourse as trd
from tr_discourse._text import decode_bytes, json_lines
from tr_discourse.io.write import atomic_write_text

#: The keys of a packet line, in order.
PACKET_KEYS = ("id", "doc", "kind", "speaker", "text")
#: The genres a packet takes (their units: interview turns; blog posts, comments, replies).
GENRES = ("interview", "blog")


def read_units(inputs: Sequence[str | Path], docs: Sequence[str] | None = None) -> pd.DataFrame:
    """Read the coding units of corpus folders or document files, in reading order.

    Parameters
    ----------
    inputs : sequence of str or Path
        Corpus folders (read with their ``corpus.yaml``) or document files.
    docs : sequence of str, optional
        The document ids to keep (default: all).

    Returns
    -------
    DataFrame
        The segments table without preambles.

    Raises
    ------
    ValueError
        When a document is not an interview or a blog thread, or a document
        of ``docs`` is not among the inputs.

    """
    corpus = trd.read_corpus(list(inputs))
    documents = corpus.documents
    other = documents[~documents["genre"].isin(GENRES)]
    if len(other):
        row = other.iloc[0]
        raise trd.FormatError(
            f"document {row['doc_id']!r} was read as genre {row['genre']!r} (format "
            f"{row['format']!r}); a coding packet takes the genres {', '.join(map(repr, GENRES))}"
            ": interview transcripts (a unit per turn) and blog threads (a unit per post "
            "paragraph, comment or reply)", path=row["source"])
    segments = corpus.segments
    if docs:
        unknown = [d for d in dict.fromkeys(docs) if d not in set(documents["doc_id"])]
        if unknown:
            raise ValueError(f"no document {', '.join(map(repr, unknown))} in "
                             f"{', '.join(map(str, inputs))}; the documents read: "
                             f"{', '.join(documents['doc_id'])}")
        segments = segments[segments["doc_id"].isin(docs)]
    return segments[segments["kind"] != "preamble"]


def packet_rows(units: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the packet lines of a segments table: one dict per unit, keys :data:`PACKET_KEYS`."""
    rows = units[["segment_id", "doc_id", "kind", "speaker", "text"]].astype(object)
    rows = rows.where(rows.notna(), None)
    return [dict(zip(PACKET_KEYS, row, strict=True))
            for row in rows.itertuples(index=False, name=None)]


def write_jsonl(rows: Iterable[dict[str, Any]], path: str | Path) -> Path:
    """Write one JSON object per line (UTF-8, not ASCII-escaped), atomically."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return atomic_write_text(path, text)


def read_jsonl(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """Return ``(line number, object)`` for each non-blank line of a JSON Lines file.

    Read as the library reads its own JSON Lines (``tr_discourse.read_codings``).

    Raises
    ------
    FormatError
        Naming the file and the line that cannot be decoded or is not a JSON object.

    """
    text = decode_bytes(Path(path).read_bytes(), path)
    return [(number, obj) for number, obj, _ in json_lines(text, path)]


def read_packet(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """Read a packet: ``(line number, unit)`` per unit, checked for keys and unique ids.

    Raises
    ------
    FormatError
        Naming the file and the line: a unit without the keys of
        :data:`PACKET_KEYS`, an id seen before, or no unit at all.

    """
    units = read_jsonl(path)
    if not units:
        raise trd.FormatError("no units; a packet has one JSON object per unit", path=path)
    first: dict[str, int] = {}
    for number, unit in units:
        if set(unit) != set(PACKET_KEYS):
            raise trd.FormatError(f"keys {', '.join(map(repr, unit))}; a packet unit has the "
                                  f"keys {', '.join(map(repr, PACKET_KEYS))}",
                                  path=path, line=number)
        if unit["id"] in first:
            raise trd.FormatError(f"unit {unit['id']!r} again (first on line "
                                  f"{first[unit['id']]}); each unit is listed once",
                                  path=path, line=number)
        first[unit["id"]] = number
    return units


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path,
                        help="corpus folders with corpus.yaml, or document files, in reading order")
    parser.add_argument("--docs", nargs="*", help="document ids to include (default: all)")
    parser.add_argument("--out", required=True, type=Path, help="the packet (.jsonl)")
    args = parser.parse_args(argv)
    try:
        units = read_units(args.inputs, args.docs)
        if units.empty:
            raise ValueError(f"no coding units in {', '.join(map(str, args.inputs))}")
        write_jsonl(packet_rows(units), args.out)
    except (ValueError, OSError) as exc:
        print(f"coding_packets.py: error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(units)} units from {units['doc_id'].nunique()} documents -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
