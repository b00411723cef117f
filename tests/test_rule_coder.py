"""The rule coder: every pattern feature, evidence offsets, scores and the estimator contract."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.base import clone

import tr_discourse as trd
from tr_discourse.coders import RuleCoder, lemma_forms

BOOK = """\
name: Test
version: "1"
codes:
  market:
    label: Market
    patterns:
      - contract
      - privatis*
      - payment by results
      - CRC
      - '"target"'
      - /\\bfee[- ]for[- ]service\\b/
      - contract NEAR/3 charity
      - match: market
        unless: [market town, '"market day"']
        id: mkt-market
      - match: profit
        negation: true
  drift:
    label: Drift
    parent: market
    patterns: [enforcement, Through the Gate]
"""


@pytest.fixture(scope="module")
def coder(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "book.yaml"
    path.write_text(BOOK)
    return RuleCoder(path).fit()


def _codes(coder, text):
    return [(e.code, e.rule_id, e.text) for e in coder.find([text])[0]]


@pytest.mark.parametrize(("text", "expected"), [
    ("The contracts were awful.", [("market", "market:contract", "contracts")]),
    ("They contracted it out.", [("market", "market:contract", "contracted")]),
    ("It was privatised, then privatisation.",
     [("market", "market:privatis*", "privatised"), ("market", "market:privatis*",
                                                     "privatisation")]),
    ("Paid on payment by results!", [("market", "market:payment by results",
                                      "payment by results")]),
    ("The CRC said no.", [("market", "market:CRC", "CRC")]),
    ("Hit the target.", [("market", 'market:"target"', "target")]),
    ("More fee-for-service money.", [("market", r"market:/\bfee[- ]for[- ]service\b/",
                                      "fee-for-service")]),
    ("The charity's new contract.", [("market", "market:contract NEAR/3 charity",
                                      "charity's new contract"),
                                     ("market", "market:contract", "contract")]),
    ("A market for rehabilitation.", [("market", "mkt-market", "market")]),
    ("It is about profit.", [("market", "market:profit", "profit")]),
])
def test_each_pattern_feature_matches(coder, text, expected):
    assert _codes(coder, text) == expected


@pytest.mark.parametrize("text", [
    "We did not like it.",                  # nothing
    "The crc said no.",                     # CRC is case-sensitive
    "Many targets were met.",               # "target" is exact: not its plural
    "Contraction of the market town.",      # not a form of contract; market town vetoes market
    "It was market day.",                   # exact-form exclusion
    "It was never about profit.",           # negation
    "A charity ran it; a long way from anything else; a contract.",  # too far apart for NEAR
    "Private investors.",                   # privatis* needs the fixed letters
])
def test_each_pattern_feature_does_not_overmatch(coder, text):
    codes = [(e.rule_id, e.text) for e in coder.find([text])[0]]
    assert all(r not in {"market:CRC", 'market:"target"', "mkt-market", "market:profit",
                         "market:contract NEAR/3 charity", "market:privatis*"} for r, _ in codes)
    if text.startswith(("We did", "Private")):
        assert codes == []


def test_near_counts_words_in_either_order(coder):
    assert _codes(coder, "A charity, with one contract.")[0][1] == "market:contract NEAR/3 charity"
    assert "market:contract NEAR/3 charity" not in [
        r for _, r, _ in _codes(coder, "A charity had one two three four contract.")]


def test_case_sensitive_phrase_and_lemma_in_phrase(coder):
    assert _codes(coder, "Through the Gate work") == [("drift", "drift:Through the Gate",
                                                       "Through the Gate")]
    assert _codes(coder, "through the gate work") == []


def test_evidence_offsets_slice_the_segment_text(coder):
    segs = pd.DataFrame({"segment_id": ["d:t001", "d:t002"],
                         "text": ["Not the market town, but the contracts and enforcement.",
                                  "Nothing here."]})
    ev = coder.evidence(segs)
    assert ev[["segment_id", "code", "start", "end", "text"]].values.tolist() == [
        ["d:t001", "market", 29, 38, "contracts"], ["d:t001", "drift", 43, 54, "enforcement"]]
    for row in ev.itertuples():
        assert segs.set_index("segment_id").loc[row.segment_id, "text"][row.start:row.end] \
            == row.text


def test_predict_gives_one_row_per_segment_and_code_and_keeps_uncoded(coder):
    segs = pd.DataFrame({"segment_id": ["a", "b"],
                         "text": ["The contract, the CRC, privatised.", "Tea and biscuits."]})
    out = coder.predict(segs)
    assert out[["segment_id", "code", "coder"]].astype(object).values.tolist() == [
        ["a", "market", "rules"], ["b", pd.NA, "rules"]]
    assert out.loc[0, "score"] == pytest.approx(1 - 0.5 ** 3)
    assert out.loc[0, "rule_id"] == "market:contract" and out.loc[0, "evidence"] == "contract"


def test_roll_up_adds_parents_with_the_childs_evidence(coder):
    rolled = clone(coder).set_params(roll_up=True)
    assert [(e.code, e.text) for e in rolled.find(["More enforcement."])[0]] == [
        ("drift", "enforcement"), ("market", "enforcement")]


def test_estimator_contract(coder):
    params = coder.get_params()
    assert set(params) == {"codebook", "roll_up", "batch_size", "n_jobs", "skip_roles"}
    twin = clone(coder)
    assert twin.get_params() == params and not hasattr(twin, "compiled_")
    assert twin.fit() is twin
    with pytest.raises(ValueError, match="no parameter 'rollup'"):
        twin.set_params(rollup=True)


def test_results_do_not_depend_on_batch_size(coder):
    texts = ["The contract.", "privatisation again", "A privatiser!", "market town"] * 7
    small = clone(coder).set_params(batch_size=3).fit()
    assert small.find(texts) == coder.find(texts)


def test_the_coders_spacy_settings_change_speed_not_evidence(monkeypatch):
    import spacy

    from tr_discourse.coders import _compile

    book = trd.load_codebook("codebooks/tr_core.yaml")
    texts = trd.read_corpus(["corpora/tr_interviews", "corpora/tr_blog"]).segments["text"]
    texts = [*texts.tolist(), "See https://example.org/probation-sell-off for the contract."]
    # More distinct chunks of text than spaCy's default cache holds.
    assert len({w for t in texts for w in t.split()}) == 23_818
    ours = _compile.CompiledCodebook(book)
    assert ours.nlp.tokenizer.max_cache_size == _compile.TOKENIZER_CACHE == 200_000
    assert len(ours.nlp.vocab.lex_attr_getters) == 4
    found = ours.evidence(texts)
    assert sum(map(len, found)) == 9_837
    assert [e.text for e in found[-1]] == ["contract"]  # not the one in the address
    # spaCy's English as it comes: a cache of 10,000 chunks, 23 lexical attributes.
    monkeypatch.setattr(_compile, "blank_nlp", lambda: spacy.blank("en"))
    plain = _compile.CompiledCodebook(book)
    assert plain.nlp.tokenizer.max_cache_size == 10_000
    assert len(plain.nlp.vocab.lex_attr_getters) == 23
    assert plain.evidence(texts) == found
    # New word forms get the attributes the coder reads, and no others.
    doc = ours.nlp("Zqxwv, see www.zqxwv.org !")
    assert [(t.lower_, t.is_punct, t.is_space, t.like_url) for t in doc] == [
        ("zqxwv", False, False, False), (",", True, False, False), ("see", False, False, False),
        ("www.zqxwv.org", False, False, True), ("!", True, False, False)]
    assert not ours.nlp("Qwzzv")[0].is_title and plain.nlp("Qwzzv")[0].is_title


def test_a_new_vocabulary_when_the_old_outgrows_max_strings_gives_the_same_evidence():
    from tr_discourse.coders._compile import MAX_STRINGS, CompiledCodebook

    book = trd.load_codebook("codebooks/tr_core.yaml")
    texts = trd.read_corpus(["corpora/tr_interviews", "corpora/tr_blog"]).segments["text"]
    texts = texts.tolist()
    expected = CompiledCodebook(book).evidence(texts, batch_size=500)
    compiled = CompiledCodebook(book)
    assert compiled.max_strings == MAX_STRINGS == 500_000
    first = compiled.nlp
    assert len(first.vocab.strings) == 3_964  # the tokenizer's and the codebook's own
    compiled.max_strings = 6_964
    renewed = []
    renew = compiled.renew_vocabulary
    compiled.renew_vocabulary = lambda: (renewed.append(len(compiled.nlp.vocab.strings)),
                                         renew())
    assert compiled.evidence(texts, batch_size=500) == expected  # globs learnt again too
    assert renewed == [7_350, 7_223, 7_182, 7_560, 7_069, 7_220]
    assert compiled.nlp is not first and len(compiled.nlp.vocab.strings) == 5_925


def test_lemma_forms_come_from_the_lookup_table():
    assert {"hub", "hubs"} <= lemma_forms("hub")
    assert {"contract", "contracts", "contracted", "contracting"} <= lemma_forms("contracts")


def test_segments_table_must_have_text(coder):
    with pytest.raises(ValueError, match="needs a 'text' column"):
        coder.predict(pd.DataFrame({"segment_id": ["a"]}))


def test_default_codebook_codes_the_domain_examples():
    coder = RuleCoder("codebooks/tr_core.yaml").fit()
    book = coder.codebook_
    found = coder.find(["They shut the office on the estate and moved everyone to a hub "
                        "twenty miles away.", "We met in the market town at risk of rain."])
    assert "displacement" in {e.code for e in found[0]}
    assert found[1] == []
    assert trd.load_codebook("codebooks/tr_core.yaml").hash == book.hash


def test_spacy_component_puts_evidence_in_doc_spans_and_displacy_renders_it():
    import spacy
    from spacy import displacy

    from tr_discourse.coders.spacy_component import span_options

    nlp = spacy.blank("en")
    nlp.add_pipe("tr_discourse_coder", config={"codebook": "codebooks/tr_core.yaml"})
    texts = ["The contract went to the company.", "Tea?", "We moved to a hub."]
    docs = list(nlp.pipe(texts, batch_size=2))
    coder = nlp.get_pipe("tr_discourse_coder").coder
    for doc, found in zip(docs, coder.find(texts), strict=True):
        assert [(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["tr_discourse"]] \
            == [(e.start, e.end, e.code, e.rule_id) for e in found]
    assert len(docs[1].spans["tr_discourse"]) == 0
    html = displacy.render(docs[2], style="span", options=span_options(coder.codebook_))
    assert "displacement" in html and coder.codebook_["displacement"].color.lower() in html.lower()


def test_spacy_factory_is_registered_by_entry_point():
    import subprocess
    import sys

    code = ("import spacy; nlp = spacy.blank('en'); "
            "nlp.add_pipe('tr_discourse_coder', config={'codebook': 'codebooks/tr_core.yaml'}); "
            "doc = nlp('Payment by results.'); "
            "print([s.label_ for s in doc.spans['tr_discourse']])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "['payment_by_results']"


def test_evidence_view_marks_every_match_in_the_codes_colour(coder):
    from tr_discourse.views import EvidenceView

    segs = pd.DataFrame({"segment_id": ["a", "b"], "speaker": ["P1", None],
                         "text": ["Tea first.", "The <contract> & enforcement."]})
    view = EvidenceView(segs, coder.evidence(segs), coder.codebook_)
    html = view.to_html()
    assert html.index("<code>b</code>") < html.index("<code>a</code>")  # coded first
    assert html.count("<mark") == 2
    assert "&lt;" in html and "&amp;" in html
    assert 'title="Market (market:contract)"' in html
    assert repr(view) == "<EvidenceView: 2 segments, 2 matches of 2 codes>"


def test_regexes_matched_as_phrases_find_what_the_regex_finds():
    import re

    from tr_discourse.coders._compile import CompiledCodebook
    from tr_discourse.coders._regex import regex_phrases

    assert regex_phrases(r"\b(no|one) (hub|office)s?\b") == [
        "no hub", "no hubs", "no office", "no offices", "one hub", "one hubs", "one office",
        "one offices"]
    assert regex_phrases(r"\bfor[- ]profit") is None          # no boundary at the end
    assert regex_phrases(r"(?<!not )\bprofit\b") is None      # a look-behind
    compiled = CompiledCodebook(trd.load_codebook("codebooks/tr_core.yaml"))
    assert len(compiled._regex_keys) > 100 and len(compiled._regexes) < 30
    segs = trd.read_corpus(["corpora/tr_interviews", "corpora/tr_blog"]).segments
    texts = [re.sub(r"\s+", " ", t) for t in segs["text"]]
    docs = list(compiled.nlp.tokenizer.pipe(texts))
    strings = compiled.nlp.vocab.strings
    checked = 0
    for expr, key in compiled._regex_keys.items():
        rx = expr.compiled()
        for text, doc in zip(texts, docs, strict=True):
            urls = [(t.idx, t.idx + len(t)) for t in doc if t.like_url]
            by_regex = {(m.start(), m.end()) for m in rx.finditer(text)
                        if not any(a <= m.start() and m.end() <= b for a, b in urls)}
            by_phrase = {(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]))
                         for m, s, e in compiled.matcher(doc) if strings[m] == key}
            assert by_regex <= by_phrase, (expr.pattern, text)
            # Extra phrase matches only overlap a regex match (finditer skips overlaps).
            for s, e in by_phrase - by_regex:
                assert any(s < re_ and rs < e for rs, re_ in by_regex), (expr.pattern, text)
            checked += len(by_regex)
    assert checked > 300


def test_a_fitted_coder_pickles_as_its_codebook_and_codes_the_same(coder):
    import pickle

    texts = ["The contract was privatised.", "A privatiser!", "market town",
             "No profit here.", "contract with a charity"] * 40
    expected = coder.find(texts)
    assert sum(map(len, expected)) == 200
    two = clone(coder).set_params(n_jobs=2, batch_size=20).fit()
    try:
        assert two.find(texts) == expected  # its workers are running
        copy = pickle.loads(pickle.dumps(two))
    finally:
        two.close()
    # Compiled again from the codebook; no workers until it needs them.
    assert copy.compiled_ is not two.compiled_ and getattr(copy, "_pool_", None) is None
    assert copy.get_params()["n_jobs"] == 2
    try:
        assert copy.find(texts) == expected
    finally:
        copy.close()
    # A coder that shares compiled patterns still shares them with its parameter.
    shared = pickle.loads(pickle.dumps(RuleCoder(coder.compiled_).fit()))
    assert shared.codebook is shared.compiled_
    assert shared.find(texts) == expected


def test_two_processes_give_the_same_evidence_and_keep_their_workers():
    import sys

    sys.path.insert(0, "benchmarks")
    from rule_speed import generate

    texts = next(generate(150_000, 150_000, seed=3))
    one = RuleCoder("codebooks/tr_core.yaml").fit()
    two = RuleCoder("codebooks/tr_core.yaml", n_jobs=2, batch_size=200).fit()
    try:
        assert two.find(texts) == one.find(texts)
        pool = two._pool_
        assert two.find(texts[:1000]) == one.find(texts[:1000])
        assert two._pool_ is pool  # reused, not restarted
    finally:
        two.close()
    assert two._pool_ is None and pool._shutdown_thread
    two.close()  # twice is fine


def test_a_dropped_coder_stops_its_workers_and_nothing_keeps_the_pool():
    import gc
    import weakref

    coder = RuleCoder("codebooks/tr_core.yaml", n_jobs=2, batch_size=10).fit()
    coder.find(["The contract was cut."] * 50)
    pool = weakref.ref(coder._pool_)
    assert pool() is not None
    del coder
    gc.collect()
    assert pool() is None


def test_glob_finds_a_form_the_vocabulary_held_before_any_text(tmp_path):
    """A word form a pattern brought into the vocabulary is tested on the globs too.

    Texts that add no new word form skip the glob test; the forms the patterns
    themselves put in the vocabulary ("privatised" here) must still count.
    """
    path = tmp_path / "book.yaml"
    path.write_text("name: G\nversion: '1'\ncodes:\n  a:\n    patterns: [privatis*]\n"
                    "  b:\n    patterns: ['\"privatised\" probation']\n")
    coder = RuleCoder(path).fit()
    # Brings every form of the next text into the vocabulary but "privatised".
    first = coder.find(["Probation was privatisation."])[0]
    assert [(e.code, e.text) for e in first] == [("a", "privatisation")]
    size = len(coder.compiled_.nlp.vocab)
    found = coder.find(["Probation was privatised."])[0]
    assert len(coder.compiled_.nlp.vocab) == size  # no new form: the glob test was skipped
    assert [(e.code, e.start, e.end) for e in found] == [("a", 14, 24)]


def test_glob_finds_a_form_another_use_of_the_tokenizer_brought_in(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("name: G\nversion: '1'\ncodes:\n  a:\n    patterns: [privatis*]\n")
    coder = RuleCoder(path).fit()
    coder.compiled_.nlp("They kept privatising.")  # adds the form outside the coder
    assert coder.find(["Something brand new."]) == [[]]
    found = coder.find(["They kept privatising."])[0]
    assert [(e.code, e.start, e.end, e.text) for e in found] == [("a", 10, 21, "privatising")]


TURNS = pd.DataFrame({
    "segment_id": ["i:t001", "i:t002", "i:t003"],
    "role": ["interviewer", "participant", "Interviewer"],
    "text": ["Was the contract the problem?", "The contract was the problem.",
             "So enforcement came first?"]})


def test_interviewer_turns_are_examined_not_coded_and_say_why(coder):
    codings, evidence = coder.code(TURNS)
    rows = codings[["segment_id", "code", "score", "evidence"]].astype(object)
    assert rows.values.tolist() == [
        ["i:t001", pd.NA, 0.0, "not coded: role interviewer (skip_roles)"],
        ["i:t002", "market", 0.5, "contract"],
        ["i:t003", pd.NA, 0.0, "not coded: role Interviewer (skip_roles)"]]
    assert evidence["segment_id"].tolist() == ["i:t002"]
    # find() sees only texts: it still finds the matches in the questions.
    assert [len(ev) for ev in coder.find(TURNS["text"].tolist())] == [1, 1, 1]
    # Evidence found beforehand (for every text) gives the same tables.
    again = coder.code(TURNS, found=coder.find(TURNS["text"].tolist()))
    pd.testing.assert_frame_equal(again[0], codings)
    pd.testing.assert_frame_equal(again[1], evidence)
    # The evidence table alone, found or given, is the same table.
    pd.testing.assert_frame_equal(coder.evidence(TURNS), evidence)
    pd.testing.assert_frame_equal(
        coder.evidence(TURNS, found=coder.find(TURNS["text"].tolist())), evidence)


def test_skip_roles_can_be_emptied_and_must_be_a_list(coder):
    every = clone(coder).set_params(skip_roles=()).fit()
    assert every.predict(TURNS)["code"].tolist() == ["market", "market", "drift"]
    # A table without a role column (a blog) is coded in full by the default coder.
    assert coder.predict(TURNS.drop(columns="role"))["code"].notna().all()
    with pytest.raises(TypeError, match=r"not the string 'interviewer': write \['interviewer'\]"):
        clone(coder).set_params(skip_roles="interviewer").fit().predict(TURNS)
    with pytest.raises(TypeError, match=r"not the string 'interviewer, moderator': write "
                       r"\['interviewer', 'moderator'\]"):
        clone(coder).set_params(skip_roles="interviewer, moderator").fit().predict(TURNS)
    with pytest.raises(TypeError, match=r"not None: write \(\) \(an empty tuple codes every"):
        clone(coder).set_params(skip_roles=None).fit().predict(TURNS)
    # Roles are compared without case or surrounding spaces, on both sides.
    spaced = clone(coder).set_params(skip_roles=[" Interviewer "]).fit()
    assert spaced.predict(TURNS.assign(role=[" interviewer", "participant", "INTERVIEWER"]))[
        "code"].tolist() == [pd.NA, "market", pd.NA]


def test_a_coder_can_use_another_coders_compiled_patterns(coder):
    shared = RuleCoder(coder.compiled_, roll_up=True).fit()
    assert shared.compiled_ is coder.compiled_ and shared.codebook_ is coder.codebook_
    own = RuleCoder(coder.codebook_, roll_up=True).fit()
    assert own.compiled_ is not coder.compiled_
    pd.testing.assert_frame_equal(shared.predict(TURNS), own.predict(TURNS))
    assert clone(shared).fit().compiled_ is coder.compiled_
    assert repr(shared) == "RuleCoder(codebook=<Codebook 'Test'>, roll_up=True)"


def test_no_pattern_fires_inside_a_web_address(tmp_path):
    # The tokenizer keeps a URL whole, so words and phrases cannot match in it; a regex,
    # which runs on the text, is held to the same rule (a bare link gets no code).
    path = tmp_path / "book.yaml"
    path.write_text(BOOK.replace("      - contract NEAR/3 charity\n",
                                 "      - contract NEAR/3 charity\n"
                                 "      - /(?<!not )sell[- ]off/\n"))
    coder = RuleCoder(path).fit()
    assert _codes(coder, "A sell-off of the service.") == [
        ("market", "market:/(?<!not )sell[- ]off/", "sell-off")]
    assert _codes(coder, "See https://www.example.org/news/probation-sell-off-2015 or "
                         "www.example.net/contract/fee-for-service today.") == []
    assert _codes(coder, "Not a sell-off: https://www.example.org/sell-off") == [
        ("market", "market:/(?<!not )sell[- ]off/", "sell-off")]
