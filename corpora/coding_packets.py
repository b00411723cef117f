"""Write coding packets: the units of a corpus as JSON Lines, for a human coder.

Each line is one coding unit: ``id`` (the segment id), ``doc``, ``kind``,
``speaker`` and ``text``, in reading order. Coders return JSON Lines rows
``{"id": SEGMENT_ID, "codes": [CODE, ...]}`` (an empty list means "examined,
no code"), which ``tr_discourse.read_codings`` reads.

Usage::

    python corpora/coding_packets.py corpora/tr_interviews --docs int01 int02 --out packet.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import tr_discourse as trd


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="a corpus folder with corpus.yaml")
    parser.add_argument("--docs", nargs="*", help="document ids to include (default: all)")
    parser.add_argument("--out", required=True, help="the packet (.jsonl)")
    args = parser.parse_args(argv)
    segments = trd.read_corpus(args.corpus).segments
    if args.docs:
        unknown = sorted(set(args.docs) - set(segments["doc_id"]))
        if unknown:
            parser.error(f"no document {', '.join(unknown)} in {args.corpus}")
        segments = segments[segments["doc_id"].isin(args.docs)]
    segments = segments[segments["kind"] != "preamble"]
    rows = segments[["segment_id", "doc_id", "kind", "speaker", "text"]].astype(object)
    rows = rows.where(rows.notna(), None)
    lines = [json.dumps({"id": r.segment_id, "doc": r.doc_id, "kind": r.kind,
                         "speaker": r.speaker, "text": r.text}, ensure_ascii=False)
             for r in rows.itertuples()]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} units from {segments['doc_id'].nunique()} documents -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
