"""Briefing notes for a mission council, in the usual civil-service shape, every evidential line cited.

The note must fit on two pages once exported, so each section is capped here, by construction:
three summary bullets and at most three or four items elsewhere, each one quoted sentence of bounded
length. What the sources cannot fill is listed as a gap, not padded.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.drafting.evidence import (
    Found,
    Ledger,
    MissionCells,
    clean,
    document_frequency,
    gap_statement,
    gather,
    key_lemmas,
    match_mission,
    missions,
    shift_sides,
    shifts,
)
from assistant.errors import QuestionError
from assistant.schemas import BriefingNote, EvidenceGap, Statement

if TYPE_CHECKING:
    from assistant.facade import Assistant

EMBEDDED_VERSION = "embedded-briefing-v1"
SUMMARY_BULLETS = 3
MAX_ITEMS = 3
MAX_EVIDENCE = 4
_RECOMMENDS = re.compile(r"\bshould\b", re.I)
_RISK = re.compile(
    r"\b(?:risks?|fail\w*|struggl\w*|unpopular|less popular|gaming|side effects?|perverse|unlikely|challenging|"
    r"short-termis\w*|reluctan\w*|demotivat\w*|at the expense of)\b", re.I
)


def draft_briefing(assistant: Assistant, council: str, topic: str) -> BriefingNote:
    """A briefing note on ``topic`` for the mission council ``council`` ("health", "safety", ...)."""
    council, topic = clean(council, 120), clean(topic, 300)
    if not council or not topic:
        raise QuestionError("a briefing needs a council (e.g. 'health') and a topic")
    table = missions(assistant)
    name = match_mission(council, table)
    cells = table.get(name) if name else None
    label = name or council.title()
    ledger = Ledger(assistant)
    used: set[tuple[str, int]] = set()
    gaps: list[EvidenceGap] = []
    row = shifts(assistant).get(name) if name else None
    # Search on the topic and what the mission measures and funds, not on its ambition ('safest in the OECD').
    focus = " ".join([topic, cells.metric.chunk.text if cells else council, shift_sides(row.chunk.text)[1] if row else ""])
    about = specific_lemmas(assistant, focus)

    def found(query: str, field: str, limit: int, keep=None, fallback: str | None = None, **kw) -> list[Statement]:  # type: ignore[no-untyped-def]
        def relevant(text: str) -> bool:
            return bool(about & key_lemmas(text)) and (keep is None or keep(text))

        result: Found = gather(assistant, ledger, query, field_name=field, limit=limit, exclude=used, keep=relevant, **kw)
        if not result.statements and fallback:
            # Nothing on the topic itself: fall back to what the report says at the level of the mission.
            result = gather(assistant, ledger, fallback, field_name=field, limit=limit, exclude=used, keep=keep, **kw)
        if result.gap:
            gaps.append(result.gap)
        return result.statements

    background = _background(assistant, ledger, name, cells, used)
    summary = found(focus, "summary", SUMMARY_BULLETS)
    note = BriefingNote(
        council=label,
        topic=topic,
        title=f"{label} mission council: {topic}",
        purpose=f"To brief the {label} mission council on {topic}, set out what the evidence says and the options, "
                "and agree next steps.",
        summary=summary or [gap_statement(f"The sources say nothing directly about {topic}.")],
        background=background,
        evidence=found(focus, "evidence", MAX_EVIDENCE),
        recommendations=found(f"{topic} {label} government should", "recommendations", MAX_ITEMS,
                              keep=lambda t: bool(_RECOMMENDS.search(t)), k=12,
                              fallback="government should mission spending prevention"),
        options=_options(assistant, ledger, name, used, gaps),
        risks=found(f"risks and obstacles to {topic} {label}", "risks", MAX_ITEMS, keep=lambda t: bool(_RISK.search(t)), k=12,
                    fallback=f"risks failed to shift spending {label} prevention"),
        next_steps=_next_steps(assistant, ledger, used, gaps),
        prompt_version=EMBEDDED_VERSION,
    )
    note.gaps = gaps
    if assistant.llm is not None:
        _narrate(assistant, ledger, note)
    return note


def specific_lemmas(assistant: Assistant, text: str) -> set[str]:
    """The words of ``text`` that few passages use ('reoffending', 'hospital'), not common ones ('rates', 'support')."""
    df = document_frequency(assistant)
    limit = max(3, len(assistant.retriever.chunks) // 12)
    return {w for w in key_lemmas(text) if df[w] <= limit}


def _background(
    assistant: Assistant, ledger: Ledger, name: str | None, cells: MissionCells | None, used: set[tuple[str, int]]
) -> list[Statement]:
    """The mission's goal and core metric (Table 3.1) and its spending shift (Table 3.2)."""
    if name is None or cells is None:
        return [gap_statement("The council is not one of the report's four missions (Table 3.1); no goal or core "
                              "metric is set for it.")]
    out = [Statement(
        text=f"The {name} mission is to “{cells.goal.chunk.text.strip()}”, measured by its core metric: "
             f"{cells.metric.chunk.text.strip()} (Table 3.1).",
        citations=[ledger.cite_chunk(cells.goal), ledger.cite_chunk(cells.metric)],
    )]
    row = shifts(assistant).get(name)
    if row is not None:
        src, dst = shift_sides(row.chunk.text)
        out.append(Statement(text=f"The report's pivot to prevention for {name}: shift spending from {src} to {dst} "
                                  "(Table 3.2).", citations=[ledger.cite_chunk(row)]))
        used.add((row.chunk.id, row.chunk.start))
    used |= {(cells.goal.chunk.id, cells.goal.chunk.start), (cells.metric.chunk.id, cells.metric.chunk.start)}
    return out


