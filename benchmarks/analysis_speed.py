"""Seconds to count frequencies and co-occurrence over a million coded segments.

Generates one coder's codings of N segments (default 1,000,000) with 0 to 3 of
12 codes each (fixed seed), and times ``frequencies`` and ``cooccurrence`` at
segment level; prints the figures and, as the baseline in the same process, a
plain Python loop over every pair of codes on every segment.

Usage::

    python benchmarks/analysis_speed.py [--segments 1000000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd

from tr_discourse.analysis import cooccurrence, frequencies
from tr_discourse.codings import codings_from_sets


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    codes = [f"code{i:02d}" for i in range(12)]
    sizes = rng.integers(0, 4, size=args.segments)
    sets = {f"d{i // 100}:s{i:07d}": [codes[j] for j in rng.choice(12, size=k, replace=False)]
            for i, k in enumerate(sizes)}
    codings = codings_from_sets(sets, coder="X")
    segments = pd.DataFrame({"segment_id": list(sets),
                             "doc_id": [s.split(":")[0] for s in sets], "n_words": 50})
    print(f"{args.segments:,} segments, {int(codings['code'].notna().sum()):,} codings")
    cooccurrence(codings.head(1000), codes=codes)  # imports scipy: not part of the timing
    t0 = time.perf_counter()
    frequencies(segments, codings, codes=codes)
    t1 = time.perf_counter()
    table = cooccurrence(codings, codes=codes)
    t2 = time.perf_counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for s in sets.values():
        pairs.update(combinations(sorted(s), 2))
    t3 = time.perf_counter()
    assert int(table["n_ab"].sum()) == sum(pairs.values())
    print(f"frequencies:            {t1 - t0:6.2f} s")
    print(f"cooccurrence (measures, tests): {t2 - t1:6.2f} s")
    print(f"baseline: pair counting loop only: {t3 - t2:6.2f} s (same pair counts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
