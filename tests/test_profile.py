"""The corpus profile: everything report-specific is data, each query finds its passage, and a profile
for another document makes drafting report gaps instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.profile import load_profile
from assistant.settings import PROJECT_ROOT

PROFILE = load_profile(PROJECT_ROOT / "corpus" / "profile.toml")
MINIMAL = load_profile(Path(__file__).parent / "fixtures" / "minimal-profile.toml")
QUERIES = {**PROFILE.queries, **{f"criterion: {k}": c.query for k, c in PROFILE.criteria.items()}}


def test_the_profile_names_the_report_and_its_missions() -> None:
    assert PROFILE.report_id and PROFILE.missions and PROFILE.examples
    assert PROFILE.tables.missions is not None and PROFILE.tables.shifts is not None
    assert PROFILE.mission_named(PROFILE.missions[0].lower()) == PROFILE.missions[0]


@pytest.mark.parametrize("name", sorted(QUERIES), ids=sorted(QUERIES))
def test_every_profile_query_finds_a_passage_above_the_refusal_floor(corpus_assistant: Assistant, name: str) -> None:
    ev = corpus_assistant.evidence()
    query = QUERIES[name].format(mission=PROFILE.missions[0])
    pool, _ = ev.units(query)
    assert max(c.score for c in pool) >= ev.floor, f"{name}: {query!r} finds nothing relevant enough"


def test_the_profile_tables_are_found_in_the_index(corpus_assistant: Assistant) -> None:
    ev = corpus_assistant.evidence()
    assert sorted(ev.missions) == sorted(PROFILE.missions)
    assert sorted(ev.shifts) == sorted(PROFILE.missions)
    src, dst = ev.shift_sides(next(iter(ev.shifts.values())).chunk.text)
    assert src and dst


@pytest.fixture(scope="module")
def other_document(corpus_assistant: Assistant) -> Assistant:
    """The same index read through a profile written for another document."""
    return Assistant(corpus_assistant.settings, embeddings=corpus_assistant.embeddings, store=corpus_assistant.store,
                     catalogue=corpus_assistant.catalogue, profile=MINIMAL)


def test_metrics_degrade_to_gaps(other_document: Assistant) -> None:
    draft = other_document.draft_metrics("Make everyone healthier")
    assert draft.report_mission is None and draft.core[0].definition.gap
    assert any(g.field == "input metrics" for g in draft.gaps)
    assert any("profile" in g.reason for g in draft.gaps), "fields with no profile query say so"


def test_mission_test_degrades_to_gaps(other_document: Assistant) -> None:
    assessment = other_document.draft_mission_test("£1.2bn over three years for 40 neighbourhood health hubs")
    assert assessment.prevention.fit == "unclear" and assessment.prevention.shift.gap
    assert all(c.question.gap for c in assessment.criteria), "no profile criteria: each criterion's wording is a gap"
    assert assessment.facts.cost == "£1.2bn", "facts come from the proposal, not the profile"


def test_briefing_degrades_to_gaps(other_document: Assistant) -> None:
    note = other_document.draft_briefing("health", "shifting spending to prevention")
    assert note.background[0].gap and not note.options[1:]
    assert note.next_steps == [] and any(g.field.startswith("next step") for g in note.gaps)
