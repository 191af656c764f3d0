"""Pydantic models that cross a boundary: chunks, answers, citations, ingest reports, drafts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChunkKind = Literal["text", "table_row", "figure", "box", "list", "reference"]
SourceKind = Literal["report", "evidence note", "fetched work", "user document"]


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
    page: int | None = Field(default=None, description="First page the chunk may be on (None: not known).")
    page_end: int | None = Field(
        default=None, description="Last page the chunk may be on, inclusive (None: not known; old indexes)."
    )
    seq: int = Field(default=0, description="Order of the chunk within its source.")
    origin: Literal["catalogue", "user document"] = Field(
        default="catalogue",
        description="'catalogue': a source of corpus/sources.toml (the report, an evidence note). 'user document': "
        "an upload, never presented as the report.",
    )

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
    origin: Literal["quote", "evidence note", "user document"] = Field(
        default="quote",
        description="'quote': the source's own words, verbatim. 'evidence note': a sentence of a summary this project "
        "wrote of the work (corpus/evidence/), never to be presented as the work's words. 'user document': words "
        "of a document the user uploaded (its title is the file name), never presented as the report's.",
    )
    basis: str = Field(default="", description="For an evidence note: what the summary was written from.")

    @property
    def label(self) -> str:
        """How the excerpt must be introduced wherever it is shown."""
        if self.origin == "evidence note":
            return f"Evidence note (our summary of {self.title}, not its words)"
        if self.origin == "user document":
            return f"Your document: {self.title}"
        return "Quote"


class RemovedSentence(BaseModel):
    """A sentence the citation verifier would not present as fact."""

    sentence: str
    reason: str
    cited: list[int] = Field(default_factory=list)
    kind: str = Field(default="", description="What is wrong, for review and evals: no_citation, bad_citation, "
                      "number_changed, number_misbound, opposite, comparison, negation, hedge, quantifier, name, "
                      "actor, contrast, unsupported.")
    conflict: str = Field(default="", description="The cited passage's words the sentence conflicts with.")


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
    not_covered: list[str] = Field(
        default_factory=list,
        description="Parts of the question the sources do not cover, each as a short phrase ('the running cost of "
        "mission councils'); the answer text says so too.",
    )
    differs: list[str] = Field(
        default_factory=list,
        description="Where a document the user added says something different from the report or its evidence "
        "shown in the same answer: one line each ('team-memo.md: names 'Chancellor', which the report does not'); "
        "the answer text says so too, and shows both, labelled.",
    )
    timings: dict[str, float] = Field(default_factory=dict)


# -- drafts and claim checks (assistant/drafting) ------------------------------------------------
Rating = Literal["green", "amber", "red", "insufficient evidence"]
Verdict = Literal["supported", "contradicted", "mixed", "not enough evidence"]
Direction = Literal["higher is better", "lower is better", "on or ahead of the milestone", "unknown"]
DraftMode = Literal["embedded", "llm"]


def _collect_citations(value: object, found: dict[int, Citation]) -> None:
    if isinstance(value, Citation):
        found.setdefault(value.n, value)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _collect_citations(getattr(value, name), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_citations(item, found)


class EvidenceGap(BaseModel):
    """A field the sources could not fill: what was searched and why nothing was used."""

    field: str
    query: str
    reason: str


class Statement(BaseModel):
    """One sentence of a draft with the citations behind it; uncited only when ``gap`` says so."""

    text: str
    citations: list[Citation] = Field(default_factory=list)
    gap: bool = Field(default=False, description="True when the sources do not support it: the text says what is missing.")


class _Draft(BaseModel):
    """What every draft shares: how it was made, what was missing, and its numbered citations."""

    mode: DraftMode = "embedded"
    model: str | None = None
    prompt_version: str = ""
    narrative: list[Statement] = Field(default_factory=list, description="Prose written by the chat model (LLM mode), verified.")
    removed: list[RemovedSentence] = Field(default_factory=list, description="Prose the citation verifier would not accept.")
    gaps: list[EvidenceGap] = Field(default_factory=list)

    def references(self) -> list[Citation]:
        """Every distinct citation in the draft, in [n] order."""
        found: dict[int, Citation] = {}
        _collect_citations(self, found)
        return [found[n] for n in sorted(found)]


Draft = _Draft  # the public name for what every draft shares


class Metric(BaseModel):
    """One metric of a mission framework."""

    name: str
    tier: Literal["core", "output", "input"]
    definition: Statement
    why_it_matters: Statement
    data_source: Statement
    direction: Direction
    direction_basis: str = Field(description="Why that direction is good (or why it is unknown).")


class MetricsDraft(_Draft):
    """Core (outcome) and comprehensive (output and input) metrics for a mission."""

    mission: str
    report_mission: str | None = Field(default=None, description="The report's mission (a column of its missions table) if it is one.")
    goal: Statement | None = None
    core: list[Metric] = Field(default_factory=list)
    output: list[Metric] = Field(default_factory=list)
    input: list[Metric] = Field(default_factory=list)
    evidence: list[Statement] = Field(default_factory=list, description="What the sources say about the mission.")
    nearest_mission: str | None = Field(default=None, description="The report mission closest in meaning (Table 3.1 "
                                        "goal and metric, Table 3.2 row): the mission itself for one of the report's; "
                                        "None when no mission is close enough.")
    nearest_basis: str = Field(default="", description="One sentence: why that mission is nearest, or why none is.")


class ProposalFact(BaseModel):
    """One fact a spending proposal states, and the proposal's exact words it was read from."""

    value: float | int | str | list[float] | list[str] = Field(description="Money in pounds (negative headroom_effect "
                                                                "reduces headroom; cost_per_year [first, last] when it "
                                                                "ramps), years and programme years as whole numbers, "
                                                                "dates as '2028', '2027-03' or '2025-26'; else text.")
    words: str = Field(description="An exact substring of the proposal the value was read from.")


