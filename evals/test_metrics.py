"""The eval metrics themselves: the independent support checker, ALCE scoring, gold matching, thresholds,
and the answer-quality metrics of issue 10 (on hand-made answers: no index, no model)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.errors import MissionDeskError
from assistant.schemas import Answer, Chunk, Citation, ClaimCheck
from evals import metrics as m
from evals import runner
from evals.check_dataset import check
from evals.runner import DEFAULT_DATASET, HELD_OUT_DATASET, GoldItem, ItemResult, load_dataset

PASSAGE = (
    "Public sector productivity increased by an average of 0.7 per cent per year from 2010 to 2019 "
    "(Van Ark 2022). This means public sector productivity is a significant contributor to total productivity."
)


@dataclass(frozen=True)
class SupportCase:
    id: str
    sentence: str
    evidence: str
    supported: bool


SUPPORT = [
    SupportCase("verbatim", "Public sector productivity increased by an average of 0.7 per cent per year [1].", PASSAGE, True),
    SupportCase("markdown-and-bullet", "- **Public sector productivity** is a significant contributor to total productivity", PASSAGE, True),
    SupportCase("curly-quotes", "Doing ‘the right things’ matters", "doing 'the right things' matters", True),
    SupportCase("wrong-number", "Public sector productivity increased by an average of 0.9 per cent per year", PASSAGE, False),
    SupportCase("extra-number", "Productivity increased by 0.7 per cent per year from 2010 to 2021", PASSAGE, False),
    SupportCase("other-words", "Hospital waiting lists doubled while staff morale collapsed", PASSAGE, False),
    SupportCase("partly-covered", "Public sector productivity increased sharply because of outsourcing and markets", PASSAGE, False),
    SupportCase("empty", "[1].", PASSAGE, False),
]


@pytest.mark.parametrize("case", SUPPORT, ids=[c.id for c in SUPPORT])
def test_support_checker(case: SupportCase) -> None:
    assert m.supports(case.sentence, case.evidence) is case.supported


def test_answer_sentences_end_at_marker_groups_and_keep_inner_full_stops() -> None:
    answer = (
        "Table 2.1, Targets — risks: Can lead to gaming. Not conducive to complex problems [1]. "
        "Support should include [2]: data and analytics capacity [3]. "
        "⚠ [unsupported: no citation] An uncited claim. The next one cites [2, 4]."
    )
    got = m.answer_sentences(answer)
    assert [s.cited for s in got] == [(1,), (2,), (3,), (), (2, 4)]
    assert got[0].text == "Table 2.1, Targets — risks: Can lead to gaming. Not conducive to complex problems"
    assert got[3].text == "An uncited claim"


def test_alce_recall_and_precision() -> None:
    evidence = {1: PASSAGE, 2: "Satisfaction with the NHS fell to 29 per cent in 2022.", 3: "Unrelated text about schools."}
    sentences = [
        m.AnswerSentence("Public sector productivity increased by 0.7 per cent per year", (1, 3)),  # [3] irrelevant
        m.AnswerSentence("Satisfaction with the NHS fell to 29 per cent in 2022", (2,)),
        m.AnswerSentence("Satisfaction with the NHS rose to 60 per cent", (2,)),  # unsupported: 0 recall, citation irrelevant
        m.AnswerSentence("Productivity is a contributor to total productivity", ()),  # no citation: unsupported
    ]
    scores = m.citation_scores(sentences, evidence)
    assert (scores.sentences, scores.supported) == (4, 2)
    assert (scores.citations, scores.relevant) == (4, 2)
    assert scores.recall == 0.5 and scores.precision == 0.5


def test_alce_keeps_a_citation_needed_jointly() -> None:
    evidence = {1: "NHS spending will reach 11.2 per cent of GDP.", 2: "Without reform, by 2033."}
    sentence = m.AnswerSentence("Without reform NHS spending will reach 11.2 per cent of GDP by 2033", (1, 2))
    scores = m.citation_scores([sentence], evidence)
    assert scores.recall == 1.0 and scores.precision == 1.0


@pytest.mark.parametrize(
    ("answer", "facts", "missing"),
    [
        ("The ‘10 year test’ asks about the LONGER term.", ["10 year test", "longer term"], []),
        ("Figures cover 2010–2020 per 100,000 population.", ["2010-2020", "per 100,000 population"], []),
        ("It fell to d = -0.28 overall.", ["-0.28", "-0.40"], ["-0.40"]),
        ("We concatenate things.", ["cat"], ["cat"]),
    ],
    ids=["quotes-and-case", "dashes", "missing-number", "word-edges"],
)
def test_key_facts(answer: str, facts: list[str], missing: list[str]) -> None:
    assert m.key_facts(answer, facts) == missing


def test_gold_is_retrieved_by_containment_or_by_covering_its_offsets() -> None:
    source = "x" * 100 + "The gold quote sits here." + "y" * 100
    gold = m.locate("s", "The gold quote sits here.", source)
    assert (gold.start, gold.end) == (100, 125)
    contains = m.Retrieved("s", "headers\nThe gold   quote sits HERE.", ((0, 10),))
    covers_most = m.Retrieved("s", "different text", ((110, 200),))
    touches = m.Retrieved("s", "different text", ((120, 200),))
    other_source = m.Retrieved("t", "The gold quote sits here.", ((100, 125),))
    assert m.covers(contains, gold) and m.covers(covers_most, gold)
    assert not m.covers(touches, gold) and not m.covers(other_source, gold)
    ranked = [other_source, touches, covers_most]
    assert m.recall_at([gold], ranked, 2) == 0.0 and m.recall_at([gold], ranked, 3) == 1.0
    assert m.reciprocal_rank([gold], ranked) == pytest.approx(1 / 3)


def test_cites_gold_accepts_a_sentence_inside_a_longer_gold_quote() -> None:
    gold = m.GoldSpan("s", "First sentence here. Second sentence there.", 50, 93)
    assert m.cites_gold(gold, "s", "Second sentence there.", 71, 93)
    assert m.cites_gold(gold, "s", "Intro. First sentence here. Second sentence there. More.", 43, 99)
    assert not m.cites_gold(gold, "s", "Something else entirely.", 200, 224)
    assert not m.cites_gold(gold, "t", "Second sentence there.", 71, 93)


def test_refusal_counts() -> None:
    r = m.refusals([(True, True), (True, False), (False, True), (False, False), (False, False)])
    assert (r.precision, r.recall, r.accuracy) == (0.5, 0.5, 0.6)


def test_best_threshold_sits_in_the_widest_gap_that_keeps_answerable_items() -> None:
    answerable = [0.55, 0.8, 0.9, 1.1]
    refuse = [0.2, 0.3, 0.7, 0.75]  # 0.7 and 0.75 cannot be refused without losing an answerable item
    choice = m.best_threshold(answerable, refuse, min_kept=1.0)
    assert choice.threshold == pytest.approx(0.425)
    assert (choice.answerable_kept, choice.refusals_caught) == (1.0, 0.5)
    loose = m.best_threshold(answerable, refuse, min_kept=0.5)
    assert loose.accuracy > choice.accuracy and loose.threshold == pytest.approx(0.775)


def test_percentile() -> None:
    assert m.percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.5
    assert m.percentile([], 95) is None


def test_gold_v1_is_valid_and_loads() -> None:
    assert check(DEFAULT_DATASET) == []
    items = load_dataset(DEFAULT_DATASET)
    assert len(items) == 150 and len({i.id for i in items}) == 150
    assert not any(i.list_items or i.uncovered for i in items)


def test_gold_v2_loads_with_its_extra_keys() -> None:
    items = load_dataset(HELD_OUT_DATASET)
    assert len(items) == 115 and len({i.id for i in items}) == 115
    assert all(i.split == "heldout" for i in items)
    assert sum(bool(i.list_items) for i in items) >= 15
    assert {i.category for i in items if i.uncovered} == {"partial"}
    assert runner.dataset_key(HELD_OUT_DATASET) == "v2" and runner.dataset_label(HELD_OUT_DATASET) == "gold-v2 (held out)"


# -- answer quality (issue 10) --------------------------------------------------------------------
SOURCE = "s"
GOLD_QUOTE = "Missions are bold, measurable goals with a deadline."
GOLD_SPAN = m.GoldSpan(SOURCE, GOLD_QUOTE, 1000, 1000 + len(GOLD_QUOTE))


def cite(n: int, chunk: str, quote: str, start: int, passage: str = "", source: str = SOURCE) -> Citation:
    return Citation(
        n=n, source_id=source, title="The smarter state", locator="p. 1", quote=quote, passage=passage or quote,
        start=start, end=start + len(quote), score=1.0, chunk_id=chunk,
    )


def test_an_answer_unit_is_one_distinct_cited_passage() -> None:
    citations = [cite(1, "a", "One.", 0), cite(2, "b", "Two.", 10), cite(3, "a", "Three.", 20)]
    units = m.answer_units(citations)
    assert [u.chunk_id for u in units] == ["a", "b"]
    assert units[0].quotes == ("One.", "Three.") and units[0].spans == ((0, 4), (20, 26))


def test_answer_precision_counts_units_bearing_on_the_question() -> None:
    facts = ["measurable goals", "long-term"]
    citations = [
        # (a) a quote holds a key fact, whatever its case: bears on the question
        cite(1, "fact", "Missions set MEASURABLE GOALS for the state.", 5000),
        # (a) a quote overlapping the gold quote in the source, in other words: bears
        cite(2, "overlap", "with a deadline. They also cut across departments.", 1030),
        # (b) a quote elsewhere in the passage that holds the gold quote (its structural unit): bears
        cite(3, "unit", "Missions need political will.", 900, passage=f"Missions need political will. {GOLD_QUOTE}"),
        # a second quote of an off-question unit does not make it bear
        cite(4, "off", "The report was first published in October 2023.", 90),
        cite(5, "off", "It has 40 pages.", 150),
        # the gold quote's text in a passage of another source does not count
        cite(6, "other", "Something else.", 1000, passage=GOLD_QUOTE, source="t"),
    ]
    scores = m.answer_precision(citations, facts, [GOLD_SPAN])
    assert (scores.units, scores.relevant) == (5, 3)
    assert scores.precision == pytest.approx(0.6)
    assert scores.off_question == ("The report was first published in October 2023.", "Something else.")
    assert scores.lead is True, "the first unit holds a key fact"
    assert m.answer_precision(citations[3:], facts, [GOLD_SPAN]).lead is False, "an answer led by an off-question unit"
    assert m.answer_precision([], facts, [GOLD_SPAN]).precision is None
    assert m.answer_precision([], facts, [GOLD_SPAN]).lead is None


def test_a_key_fact_must_be_whole_words_and_a_touching_span_is_no_overlap() -> None:
    near = cite(1, "near", "Goals deadline.", GOLD_SPAN.end)  # starts where the gold quote ends: [start, end) do not overlap
    part = cite(2, "part", "Immeasurable goals abound.", 3000)
    assert m.answer_precision([near, part], ["measurable goals"], [GOLD_SPAN]).relevant == 0


def test_answer_words_strip_citation_markers() -> None:
    assert m.answer_words("Missions are bold [1]. They last ten years [2, 3].\n- **Health** [4]") == 8
    assert m.answer_words("") == 0


def test_list_completeness_ignores_case_markers_and_markdown_emphasis() -> None:
    answer = "The missions are **Health** [1], _Safety_ [2], and opportunity[3]."
    items = ["Health", "Safety", "Opportunity", "Security"]
    assert m.missing_list_items(answer, items) == ["Security"]
    assert m.list_share(answer, items) == 0.75
    assert m.list_share(answer, items, refused=True) == 0.0
    assert m.list_share(answer, []) is None
    assert m.missing_list_items("Shift to “wrap around support” now", ["wrap around support"]) == []


def test_the_uncovered_part_is_named_by_half_its_content_words() -> None:
    uncovered = "running cost of mission councils"  # content terms: running, cost, mission, council
    assert m.phrase_terms(uncovered) == {"running", "cost", "mission", "council"}
    assert m.names_uncovered(["the cost of a mission council"], uncovered)  # 3 of 4
    assert m.names_uncovered(["how much they cost", "running costs"], uncovered)  # one entry: 2 of 4
    assert not m.names_uncovered(["the council's running"], "running cost of mission councils and boards")  # 2 of 5
    assert not m.names_uncovered(["how much it costs"], uncovered)  # 1 of 4
    assert not m.names_uncovered([], uncovered)
    assert m.names_uncovered(["NHS IMPACT budget"], "NHS IMPACT's budget")
    assert m.names_uncovered(["public sector jobs since 2010"], "change in public sector employment since 2010")


def test_a_sentence_naming_what_is_not_covered_is_left_out_of_citation_scores() -> None:
    gap = "The sources don't cover this part of the question: “cost to run one each year”."
    entry = ["cost to run one each year"]
    answer = f"Mission councils lead on strategy [1].\n\n{gap}"
    assert [s.text for s in m.without_gaps(m.answer_sentences(answer), entry)] == ["Mission councils lead on strategy"]
    assert len(m.without_gaps(m.answer_sentences(answer), [])) == 2  # without the structured field it is a claim
    run_on = m.answer_sentences(f"Mission councils lead on strategy [1]. {gap} Councils are cheap.")
    assert [s.text for s in m.without_gaps(run_on, entry)] == ["Mission councils lead on strategy", "Councils are cheap"]
    cited = [m.AnswerSentence("The cost to run one each year is £1m", (1,))]
    assert m.without_gaps(cited, entry) == cited  # a cited sentence is a claim, whatever it says

    item = _item(category="partial", uncovered="running cost of mission councils")
    citation = cite(1, "a", "Mission councils lead on strategy.", 5000)
    scored = _scored(item, Answer(question="q", answer=f"Mission councils lead on strategy [1]. {gap} Councils are cheap.",
                                  citations=[citation], not_covered=entry))
    assert (scored.sentences, scored.supported) == (2, 1)  # the gap statement is not counted; the run-on claim is


def _item(**extra: object) -> GoldItem:
    base: dict[str, object] = {
        "id": "v2-x-001", "category": "list", "question": "Which missions?", "key_facts": ["measurable goals"],
        "gold": [{"source_id": SOURCE, "quote": GOLD_QUOTE}], "split": "heldout",
    }
    return GoldItem.model_validate(base | extra)


def _scored(item: GoldItem, answer: Answer) -> ItemResult:
    result = ItemResult(id=item.id, category=item.category, question=item.question, expect_refusal=item.expect_refusal)
    runner._score_answer(result, item, answer, [GOLD_SPAN])
    runner._score_answer_quality(result, item, answer, [GOLD_SPAN])
    return result


def test_runner_scores_answer_quality_and_aggregates_it() -> None:
    listed = _item(list_items=["Health", "Safety"])
    text = "Missions set **measurable goals** [1]. Health comes first [2]. The report has 40 pages [3]."
    citations = [cite(1, "a", "Missions set measurable goals.", 5000), cite(2, "a", "Health comes first.", 5040),
                 cite(3, "b", "The report has 40 pages.", 90)]
    answered = _scored(listed, Answer(question=listed.question, answer=text, citations=citations))
    assert (answered.units, answered.units_relevant, answered.answer_precision) == (2, 1, 0.5)
    assert answered.words == 12 and answered.list_share == 0.5 and answered.missing_list_items == ["Safety"]

    refused_list = _scored(listed.model_copy(update={"id": "v2-x-002"}),
                           Answer(question="q", answer="The sources don't cover this question.", refused=True))
    assert refused_list.list_share == 0.0 and refused_list.units is None and refused_list.answer_precision is None

    partial = _item(id="v2-partial-001", category="partial", uncovered="running cost of mission councils")
    named = _scored(partial, Answer(question="q", answer="Missions set measurable goals [1].", citations=citations[:1],
                                    not_covered=["the annual running cost of a mission council"]))
    unnamed = _scored(partial, Answer(question="q", answer="Missions set measurable goals [1].", citations=citations[:1]))
    refused = _scored(partial, Answer(question="q", answer="The sources don't cover this question.", refused=True,
                                      not_covered=["running cost of mission councils"]))
    assert (named.uncovered_named, unnamed.uncovered_named, refused.uncovered_named) == (True, False, False)

    must_refuse = _item(id="v2-refusal-001", category="refusal", expect_refusal=True, key_facts=[], gold=[])
    false_answer = _scored(must_refuse, Answer(question="q", answer="The report has 40 pages [1].", citations=citations[2:]))
    assert false_answer.units == 1 and false_answer.answer_precision is None  # answered, but not answerable

    scores = runner.aggregate([answered, refused_list, named, unnamed, refused, false_answer])
    assert scores["answer_precision"] == pytest.approx((0.5 + 1 + 1) / 3)  # answered answerable items only
    assert scores["answer_units_p50"] == 1.0  # units 2, 1, 1, 1 over the answered items
    assert scores["list_completeness"] == pytest.approx(0.25)  # 0.5 and the refusal's 0
    assert scores["partial_coverage_accuracy"] == pytest.approx(1 / 3)
    # Refusal accuracy counts the partly covered item refused as a false refusal, and the false answer.
    assert scores["refusal_accuracy"] == pytest.approx(3 / 6)
    assert scores["refusal_precision"] == 0.0


def test_a_dataset_without_lists_or_partial_items_reports_them_as_not_measured() -> None:
    item = _item(category="prose")
    scored = _scored(item, Answer(question="q", answer="Missions set measurable goals [1].",
                                  citations=[cite(1, "a", "Missions set measurable goals.", 5000)]))
    scores = runner.aggregate([scored])
    assert scores["list_completeness"] is None and scores["partial_coverage_accuracy"] is None
    assert scores["answer_precision"] == 1.0


def test_targets_per_dataset_take_the_stricter_of_issues_6_and_10() -> None:
    assert m.TARGETS["v1"]["key_fact_accuracy"] == 0.95 and m.TARGETS["v1"]["recall_at_5"] == 0.95
    assert m.TARGETS["v2"]["key_fact_accuracy"] == 0.85 and "recall_at_5" not in m.TARGETS["v2"]
    assert m.TARGETS["v1"]["answer_units_p50"] == 4 and "list_completeness" not in m.TARGETS["v1"]
    assert m.targets_for("v9") == m.ISSUE_TARGETS


def test_thresholds_are_read_per_dataset() -> None:
    toml = {"minimum": {"a": 1}, "maximum": {}, "shortfalls": {}, "v2": {"minimum": {"b": 2}}}
    assert runner.thresholds_for(toml, "v1")["minimum"] == {"a": 1}
    assert runner.thresholds_for(toml, "v2") == {"minimum": {"b": 2}, "maximum": {}, "shortfalls": {}}
    assert runner.thresholds_for(toml, "v3")["minimum"] == {}


def test_llm_judge_reads_yes_and_no() -> None:
    # A scripted chat model: this tests the judge's plumbing (prompt, chain, parsing), not a model.
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from evals.judge import make_judge

    judge = make_judge(FakeListChatModel(responses=["Yes.", "no", "**YES**"]))
    assert [judge("claim", "passage") for _ in range(3)] == [True, False, True]


# -- stance: the citation verifier and the claim checker (issue 11) -------------------------------
def _outcomes() -> list[m.VerifierOutcome]:
    o = m.VerifierOutcome
    return [
        o("tune", "faithful", False), o("tune", "faithful", True), o("heldout", "faithful", False),
        o("tune", "hedge", True), o("tune", "hedge", False), o("heldout", "hedge", True),
        o("heldout", "wrong_actor", False), o("tune", "number_changed", True),
    ]


def test_verifier_scores_catch_errors_keep_faithful_sentences_per_kind() -> None:
    scores = m.verifier_scores(_outcomes())
    assert scores["catch_rate"] == pytest.approx(3 / 5)  # hedge 2 of 3, wrong_actor 0 of 1, number_changed 1 of 1
    assert scores["keep_rate"] == pytest.approx(2 / 3)  # a flagged faithful sentence is not kept
    assert scores["catch_hedge"] == pytest.approx(2 / 3)
    assert scores["catch_wrong_actor"] == 0.0 and scores["catch_number_changed"] == 1.0
    assert scores["catch_quantifier"] is None  # no item of that kind: not measured, never 0 or 1
    assert (scores["error_items"], scores["faithful_items"]) == (5, 3)
    assert set(m.STANCE_TARGETS["heldout"]) == {"catch_rate", "keep_rate", *(f"catch_{k}" for k in m.ERROR_KINDS)}


def test_stance_metrics_report_tune_and_heldout_apart() -> None:
    verifier = [
        runner.VerifierResult(id=f"ver-{i:03d}", split=o.split, label=o.label, sentence="s [1].", source_id="s",
                              chunk_id="c", flagged=o.flagged)
        for i, o in enumerate(_outcomes(), 1)
    ]
    assert [r.correct for r in verifier] == [True, False, True, True, False, True, False, True]
    scores = runner.stance_metrics(verifier, {})
    assert scores["tune"]["catch_rate"] == pytest.approx(2 / 3) and scores["heldout"]["catch_rate"] == 0.5
    assert scores["tune"]["keep_rate"] == 0.5 and scores["heldout"]["keep_rate"] == 1.0
    assert scores["heldout"]["catch_hedge"] == 1.0 and scores["tune"]["catch_wrong_actor"] is None
    assert scores["all"] == m.verifier_scores(_outcomes())


def _chunk(id: str, source: str, text: str, context: str = "") -> Chunk:
    return Chunk(id=id, source_id=source, title="t", section="", kind="text", locator="p. 1", start=0,
                 end=len(text), text=text, context=context)


def test_the_cited_chunk_is_the_first_of_the_source_holding_the_quote() -> None:
    chunks = [
        _chunk("a", "other", "Satisfaction fell to 29 per cent."),
        _chunk("b", "s", "Table 2.1\nTargets: can lead to gaming.", context=""),
        _chunk("c", "s", "Satisfaction   fell to 29 per cent in 2022."),
        _chunk("d", "s", "Again: satisfaction fell to 29 per cent."),
        _chunk("e", "s", "Can lead to gaming.", context="Table 2.1 Targets — risks"),
    ]
    assert runner.cited_chunk(chunks, "s", "satisfaction fell to 29 per cent").id == "c"  # whitespace, case
    assert runner.cited_chunk(chunks, "s", "Targets — risks\nCan lead").id == "e"  # across the headers shown
    with pytest.raises(MissionDeskError, match="no indexed chunk"):
        runner.cited_chunk(chunks, "s", "Satisfaction rose")


def test_claim_stems_leave_out_stop_and_generic_words_and_share_word_families() -> None:
    assert m.claim_stems("Public services' rewards undermined intrinsic motivation in the UK") == {
        "reward", "undermin", "intrinsic", "motiv"
    }
    assert m.claim_stems("Extrinsic motivators crowd out") == m.claim_stems("extrinsic motivation, crowding out")
    assert m.claim_stems("free-choice behaviour") == {"free", "choic", "behaviour"}
    assert m.claim_stems("0.7 per cent in 2019") == {"0.7", "2019"}


CLAIM = "Tangible rewards undermine intrinsic motivation."
CLAIM_GOLD = m.GoldSpan(SOURCE, "tangible rewards tend to undermine intrinsic motivation", 500, 555)


# A second gold quote sharing no content stem with the claim, so rule (a) is tested alone.
OTHER_GOLD = m.GoldSpan(SOURCE, "Deci and colleagues reviewed 128 laboratory experiments", 800, 855)


def _bears(quote: str, start: int = 0, source: str = SOURCE, facts: tuple[str, ...] = ()) -> bool:
    return m.bears_on_claim(CLAIM, source, quote, start, start + len(quote), facts, [CLAIM_GOLD, OTHER_GOLD])


def test_evidence_bears_on_a_claim_by_gold_overlap_key_fact_or_shared_stems() -> None:
    # (a) a gold quote: overlapping spans, containment, or half the shorter's content words, in the same source
    assert _bears("Nothing here in common.", start=540)
    assert not _bears("Nothing here in common.", start=555)  # a touching span is no overlap
    assert _bears("In 1999 Deci and colleagues reviewed 128 laboratory experiments on rewards.", start=5000)
    assert _bears("Deci and his colleagues reviewed laboratory experiments widely.", start=5000)
    assert not _bears("Deci and his colleagues reviewed laboratory experiments widely.", start=5000, source="other")
    assert not _bears("Deci met friends in laboratory rooms nearby.", start=5000)  # 2 of the shorter's 5 words
    # (b) a key fact
    assert _bears("Effect size d = -0.34 for free-choice behaviour.", facts=("d = -0.34",))
    assert not _bears("Effect size d = -0.345 for free-choice behaviour.", facts=("d = -0.34",))
    # (c) two content stems shared with the claim; one, or only generic words, is not enough
    assert _bears("Rewards crowd out motivation.", start=2000, source="other")
    assert not _bears("Contingent rewards depend on control.", start=2000, source="other")
    assert not _bears("Public services in the UK: the state and the government.", start=2000, source="other")


def test_claim_evidence_counts_every_shown_citation() -> None:
    on = cite(1, "a", "The authors conclude that tangible rewards tend to undermine intrinsic motivation.", 490)
    off = cite(2, "b", "Satisfaction with the NHS fell to 29 per cent.", 3000)
    evidence = m.claim_evidence(CLAIM, [on, off, on], [], [CLAIM_GOLD])  # one passage shown on both sides
    assert (evidence.shown, evidence.relevant, evidence.off_claim) == (3, 2, (off.quote,))
    assert evidence.relevance == pytest.approx(2 / 3)
    assert m.claim_evidence(CLAIM, [], [], [CLAIM_GOLD]).relevance is None


def _claim_result(id: str, expected: str, check: ClaimCheck, seconds: float) -> ItemResult:
    item = GoldItem(id=id, category="claim", question=check.claim, verdict=expected, key_facts=[],
                    gold=[runner.GoldQuote(source_id=SOURCE, quote=CLAIM_GOLD.quote)])
    result = ItemResult(id=id, category="claim", question=item.question, expect_refusal=False,
                        verdict_expected=expected, seconds=seconds)
    runner._score_claim(result, item, check, [CLAIM_GOLD])
    runner._diagnose(result, item, None, 6)
    return result


def test_runner_scores_claim_checks_verdict_evidence_and_latency() -> None:
    on = cite(1, "a", "The authors conclude that tangible rewards tend to undermine intrinsic motivation.", 490)
    off = cite(2, "b", "Satisfaction with the NHS fell to 29 per cent.", 3000)
    right = _claim_result("claim-001", "supported", ClaimCheck(
        claim=CLAIM, verdict="supported", supporting=[on], contradicting=[off], explanation=""), 0.04)
    wrong = _claim_result("claim-002", "contradicted", ClaimCheck(
        claim=CLAIM, verdict="not enough evidence", explanation=""), 0.20)
    third = _claim_result("claim-003", "mixed", ClaimCheck(
        claim=CLAIM, verdict="mixed", supporting=[on], contradicting=[on], explanation=""), 0.10)
    assert (right.verdict, right.evidence_shown, right.evidence_relevant, right.cause) == ("supported", 2, 1, None)
    assert right.off_claim == [off.quote]
    assert (wrong.verdict, wrong.evidence_shown, wrong.cause) == ("not enough evidence", 0, "verdict")
    scores = runner.aggregate([right, wrong, third])
    assert scores["claim_verdict_accuracy"] == pytest.approx(2 / 3)
    assert scores["claim_evidence_relevance"] == pytest.approx(3 / 4)  # pooled over the 4 citations shown
    assert scores["check_latency_p50"] == pytest.approx(0.10)
    assert scores["latency_p50"] is None  # ask latency: no question asked
    stance = runner.stance_metrics([], {"claims_v1": [right, wrong, third]})
    assert stance["claims_v1"]["claim_evidence_relevance"] == pytest.approx(3 / 4) and stance["claims_v1"]["claims"] == 3


def test_stance_thresholds_are_read_per_scope() -> None:
    toml = {"stance": {"minimum": {"heldout": {"catch_rate": 0.5}, "claims_v2": {"claim_verdict_accuracy": 0.4}},
                       "shortfalls": {"heldout": {"catch_rate": "why"}}}}
    assert runner.stance_thresholds(toml, "heldout") == {
        "minimum": {"catch_rate": 0.5}, "maximum": {}, "shortfalls": {"catch_rate": "why"}
    }
    assert runner.stance_thresholds(toml, "tune") == {"minimum": {}, "maximum": {}, "shortfalls": {}}
    assert runner.stance_thresholds({}, "claims_v1")["minimum"] == {}


def test_stance_datasets_load() -> None:
    items = runner.load_verifier_dataset()
    assert len(items) >= 216 and {i.split for i in items} == {"tune", "heldout"}
    assert {i.label for i in items} == {"faithful", *m.ERROR_KINDS}
    claims = load_dataset(runner.CLAIMS_DATASET)
    assert claims and all(c.is_claim and c.split == "heldout" and c.verdict for c in claims)


# -- drafting (issue 12) -------------------------------------------------------------------------------
def test_drafting_fact_scorer() -> None:
    from types import SimpleNamespace as Fact

    from evals.drafting import fact_correct

    gold = {"value": 1_200_000_000, "words": "£1.2bn over three years"}
    assert fact_correct("total_cost", gold, Fact(value=1.2e9, words="£1.2bn"))
    assert not fact_correct("total_cost", gold, Fact(value=1.5e9, words="£1.5bn"))
    assert fact_correct("total_cost", None, None) and not fact_correct("total_cost", gold, None)
    assert not fact_correct("total_cost", None, Fact(value=1e9, words="£1bn")), "a fact the proposal doesn't state"
    ramp = {"value": [300_000_000, 500_000_000], "words": "rising from £300m to £500m"}
    assert fact_correct("cost_per_year", ramp, Fact(value=[3e8, 5e8], words="x"))
    assert not fact_correct("cost_per_year", ramp, Fact(value=3e8, words="x"))
    scale = {"value": "40 hubs", "words": "build and staff 40 neighbourhood health hubs"}
    assert fact_correct("scale", scale, Fact(value="", words="40 neighbourhood health hubs"))
    assert not fact_correct("scale", scale, Fact(value="", words="20 most deprived"))
    dates = {"value": ["2028", "2035"], "words": "by 2028 and 2035 respectively"}
    assert fact_correct("outcome_dates", dates, Fact(value=["2035", "2028"], words="x"))
    assert not fact_correct("outcome_dates", dates, Fact(value=["2028"], words="x"))


def test_drafting_redundant_question_scorer() -> None:
    from evals.drafting import redundant_questions

    asked = ["What is the total cost, and over how many years?", "What are the running costs after year 3?",
             "How will it be funded?", "What will the guarantee cost after year 5, and how will it be funded?"]
    assert redundant_questions(asked, {"running_costs"}) == [asked[1]]
    assert redundant_questions(asked, {"funding"}) == [asked[2]], "funding a later cost is a fair question"
    assert redundant_questions(asked, set()) == []
