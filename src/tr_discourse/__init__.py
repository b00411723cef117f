"""tr_discourse: qualitative coding of discourse about Transforming Rehabilitation.

Read interview transcripts and blog comment threads, cut them into coding units
with exact character offsets, keep coders' codings in one long table, and
measure agreement between coders (:mod:`tr_discourse.reliability`).

Examples
--------
>>> import tr_discourse as trd
>>> corpus = trd.read_corpus("tests/data/thread/thread.txt", unit="comment")
>>> corpus.n_segments
9

"""

from ._version import __version__
from .codebook import (
    Code,
    Codebook,
    CodebookError,
    Pattern,
    load_codebook,
    parse_pattern,
    read_dictionary,
    read_qdc,
    write_qdc,
)
from .coders import MLCoder, RuleCoder
from .codings import coded_sets, codings_from_sets, read_codings, write_codings
from .corpus import Corpus, read_corpus
from .errors import (
    DecodingWarning,
    FormatError,
    FormatWarning,
    TrDiscourseError,
    TrDiscourseWarning,
    UnknownNameError,
)
from .io import detect_format, get_format, list_formats, register_format, write_table
from .reliability import ReliabilityWarning, agreement

__all__ = [
    "Code",
    "Codebook",
    "CodebookError",
    "Corpus",
    "DecodingWarning",
    "FormatError",
    "FormatWarning",
    "MLCoder",
    "Pattern",
    "ReliabilityWarning",
    "RuleCoder",
    "TrDiscourseError",
    "TrDiscourseWarning",
    "UnknownNameError",
    "__version__",
    "agreement",
    "coded_sets",
    "codings_from_sets",
    "detect_format",
    "get_format",
    "list_formats",
    "load_codebook",
    "parse_pattern",
    "read_codings",
    "read_corpus",
    "read_dictionary",
    "read_qdc",
    "register_format",
    "write_codings",
    "write_qdc",
    "write_table",
]
