"""Corpus folders' own reference codings and their fixed train/test split.

A corpus folder (``corpora/NAME/``) describes itself in ``corpus.yaml``. Besides
the reader, unit and metadata used by :func:`~tr_discourse.read_corpus`, it may
say where its codings are and which documents are held out::

    codebook: ../../codebooks/tr_core.yaml
    codings:
      coder_a: codings/coder_a.csv
      coder_b: codings/coder_b.csv
      reference: codings/reference.csv
    split:
      test: [int03, int07]
      train: [int01, int02]

Anyone reporting a coder's accuracy on the folder reports it on the ``test``
documents, so results are comparable.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .codings import read_codings
from .corpus import _corpus_config
from .errors import FormatError, unknown_name

__all__ = ["corpus_config", "document_split", "read_corpus_codings", "reference_codings"]


def corpus_config(folder: str | Path) -> dict[str, Any]:
    """Read and check a corpus folder's ``corpus.yaml``.

    Raises
    ------
    FormatError
        When the file is missing or malformed, a codings file it names does not
        exist, or a document is in both halves of the split.

    Examples
    --------
    >>> corpus_config("corpora/tr_blog")["synthetic"]
    True

    """
    folder = Path(folder)
    if not _is_corpus_folder(folder):
        raise FormatError("not a corpus folder: it has no corpus.yaml", path=folder)
    config = _corpus_config(folder)
    path = folder / "corpus.yaml"
    codings = config.get("codings") or {}
    if not isinstance(codings, dict):
        raise FormatError("'codings' must map names (coder_a, reference...) to files",
                          path=path)
    for name, rel in codings.items():
        if not (folder / str(rel)).exists():
            raise FormatError(f"codings {name!r}: {rel} does not exist", path=path)
    split = config.get("split") or {}
    if split:
        if not isinstance(split, dict) or set(split) - {"train", "test", "note", "seed"}:
            raise FormatError("'split' must have the keys 'train' and 'test' (lists of "
                              "document ids) and optionally 'note'", path=path)
        both = set(split.get("train", [])) & set(split.get("test", []))
        if both:
            raise FormatError(f"split: {', '.join(sorted(both))} in both train and test",
                              path=path)
    return config


def read_corpus_codings(folder: str | Path, coder: str = "reference") -> pd.DataFrame:
    """Read one of the codings a corpus folder declares (``reference`` by default).

    Examples
    --------
    >>> import tr_discourse as trd
    >>> codings = read_corpus_codings("corpora/tr_interviews")
    >>> set(codings["coder"])
    {'reference'}

    """
    folder = Path(folder)
    return _declared_codings(folder, corpus_config(folder), coder)


def _declared_codings(folder: Path, config: dict[str, Any], coder: str) -> pd.DataFrame:
    """Read the codings ``config`` (the folder's checked corpus.yaml) names for ``coder``."""
    codings = config.get("codings") or {}
    if coder not in codings:
        raise unknown_name("coder", coder, list(codings), where=folder / "corpus.yaml")
    return read_codings(folder / str(codings[coder]), coder=coder)


def reference_codings(inputs: Iterable[str | Path], *,
                      required: bool = False) -> pd.DataFrame | None:
    """Return the reference codings that the corpus folders among ``inputs`` declare.

    This is what ``tr-discourse train`` trains on when it gets no ``--codings``,
    and what ``tr-discourse report`` compares a run with. Each input that is a
    corpus folder whose ``corpus.yaml`` names ``codings: reference`` brings
    those codings (its ``corpus.yaml`` is read once); files, plain folders
    and corpus folders without a reference bring none.

    Parameters
    ----------
    inputs : iterable of str or Path
        What a coding run or a command was given: files, folders, corpus folders.
    required : bool, default False
        Raise an error for an input that brings no reference codings instead
        of passing over it.

    Returns
    -------
    DataFrame or None
        The inputs' reference codings in one long table (coder ``reference``),
        in input order; None when no input brings any.

    Raises
    ------
    FormatError
        When a corpus folder's ``corpus.yaml`` is malformed or names a codings
        file that does not exist (see :func:`corpus_config`), and, with
        ``required=True``, when an input brings no reference codings.

    Examples
    --------
    >>> ref = reference_codings(["corpora/tr_blog", "tests/data/thread/thread.txt"])
    >>> set(ref["coder"]), ref.equals(read_corpus_codings("corpora/tr_blog"))
    ({'reference'}, True)
    >>> reference_codings(["tests/data/thread/thread.txt"]) is None
    True

    """
    parts = []
    for item in map(Path, inputs):
        config = corpus_config(item) if item.is_dir() and _is_corpus_folder(item) else {}
        if "reference" in (config.get("codings") or {}):
            parts.append(_declared_codings(item, config, "reference"))
        elif required:
            raise FormatError("brings no reference codings (it is not a corpus folder whose "
                              "corpus.yaml names them under 'codings: reference'); pass the "
                              "codings yourself (tr-discourse train --codings FILE)", path=item)
    return pd.concat(parts, ignore_index=True) if parts else None


def _is_corpus_folder(folder: Path) -> bool:
    return any((folder / n).exists() for n in ("corpus.yaml", "corpus.yml"))


def document_split(folder: str | Path) -> pd.Series:
    """Return ``"train"`` or ``"test"`` for each document of a corpus folder's split.

    Examples
    --------
    >>> split = document_split("corpora/tr_interviews")
    >>> sorted(split.unique())
    ['test', 'train']

    """
    folder = Path(folder)
    split = corpus_config(folder).get("split") or {}
    if not split:
        raise FormatError("corpus.yaml declares no 'split'", path=folder / "corpus.yaml")
    rows = {d: "train" for d in split.get("train", [])} | {d: "test" for d in split["test"]}
    return pd.Series(rows, name="split").rename_axis("doc_id").sort_index()
