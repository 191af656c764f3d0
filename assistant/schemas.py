"""Pydantic models that cross a boundary: chunks, answers, citations, ingest reports, drafts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChunkKind = Literal["text", "table_row", "figure", "box", "list", "reference"]
SourceKind = Literal["report", "evidence note", "user document"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Chunk(_Frozen):
    """A retrievable passage with full provenance; ``text == source_text[start:end]``."""

    id: str = Field(description="Content hash of source id, offsets and text.")
    source_id: str
    title: str
    section: str = Field(description="Section path, outermost first, joined by ' > '.")
    kind: ChunkKind
    locator: str = Field(description="Where a person finds it: page, table and row, box, paragraph.")
    start: int
    end: int
    text: str
    context: str = Field(default="", description="Headers repeated for the chunk (table title, column names).")
    context_spans: list[tuple[int, int]] = Field(
        default_factory=list, description="Source offsets of the pieces joined into ``context``."
    )
    cites: list[str] = Field(default_factory=list, description="Author-year citations inside the chunk.")
    page: int | None = None
    seq: int = Field(default=0, description="Order of the chunk within its source.")

    @property
    def display_text(self) -> str:
        """The passage as shown and embedded: repeated headers, then the chunk's own text."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Every source span the passage is made of (headers first)."""
        return [*self.context_spans, (self.start, self.end)]


class SourceRecord(_Frozen):
    """One entry of the catalogue (corpus/sources.toml or a user document)."""

    id: str
    title: str
    citation: str
    url: str | None = None
    kind: SourceKind
    file: str | None = None
    licence: str = ""
    basis: str = ""
    cites_in_report: list[dict[str, str]] = Field(default_factory=list)


class FileError(_Frozen):
    """Why one file could not be ingested."""

    path: str
    reason: str


class IngestReport(BaseModel):
    """Summary of one ingest run."""

    files: int = 0
    chunks_total: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[FileError] = Field(default_factory=list)
    seconds: float = 0.0
    changed: bool = False


class Citation(BaseModel):
    """A numbered citation: the exact quote inside a stored passage of a named source."""

    n: int
    source_id: str
    title: str
    locator: str
    quote: str = Field(description="The exact supporting sentence(s), a substring of the source text.")
    passage: str = Field(description="The chunk's text as stored (headers included).")
    start: int = Field(description="Offset of the quote in the source text.")
    end: int
    score: float = Field(description="Support of the cited sentence by this passage, 0..1.")
    chunk_id: str
    section: str = ""
    kind: ChunkKind = "text"
    url: str | None = None
    citation: str = Field(default="", description="Full bibliographic citation of the source.")
    evidence: list[str] = Field(
        default_factory=list, description="Cited works behind this passage of the report (source ids)."
    )


class RemovedSentence(BaseModel):
    """A sentence the citation verifier would not present as fact."""

    sentence: str
    reason: str
    cited: list[int] = Field(default_factory=list)


class Answer(BaseModel):
    """A grounded answer: text with [n] markers, each resolving to a Citation."""

    question: str
    answer: str
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    removed: list[RemovedSentence] = Field(default_factory=list)
    closest: list[Citation] = Field(default_factory=list, description="Nearest material when refusing.")
    mode: Literal["embedded", "llm"] = "embedded"
    model: str | None = None
    prompt_version: str = ""
    standalone_question: str = Field(default="", description="The question as searched, after follow-up rewrite.")
    timings: dict[str, float] = Field(default_factory=dict)

