"""Where the rule coder's time goes: each step timed alone, per million words.

Runs the steps of ``CompiledCodebook.evidence`` one after another over the same
generated segments as ``rule_speed.py`` (after a first pass that warms the
tokenizer's cache, the screen's DFA and the glob forms), and prints the
seconds per million words of:

* the screen (one RE2 set search per text);
* the regular expressions, over the texts the screen lets through;
* spaCy's tokenizer over the texts the screen lets through, and over all texts;
* the ``PhraseMatcher`` and the evidence (offsets, exclusions, negation,
  proximity) over the docs of the texts let through;
* the whole coder, for comparison with the sum.

Usage::

    python benchmarks/rule_parts.py                  # 2 million words
    python benchmarks/rule_parts.py --words 5000000
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from rule_speed import generate

import tr_discourse as trd

ROOT = Path(__file__).parents[1]


def main(argv: list[str] | None = None) -> int:
    """Time each step and print seconds per million words."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2_000_000)
    parser.add_argument("--codebook", type=Path, default=ROOT / "codebooks" / "tr_core.yaml")
    args = parser.parse_args(argv)

    compiled = trd.RuleCoder(trd.load_codebook(args.codebook)).fit().compiled_
    chunks = list(generate(args.words, 160_000))  # about 4,000 texts, a batch of the coder
    words = sum(len(t.split()) for chunk in chunks for t in chunk)
    for chunk in chunks:  # warm up on the same texts
        compiled.evidence(chunk)

    screen, regexes, tokenizer = compiled._screen, compiled._regexes, compiled.nlp.tokenizer
    kept, candidates, docs = [], [], []
    for chunk in chunks:
        screened = screen.screen(chunk)
        kept.append([t for t, s in zip(chunk, screened, strict=True) if s is not None])
        candidates.append([s for s in screened if s is not None])
        docs.append(list(tokenizer.pipe(kept[-1])))
    hits = [regexes.hits(k, c) for k, c in zip(kept, candidates, strict=True)]

    def seconds(step) -> float:
        gc.disable()
        start = time.perf_counter()
        for i, chunk in enumerate(chunks):
            step(i, chunk)
        elapsed = time.perf_counter() - start
        gc.enable()
        return elapsed * 1e6 / words

    def tokenise(texts):
        for _ in tokenizer.pipe(texts):
            pass

    def evidence(i, _):
        for doc, text, found in zip(docs[i], kept[i], hits[i], strict=True):
            compiled._doc_evidence(doc, text, found)

    steps = {
        "screen": lambda i, chunk: screen.screen(chunk),
        "regular expressions": lambda i, chunk: regexes.hits(kept[i], candidates[i]),
        "tokenizer, texts let through": lambda i, chunk: tokenise(kept[i]),
        "matcher and evidence": evidence,
    }
    kept_words = sum(len(t.split()) for k in kept for t in k)
    print(f"{words:,} words; the screen lets through texts holding {kept_words / words:.1%}")
    print(f"{'step':<32}{'s per million words':>20}")
    total = 0.0
    for name, step in steps.items():
        s = seconds(step)
        total += s
        print(f"{name:<32}{s:>20.3f}")
    print(f"{'sum of the steps':<32}{total:>20.3f}")
    coder = seconds(lambda i, chunk: compiled.evidence(chunk))
    print(f"{'the coder end to end':<32}{coder:>20.3f}")
    print(f"{'tokenizer, every text':<32}{seconds(lambda i, chunk: tokenise(chunk)):>20.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
