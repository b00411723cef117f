"""Coders: machines that put codes on segments (the rule coder so far)."""

from ._compile import NEGATORS, CompiledCodebook, Evidence, lemma_forms
from .rules import EVIDENCE_COLUMNS, RuleCoder

__all__ = ["EVIDENCE_COLUMNS", "NEGATORS", "CompiledCodebook", "Evidence", "RuleCoder",
           "lemma_forms"]
