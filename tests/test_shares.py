"""Shares of a whole written in words ('about half', 'a quarter', 'one in seven') are compared with a source's
figures, within a writer's rounding; a claim's figure needs a sentence giving it (issue 11). One fast test per rule
of assistant/text/numbers.py ``shares``, the claim checker on hand-made passages, and one claim on the real corpus."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.drafting.claims import weigh
from assistant.schemas import Chunk
from assistant.settings import StanceSettings
from assistant.text.numbers import figures, same_share, share_clash, shares
from assistant.text.polarity import signals
from assistant.types import Passage


def passage(text: str, n: int = 1) -> Passage:
    chunk = Chunk(id=f"c{n}", source_id="doc", title="A document", section="S", kind="text", locator=f"p. {n}",
                  start=0, end=len(text), text=text, context="", seq=0)
    return Passage(n, chunk, 0.1, 0.5)


@pytest.mark.parametrize(("text", "value", "exact"), [
    ("about half the public", 50.0, False),
    ("roughly a quarter of all jobs", 25.0, False),
    ("two thirds of trusts", 66.7, False),
    ("three-quarters of councils", 75.0, False),
    ("one in seven adults", 14.3, False),
    ("1 in 4 people", 25.0, False),
    ("fell to 29 per cent", 29.0, True),
    ("18% of employment", 18.0, True),
])
def test_a_share_as_written(text: str, value: float, exact: bool) -> None:
    assert [(s.value, s.exact) for s in shares(text)] == [(value, exact)]


def test_a_part_of_a_period_is_no_share() -> None:
    assert shares("in the first half of the decade") == []
    assert shares("the second half of the 2010s") == []


def test_a_share_in_words_is_the_figure_within_rounding() -> None:
    half, quarter, seventh = (shares(t)[0] for t in ("about half", "a quarter", "one in seven"))
    assert same_share(half, shares("51 per cent")[0]), "'about half' names 51 per cent"
    assert not same_share(quarter, shares("18 per cent")[0]), "'a quarter' is not 18 per cent"
    assert same_share(seventh, shares("14 per cent")[0]) and not same_share(seventh, shares("one in six")[0])
    assert not same_share(shares("29 per cent")[0], shares("30 per cent")[0]), "two figures must be equal"


def test_share_clash_names_the_source_figure() -> None:
    clash = share_clash("Roughly a quarter of jobs are public", "Public employment is around 18 per cent of the total.")
    assert clash is not None and (clash[0].text, clash[1].text) == ("a quarter", "18 per cent")
    assert share_clash("About half were dissatisfied", "Half of respondents (51 per cent) were dissatisfied.") is None
    assert share_clash("About half were dissatisfied", "Respondents were dissatisfied.") is None, "no figure to compare"


def test_the_second_year_of_a_span_is_a_year() -> None:
    assert [f.value for f in figures("grew over 2010-19 by 0.7 per cent") if not f.is_year] == ["0.7"]
    assert [f.value for f in figures("in 2017/18") if not f.is_year] == []


def test_a_parenthesis_giving_a_figure_stays_in_its_clause() -> None:
    assert "51" in signals("About half the public (51%) were satisfied with the service.")[0].clause
    assert "see" not in signals("Satisfaction fell (see figure 1.7).")[0].clause, "an aside without a figure goes"


def verdict(claim: str, *texts: str) -> str | None:
    return weigh(claim, [passage(t, i) for i, t in enumerate(texts, 1)], {}, StanceSettings()).verdict


def test_a_share_in_words_meets_a_different_figure() -> None:
    assert verdict("Staff satisfaction rose to roughly a quarter of staff.",
                   "Staff satisfaction rose to 18 per cent of staff.") == "contradicted"
    assert verdict("Staff satisfaction rose to roughly a quarter of staff.",
                   "Staff satisfaction rose to 24 per cent of staff.") == "supported"


def test_a_claims_figure_is_not_backed_by_a_sentence_without_one() -> None:
    assert verdict("The programme will save the health service around £5 billion a year.",
                   "The programme will save the health service money.") is None
    assert verdict("The programme will save the health service around £5 billion a year.",
                   "The programme will save the health service money. It puts the saving at £5 billion a year.") \
        == "supported", "the figure may come in the next sentence"


def test_a_share_in_words_on_the_real_corpus(corpus_assistant: Assistant) -> None:
    check = corpus_assistant.check("The 2022 British Social Attitudes survey found about half the public (51%) "
                                   "satisfied with the NHS.")
    assert check.verdict == "contradicted"
    assert any("29 per cent" in f for f in check.source_figures), check.source_figures


def test_synonyms_count_as_one_word() -> None:
    from assistant.text.words import content_lemmas, same_sense

    assert same_sense(content_lemmas("money moved")) == same_sense(content_lemmas("spending shifted"))
    assert same_sense(content_lemmas("jobs")) == same_sense(content_lemmas("employment"))
    assert same_sense(content_lemmas("prisons")) != same_sense(content_lemmas("hospitals"))


def test_a_restatement_in_other_words_supports_and_one_with_another_figure_contradicts(
        corpus_assistant: Assistant) -> None:
    moved = corpus_assistant.check("In its safety mission the report wants money moved away from prisons and towards "
                                   "community policing, rehabilitation and youth services.")
    assert moved.verdict == "supported", moved.signals
    assert any("community policing" in c.quote for c in moved.supporting)
    jobs = corpus_assistant.check("The report says about a quarter of UK jobs are in the public sector.")
    assert jobs.verdict == "contradicted", jobs.signals
    assert any("18 per cent" in f for f in jobs.source_figures), jobs.source_figures


def test_an_absolute_word_the_claim_denies_is_no_absolute_claim() -> None:
    claim_denied = "Most staff said they want both more pay and more training rather than one alone."
    claim_absolute = "More pay alone will keep staff."
    passages = [passage("Neither more pay alone nor more training alone will keep staff.")]
    assert not any("absolute claim" in n for n in weigh(claim_denied, passages, {}, StanceSettings()).notes)
    assert any("absolute claim" in n for n in weigh(claim_absolute, passages, {}, StanceSettings()).notes)