def _options(
    assistant: Assistant, ledger: Ledger, name: str | None, used: set[tuple[str, int]], gaps: list[EvidenceGap]
) -> list[Statement]:
    """Three options, each resting on a cited passage: keep the current balance, shift it, protect prevention."""
    out: list[Statement] = []
    status_quo = gather(assistant, ledger, "policymakers have talked about these shifts for decades but failed to achieve them",
                        field_name="option: status quo", limit=1, exclude=used)
    if status_quo.statements:
        out.append(_option("Option 1, continue the current balance of spending", status_quo.statements[0]))
    row = shifts(assistant).get(name) if name else None
    if row is not None:
        src, dst = shift_sides(row.chunk.text)
        out.append(Statement(text=f"Option 2, shift {name} spending from {src} to {dst}, as Table 3.2 proposes.",
                             citations=[ledger.cite_chunk(row)]))
    pie = gather(assistant, ledger, "new category of spending prevention investment expenditure PIE prioritised protected",
                 field_name="option: PIE", limit=1, exclude=used)
    if pie.statements:
        out.append(_option(f"Option {len(out) + 1}, protect prevention spending as its own category", pie.statements[0]))
    gaps += [f.gap for f in (status_quo, pie) if f.gap]
    return out


def _option(lead: str, basis: Statement) -> Statement:
    return Statement(text=f"{lead}. The evidence: {basis.text.rstrip('.')}.", citations=basis.citations)


def _next_steps(assistant: Assistant, ledger: Ledger, used: set[tuple[str, int]], gaps: list[EvidenceGap]) -> list[Statement]:
    """What the council should commission, each step resting on what the report says councils and HMT need."""
    steps = [
        ("Commission modelling of the options against the mission's core metric",
         "all significant spending decisions should be made with modelling to show the impact on the missions"),
        ("Put any spending proposal through the mission test",
         "mission test to ensure that spending follows the missions affordable mission critical long term"),
        ("Ask the secretariat for clear agendas and decision-ready material",
         "well-resourced secretariats clear agendas high-quality decision-making material"),
    ]
    out = []
    for lead, query in steps:
        basis = gather(assistant, ledger, query, field_name=f"next step: {lead}", limit=1, exclude=used)
        if basis.statements:
            out.append(_option(lead, basis.statements[0]))
        elif basis.gap:
            gaps.append(basis.gap)
    return out


def _narrate(assistant: Assistant, ledger: Ledger, note: BriefingNote) -> None:
    """In LLM mode the three summary bullets are written by the model over the note's own evidence."""
    from assistant.drafting.evidence import write
    from assistant.prompts import load_prompt

    prose, removed = write(assistant, ledger, "draft_briefing", {"council": note.council, "topic": note.topic},
                           note.references())
    kept = [s for s in prose if not s.gap][:SUMMARY_BULLETS]
    if kept:
        note.summary = kept
    note.narrative, note.removed = prose, removed
    note.mode, note.model = "llm", assistant.settings.llm
    note.prompt_version = load_prompt("draft_briefing").version
