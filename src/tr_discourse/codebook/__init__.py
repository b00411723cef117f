"""Codebooks: the YAML format, its pattern language, dictionary import and REFI-QDA exchange."""

from .dictionaries import DICTIONARY_FORMATS, read_dictionary
from .load import CodebookError, Problem, load_codebook
from .model import Code, Codebook, Pattern
from .patterns import Near, PatternSyntaxError, Regex, Sequence, Term, parse_pattern
from .refi import read_qdc, write_qdc

__all__ = ["DICTIONARY_FORMATS", "Code", "Codebook", "CodebookError", "Near", "Pattern",
           "PatternSyntaxError", "Problem", "Regex", "Sequence", "Term", "load_codebook",
           "parse_pattern", "read_dictionary", "read_qdc", "write_qdc"]
