"""Memory of the rule coder on text that keeps bringing new word forms.

``rule_speed.py`` recombines the sample corpora's sentences, so after its first
chunks no new word forms turn up and its memory figure cannot show what grows
with a real corpus: spaCy's vocabulary, which keeps every word form its
tokenizer meets. This script adds made-up words (names, typos, reference
numbers: forms no corpus repeats) to each generated segment, codes the stream
chunk by chunk, and prints after each chunk the resident memory and the
vocabulary's strings of

* the rule coder as it comes, which starts a new vocabulary before a batch
  when its own holds more than ``max_strings`` strings
  (``CompiledCodebook.renew_vocabulary``), and
* the baseline: the same coder with no such limit, whose vocabulary grows with
  the corpus as spaCy's does.

Each runs in a process of its own (both at once, one per core), so that neither
holds the other's memory; their words per second are printed too, though two
processes at once slow each other.

Usage::

    python benchmarks/rule_memory.py                        # 20 million words
    python benchmarks/rule_memory.py --words 5000000 --fresh 2
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import string
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from rule_speed import generate, rss_mb

import tr_discourse as trd

ROOT = Path(__file__).parents[1]


def made_up(rng: random.Random) -> str:
    """A word form no corpus repeats: a name, a typo or a reference number."""
    kind = rng.random()
    if kind < 0.4:
        return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))).title()
    if kind < 0.8:
        return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 12)))
    return f"REF{rng.randint(0, 10**9):09d}"


def fresh_chunks(words: int, fresh: int, seed: int = 5) -> Iterator[list[str]]:
    """The speed benchmark's chunks, with ``fresh`` made-up words in each segment."""
    rng = random.Random(seed)
    for chunk in generate(words, 1_000_000):
        yield [f"{text} {' '.join(made_up(rng) for _ in range(fresh))}" for text in chunk]


def run(codebook: Path, words: int, fresh: int, limited: bool) -> list[tuple[float, ...]]:
    """Code the stream; return (words, RSS MB, strings, renewals, words/s) per chunk."""
    coder = trd.RuleCoder(trd.load_codebook(codebook)).fit()
    compiled = coder.compiled_
    if not limited:
        compiled.max_strings = sys.maxsize
    rows, total, renewals, nlp = [], 0, 0, compiled.nlp
    for chunk in fresh_chunks(words, fresh):
        n = sum(len(t.split()) for t in chunk)
        start = time.perf_counter()
        coder.find(chunk)
        seconds = time.perf_counter() - start
        total += n
        if compiled.nlp is not nlp:
            renewals, nlp = renewals + 1, compiled.nlp
        rows.append((total, rss_mb(), len(nlp.vocab.strings), renewals, n / seconds))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the coder with and without the vocabulary limit and print memory per chunk."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000_000)
    parser.add_argument("--fresh", type=int, default=4,
                        help="made-up words added to each segment")
    parser.add_argument("--codebook", type=Path, default=ROOT / "codebooks" / "tr_core.yaml")
    args = parser.parse_args(argv)

    with mp.get_context("spawn").Pool(2) as pool:
        limited, baseline = pool.starmap(run, [(args.codebook, args.words, args.fresh, flag)
                                               for flag in (True, False)])
    print(f"{'':>12} {'rule coder':^40} {'no vocabulary limit':^29}")
    print(f"{'words':>12} {'RSS MB':>8} {'strings':>10} {'renewals':>9} {'words/s':>10} "
          f"{'RSS MB':>8} {'strings':>10} {'words/s':>10}")
    for a, b in zip(limited, baseline, strict=True):
        print(f"{a[0]:>12,} {a[1]:>8.0f} {a[2]:>10,} {a[3]:>9} {a[4]:>10,.0f} "
              f"{b[1]:>8.0f} {b[2]:>10,} {b[4]:>10,.0f}")
    peak = max(r[1] for r in limited)
    print(f"\npeak RSS: {peak:,.0f} MB with the limit ({limited[-1][3]} new vocabularies), "
          f"{max(r[1] for r in baseline):,.0f} MB without; "
          f"after the first 2 million words the limited coder grew by "
          f"{peak - limited[1][1]:,.0f} MB, the baseline by "
          f"{baseline[-1][1] - baseline[1][1]:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