# The twelve facts of a proposal, in reading order: the keys of ProposalFacts.stated() (evals use the same keys).
PROPOSAL_FACT_KEYS = ("total_cost", "cost_per_year", "spend_type", "years", "running_costs", "running_costs_from",
                      "funding", "headroom_effect", "scale", "serves", "outcomes", "outcome_dates")


class ProposalFacts(BaseModel):
    """Facts only the proposal can supply; None means the proposal does not say.

    The first four fields are the original summary (kept for compatibility); the ProposalFact fields carry each
    fact with its words. ``years_fact`` and ``scale_fact`` are the facts 'years' and 'scale' (their short names
    are taken by the summary fields); ``stated()`` gives all twelve by their keys.
    """

    cost: str | None = None
    years: int | None = None
    fiscal_headroom: str | None = None
    scale: str | None = Field(default=None, description="What is bought, as the proposal states it.")
    total_cost: ProposalFact | None = Field(default=None, description="Total cost in pounds, as stated (never summed).")
    cost_per_year: ProposalFact | None = Field(default=None, description="Pounds a year, or [first, last] when it ramps.")
    spend_type: ProposalFact | None = Field(default=None, description="'capital', 'resource' or 'both'.")
    years_fact: ProposalFact | None = Field(default=None, description="How many years the spending runs (fact 'years').")
    running_costs: ProposalFact | None = Field(default=None, description="Running costs in pounds a year after the "
                                               "programme (0 when it says there are none).")
    running_costs_from: ProposalFact | None = Field(default=None, description="When running costs start: a programme "
                                                    "year (int) or a date such as '2030-31'.")
    funding: ProposalFact | None = Field(default=None, description="'existing departmental limit', 'new borrowing', "
                                         "'savings', 'reprioritisation', 'mixed' or 'other'.")
    headroom_effect: ProposalFact | None = Field(default=None, description="Effect on fiscal headroom in pounds: "
                                                 "negative when it reduces headroom, 0 when it has none.")
    scale_fact: ProposalFact | None = Field(default=None, description="What is bought and how much (fact 'scale').")
    serves: ProposalFact | None = Field(default=None, description="Who it serves.")
    outcomes: ProposalFact | None = Field(default=None, description="The results it expects.")
    outcome_dates: ProposalFact | None = Field(default=None, description="When the results are due: a date or a list.")

    def stated(self) -> dict[str, ProposalFact | None]:
        """The twelve facts by key (PROPOSAL_FACT_KEYS), None where the proposal is silent."""
        renamed = {"years": "years_fact", "scale": "scale_fact"}
        return {key: getattr(self, renamed.get(key, key)) for key in PROPOSAL_FACT_KEYS}


class CriterionFinding(BaseModel):
    """One criterion of the mission test, assessed."""

    criterion: Literal["affordability", "mission critical", "10-year test"]
    question: Statement = Field(description="The criterion as the report words it, cited.")
    finding: str
    rating: Rating
    reasons: list[str] = Field(default_factory=list)
    evidence: list[Citation] = Field(default_factory=list)


class MissionImpact(BaseModel):
    """A mission a proposal bears on, with that mission's core metric."""

    mission: str
    core_metric: Statement
    basis: str


class PreventionFit(BaseModel):
    """How a proposal sits with the report's pivot to prevention (its shifts table)."""

    mission: str | None = None
    fit: Literal["aligned", "runs against", "unclear"]
    shift: Statement
    reason: str


