"""The corpus profile (corpus/profile.toml): what only fits the shipped report, as typed data.

Generic code asks the profile for the report's id, its tables' locator patterns, its missions and the
drafting queries, and never names them itself. A profile for another document may leave tables and
queries out: drafting then reports gaps instead of failing.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


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


class CorpusProfile(_Strict):
    """Everything that only fits one corpus; see corpus/profile.toml."""

    report_id: str = ""
    examples: list[str] = Field(default_factory=list)
    missions: list[str] = Field(default_factory=list)
    tables: Tables = Field(default_factory=Tables)
    criteria: dict[str, Criterion] = Field(default_factory=dict)
    queries: dict[str, str] = Field(default_factory=dict)

    def query(self, name: str, **values: str) -> str | None:
        """The named drafting query with its {placeholders} filled, or None when this profile has none."""
        text = self.queries.get(name)
        return text.format(**values) if text is not None else None

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
