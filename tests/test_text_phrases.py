"""The language toolkit's phrase and provenance rules (assistant/text/phrases.py, provenance.py): fast, no index."""

from __future__ import annotations

import pytest

from assistant.text.lexicon import entries
from assistant.text.phrases import list_items, written_phrases
from assistant.text.provenance import names_in, origin_names
from assistant.text.words import stem

BODIES = ["ONS", "NHS England", "OBR", "Office for Budget Responsibility", "DWP", "LCP", "Labour Force Survey"]


@pytest.mark.parametrize(("text", "words", "phrase"), [
    ("Avoidable mortality rate per 100,000 population", ["mortality"], "Avoidable mortality"),
    ("Rates of absolute and relative poverty", ["poverty"], "absolute and relative poverty"),
    ("Rates of crime", ["crime"], "crime"),
    ("Waiting times in NHS England", ["waiting"], "Waiting"),
    ("Share of spending in England as a share of GDP", ["GDP"], "GDP"),
], ids=["modifier kept", "coordinated modifiers", "stop word ends it", "capitals kept", "acronym kept"])
def test_stems_map_back_to_the_words_as_written(text: str, words: list[str], phrase: str) -> None:
    assert written_phrases(text, {stem(w) for w in words}, stop=["rates", "share"]) == [phrase]


def test_a_phrase_never_shows_a_stem_or_lower_cases_a_name() -> None:
    shown = written_phrases("Healthy life expectancy in England (ONS)", {stem("expectancy"), stem("England"), stem("ONS")})
    assert shown == ["Healthy life expectancy", "England", "ONS"]
    assert "expect" not in shown and "england" not in shown


@pytest.mark.parametrize(("phrase", "items"), [
    ("primary, community and social care, as well as public health",
     ["primary care", "community care", "social care", "public health"]),
    ("community policing, rehabilitation and youth services", ["community policing", "rehabilitation", "youth services"]),
    ("benefits (eg unemployment, housing benefit)", ["benefits", "unemployment benefit", "housing benefit"]),
    ("hospitals and social care", ["hospitals", "social care"]),
    ("schools and universities", ["schools", "universities"]),
], ids=["shared head", "no shared head", "bracketed examples", "a plural is no modifier", "one-word items"])
def test_list_items(phrase: str, items: list[str]) -> None:
    assert [i.text for i in list_items(phrase)] == items


def test_list_items_keep_the_words_that_name_them() -> None:
    primary, *_, public = list_items("primary, community and social care, as well as public health")
    assert primary.written == "primary, community and social care" and public.written == "public health"
    benefit = list_items("benefits (eg unemployment, housing benefit)")[-1]
    assert benefit.written == "housing benefit" and benefit.example_of == "benefits"


def test_names_are_whole_words_with_their_capitals() -> None:
    assert names_in("Data from the ONS and NHS England.", BODIES) == ["ONS", "NHS England"]
    assert names_in("the ons; RESPONSIBILITY; LCPs", BODIES) == []


@pytest.mark.parametrize(("sentence", "origin"), [
    ("Source: LCP analysis in Patel et al (2023)", ["LCP"]),
    ("Data from the ONS show healthy life expectancy fell.", ["ONS"]),
    ("DWP statistics put the rate at 20 per cent.", ["DWP"]),
    ("According to NHS England, waits rose.", ["NHS England"]),
    ("Estimates from the Labour Force Survey suggest it rose.", ["Labour Force Survey"]),
    ("Government should establish independent bodies modelled on the Office for Budget Responsibility.", []),
    ("The OBR should hold them to account.", []),
    ("Each department should get a prevention spending allocation.", []),
], ids=["source line", "data from", "statistics after", "according to", "survey", "modelled on", "duty", "no body"])
def test_a_name_is_an_origin_only_where_the_words_say_so(sentence: str, origin: list[str]) -> None:
    assert origin_names(sentence, BODIES) == origin


def test_provenance_cues_are_lexicon_data() -> None:
    assert "data from" in entries("provenance", "before") and "statistics" in entries("provenance", "after")
