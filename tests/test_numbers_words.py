"""Counts written in words are compared like digits ('five criteria' against 'three criteria'): one fast test per
rule of assistant/text/numbers.py ``counts``, the claim checker and the verifier on hand-made passages, and the
claim checker and verifier on the real corpus (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant import Assistant
from assistant.citations import check_support
from assistant.drafting.claims import weigh
from assistant.schemas import Chunk
from assistant.settings import StanceSettings
from assistant.text.numbers import count_clash, counts, counts_the_same, numbers, word_number
from assistant.types import Passage


def passage(text: str, n: int = 1, context: str = "") -> Passage:
    chunk = Chunk(id=f"c{n}", source_id="doc", title="A document", section="S", kind="text", locator=f"p. {n}",
                  start=0, end=len(text), text=text, context=context, seq=0)
    return Passage(n, chunk, 0.1, 0.5)


def counted(text: str) -> list[tuple[str, set[str]]]:
    return [(c.value, set(c.words)) for c in counts(text)]


# -- counts: one test per rule ---------------------------------------------------------------------
@dataclass(frozen=True)
class CountCase:
    text: str
    expected: list[tuple[str, set[str]]]


COUNT_CASES = {
    "a word counting a noun": CountCase("The mission test has five criteria.", [("5", {"criteria"})]),
    "a digit counting a noun": CountCase("The mission test has 3 criteria.", [("3", {"criteria"})]),
    "adjectives before the noun": CountCase("three fundamental needs", [("3", {"fundamental", "need"})]),
    "a partitive counts what follows 'of the'": CountCase(
        "two of the five success factors", [("2", {"succes", "factor"}), ("5", {"succes", "factor"})]),
    "a partitive with a pronoun counts, saying nothing of what": CountCase("five of them", [("5", set())]),
    "a hyphenated count ('ten-year')": CountCase("the ten-year review", [("10", {"year", "review"})]),
    "a ten and a unit": CountCase("twenty-five missions", [("25", {"mission"})]),
    "'one' before a noun counts": CountCase("one criterion matters", [("1", {"criterion", "matter"})]),
    "'no one' is a pronoun": CountCase("no one said so", []),
    "'the one' is a pronoun": CountCase("the one carbon budgets enable", []),
    "'one of the' is not a count": CountCase("one of the most commonly cited reasons", []),
    "'one another' is a pronoun": CountCase("they help one another", []),
    "'one-size-fits-all' is an idiom": CountCase("one-size-fits-all services", []),
    "'a number of' is not a number": CountCase("a number of factors", []),
    "a number before a stop word counts nothing": CountCase("rather than only one of the two.", []),
    "a fraction is not a count": CountCase("three-quarters of the growth, two thirds of it", []),
    "a scale is not a count": CountCase("two million people", []),
    "ordinals are not counts": CountCase("the third criterion and the first step", []),
    "years are not counts": CountCase("In 2019 it rose", []),
    "money is not a count": CountCase("£2bn of spending", []),
    "a percentage counts nothing": CountCase("29 per cent of people, 12 percent of staff", []),
    "'Number 10' is a name": CountCase("Number 10 and HMT should create a new test", []),
}


@pytest.mark.parametrize("case", COUNT_CASES.values(), ids=COUNT_CASES.keys())
def test_counts(case: CountCase) -> None:
    assert counted(case.text) == case.expected


def test_word_numbers_from_the_lexicon() -> None:
    assert word_number("three") == 3 and word_number("nineteen") == 19 and word_number("twenty-five") == 25
    assert word_number("Ten") == 10 and word_number("12") == 12 and word_number("many") is None


def test_numbers_with_words_adds_counts_only() -> None:
    assert numbers("The test has five criteria.") == set()  # words stay out unless asked
    assert numbers("The test has five criteria.", words=True) == {"5"}
    assert numbers("no one said so in 2019", years=False, words=True) == set()
    assert numbers("only one of the two", words=True) == set()


def test_a_count_clashes_only_with_a_count_of_the_same_thing() -> None:
    mine, theirs = count_clash("The mission test has five criteria.", "This should include three criteria.") or (None, None)
    assert mine is not None and theirs is not None and (mine.text, theirs.text) == ("five criteria", "three criteria")
    assert count_clash("The test has 3 criteria.", "It has five criteria.") is not None  # digits against words
    assert count_clash("The test has three criteria.", "It has 3 criteria.") is None  # the same count
    assert count_clash("The test has three criteria.", "the 10 year test and Number 10") is None  # other things
    assert counts_the_same("The test has five criteria.", "It has three criteria.")
    assert not counts_the_same("The test has five criteria.", "the 10 year test")


def test_a_unit_is_not_the_thing_counted() -> None:
    assert count_clash("Budgets are five-year caps.", "the ten-year review of budgets") is None  # caps, not a review
    assert count_clash("It takes five years.", "It takes ten years.") is None  # years measure, they count no thing
    assert count_clash("five-year caps on emissions", "ten-year caps on emissions") is not None


# -- the claim checker and the verifier on hand-made passages ----------------------------------------
CRITERIA = "Government should create a new mission test. This should include three criteria."


@pytest.mark.parametrize("claim, verdict", [
    ("The mission test has five criteria.", "contradicted"),
    ("The mission test has 5 criteria.", "contradicted"),
    ("The mission test has three criteria.", "supported"),
    ("The mission test has 3 criteria.", "supported"),
], ids=["five words", "5 digits", "three words", "3 digits"])
def test_claim_count_against_a_count_of_the_same_thing(claim: str, verdict: str) -> None:
    evidence = [passage(CRITERIA, context="Step 2: the mission test")]
    assert weigh(claim, evidence, {}, StanceSettings()).verdict == verdict


def test_a_shared_count_does_not_stand_in_for_the_claims_other_words() -> None:
    evidence = [passage(CRITERIA, context="Step 2: the mission test")]
    claim = "The mission test has three criteria on housing, transport and energy."
    assert weigh(claim, evidence, {}, StanceSettings()).verdict is None


def test_a_count_of_something_else_does_not_contradict() -> None:
    evidence = [passage("Number 10 should run a new mission test, including a 10 year test of each mission.")]
    assert weigh("The mission test has three criteria.", evidence, {}, StanceSettings()).verdict != "contradicted"


@pytest.mark.parametrize("sentence, ok", [
    ("The mission test should include five criteria", False),
    ("The mission test should include 5 criteria", False),
    ("The mission test should include three criteria", True),
    ("The mission test should include 3 criteria", True),
], ids=["five words", "5 digits", "three words", "3 digits"])
def test_verifier_compares_counts_in_words_like_digits(sentence: str, ok: bool) -> None:
    support = check_support(sentence, [passage(CRITERIA)], None)
    assert support.ok is ok, support.reason
    if not ok:
        assert support.kind == "number_changed" and "5" in support.reason


# -- the real corpus ---------------------------------------------------------------------------------
def test_five_criteria_is_contradicted_by_the_report(corpus_assistant: Assistant) -> None:
    check = corpus_assistant.check("The mission test has five criteria.")
    assert check.verdict == "contradicted", check.signals
    assert any("three criteria" in c.quote for c in check.contradicting)
    assert not any("three criteria" in c.quote for c in check.supporting)
    assert "three criteria" in check.source_figures


def test_three_criteria_stays_supported(corpus_assistant: Assistant) -> None:
    check = corpus_assistant.check("The mission test has three criteria.")
    assert check.verdict == "supported", check.signals
    assert any("three criteria" in c.quote for c in check.supporting)
    assert not check.contradicting


def test_verifier_flags_five_criteria_citing_the_report(corpus_assistant: Assistant) -> None:
    passages, _ = corpus_assistant.evidence(None).retrieve("mission test three criteria")
    cited = [p for p in passages if "three criteria" in p.chunk.text]
    assert cited, "the report's mission-test passage is retrieved"
    flagged = check_support("The mission test should include five criteria", cited[:1], None)
    assert not flagged.ok and flagged.kind == "number_changed"
    assert check_support("The mission test should include three criteria", cited[:1], None).ok


@pytest.mark.parametrize(("written", "short"), [("£13 million", "£13m"), ("2.5 billion pounds", "£2.5bn")])
def test_a_scale_written_out_is_the_same_figure_as_its_short_form(written: str, short: str) -> None:
    assert numbers(f"the council spent {written} on it") == numbers(f"the council spent {short} on it")
