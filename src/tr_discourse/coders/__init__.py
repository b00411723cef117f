"""Coders: machines that put codes on segments (the rule coder and the ML coder)."""

from ._compile import NEGATORS, CompiledCodebook, Evidence, lemma_forms
from .ml import HybridCoder, MLCoder, ModelMismatchError, WeakSupervisionWarning
from .rules import EVIDENCE_COLUMNS, RuleCoder

__all__ = ["EVIDENCE_COLUMNS", "NEGATORS", "CompiledCodebook", "Evidence", "HybridCoder",
           "MLCoder", "ModelMismatchError", "RuleCoder", "WeakSupervisionWarning", "lemma_forms"]
