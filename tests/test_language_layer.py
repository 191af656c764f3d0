"""The composer, verifier and stance rules over small hand-made passages: fast, no index, no model.

Vectors here are hand-made to exercise ranking mechanics only; answer quality is measured on the real
corpus by the evals and tests/test_answers.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant import compose
from assistant.citations import check_support
from assistant.drafting.claims import weigh
from assistant.schemas import Chunk
from assistant.settings import AnswerSettings, StanceSettings
from assistant.text.sentences import split_sentences
from assistant.types import Passage, Unit


def passage(text: str, n: int = 1, kind: str = "text", seq: int = 0, context: str = "") -> Passage:
    chunk = Chunk(id=f"c{n}", source_id="doc", title="A document", section="S", kind=kind, locator=f"p. {n}",
                  start=0, end=len(text), text=text, context=context, seq=seq)
    return Passage(n, chunk, 0.1, 0.5)


def units(p: Passage, scores: list[float]) -> list[compose.Candidate]:
    """One candidate per sentence with the given scores; orthogonal vectors so none is redundant."""
    spans = split_sentences(p.chunk.text)
    assert len(spans) == len(scores)
    out = []
    for i, ((s, e), score) in enumerate(zip(spans, scores, strict=True)):
        vector = np.zeros(16, dtype=np.float32)
        vector[i] = 1.0
        out.append(compose.Candidate(p, Unit(s, e, p.chunk.text[s:e]), vector, score, 0.0, score))
    return out


# -- composer ------------------------------------------------------------------------------------
def test_select_keeps_units_close_to_the_best() -> None:
    pool = units(passage("One sentence here. Two sentence here. Three sentence here."), [1.0, 0.7, 0.5])
    chosen = compose.select(pool, limit=5, settings=AnswerSettings(relative_floor=0.6))
    assert [c.score for c in chosen] == [1.0, 0.7]


def test_select_drops_redundant_units() -> None:
    pool = units(passage("One sentence here. Two sentence here."), [1.0, 0.9])
    twin = compose.Candidate(pool[1].passage, pool[1].unit, pool[0].vector, 0.9, 0.0, 0.9)
    assert len(compose.select([pool[0], twin], limit=5)) == 1


def test_an_announced_list_brings_its_items() -> None:
    text = "This should include three criteria:\n- Affordability matters most.\n- Mission critical spending.\n- A ten year test."
    pool = units(passage(text), [1.0, 0.2, 0.2, 0.2])
    chosen = compose.with_list_items(pool[:1], pool)
    assert [c.unit.text for c in chosen][1:] == ["- Affordability matters most.", "- Mission critical spending.",
                                                "- A ten year test."]


def test_a_sentence_that_points_back_brings_its_antecedent() -> None:
    pool = units(passage("Targets were set across the NHS. This led to gaming by providers."), [0.2, 1.0])
    chosen = compose.with_antecedents([pool[1]], pool)
    assert [c.unit.text for c in chosen] == ["Targets were set across the NHS.", "This led to gaming by providers."]


def test_the_two_best_passages_each_bring_the_sentence_that_continues_them() -> None:
    """A passage's first chosen sentence is followed by the next one when that one points back at it, for the lead's
    passage and the second best (issue 10: "This has led some to call it a 'targets-and-terror' regime.")."""
    first = units(passage("Missions set a direction. Councils lead them.", n=1), [1.0, 0.1])
    second = units(passage("Targets grew after 1997. This has led some to call it a regime.", n=2), [0.8, 0.1])
    third = units(passage("Regulators inspect services. This is costly.", n=3), [0.7, 0.1])
    chosen = compose.with_continuation([first[0], second[0], third[0]], first + second + third)
    assert [c.unit.text for c in chosen] == ["Missions set a direction.", "Targets grew after 1997.",
                                             "This has led some to call it a regime.", "Regulators inspect services."]


def test_fit_drops_the_weakest_picks_beyond_the_limit() -> None:
    pool = units(passage("A one here now. B two here now. C three here now. D four here now."), [1.0, 0.9, 0.8, 0.7])
    assert len(compose.fit(pool, pool, limit=2, extra=0)) == 2


def test_table_rows_render_as_labelled_lines() -> None:
    row = passage("Targets\tCan drive improvement\tGaming", kind="table_row",
                  context="Table 2.1\nNPM reforms\nReform\tStrengths\tWeaknesses")
    cand = compose.Candidate(row, Unit(0, len(row.chunk.text), row.chunk.text), np.zeros(4), 1.0, 0.0, 1.0)
    assert compose.render(cand) == "Table 2.1, Targets — strengths: Can drive improvement; weaknesses: Gaming"


# -- verifier ------------------------------------------------------------------------------------
GROWTH = passage("Productivity grew by 0.7 per cent a year between 2010 and 2019. It did not rise after 2020.")


def test_a_quoted_sentence_is_supported() -> None:
    assert check_support("Productivity grew by 0.7 per cent a year between 2010 and 2019.", [GROWTH], None).ok


def test_a_number_the_passage_lacks_is_unsupported() -> None:
    support = check_support("Productivity grew by 0.9 per cent a year between 2010 and 2019.", [GROWTH], None)
    assert not support.ok and "0.9" in support.reason


def test_an_added_negation_is_unsupported() -> None:
    support = check_support("Productivity did not grow by 0.7 per cent a year between 2010 and 2019.", [GROWTH], None)
    assert not support.ok and "not" in support.reason


def test_words_the_passage_lacks_are_unsupported() -> None:
    assert not check_support("Hospital waiting lists doubled in Scotland.", [GROWTH], None).ok


# -- stance --------------------------------------------------------------------------------------
def test_the_same_direction_supports_and_the_opposite_contradicts() -> None:
    evidence = [passage("Spending on prevention rose.")]
    assert weigh("Spending on prevention rose", evidence, {}, StanceSettings()).verdict == "supported"
    assert weigh("Spending on prevention fell", evidence, {}, StanceSettings()).verdict == "contradicted"


@pytest.mark.xfail(strict=True, reason="issue 11: a cue followed only by place or time words ('over the decade') "
                   "is matched on those words, not on its subject")
def test_a_trailing_time_phrase_does_not_hide_the_subject() -> None:
    evidence = [passage("Public sector productivity rose over the decade.")]
    assert weigh("Public sector productivity fell over the decade", evidence, {}, StanceSettings()).verdict == "contradicted"


def test_a_different_figure_for_the_same_thing_contradicts() -> None:
    evidence = [passage("Satisfaction with the NHS fell to 29 per cent in 2022.")]
    weighed = weigh("Satisfaction with the NHS fell to 45 per cent in 2022", evidence, {}, StanceSettings())
    assert weighed.verdict == "contradicted"


def test_a_concession_makes_the_evidence_mixed() -> None:
    evidence = [passage("Targets improved the measured metrics but at the expense of wider outcomes.")]
    assert weigh("Targets improved the measured metrics", evidence, {}, StanceSettings()).verdict == "mixed"


def test_evidence_on_another_topic_decides_nothing() -> None:
    evidence = [passage("Carbon budgets set five-year caps on emissions.")]
    assert weigh("Hospital waiting lists fell", evidence, {}, StanceSettings()).verdict is None


def test_a_plural_wh_noun_asks_for_several_things() -> None:
    from assistant.text.questions import asks_for_several
    assert asks_for_several("Which places does IPPR point to as examples?")
    assert asks_for_several("What were the main reasons people gave for being dissatisfied?")
    assert asks_for_several("What unwanted side effects of targets does Step 1 warn about?")
    assert asks_for_several("Which criteria would it be judged against?")
    assert not asks_for_several("Which school of thought is that study part of?")
    assert not asks_for_several("What effect size did engagement-contingent rewards have?")
    assert not asks_for_several("What happens when a regulator flags a failing provider?")
    assert not asks_for_several("What share of respondents were satisfied?")


def test_an_ampersand_acronym_is_one_term() -> None:
    from assistant.text.words import terms
    assert terms("What about A&E?") == ["a&e"]
    assert "a&e" in terms("For A&E, 30 per cent were satisfied")


def test_a_follow_up_names_its_new_subject() -> None:
    from assistant.conversation import new_subject, rewrite
    history = [("What did the 2022 British Social Attitudes survey find on NHS satisfaction?", "")]
    assert new_subject("What about A&E?", history) == frozenset({"a&e"})
    assert rewrite("What about A&E?", history).startswith("A&E — ")
    assert new_subject("And for the second mission?", [("What is the core metric for the first mission?", "")]) == frozenset()
    assert new_subject("What does the report say about targets?", history) == frozenset()


def test_a_clause_asking_since_a_year_gives_the_year() -> None:
    from assistant.text.questions import asks_since
    assert asks_since("how has that share changed since 2010") == 2010
    assert asks_since("which councils have adopted it since 2023") == 2023
    assert asks_since("what happened from 2010 to 2019") is None
    assert asks_since("how has it changed") is None


def test_a_sentence_speaks_of_a_year_itself_or_a_span_over_it() -> None:
    from assistant.text.numbers import gives_year_since, years
    assert years("between 2010 and 2019, and in 2017/18") == [2010, 2019, 2017, 2018]
    assert gives_year_since("Satisfaction had peaked at 70 per cent in 2010.", 2010)
    assert gives_year_since("It grew by 0.7 per cent a year from 2000 to 2019.", 2010)
    assert gives_year_since("It grew over 2000-19.", 2010)
    assert not gives_year_since("Satisfaction fell to 29 per cent in 2022.", 2019)
    assert not gives_year_since("The Climate Change Act 2008 and net-zero by 2050.", 2023)


def test_a_clause_asking_for_a_kind_of_value_says_which() -> None:
    from assistant.text.questions import asks_for_value
    assert asks_for_value("what does running the mission councils cost each year") == "money"
    assert asks_for_value("how much has the NHS spent on it") == "money"
    assert asks_for_value("what would that be in pounds") == "money"
    assert asks_for_value("how large is its devolved budget") == "money"
    assert asks_for_value("How much would NHS spending rise without reform, as a share of GDP") is None  # a change
    assert asks_for_value("when was it published") == "date"
    assert asks_for_value("When would the new mission councils be set up") == "date"
    assert asks_for_value("when would regulators step back in") is None  # a condition, not a date
    assert asks_for_value("how often did the XS committee meet") == "frequency"
    assert asks_for_value("how long would that process take") == "duration"
    assert asks_for_value("how long ago was it introduced") == "date"
    assert asks_for_value("what is the mission test") is None


def test_a_sentence_gives_a_value_of_the_kind_asked_for() -> None:
    from assistant.text.numbers import gives_value
    assert gives_value("money", "The council invested about £13 million.")
    assert not gives_value("money", "Spending would rise from 9 per cent of GDP to 11.2 per cent.")
    assert gives_value("date", "The NSC was introduced in 2010.")
    assert gives_value("frequency", "The committee met weekly.") and gives_value("frequency", "It meets twice a year.")
    assert not gives_value("frequency", "Running costs are £350m a year.")  # a rate of money is no frequency
    assert gives_value("duration", "The process takes about six months.") and gives_value("duration", "over 2010-19")
    assert not gives_value("duration", "Improvement organisations should step in to support local leaders.")


def test_the_names_a_clause_asks_about() -> None:
    from assistant.text.questions import named_words
    assert named_words("and what is it in Scotland") == ["Scotland"]
    assert named_words("What is Bruno Frey's 'mature economic man'") == ["Bruno", "Frey"]
    assert named_words("how long would that process take") == []