class PieAssessment(BaseModel):
    """Whether the spending could count as prevention investment expenditure (PIE)."""

    could_count: Literal["likely", "unlikely", "unclear"]
    reason: str
    evidence: list[Citation] = Field(default_factory=list)


class MissionTestAssessment(_Draft):
    """A proposal put through the report's mission test."""

    proposal: str
    facts: ProposalFacts
    criteria: list[CriterionFinding]
    missions: list[MissionImpact] = Field(default_factory=list)
    prevention: PreventionFit
    pie: PieAssessment
    questions: list[str] = Field(default_factory=list, description="What to ask the sponsoring department.")
    overall: Rating = Field(default="amber", description="Red if any criterion is red, green only if all three are "
                            "green, amber otherwise (never 'insufficient evidence').")
    verdict: str = Field(default="", description="One line, shown first: the overall rating and why "
                         "('Amber: mission critical and affordable within DHSC's limit; the 10-year case is unproven').")
    unstated: list[str] = Field(default_factory=list, description="Keys of the facts the proposal does not state "
                                "(ProposalFacts.stated()); each is asked about in questions.")


class BriefingNote(_Draft):
    """A civil-service briefing note for a mission council, every evidential line cited."""

    council: str
    topic: str
    title: str
    purpose: str
    summary: list[Statement] = Field(default_factory=list)
    recommendations: list[Statement] = Field(default_factory=list)
    background: list[Statement] = Field(default_factory=list)
    evidence: list[Statement] = Field(default_factory=list)
    options: list[Statement] = Field(default_factory=list)
    risks: list[Statement] = Field(default_factory=list)
    next_steps: list[Statement] = Field(default_factory=list)
    marking: str = Field(default="OFFICIAL", description="Security marking shown at the top and foot of the note.")
    date: str = Field(default="", description="ISO date of the note (the day it was drafted unless given).")
    to: str = Field(default="", description="Who the note is for: the council's chair (corpus profile) unless given.")
    sender: str = Field(default="", description="Who the note is from (settings.drafting.briefing_sender unless given).")
    decision: Statement | None = Field(default=None, description="One sentence: the decision the council is asked "
                                       "to take (the recommended option), cited; a gap when the sources support none.")


class ClaimCheck(_Draft):
    """A claim checked against the sources: verdict, the passages on each side, and why."""

    claim: str
    verdict: Verdict
    supporting: list[Citation] = Field(default_factory=list)
    contradicting: list[Citation] = Field(default_factory=list)
    explanation: str
    signals: list[str] = Field(default_factory=list, description="The rules that decided the verdict, for review.")
    reason: str = Field(default="", description="One plain-English line naming the decisive passage, e.g. "
                        "'the passage says satisfaction fell, not rose [2]'.")
    source_figures: list[str] = Field(default_factory=list, description="Where the claim states a figure the "
                                      "sources give differently: the sources' figures, as they word them.")
    your_documents: list[Citation] = Field(
        default_factory=list, description="Sentences of documents the user added that bear on the claim: shown, "
        "labelled 'Your document: <file>', never counted in the verdict, which rests on the report and its evidence.")



# -- draft checks (assistant/drafting/draft_check.py) ---------------------------------------------
SentenceVerdict = Literal["supported", "contradicted", "mixed", "not enough evidence", "not checked"]


class SentenceCheck(BaseModel):
    """One sentence of a draft, checked as a claim: its verdict, why, and the passages on each side."""

    sentence: str
    verdict: SentenceVerdict = Field(description="A claim check's verdict, or 'not checked' for a heading, a question "
                                     "or a fragment too short to be a claim.")
    reason: str = Field(default="", description="One plain line: why this verdict, or why the sentence was not checked.")
    supporting: list[Citation] = Field(default_factory=list)
    contradicting: list[Citation] = Field(default_factory=list)
    source_figures: list[str] = Field(default_factory=list, description="Where the sentence states a figure the sources "
                                      "give differently: the sources' figures.")
    heading: bool = Field(default=False, description="The line is a heading of the draft (shown as one, not checked).")

    @property
    def flagged(self) -> bool:
        """Contradicted, mixed or unsupported: a sentence the adviser should look at before it goes out."""
        return self.verdict in ("contradicted", "mixed", "not enough evidence")


class DraftCheck(_Draft):
    """A whole draft checked sentence by sentence against the sources, citations numbered across the draft."""

    title: str
    sentences: list[SentenceCheck] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict, description="Sentences by verdict, 'not checked' included.")
    seconds: float = Field(default=0.0, description="How long the check took.")
