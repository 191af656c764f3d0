"""The corpus profile (corpus/profile.toml): what only fits the shipped report, as typed data.

Generic code asks the profile for the report's id, its tables' locator patterns, its missions and the
drafting queries, and never names them itself. A profile for another document may leave tables and
queries out: drafting then reports gaps instead of failing.
"""

from __future__ import annotations

import re
import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TableSpec(_Strict):
    """A table of the report that drafting reads cell by cell, found by its chunks' locators."""

    label: str = Field(description="How the report names it ('Table 3.1').")
    locator: str = Field(description="Regex over chunk locators with a 'mission' group (and 'row' for cells).")
    goal_row: int = 1
    metric_row: int = 2
    shift: str = Field(default="", description="Regex splitting a shift row into its 'src' and 'dst' groups.")

    @field_validator("locator", "shift")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class Criterion(_Strict):
    label: str
    query: str


class Tables(_Strict):
    missions: TableSpec | None = None
    shifts: TableSpec | None = None


# -- briefing notes (assistant/drafting/briefing.py) -------------------------------------------------
# What a briefing line may name: the council's mission, its goal and core metric (missions table), the two sides
# of its spending shift and the shifts table's label, the note's topic, and (options) the sentence it rests on.
BRIEFING_FIELDS = frozenset({"mission", "goal", "metric", "src", "dst", "shifts", "topic", "quote"})
BriefingCell = Literal["goal", "metric", "shift"]


def _briefing_template(value: str) -> str:
    unknown = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None} - BRIEFING_FIELDS
    if unknown:
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in {value!r}; use {sorted(BRIEFING_FIELDS)}")
    return value


class BriefingLine(_Strict):
    """A line of a briefing note written from the council's table cells and one sentence of the report, all cited."""

    text: str = Field(description="Template over BRIEFING_FIELDS ('{mission}', '{metric}', '{dst}', ...).")
    basis: str = Field(default="", description="The [queries] entry retrieving the sentence the line rests on.")
    cells: list[BriefingCell] = Field(default_factory=list, description="The council's table cells cited with it.")

    @field_validator("text")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        return _briefing_template(value)


class BriefingOptions(_Strict):
    """The three options of a note: no change, the council's spending shift, a proposal of the report on the topic."""

    status_quo: BriefingLine | None = None
    shift: BriefingLine | None = None
    proposal: BriefingLine | None = Field(default=None, description="'{quote}' is the proposal found for the topic; "
                                          "its basis is the fallback when the report proposes nothing on it.")
    fallback: BriefingLine | None = Field(default=None, description="The third option when the report proposes "
                                          "nothing on the topic: worded for the council over proposal's basis ({quote}).")


class BriefingProfile(_Strict):
    """How this report's mission councils are briefed: who a note goes to, its options, recommendations, next steps."""

    to: str = Field(default="", description="Who a council's note goes to (the council's chair), '{mission}' filled.")
    decision: BriefingLine | None = Field(default=None, description="The decision the council is asked to take.")
    proposal_search: str = Field(default="", description="Query for the report's proposals on the topic (Option 3).")
    mission_evidence: str = Field(default="", description="Query for evidence on the council's mission when the "
                                  "topic itself finds none (what the mission measures and funds).")
    options: BriefingOptions = Field(default_factory=BriefingOptions)
    recommendations: list[BriefingLine] = Field(default_factory=list)
    next_steps: list[BriefingLine] = Field(default_factory=list)

    @field_validator("to", "proposal_search", "mission_evidence")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        return _briefing_template(value)


# -- mission metrics (assistant/drafting/metrics.py) -------------------------------------------------
class MetricsProfile(_Strict):
    """What counts as a metric's data source: bodies and datasets, and how to search for a sentence naming one."""

    bodies: list[str] = Field(default_factory=list, description="Bodies and datasets a data source may name, "
                              "matched as whole words with their capitals ('ONS', 'Crime Survey for England and Wales').")
    source_query: str = Field(default="", description="Query for a sentence saying where a measure's data come "
                              "from, '{measure}' filled; empty: only figures' source lines are read.")

    @field_validator("source_query")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        unknown = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None} - {"measure"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in {value!r}; use ['measure']")
        return value


class CorpusProfile(_Strict):
    """Everything that only fits one corpus; see corpus/profile.toml."""

    report_id: str = ""
    report_names: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    missions: list[str] = Field(default_factory=list)
    tables: Tables = Field(default_factory=Tables)
    criteria: dict[str, Criterion] = Field(default_factory=dict)
    queries: dict[str, str] = Field(default_factory=dict)
    briefing: BriefingProfile = Field(default_factory=BriefingProfile)
    metrics: MetricsProfile = Field(default_factory=MetricsProfile)
    # What moves each mission's core metric besides its own words ('reoffending' is crime, 'strokes' shorten life):
    # the mission test rates an outcome naming one as bearing on the core metric.
    metric_drivers: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _briefing_bases_are_queries(self) -> CorpusProfile:
        b = self.briefing
        lines = [b.decision, b.options.status_quo, b.options.shift, b.options.proposal, *b.recommendations, *b.next_steps]
        missing = sorted({line.basis for line in lines if line and line.basis and line.basis not in self.queries})
        if missing:
            raise ValueError(f"[briefing] lines rest on queries the profile does not define: {missing}")
        return self

    def query(self, name: str, **values: str) -> str | None:
        """The named drafting query with its {placeholders} filled, or None when this profile has none."""
        text = self.queries.get(name)
        return text.format(**values) if text is not None else None

    def names_report(self, question: str) -> bool:
        """Does ``question`` name the report itself ('Does the report recommend...?', 'What does IPPR say...')?"""
        return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", question, re.IGNORECASE) for name in self.report_names)

    def mission_named(self, text: str) -> str | None:
        """The profile's mission ``text`` names, matched case-insensitively ('health' -> 'Health')."""
        wanted = text.strip().lower()
        return next((m for m in self.missions if m.lower() == wanted), None)


@cache
def load_profile(path: Path) -> CorpusProfile:
    """The profile at ``path``; an absent file is an empty profile (drafting then reports gaps)."""
    if not path.exists():
        return CorpusProfile()
    return CorpusProfile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
