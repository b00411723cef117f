"""A coding run: read, segment, code, count, and write the outputs with a manifest."""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._version import __version__
from .analysis import _cooccurrence, _frequencies
from .codebook.load import load_codebook
from .coders import RuleCoder
from .coders.rules import DEFAULT_SKIP_ROLES, skipped_roles
from .codings import _code_table, write_codings
from .codings import roll_up as roll_up_codings
from .corpus import read_corpus
from .errors import TrDiscourseError, warnings_to_stderr
from .io.write import atomic_write_text, write_table

__all__ = ["OUTPUT_FILES", "code_command", "code_corpus", "train_command"]

#: What a coding run writes, in the order it writes them (the manifest last).
OUTPUT_FILES = ("segments.parquet", "codings.parquet", "evidence.parquet", "frequencies.csv",
                "cooccurrence.csv", "manifest.json")


def code_corpus(inputs: list[Path], codebook: Path, out: Path, *, unit: str | None = None,
                format: str | None = None, roll_up: bool = False, jobs: int = 1,
                coder: str = "rules", model: Path | None = None,
                skip_roles: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Code the inputs and write the outputs to ``out``; return the manifest.

    Every file is written atomically, and ``manifest.json`` (inputs, options,
    codebook provenance, library versions, counts and each file's SHA-256) is
    written last: a directory without it holds an interrupted run.

    Parameters
    ----------
    inputs : list of Path
        Files, folders of files or corpus folders.
    codebook : Path
        The codebook file.
    out : Path
        The output folder (created if need be); it receives :data:`OUTPUT_FILES`.
    unit, format : str, optional
        As :func:`tr_discourse.read_corpus`.
    roll_up : bool, default False
        Give segments the parents of the codes the rules (or the model) give.
        The tables are counted from the codings as written; rolled up,
        ``cooccurrence.csv`` leaves out each code's pairs with its own
        ancestors, which co-occur by construction.
    jobs : int, default 1
        Processes the rule coder codes with (the output is the same).
    coder : {"rules", "ml", "hybrid"}, default "rules"
        The rule coder, or a model saved by ``tr-discourse train`` (``model``),
        which must have been trained with ``codebook``; the rule evidence is
        still found, once, and written.
    model : Path, optional
        The model, for ``coder="ml"`` or ``"hybrid"``.
    skip_roles : tuple of str, optional
        Segments whose speaker's role is one of these are examined but not
        coded, by the rules and by a model alike (see
        :class:`tr_discourse.RuleCoder`); ``()`` codes every segment. By
        default the model's own setting (as it was trained), else
        ``("interviewer",)``. The manifest records the roles used.

    Returns
    -------
    dict
        The manifest, as written to ``out/manifest.json``.

    Raises
    ------
    TrDiscourseError
        When ``coder`` needs a model and none is given, or the model was
        trained with another codebook (before any coding is done).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> manifest = code_corpus([Path("tests/data/thread/thread.txt")],
    ...                        Path("codebooks/tr_core.yaml"), out)
    >>> manifest["counts"]["segments"], manifest["coder_params"]["roll_up"]
    (9, False)
    >>> sorted(manifest["files"]) == sorted(OUTPUT_FILES[:-1])
    True

    """
    started = time.perf_counter()
    book = load_codebook(codebook)
    trained = None
    if coder in ("ml", "hybrid"):  # a missing or mismatched model fails before any work
        from .coders.ml import MLCoder

        if model is None:
            raise TrDiscourseError(f"--coder {coder} needs --model PATH (made by "
                                   "tr-discourse train)")
        trained = MLCoder.load(model, codebook=book)
        if skip_roles is None:
            skip_roles = tuple(trained.skip_roles)  # as the model was trained
        trained.set_params(skip_roles=tuple(skip_roles))
    skip_roles = DEFAULT_SKIP_ROLES if skip_roles is None else tuple(skip_roles)
    corpus = read_corpus(inputs, format=format, unit=unit)
    segments = corpus.segments
    # With a model, the run's rule coder shares the patterns the model compiled (load()
    # has checked that its codebook is this one): they do not depend on roll_up or jobs.
    rules = RuleCoder(book if trained is None else trained.rule_coder_.compiled_,
                      roll_up=roll_up, n_jobs=jobs, skip_roles=skip_roles).fit()
    # The rules run once (not over the segments left uncoded for their role): their
    # evidence is written, and a model uses it as features.
    skipped = skipped_roles(segments, skip_roles)
    found = rules.find_segments(segments, skipped)
    if trained is None:
        codings, evidence = rules.code(segments, found=found)
    else:
        evidence = rules.evidence(segments, found=found)  # the model codes: no rule codings
        # The model alone, even when it was saved as a HybridCoder (tr-discourse train --weak).
        codings = MLCoder.predict(trained, segments, found=found) if coder == "ml" else \
            trained.predict_hybrid(segments, found=found)
        if roll_up:  # the rules rolled theirs up; a model may give a child without its parent
            codings = roll_up_codings(codings, book)  # parents right after their segment's rows
    out.mkdir(parents=True, exist_ok=True)
    stale = out / "manifest.json"
    if stale.exists():
        stale.unlink()  # the old outputs are being replaced: no manifest until all are new
    provenance = book.provenance()
    write_table(segments, out / "segments.parquet")
    write_codings(codings, out / "codings.parquet", provenance=provenance)
    write_table(evidence, out / "evidence.parquet")
    codes = [c.id for c in book.codes]
    parsed = _code_table(codings)  # once, for both tables; rolled up already if roll_up
    write_table(_frequencies(segments, parsed, codes=codes).reset_index(),
                out / "frequencies.csv")
    # Rolled up, a code and its ancestors co-occur by construction: not a pair to test.
    write_table(_cooccurrence(parsed, codes=codes, codebook=book if roll_up else None),
                out / "cooccurrence.csv")
    manifest = {
        "tr_discourse": __version__, "python": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv) if sys.argv else None,
        "inputs": [str(i) for i in inputs],
        "inputs_resolved": [str(Path(i).resolve()) for i in inputs],
        "unit": corpus.unit, "coder": coder,
        "codebook_path": str(Path(codebook).resolve()),
        "coder_params": {"roll_up": roll_up, "n_jobs": jobs, "skip_roles": list(skip_roles),
                         "model": None if model is None else str(model)}, **provenance,
        "counts": {"documents": corpus.n_documents, "segments": corpus.n_segments,
                   "coded_segments": int(parsed.hit.any(axis=1).sum()),
                   "codings": int(codings["code"].notna().sum()), "evidence": len(evidence),
                   "not_coded_for_role": sum(r is not None for r in skipped)},
        "seconds": round(time.perf_counter() - started, 3),
        "files": {name: _sha256(out / name) for name in OUTPUT_FILES[:-1]},
    }
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_command(args: argparse.Namespace) -> int:
    """Run ``tr-discourse code``: :func:`code_corpus`, then a summary on standard error.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line: ``inputs``, ``codebook``, ``out``, ``unit``,
        ``format``, ``roll_up``, ``jobs``, ``coder``, ``model``, ``skip_roles`` and
        ``quiet``.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    TrDiscourseError
        When ``--jobs`` is below 1 or ``--out`` is a file; as :func:`code_corpus`.

    Examples
    --------
    >>> import argparse, tempfile
    >>> args = argparse.Namespace(
    ...     inputs=[Path("tests/data/thread/thread.txt")], codebook=Path("codebooks/tr_core.yaml"),
    ...     out=Path(tempfile.mkdtemp()), unit=None, format=None, roll_up=False, jobs=1,
    ...     coder="rules", model=None, skip_roles=("interviewer",), quiet=True)
    >>> code_command(args), (args.out / "manifest.json").exists()
    (0, True)

    """
    if args.jobs < 1:
        raise TrDiscourseError(f"--jobs must be 1 or more, got {args.jobs}")
    if args.out.exists() and not args.out.is_dir():
        raise TrDiscourseError(f"--out {args.out} is a file; give a directory")
    manifest = code_corpus(list(args.inputs), args.codebook, args.out, unit=args.unit,
                           format=args.format, roll_up=args.roll_up, jobs=args.jobs,
                           coder=args.coder, model=args.model, skip_roles=args.skip_roles)
    if not args.quiet:
        c = manifest["counts"]
        skipped = f" ({c['not_coded_for_role']:,} segments not coded for their role: " \
            f"{', '.join(manifest['coder_params']['skip_roles'])})" \
            if c["not_coded_for_role"] else ""
        print(f"coded {c['segments']:,} segments of {c['documents']:,} documents with "
              f"{manifest['codebook']} {manifest['codebook_version']} "
              f"(hash {manifest['codebook_hash'][:12]}): {c['coded_segments']:,} segments "
              f"got {c['codings']:,} codes from {c['evidence']:,} matches{skipped} in "
              f"{manifest['seconds']:.1f} s; wrote {', '.join(OUTPUT_FILES)} to {args.out}",
              file=sys.stderr)
    return 0


def train_command(args: argparse.Namespace) -> int:
    """Run ``tr-discourse train``: fit the ML coder and save it.

    The codings learnt from are ``--codings FILE``, else the reference codings
    every input must bring (:func:`tr_discourse.sample.reference_codings`);
    with ``--weak`` the model learns from the rule coder's output instead.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line: ``inputs``, ``codebook``, ``model``,
        ``codings``, ``unit``, ``weak``, ``split`` (``"train"`` or ``"all"``),
        ``skip_roles`` and ``quiet``.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    FormatError
        Without ``--codings``, when an input brings no reference codings.

    Examples
    --------
    >>> import argparse
    >>> args = argparse.Namespace(
    ...     inputs=[Path("tests/data/thread/thread.txt")], codebook=Path("codebooks/tr_core.yaml"),
    ...     model=Path("never-written.skops"), codings=None, unit=None, weak=False,
    ...     split="all", skip_roles=("interviewer",), quiet=True)
    >>> train_command(args)
    Traceback (most recent call last):
    ...
    tr_discourse.errors.FormatError: tests/data/thread/thread.txt: brings no reference codings ...

    """
    import pandas as pd

    from .coders.ml import MLCoder
    from .codings import read_codings
    from .sample import document_split, reference_codings

    book = load_codebook(args.codebook)
    segments = read_corpus(list(args.inputs), unit=args.unit).segments
    if args.weak:
        from .coders.ml import HybridCoder

        with warnings_to_stderr(quiet=args.quiet):
            coder = HybridCoder(book, skip_roles=_train_roles(args)).fit(segments)
        path = coder.save(args.model)
        if not args.quiet:
            print(f"trained on the rule coder's output for {coder.n_train_:,} segments; "
                  f"saved the model to {path}", file=sys.stderr)
        return 0
    codings = read_codings(args.codings) if args.codings is not None else \
        reference_codings(args.inputs, required=True)
    if args.split == "train":
        split = pd.concat([document_split(i) for i in args.inputs if i.is_dir()])
        segments = segments[segments["doc_id"].map(split).eq("train")]
    coder = MLCoder(book, skip_roles=_train_roles(args)).fit(segments, codings)
    path = coder.save(args.model)
    if not args.quiet:
        with pd.option_context("display.width", 120, "display.precision", 3):
            print(f"trained on {coder.n_train_:,} segments; cross-validated by document at "
                  f"the tuned thresholds:\n{coder.cv_scores_}", file=sys.stderr)
        print(f"saved the model to {path}", file=sys.stderr)
    return 0


def _train_roles(args: argparse.Namespace) -> tuple[str, ...]:
    """``--skip-roles`` of ``train``: given, or the coders' default."""
    return DEFAULT_SKIP_ROLES if args.skip_roles is None else tuple(args.skip_roles)
