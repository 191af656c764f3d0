"""Mission metrics fit to send (issue 12, item 4), through the public API on the real corpus.

One test per defect found by a new user: data sources that were not data sources; stems and lower-cased
names shown to the reader; and a custom mission that got only generic metrics although a report mission
fits it. The custom statements here are our own, not the evaluation dataset's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from assistant import Assistant, MetricsDraft
from assistant.schemas import Metric
from assistant.text.provenance import names_in, origin_names
from assistant.text.words import stem

REPORT_MISSIONS = ["Health", "Safety", "Opportunity", "Security"]
OWN_STATEMENTS = ["Every family can afford a secure home", "Knife crime among teenagers falls every year",
                  "Make Britain a clean energy superpower"]
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_STARTS = re.compile(r"(?:^|[.!?:;“\"(\n\t]\s*)$")


def _metrics(draft: MetricsDraft) -> list[Metric]:
    return [*draft.core, *draft.output, *draft.input]


@pytest.fixture(scope="module")
def drafts(corpus_assistant: Assistant) -> dict[str, MetricsDraft]:
    return {m: corpus_assistant.draft_metrics(m) for m in [*REPORT_MISSIONS, *OWN_STATEMENTS]}


# -- "Data source" fields that were not data sources ----------------------------------------------
@pytest.mark.parametrize("mission", [*REPORT_MISSIONS, *OWN_STATEMENTS])
def test_a_data_source_names_a_body_its_passage_gives_as_the_origin_or_is_a_gap(
    corpus_assistant: Assistant, drafts: dict[str, MetricsDraft], mission: str
) -> None:
    bodies = corpus_assistant.profile.metrics.bodies
    for m in _metrics(drafts[mission]):
        source = m.data_source
        # The two sentences the user was offered as data sources: a spending recommendation and OBR-style bodies.
        assert "prevention spending allocation" not in source.text and "modelled on" not in source.text, m.name
        if source.gap:
            assert source.text.startswith("No data source is named in the sources"), source.text
            continue
        named = names_in(source.text, bodies)
        assert named, f"{m.name}: the data source names no body or dataset: {source.text}"
        cited = [c.passage for c in source.citations]
        assert all(any(n in p for p in cited) for n in named), f"{m.name}: {named} not in the cited passages"
        # Named as the origin (a source line, 'data from ...'), or as the publisher in the reference list.
        assert any(set(origin_names(c.passage, bodies)) & set(named) or (c.kind == "reference" and set(names_in(c.passage, bodies)) & set(named))
                   for c in source.citations), f"{m.name}: no cited passage gives {named} as the origin of the data"


def test_a_figure_source_line_names_the_dataset(drafts: dict[str, MetricsDraft]) -> None:
    crime = drafts["Safety"].core[0].data_source
    assert not crime.gap and crime.text.startswith("Crime Survey in England and Wales")
    assert crime.citations[0].locator.startswith("Figure 1.3")


def test_a_figure_crediting_a_work_names_its_publisher_from_the_reference_list(drafts: dict[str, MetricsDraft]) -> None:
    gap = next(m for m in drafts["Opportunity"].output if m.definition.citations[0].locator.startswith("Figure 1.2"))
    assert gap.data_source.text.startswith("Education Policy Institute")
    figure, reference = gap.data_source.citations
    assert figure.locator.startswith("Figure 1.2") and reference.kind == "reference"
    assert "Tuckett" in reference.quote and "Education Policy Institute" in reference.quote


def test_the_milestone_and_pie_metrics_have_no_data_source_in_the_sources(drafts: dict[str, MetricsDraft]) -> None:
    health = drafts["Health"]
    milestone = next(m for m in health.output if "milestones" in m.name)
    pie = next(m for m in health.input if "PIE" in m.name)
    assert milestone.data_source.gap and pie.data_source.gap


# -- text damage: stems and lower-cased names -----------------------------------------------------
def _words(text: str) -> list[tuple[str, bool]]:
    """Each word and whether it starts a sentence, line or quote."""
    return [(m.group(0), bool(_STARTS.search(text[: m.start()]))) for m in _WORD.finditer(text)]


def _damage(shown: str, passages: list[str], statement: str, corpus: frozenset[str]) -> list[str]:
    """Words shown that are a stem of a word of the cited passages ('mortal') or a lower-cased name ('england').

    Words any source writes (the draft's own 'plan', 'Figure') and the user's own words are not damage.
    """
    written = {w for p in passages for w, _ in _words(p)} | set(_WORD.findall(statement)) | corpus
    names = {w.lower() for p in passages for w, first in _words(p) if (w[0].isupper() and not first) or (len(w) > 1 and w.isupper())}
    stems = {stem(w) for p in passages for w, _ in _words(p)}
    return [w for w, first in _words(shown)
            if not (w in written or (first and w.lower() in written)) and (w.lower() in names or w.lower() in stems)]


@pytest.mark.parametrize("mission", [*REPORT_MISSIONS, *OWN_STATEMENTS])
def test_names_definitions_and_directions_show_whole_words_with_their_capitals(
    corpus_assistant: Assistant, drafts: dict[str, MetricsDraft], mission: str
) -> None:
    corpus = frozenset(w for c in corpus_assistant.evidence().snapshot.chunks for w, _ in _words(c.display_text))
    draft = drafts[mission]
    for m in _metrics(draft):
        passages = [c.passage for s in (m.definition, m.why_it_matters, m.data_source) for c in s.citations]
        for shown in (m.name, m.definition.text, m.direction_basis):
            assert not _damage(shown, passages, draft.mission, corpus), shown
        for quoted in re.findall(r"“([^”]+)”", m.direction_basis):
            assert quoted in m.name, f"a direction quotes the metric's own words: {quoted!r} not in {m.name!r}"


def test_directions_quote_the_measure_not_its_stems(drafts: dict[str, MetricsDraft]) -> None:
    health = drafts["Health"]
    assert "“Life expectancy”" in health.core[0].direction_basis
    mortality = next(m for m in health.output if m.name.startswith("Avoidable mortality"))
    assert "“Avoidable mortality”" in mortality.direction_basis and "(mortal)" not in mortality.direction_basis
    spending = next(m for m in health.input if "GDP" in m.name)
    assert "England" in spending.name and "gdp" not in spending.name
    assert "(PIE)" in next(m for m in health.input if "PIE" in m.name).name


# -- custom missions matched by meaning -----------------------------------------------------------
@dataclass(frozen=True)
class Custom:
    statement: str
    nearest: str | None
    shift_items: tuple[str, ...] = ()  # items of the nearest mission's Table 3.2 row its input metrics name


CUSTOM = [
    Custom("Every family can afford a secure home", "Security", ("social housing", "housing benefit")),
    Custom("Knife crime among teenagers falls every year", "Safety", ("community policing",)),
    Custom("Family incomes rise for the poorest fifth", "Security", ("social housing",)),
    Custom("More people live longer in good health", "Health", ("public health",)),
    Custom("Make Britain a clean energy superpower", None),
    Custom("Put a man on Mars", None),
]


@pytest.mark.parametrize("case", CUSTOM, ids=[c.statement for c in CUSTOM])
def test_a_custom_mission_is_matched_to_the_nearest_report_mission_by_meaning(
    corpus_assistant: Assistant, case: Custom
) -> None:
    draft = corpus_assistant.draft_metrics(case.statement)
    assert draft.report_mission is None, "report_mission is only for the report's own missions"
    assert draft.nearest_mission == case.nearest, draft.nearest_basis
    shift_rows = [m for m in draft.input if m.definition.citations and m.definition.citations[0].locator.startswith("Table 3.2")]
    if case.nearest is None:
        assert draft.nearest_basis.startswith("No mission of the report is close in meaning")
        assert not shift_rows and any(g.field == "input metrics" for g in draft.gaps)
        return
    assert case.nearest in draft.nearest_basis
    assert shift_rows and all(m.definition.citations[0].locator.startswith(f"Table 3.2, {case.nearest} row") for m in shift_rows)
    names = " ".join(m.name for m in shift_rows)
    assert all(item in names for item in case.shift_items), names
    related = draft.output[0]
    cell = related.definition.citations[0]
    assert cell.locator.startswith(f"Table 3.1, {case.nearest} column, row 2") and related.name == cell.quote
    generic = ("milestones", "PIE")
    assert any(not any(g in m.name for g in generic) for m in [*draft.output, *draft.input]), "not only generic metrics"
    assert not any(g.field == "input metrics" for g in draft.gaps), "a Table 3.2 shift applies"


def test_a_secure_home_names_the_security_rows_housing_items(drafts: dict[str, MetricsDraft]) -> None:
    draft = drafts["Every family can afford a secure home"]
    assert "social housing" in draft.nearest_basis and "housing benefit" in draft.nearest_basis
    away = next(m for m in draft.input if m.name == "Share of spending going to housing benefit")
    assert away.direction == "lower is better", "Table 3.2 moves Security spending away from benefits"


@pytest.mark.parametrize("mission", REPORT_MISSIONS)
def test_a_report_mission_is_its_own_nearest(drafts: dict[str, MetricsDraft], mission: str) -> None:
    draft = drafts[mission]
    assert draft.report_mission == draft.nearest_mission == mission
    assert draft.nearest_basis
