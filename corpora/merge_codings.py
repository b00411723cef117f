"""Add a coded packet to the sample corpora: coder A's and B's codings and the adjudication.

Once a packet's documents are in the corpus folders, this appends its units'
codings to each corpus's ``codings/coder_a.csv`` and ``codings/coder_b.csv`` and
the adjudicator's decisions to ``codings/adjudication.csv`` (the paths its
``corpus.yaml`` names), each unit to the corpus that holds its document. The
adjudication is a CSV ``segment_id,codes,rule,note`` with one row per disputed
unit (see ``disputes.py``): ``codes`` separated by ``;`` (empty for none), one
rule of ``adjudication_rules.md`` (R1 to R8) and a note. A decision keeps the
codes both coders gave, adds only codes one of them gave, and lists a child
code's parent.

Everything is checked before anything is written: the codings against the
packet and the codebook, the decisions against the disputes, and no unit may
already be in a corpus's files. A unit whose text in the corpus is not the
packet's (its document was edited after it was coded) stops the merge unless
``--accept-edits`` is given, which lists such units. Each file is written whole
to a temporary file beside it and then moved into place. Then rebuild the
reference with ``adjudicate.py``.

Usage::

    python corpora/merge_codings.py corpora/tr_interviews corpora/tr_blog \
        --packet packets/w32.jsonl --coder-a codings/w32_coder_a.jsonl \
        --coder-b codings/w32_coder_b.jsonl --adjudication adjudication/w32.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from disputes import read_packet_codings

import tr_discourse as trd
from tr_discourse.io.write import atomic_write_text
from tr_discourse.sample import corpus_config

ADJUDICATION_COLUMNS = ["segment_id", "codes", "rule", "note"]
#: The rules of adjudication_rules.md.
RULES = tuple(f"R{n}" for n in range(1, 9))
CODERS = ("coder_a", "coder_b")


def read_adjudication(path: str | Path, packet: str | Path,
                      disputed: Mapping[str, tuple[frozenset[str], frozenset[str]]],
                      book: trd.Codebook) -> pd.DataFrame:
    """Read an adjudication CSV, checked to decide each disputed unit once, by the rules.

    Parameters
    ----------
    path : str or Path
        The adjudicator's CSV (``segment_id,codes,rule,note``).
    packet : str or Path
        The packet (named in errors).
    disputed : mapping
        ``{segment_id: (coder A's codes, coder B's codes)}`` of the disputed units.
    book : Codebook
        The codebook.

    Raises
    ------
    ValueError
        Naming the file, the row (the first row under the header is row 1), the
        value and what is accepted.

    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != ADJUDICATION_COLUMNS:
        raise ValueError(f"{path}: columns {', '.join(table.columns)}; an adjudication has "
                         f"the columns {','.join(ADJUDICATION_COLUMNS)}")
    known, seen = {c.id for c in book.codes}, {}
    for n, row in enumerate(table.itertuples(index=False), 1):
        sid, codes = row.segment_id, [c for c in row.codes.split(";") if c]
        where = f"{path}, row {n}: segment {sid!r}"
        if sid in seen:
            raise ValueError(f"{where} again (first on row {seen[sid]}); "
                             "each disputed unit is decided once")
        if sid not in disputed:
            raise ValueError(f"{where} is not a disputed unit of {packet}; "
                             f"the disputed units: {', '.join(disputed) or '(none)'}")
        seen[sid] = n
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(f"{where}: unknown code {unknown[0]!r}; "
                             f"known codes: {', '.join(sorted(known))}")
        if row.rule not in RULES:
            raise ValueError(f"{where}: rule {row.rule!r}; accepted: {', '.join(RULES)} "
                             "(adjudication_rules.md)")
        if not row.note.strip():
            raise ValueError(f"{where}: empty note; each decision says why in a note")
        _check_decision(where, set(codes), *disputed[sid], book)
    missing = [s for s in disputed if s not in seen]
    if missing:
        raise ValueError(f"{path}: decides {len(seen)} of the {len(disputed)} disputed units of "
                         f"{packet}; no decision for {', '.join(map(repr, missing))}")
    return table


def _check_decision(where: str, decided: set[str], a: frozenset[str], b: frozenset[str],
                    book: trd.Codebook) -> None:
    """Raise ValueError unless ``decided`` keeps a & b, stays in a | b and lists parents."""
    dropped, added = sorted((a & b) - decided), sorted(decided - (a | b))
    orphans = sorted(f"{c} without {p}" for c in decided for p in book.ancestors(c)
                     if p not in decided)
    if dropped:
        raise ValueError(f"{where}: drops {', '.join(dropped)}, which both coders gave; "
                         "a decision keeps the codes both gave")
    if added:
        raise ValueError(f"{where}: adds {', '.join(added)}, which neither coder gave; a "
                         "decision settles only the codes one coder gave "
                         f"({', '.join(sorted(a ^ b))})")
    if orphans:
        raise ValueError(f"{where}: {', '.join(orphans)}; a decision lists a child code's parent")


def _codebook(folders: list[Path]) -> trd.Codebook:
    paths = {(f / corpus_config(f).get("codebook", "../../codebooks/tr_core.yaml")).resolve()
             for f in folders}
    if len(paths) != 1:
        raise ValueError(f"the corpora name different codebooks ({', '.join(map(str, paths))}); "
                         "merge into corpora coded with one codebook")
    return trd.load_codebook(paths.pop())


