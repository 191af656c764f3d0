"""Briefing notes for a mission council, in the usual civil-service shape, every evidential line cited.

The note must fit on two pages once exported, so each section is capped here, by construction
(settings.drafting): a few summary bullets and at most three or four items elsewhere, each one quoted
sentence of bounded length. What the sources cannot fill is listed as a gap, not padded.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.answering import version_of
from assistant.drafting import evidence as evidence_module
from assistant.drafting.evidence import Evidence, Found, Ledger, MissionCells, clean, gap_statement
from assistant.errors import QuestionError
from assistant.schemas import BriefingNote, EvidenceGap, Statement
from assistant.text.questions import names_a_risk, recommends
from assistant.text.words import key_lemmas

Used = set[tuple[str, int]]


def draft_briefing(ev: Evidence, council: str, topic: str) -> BriefingNote:
    """A briefing note on ``topic`` for the mission council ``council`` (one of the profile's missions)."""
    council, topic = clean(council, 120), clean(topic, 300)
    if not council or not topic:
        raise QuestionError("a briefing needs a council (e.g. 'health') and a topic")
    cfg = ev.settings.drafting
    name = ev.match_mission(council)
    cells = ev.missions.get(name) if name else None
    label = name or council.title()
    ledger = ev.ledger()
    used: Used = set()
    gaps: list[EvidenceGap] = []
    row = ev.shifts.get(name) if name else None
    # Search on the topic and what the mission measures and funds, not on its ambition ('safest in the OECD').
    focus = " ".join([topic, cells.metric.chunk.text if cells else council, ev.shift_sides(row.chunk.text)[1] if row else ""])
    about = ev.specific(focus)

    def found(query: str, field: str, limit: int, keep: Callable[[str], bool] | None = None,
              fallback: str | None = None, k: int | None = None) -> list[Statement]:
        def relevant(text: str) -> bool:
            return bool(about & key_lemmas(text)) and (keep is None or keep(text))

        result: Found = ev.gather(ledger, query, field_name=field, limit=limit, exclude=used, keep=relevant, k=k)
        if not result.statements and fallback:
            # Nothing on the topic itself: fall back to what the report says at the level of the mission.
            result = ev.gather(ledger, fallback, field_name=field, limit=limit, exclude=used, keep=keep, k=k)
        if result.gap:
            gaps.append(result.gap)
        return result.statements

    background = _background(ev, ledger, name, cells, used)
    summary = found(focus, "summary", cfg.summary_bullets)
    note = BriefingNote(
        council=label,
        topic=topic,
        title=f"{label} mission council: {topic}",
        purpose=f"To brief the {label} mission council on {topic}, set out what the evidence says and the options, "
                "and agree next steps.",
        summary=summary or [gap_statement(f"The sources say nothing directly about {topic}.")],
        background=background,
        evidence=found(focus, "evidence", cfg.max_evidence),
        recommendations=found(f"{topic} {label} government should", "recommendations", cfg.max_items,
                              keep=recommends, k=cfg.recommendation_k,
                              fallback=ev.query("recommendation_fallback")),
        options=_options(ev, ledger, name, used, gaps),
        risks=found(f"risks and obstacles to {topic} {label}", "risks", cfg.max_items, keep=names_a_risk,
                    k=cfg.recommendation_k, fallback=ev.query("risk_fallback", mission=label)),
        next_steps=_next_steps(ev, ledger, used, gaps),
        prompt_version=version_of("briefing", ev.settings, cfg, evidence_module, draft_briefing, _options, _next_steps),
    )
    note.gaps = gaps
    if ev.llm is not None:
        prose = ev.narrate(note, ledger, "draft_briefing", {"council": note.council, "topic": note.topic})
        kept = [s for s in prose if not s.gap][: cfg.summary_bullets]
        if kept:
            note.summary = kept
    return note


def _background(ev: Evidence, ledger: Ledger, name: str | None, cells: MissionCells | None, used: Used) -> list[Statement]:
    """The mission's goal and core metric (missions table) and its spending shift (shifts table)."""
    missions, shifts = ev.table_label("missions"), ev.table_label("shifts")
    if name is None or cells is None:
        return [gap_statement(f"The council is not one of the report's missions ({missions}); no goal or core "
                              "metric is set for it.")]
    out = [Statement(
        text=f"The {name} mission is to “{cells.goal.chunk.text.strip()}”, measured by its core metric: "
             f"{cells.metric.chunk.text.strip()} ({missions}).",
        citations=[ledger.cite_chunk(cells.goal), ledger.cite_chunk(cells.metric)],
    )]
    row = ev.shifts.get(name)
    if row is not None:
        src, dst = ev.shift_sides(row.chunk.text)
        out.append(Statement(text=f"The report's pivot to prevention for {name}: shift spending from {src} to {dst} "
                                  f"({shifts}).", citations=[ledger.cite_chunk(row)]))
        used.add((row.chunk.id, row.chunk.start))
    used |= {(cells.goal.chunk.id, cells.goal.chunk.start), (cells.metric.chunk.id, cells.metric.chunk.start)}
    return out


def _options(ev: Evidence, ledger: Ledger, name: str | None, used: Used, gaps: list[EvidenceGap]) -> list[Statement]:
    """Three options, each resting on a cited passage: keep the current balance, shift it, protect prevention."""
    out: list[Statement] = []
    status_quo = ev.gather(ledger, ev.query("status_quo"), field_name="option: status quo", limit=1, exclude=used)
    if status_quo.statements:
        out.append(_option("Option 1, continue the current balance of spending", status_quo.statements[0]))
    row = ev.shifts.get(name) if name else None
    if row is not None:
        src, dst = ev.shift_sides(row.chunk.text)
        out.append(Statement(text=f"Option 2, shift {name} spending from {src} to {dst}, as "
                                  f"{ev.table_label('shifts')} proposes.", citations=[ledger.cite_chunk(row)]))
    pie = ev.gather(ledger, ev.query("pie"), field_name="option: PIE", limit=1, exclude=used)
    if pie.statements:
        out.append(_option(f"Option {len(out) + 1}, protect prevention spending as its own category", pie.statements[0]))
    gaps += [f.gap for f in (status_quo, pie) if f.gap]
    return out


def _option(lead: str, basis: Statement) -> Statement:
    return Statement(text=f"{lead}. The evidence: {basis.text.rstrip('.')}.", citations=basis.citations)


def _next_steps(ev: Evidence, ledger: Ledger, used: Used, gaps: list[EvidenceGap]) -> list[Statement]:
    """What the council should commission, each step resting on what the report says councils and HMT need."""
    steps = [
        ("Commission modelling of the options against the mission's core metric", "modelling"),
        ("Put any spending proposal through the mission test", "mission_test"),
        ("Ask the secretariat for clear agendas and decision-ready material", "secretariat"),
    ]
    out = []
    for lead, query in steps:
        basis = ev.gather(ledger, ev.query(query), field_name=f"next step: {lead}", limit=1, exclude=used)
        if basis.statements:
            out.append(_option(lead, basis.statements[0]))
        elif basis.gap:
            gaps.append(basis.gap)
    return out
