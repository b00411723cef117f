"""The ``tr-discourse`` command line (also ``python -m tr_discourse``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import __version__
from .corpus import Corpus, read_corpus
from .errors import TrDiscourseError, unknown_name, warnings_to_stderr
from .io.registry import FORMATS
from .io.write import TABLE_EXTENSIONS, write_table
from .schema import UNITS

__all__ = ["main"]


def _add_inputs(parser: argparse.ArgumentParser, *, format: bool = True) -> None:
    """Add the INPUT arguments, --format and --unit that read, code and train share."""
    parser.add_argument("inputs", nargs="+", metavar="INPUT", type=Path,
                        help="a file, a folder of files, or a corpus folder with corpus.yaml")
    if format:
        parser.add_argument("--format", choices=list(FORMATS), metavar="NAME",
                            help=f"input format (default: by extension and content): "
                            f"{', '.join(FORMATS)}")
    parser.add_argument("--unit", choices=UNITS, default=None,
                        help="segmenter (default: the corpus folder's unit, else auto)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tr-discourse",
        description="Qualitative coding of discourse about Transforming Rehabilitation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    read = sub.add_parser(
        "read",
        help="read files into the segments table",
        description="Read files, folders or sample corpus folders and write the segments "
        "table (.jsonl, .csv or .parquet by the extension of --out). A summary per corpus "
        "and kind, and where every character went, is printed to standard error.",
    )
    _add_inputs(read)
    read.add_argument("--no-interviewer", action="store_true",
                      help="leave out interviewer turns")
    read.add_argument("--speakers", metavar="LABELS",
                      help="comma-separated speaker labels of transcripts (default: found)")
    read.add_argument("--interviewer-labels", metavar="LABELS",
                      help="comma-separated labels of the interviewer's turns")
    read.add_argument("--column", action="append", default=[], metavar="THEIRS=OURS",
                      help="for tables: map a column onto 'id' or 'text', e.g. body=text")
    read.add_argument("--out", required=True, type=Path, metavar="FILE",
                      help=f"output table ({', '.join(TABLE_EXTENSIONS)})")
    read.add_argument("--quiet", action="store_true", help="print nothing but errors")

    code = sub.add_parser(
        "code",
        help="code files with a codebook and write the coding outputs",
        description="Read and segment the inputs, code every segment, and write to DIR: "
        "segments.parquet, codings.parquet (with the codebook's name, version and hash), "
        "evidence.parquet (every match, rules coder), frequencies.csv, cooccurrence.csv and, "
        "last, manifest.json. A run that stops early leaves no manifest.json.",
    )
    _add_inputs(code)
    code.add_argument("--codebook", required=True, type=Path, metavar="YAML")
    code.add_argument("--coder", choices=["rules", "ml", "hybrid"], default="rules",
                      help="the coder (default: rules); ml and hybrid need --model")
    code.add_argument("--model", type=Path, metavar="PATH",
                      help="a model saved by tr-discourse train (for --coder ml)")
    code.add_argument("--roll-up", action="store_true",
                      help="give segments the parent codes of the codes they get")
    code.add_argument("--jobs", type=int, default=1, metavar="N",
                      help="processes to code with (default 1); the output does not change")
    _add_skip_roles(code)
    code.add_argument("--out", required=True, type=Path, metavar="DIR")
    code.add_argument("--quiet", action="store_true", help="print nothing but errors")

    agree = sub.add_parser(
        "agree",
        help="agreement between two codings, per code",
        description="Per code: units both coders examined, how many each coded, percent "
        "agreement, Cohen's kappa, Krippendorff's alpha, and precision, recall and F1 of B "
        "against A; then the mean over codes and the whole code set (alpha with the MASI "
        "distance). Segments only one coder examined are counted apart.",
    )
    agree.add_argument("codings_a", type=Path, metavar="CODINGS_A")
    agree.add_argument("codings_b", type=Path, metavar="CODINGS_B")
    agree.add_argument("--codebook", type=Path, metavar="YAML",
                       help="roll child codes up to parents and report every code, in order")
    agree.add_argument("--out", type=Path, metavar="FILE",
                       help=f"also write the table ({', '.join(TABLE_EXTENSIONS)})")

    report = sub.add_parser(
        "report",
        help="a self-contained HTML report of a coding run",
        description="Read the outputs of tr-discourse code in DIR and write an HTML report "
        "with the counts, plots (images embedded), the reliability against the reference "
        "coding when the inputs bring one, and example passages with their evidence.",
    )
    report.add_argument("run_dir", type=Path, metavar="DIR")
    report.add_argument("--html", type=Path, metavar="FILE",
                        help="where to write the report (default: DIR/report.html)")

    train = sub.add_parser(
        "train",
        help="train the ML coder on coded segments and save it",
        description="Read and segment the inputs, train the ML coder on the codings (a "
        "corpus folder brings its own reference codings; otherwise pass --codings), print "
        "its cross-validated scores per code and save it with skops.",
    )
    _add_inputs(train, format=False)
    train.add_argument("--codebook", required=True, type=Path, metavar="YAML")
    train.add_argument("--model", required=True, type=Path, metavar="PATH",
                       help="where to save the model (.skops)")
    train.add_argument("--codings", type=Path, metavar="FILE",
                       help="codings to learn from (default: the corpus folders' reference)")
    train.add_argument("--weak", action="store_true",
                       help="no human coding: learn from the rule coder's output (weak "
                       "supervision; a warning says what that means)")
    train.add_argument("--split", choices=["train", "all"], default="all",
                       help="with corpus folders: learn from their train documents only, or "
                       "all (default)")
    _add_skip_roles(train)
    train.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def _add_skip_roles(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skip-roles", type=_roles, default=None, metavar="ROLES",
                        help="speaker roles, comma-separated, whose segments are examined but "
                        "not coded (default: interviewer, or for code --coder ml|hybrid the "
                        "model's own setting); 'none' codes every segment")


def _roles(text: str) -> tuple[str, ...]:
    """``--skip-roles``: comma-separated roles; ``none`` (or nothing) for none."""
    roles = tuple(r.strip() for r in text.split(",") if r.strip())
    return () if [r.lower() for r in roles] == ["none"] else roles


def _print_report(corpus: Corpus, out: Path) -> None:
    err = sys.stderr
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(f"{corpus!r}\n", file=err)
        print(corpus.summary().to_string(), file=err)
        acc = corpus.accounting()
        totals = acc.drop(columns="doc_id").sum()
        parts = [f"{int(totals['n_chars']):,} characters read",
                 f"{int(totals['in_segments']):,} in segments",
                 f"{int(totals['markup']):,} removed markup",
                 f"{int(totals['whitespace']):,} white space between segments"]
        if totals["excluded"]:
            parts.append(f"{int(totals['excluded']):,} in left-out interviewer turns")
        if totals["unaccounted"]:
            parts.append(f"{int(totals['unaccounted']):,} UNACCOUNTED (a reader bug: report it)")
        print("\n" + "; ".join(parts) + ".", file=err)
        cats = {c[len("markup_"):]: int(v) for c, v in totals.items()
                if c.startswith("markup_") and v}
        if cats:
            print("removed markup: " + ", ".join(f"{k} {v:,}" for k, v in cats.items()),
                  file=err)
        notes = int(corpus.segments["n_notes"].sum())
        print(f"bracketed notes kept in the text: {notes:,}", file=err)
    print(f"wrote {corpus.n_segments:,} segments to {out}", file=err)


def _labels(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def _read(args: argparse.Namespace) -> int:
    options: dict[str, object] = {}
    if args.speakers:
        options["speakers"] = _labels(args.speakers)
    if args.interviewer_labels:
        options["interviewer_labels"] = _labels(args.interviewer_labels)
    if args.column:
        mapping = {}
        for item in args.column:
            theirs, sep, ours = item.partition("=")
            if not sep or not theirs or not ours:
                raise TrDiscourseError(f"--column takes THEIRS=OURS (e.g. body=text), got {item!r}")
            mapping[theirs] = ours
        options["columns_map"] = mapping
    if args.out.suffix.lower() not in TABLE_EXTENSIONS:
        raise unknown_name("output extension", args.out.suffix or "(none)", TABLE_EXTENSIONS,
                           where=f"--out {args.out}")
    with warnings_to_stderr(quiet=args.quiet):
        corpus = read_corpus(args.inputs, format=args.format, unit=args.unit,
                             interviewer=not args.no_interviewer, **options)
        segments = corpus.segments
    write_table(segments, args.out)
    if not args.quiet:
        _print_report(corpus, args.out)
    return 0


def _agree(args: argparse.Namespace) -> int:
    from .codebook.load import load_codebook
    from .codings import read_codings, roll_up
    from .reliability import agreement

    with warnings_to_stderr():  # a file's encoding, then the coefficients' caveats
        a, b = read_codings(args.codings_a), read_codings(args.codings_b)
        codes = None
        if args.codebook is not None:
            book = load_codebook(args.codebook)
            a, b = roll_up(a, book), roll_up(b, book)
            codes = [c.id for c in book.codes]
        table = agreement(a, b, codes=codes)
    with pd.option_context("display.width", 140, "display.precision", 3):
        print(table.to_string())
    print(f"\n{int(table['units'].iloc[0]) if len(table) else 0:,} units examined by both; "
          f"{table.attrs['only_a']:,} only by A, {table.attrs['only_b']:,} only by B",
          file=sys.stderr)
    if args.out is not None:
        write_table(table.reset_index(), args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "read":
            return _read(args)
        if args.command == "code":
            from .run import code_command

            return code_command(args)
        if args.command == "agree":
            return _agree(args)
        if args.command == "report":
            import matplotlib

            from .report import write_report

            matplotlib.use("Agg")  # a command line draws to files only (the report's figures
            # are closed once saved, so in a notebook build_report leaves its backend alone)

            path = write_report(args.run_dir, args.html)
            print(f"wrote {path}", file=sys.stderr)
            return 0
        if args.command == "train":
            from .run import train_command

            return train_command(args)
    except (TrDiscourseError, ValueError, TypeError, FileNotFoundError, ImportError) as exc:
        print(f"tr-discourse: error: {exc}", file=sys.stderr)
        return 2
    return 1  # pragma: no cover - argparse rejects unknown commands
