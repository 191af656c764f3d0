"""The eval metrics themselves: the independent support checker, ALCE scoring, gold matching, thresholds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evals import metrics as m
from evals.check_dataset import check
from evals.runner import DEFAULT_DATASET, load_dataset

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


def test_llm_judge_reads_yes_and_no() -> None:
    # A scripted chat model: this tests the judge's plumbing (prompt, chain, parsing), not a model.
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from evals.judge import make_judge

    judge = make_judge(FakeListChatModel(responses=["Yes.", "no", "**YES**"]))
    assert [judge("claim", "passage") for _ in range(3)] == [True, False, True]