def _files(folder: Path) -> dict[str, Path]:
    """Return the paths of a corpus's coder A, coder B and adjudication files."""
    config = corpus_config(folder)
    files = {**config.get("codings", {}), "adjudication": config.get("adjudication")}
    missing = [k for k in (*CODERS, "adjudication") if not files.get(k)]
    if missing:
        raise ValueError(f"{folder}/corpus.yaml names no file for {', '.join(missing)} "
                         "(codings: coder_a, coder_b; adjudication)")
    return {k: folder / files[k] for k in (*CODERS, "adjudication")}


def _home(folders: list[Path], units: list[dict[str, Any]], packet: Path
          ) -> tuple[dict[str, Path], list[str]]:
    """Return the corpus folder of each unit, and the units whose text is not the packet's."""
    home: dict[str, Path] = {}
    edited: list[str] = []
    for folder in folders:
        text = trd.read_corpus(folder).segments.set_index("segment_id")["text"]
        for unit in units:
            if unit["id"] in text.index:
                home[unit["id"]] = folder
                if text[unit["id"]] != unit["text"]:
                    edited.append(unit["id"])
    lost = [u for u in units if u["id"] not in home]
    if lost:
        raise ValueError(f"{packet}: unit {lost[0]['id']!r} (document {lost[0]['doc']!r}) is in "
                         f"none of {', '.join(map(str, folders))}; copy the packet's documents "
                         "into the corpus folders first")
    return home, edited


def _append(path: Path, old: pd.DataFrame, new: pd.DataFrame, packet: Path) -> pd.DataFrame:
    """Return ``old`` then ``new``, refusing a segment ``old`` already holds."""
    again = old["segment_id"].isin(set(new["segment_id"])).to_numpy().nonzero()[0]
    if len(again):
        row = int(again[0])
        raise ValueError(f"{path}, row {row + 1}: segment {old['segment_id'].iloc[row]!r} "
                         f"is already there, and {packet} would add it again; a merge adds "
                         "only segments the file does not hold (was the packet merged before?)")
    return pd.concat([old, new], ignore_index=True)


def merge(folders: list[Path], packet: Path, coder_a: Path, coder_b: Path,
          adjudication: Path, *, accept_edits: bool = False) -> list[str]:
    """Check a coded packet and append it to the corpora's codings; return what was done.

    Parameters
    ----------
    folders : list of Path
        The corpus folders that hold the packet's documents.
    packet, coder_a, coder_b, adjudication : Path
        The packet, the two codings of it and the decisions on its disputed units.
    accept_edits : bool, default=False
        Merge even when units read differently in the corpus than in the packet
        (a document edited after it was coded), listing them; by default refuse.

    Returns
    -------
    list of str
        One line per file written (rows before and after), and the edited units.

    Raises
    ------
    ValueError
        Naming the file, the line or row, the value and what is accepted, before
        anything is written.

    """
    book = _codebook(folders)
    units, tables = read_packet_codings(packet, {"coder_a": coder_a, "coder_b": coder_b},
                                        {c.id for c in book.codes})
    a, b = (trd.coded_sets(tables[c]) for c in CODERS)
    disputed = {u["id"]: (a[u["id"]], b[u["id"]]) for u in units if a[u["id"]] != b[u["id"]]}
    decisions = read_adjudication(adjudication, packet, disputed, book)
    home, edited = _home(folders, units, packet)
    if edited and not accept_edits:
        raise ValueError(f"{packet}: the corpus text of {', '.join(map(repr, edited))} is not "
                         "the packet's (the document changed after the packet was made); "
                         "re-make the packet and recode, or pass --accept-edits")
    writes = [w for folder in folders
              for w in _merged(folder, {s for s, f in home.items() if f == folder}, tables,
                               decisions, packet)]
    for path, table, _ in writes:  # everything checked: now write
        if list(table.columns) == ADJUDICATION_COLUMNS:
            atomic_write_text(path, table.to_csv(index=False, lineterminator="\n"))
        else:
            trd.write_codings(table, path)
    done = [f"{path}: {n_old} -> {len(table)} rows" for path, table, n_old in writes]
    if edited:
        done.append(f"{packet}: accepted units whose corpus text is not the packet's: "
                    f"{', '.join(edited)}")
    return done


def _merged(folder: Path, mine: set[str], tables: Mapping[str, pd.DataFrame],
            decisions: pd.DataFrame, packet: Path) -> list[tuple[Path, pd.DataFrame, int]]:
    """Return (path, merged table, rows before) of each of a corpus's files that gains rows."""
    if not mine:
        return []
    files = _files(folder)
    parts = [(files[c], trd.read_codings(files[c]), tables[c]) for c in CODERS]
    parts.append((files["adjudication"],
                  pd.read_csv(files["adjudication"], dtype=str, keep_default_na=False),
                  decisions))
    return [(path, _append(path, old, new[new["segment_id"].isin(mine)], packet), len(old))
            for path, old, new in parts]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="the corpus folders")
    parser.add_argument("--packet", required=True, type=Path, help="the packet (.jsonl)")
    parser.add_argument("--coder-a", required=True, type=Path, help="coder A's coding (.jsonl)")
    parser.add_argument("--coder-b", required=True, type=Path, help="coder B's coding (.jsonl)")
    parser.add_argument("--adjudication", required=True, type=Path,
                        help="the decisions on the disputed units (.csv)")
    parser.add_argument("--accept-edits", action="store_true",
                        help="merge even if units were edited in the corpus after the packet")
    args = parser.parse_args(argv)
    try:
        done = merge(args.folders, args.packet, args.coder_a, args.coder_b, args.adjudication,
                     accept_edits=args.accept_edits)
    except (ValueError, OSError) as exc:
        print(f"merge_codings.py: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(done))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
