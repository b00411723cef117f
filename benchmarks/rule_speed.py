"""Words per second of the rule coder, against spaCy's tokenizer and a naive Matcher baseline.

Generates a corpus of realistic segments (at least 10 million words by default)
by recombining sentences of the sample corpora with a fixed seed, streams it in
chunks (never holding the corpus in memory), and prints, all measured in this
process on the same texts:

(a) spaCy's bare tokenizer as ``spacy.blank("en")`` makes it
    (``tokenizer.pipe``), and (a') the tokenizer the rule coder runs
    (``blank_nlp()``: the same rules, with a cache of ``TOKENIZER_CACHE``
    chunks instead of spaCy's 10,000, and only the lexical attributes the
    coder reads), so (b) is read against (a') for what the coder adds to
    tokenising;
(b) the rule coder end to end (screening, tokenising, matching, evidence), with
    ``n_jobs=1`` and, with ``--jobs 2``, with two processes;
(c) a naive baseline: a lemmatising pipeline (``spacy.blank("en")`` with the lookup
    lemmatiser) and one spaCy ``Matcher`` with a ``LEMMA`` token pattern per word
    and phrase of the codebook. It is slow, so it runs on the first
    ``--baseline-words`` words only.

and two figures that bound what a coder built this way can reach on the
machine, for reading (b) against a fixed target such as a million words a second:

(f) the tokenizer and the coder's ``PhraseMatcher`` over every text, nothing
    else (no screen, no regex, no evidence). No coder that tokenises and matches
    every text runs faster than this; the rule coder passes it only by not
    tokenising the texts its screen shows no rule can match in.
(p) a perfect prefilter: the coder run over only the texts where it finds
    something, its words per second counted over all the words. The coder's
    screen is such a prefilter, but it costs time and lets through some texts
    where nothing is found (it prints their share of the words next to (p)'s).

It also prints the process's resident memory after each chunk of (b), to show
that peak memory does not grow with the corpus.

Because the segments recombine a fixed pool of sentences, the tokenizer's cache
is warm and few new word forms turn up after the first chunks (the rule coder
tokenises only the texts its screen lets through, so a form can wait for a
later chunk). ``rule_memory.py`` codes text that keeps bringing new forms.

Usage::

    python benchmarks/rule_speed.py                       # 10 million words, one core
    python benchmarks/rule_speed.py --words 2000000 --jobs 2
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import spacy

import tr_discourse as trd
from tr_discourse.codebook.patterns import Near, Regex, Sequence
from tr_discourse.coders._compile import blank_nlp

ROOT = Path(__file__).parents[1]


def sentence_pool() -> list[str]:
    """Sentences of the sample corpora, the material the generator recombines."""
    segments = trd.read_corpus([ROOT / "corpora" / "tr_interviews",
                                ROOT / "corpora" / "tr_blog"]).segments
    pool = []
    for text in segments["text"]:
        pool += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3]
    return pool


def generate(words: int, chunk_words: int, seed: int = 13) -> Iterator[list[str]]:
    """Yield chunks of segments (1 to 6 sentences each) until ``words`` words are made."""
    rng = random.Random(seed)
    pool = sentence_pool()
    made = 0
    while made < words:
        chunk, n = [], 0
        while n < min(chunk_words, words - made):
            text = " ".join(rng.choices(pool, k=rng.randint(1, 6)))
            chunk.append(text)
            n += len(text.split())
        made += n
        yield chunk


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; NaN elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return float("nan")
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def naive_matcher(book: trd.Codebook):
    """The baseline: a lookup-lemmatising pipeline and one Matcher of LEMMA patterns."""
    import spacy
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    matcher = Matcher(nlp.vocab)
    for p in book.patterns:
        seqs = [p.expr] if isinstance(p.expr, Sequence) else \
            [p.expr.left, p.expr.right] if isinstance(p.expr, Near) else []
        for k, seq in enumerate(seqs):
            if isinstance(seq, Regex) or any(t.kind == "glob" for t in seq.terms):
                continue
            words = [w for t in seq.terms for w in t.text.split()]
            matcher.add(f"{p.id}#{k}", [[{"LEMMA": w} for w in words]])
    return nlp, matcher


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=10_000_000)
    parser.add_argument("--chunk-words", type=int, default=1_000_000)
    parser.add_argument("--baseline-words", type=int, default=500_000)
    parser.add_argument("--jobs", type=int, default=1, help="also time n_jobs=JOBS")
    parser.add_argument("--codebook", type=Path, default=ROOT / "codebooks" / "tr_core.yaml")
    args = parser.parse_args(argv)

    book = trd.load_codebook(args.codebook)
    coder = trd.RuleCoder(book).fit()
    coder.find(next(generate(50_000, 50_000, seed=1)))  # warm up: lemma tables, first forms

    screen = coder.compiled_._screen
    # Tokenizers of their own, so that neither warms the coder's cache.
    bare, cached = spacy.blank("en").tokenizer, blank_nlp().tokenizer
    tok_s = cached_s = code_s = floor_s = found_s = 0.0
    total = matches = empty_words = screened_words = 0
    print(f"{'words':>12} {'(a) w/s':>12} {'(a1) w/s':>12} {'(b) w/s':>12} {'RSS MB':>8}")
    for chunk in generate(args.words, args.chunk_words):
        sizes = [len(t.split()) for t in chunk]
        n = sum(sizes)
        t0 = time.perf_counter()
        for _ in bare.pipe(chunk):
            pass
        ta = time.perf_counter()
        for _ in cached.pipe(chunk):
            pass
        t1 = time.perf_counter()
        found = coder.find(chunk)
        t2 = time.perf_counter()
        # The coder's own tokenizer and matcher, as they are now (a new vocabulary
        # brings new ones; see CompiledCodebook.renew_vocabulary).
        phrases = coder.compiled_.matcher
        for doc in coder.compiled_.nlp.tokenizer.pipe(chunk):
            phrases(doc)
        floor_s += time.perf_counter() - t2
        tok_s += ta - t0
        cached_s += t1 - ta
        code_s += t2 - t1
        total += n
        matches += sum(map(len, found))
        empty_words += sum(k for k, ev in zip(sizes, found, strict=True) if not ev)
        screened_words += sum(k for k, s in zip(sizes, screen.screen(chunk), strict=True)
                              if s is None)
        kept = [t for t, ev in zip(chunk, found, strict=True) if ev]
        del found
        t3 = time.perf_counter()
        coder.find(kept)
        found_s += time.perf_counter() - t3
        print(f"{total:>12,} {n / (ta - t0):>12,.0f} {n / (t1 - ta):>12,.0f} "
              f"{n / (t2 - t1):>12,.0f} {rss_mb():>8.0f}")
    a, a1, b = total / tok_s, total / cached_s, total / code_s
    f, p = total / floor_s, total / found_s
    print(f"\n(a) spaCy tokenizer:          {a:>12,.0f} words/s over {total:,} words "
          f"(spaCy's cache of {bare.max_cache_size:,} chunks)")
    print(f"(a') the coder's tokenizer:    {a1:>11,.0f} words/s (a cache of "
          f"{cached.max_cache_size:,} chunks)")
    print(f"(b) rule coder, 1 process:    {b:>12,.0f} words/s ({matches:,} matches); "
          f"{b / a:.2f} x (a), {b / a1:.2f} x (a')")
    print(f"(f) tokenizer + PhraseMatcher: {f:>11,.0f} words/s: no coder that tokenises and "
          f"matches every text is faster; (b) is {b / f:.2f} x (f)")
    print(f"(p) perfect free prefilter:   {p:>12,.0f} words/s: the coder over only the texts "
          f"where it finds something ({1 - empty_words / total:.1%} of the words; its screen "
          f"lets through {1 - screened_words / total:.1%})")

    base_nlp, matcher = naive_matcher(book)
    texts = next(generate(args.baseline_words, args.baseline_words))
    n = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    for doc in base_nlp.pipe(texts, batch_size=1000):
        matcher(doc)
    c = n / (time.perf_counter() - t0)
    print(f"(c) naive LEMMA Matcher:      {c:>12,.0f} words/s over {n:,} words; "
          f"(b) is {b / c:.1f} x (c)")

    if args.jobs > 1:
        # Each chunk is coded by both, one after the other, so that a slow spell of the
        # machine falls on both alike.
        # The workers share the one-process coder's compiled patterns: forked, they start
        # from the same warm tokenizer cache and learnt glob forms, so neither side is
        # timed on word forms the other has already seen.
        parallel = trd.RuleCoder(coder.compiled_, n_jobs=args.jobs).fit()
        parallel.find(next(generate(200_000, 200_000, seed=1)))  # start the workers
        seconds = single = 0.0
        words = 0
        for chunk in generate(min(args.words, 4_000_000), 1_000_000, seed=7):
            t0 = time.perf_counter()
            parallel.find(chunk)
            t1 = time.perf_counter()
            coder.find(chunk)
            single += time.perf_counter() - t1
            seconds += t1 - t0
            words += sum(len(t.split()) for t in chunk)
        print(f"(b) rule coder, {args.jobs} processes: {words / seconds:>12,.0f} words/s over "
              f"{words:,} words; {single / seconds:.2f} x one process on the same texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
