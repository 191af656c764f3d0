"""Briefing notes for a mission council, in the civil-service shape, every evidential line cited.

A note goes to one of the report's mission councils (the corpus profile's missions; any other council is an
error naming the valid ones) and is built in three parts:

- its header: security marking, date, to (the council's chair, from the profile), from, and the decision the
  council is asked to take;
- lines written for the council from the profile's [briefing] templates over the council's own table cells
  (its goal and core metric, its spending shift) and the topic, each citing those cells and the one sentence
  of the report it rests on: the options, the recommendations, the next steps;
- sentences quoted from the sources on the topic: summary, evidence, risks and the report's own proposal on
  the topic (the third option). Each is one sentence that reads on its own (a leading 'For example,' is
  dropped; one that opens 'This ...' is not quoted), never a figure's title: a figure comes in cited beside
  the sentence that reports it.

The note must fit on two pages once exported, so it is bounded here by choosing, never cut later: a few items
per section, each quote at most ``briefing_quote_chars`` long, and the whole note (text and references) within
``briefing_chars``: a note that would run longer takes fewer risks, then fewer evidence items, and so on (SHED),
each section keeping one. Citations are numbered once the note is chosen, in reading order. What the sources
cannot fill is listed as a gap, not padded.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from assistant.answering import version_of
from assistant.drafting import evidence as evidence_module
from assistant.drafting.evidence import Evidence, Found, Ledger, MissionCells, clean, gap_statement
from assistant.errors import QuestionError
from assistant.profile import BriefingLine
from assistant.schemas import BriefingNote, Citation, EvidenceGap, Statement
from assistant.settings import DraftingSettings
from assistant.text.polarity import clause_terms
from assistant.text.questions import names_a_risk, recommends
from assistant.text.standalone import always_capitalised, drop_connective, lower_first, stands_alone
from assistant.text.words import key_lemmas
from assistant.types import Passage

Used = set[tuple[str, int]]
# What a note quotes: sentences of prose, lists and boxes. A figure is never quoted for its title; it is cited
# beside the sentence that reports it (see _with_figures). Table rows come in as the council's own cells (a row
# rendered as a sentence runs past the quote limit, and retrieving them crowds out prose); reference entries are
# not evidence.
QUOTABLE = ("text", "list", "box")
# The sections a note chooses from when it runs long.
CHOSEN = ("summary", "recommendations", "evidence", "options", "risks", "next_steps")
# Which section gives up an item first when a note runs long: supporting detail before what the council decides on.
SHED = ("risks", "evidence", "next_steps", "recommendations", "summary", "options")


def draft_briefing(
    ev: Evidence, council: str, topic: str, *, marking: str | None = None, date: str | None = None,
    to: str | None = None, sender: str | None = None,
) -> BriefingNote:
    """A briefing note on ``topic`` for the mission council ``council`` (one of the profile's missions)."""
    asked, topic = clean(council, 120), clean(topic, 300)
    if not asked or not topic:
        raise QuestionError("a briefing needs a council (e.g. 'health') and a topic")
    name = _council(ev, asked)
    label = name or asked.title()
    cfg, briefing = ev.settings.drafting, ev.profile.briefing
    day = _iso_date(date)
    d = _Drafter.start(ev, label, name, topic)
    decision, chosen = d.council_lines()
    chosen |= d.quotes()
    background = _background(ev, d.ledger, name, d.cells)
    decision = decision or gap_statement("No decision is proposed: the sources give this council no option to agree.")
    _choose(chosen, [decision, *background], cfg)
    in_sentence = d.values["topic"]
    note = BriefingNote(
        council=label,
        topic=topic,
        title=f"{label} mission council: {topic}",
        purpose=f"To brief the {label} mission council on {in_sentence}, set out the evidence and the options, "
                "and seek a decision.",
        summary=chosen["summary"],
        background=background,
        evidence=chosen["evidence"],
        recommendations=chosen["recommendations"],
        options=chosen["options"],
        risks=chosen["risks"],
        next_steps=chosen["next_steps"],
        marking=" ".join((marking or cfg.briefing_marking).split()).upper(),
        date=day,
        to=clean(to, 200) if to else (briefing.to.format(**d.values) if briefing.to else f"Chair, {label} mission council"),
        sender=clean(sender, 200) if sender else cfg.briefing_sender,
        decision=decision,
        prompt_version=version_of("briefing", ev.settings, cfg, briefing, evidence_module, sys.modules[__name__]),
    )
    ledger = _renumber(ev, note)
    note.gaps = d.gaps
    if ev.llm is not None:
        prose = ev.narrate(note, ledger, "draft_briefing", {"council": note.council, "topic": note.topic})
        kept = [s for s in prose if not s.gap][: cfg.summary_bullets]
        if kept:
            note.summary = kept
    return note


def _council(ev: Evidence, asked: str) -> str | None:
    """The profile's mission ``asked`` names exactly (any case); None when the profile names no missions."""
    missions = ev.profile.missions
    if not missions:
        return None
    name = ev.profile.mission_named(asked)
    if name is None:
        raise QuestionError(f"no '{asked}' mission council: choose one of {', '.join(missions)}")
    return name


def _iso_date(date: str | None) -> str:
    if not date:
        return dt.date.today().isoformat()
    try:
        return dt.date.fromisoformat(date.strip()).isoformat()
    except ValueError:
        raise QuestionError(f"the note's date must be an ISO date (YYYY-MM-DD), not {date!r}") from None


@dataclass
class _Drafter:
    """One note's search state: what it may name, what it has quoted, what it could not fill."""

    ev: Evidence
    cfg: DraftingSettings
    values: dict[str, str]
    cells: MissionCells | None
    table_cells: dict[str, Passage]
    topic: str
    focus: str
    mission_query: str
    about: set[str]
    ledger: Ledger
    used: Used
    gaps: list[EvidenceGap] = field(default_factory=list)

    @classmethod
    def start(cls, ev: Evidence, label: str, name: str | None, topic: str) -> _Drafter:
        cells = ev.missions.get(name) if name else None
        row = ev.shifts.get(name) if name else None
        names = always_capitalised(c.text for c in ev.snapshot.chunks)
        src, dst = ev.shift_sides(row.chunk.text) if row is not None else ("", "")
        values = {
            "mission": label, "src": src, "dst": dst, "shifts": ev.table_label("shifts"), "quote": "",
            "topic": lower_first(topic, names),
            "goal": lower_first(cells.goal.chunk.text.strip().rstrip("."), names) if cells else "",
            "metric": lower_first(cells.metric.chunk.text.strip().rstrip("."), names) if cells else "",
        }
        table_cells = {"goal": cells.goal, "metric": cells.metric} if cells else {}
        table_cells |= {"shift": row} if row is not None else {}
        # The report's tables are quoted only through the council's own cells: another mission's row is off-topic.
        tables = (ev.profile.tables.missions, ev.profile.tables.shifts)
        used = {(p.chunk.id, p.chunk.start) for table in tables for _, p in ev.table_cells(table)}
        template = ev.profile.briefing.mission_evidence
        # Evidence searches the topic and what the mission measures, not its ambition ('safest in the OECD'). A
        # sentence is on the topic when it shares enough of the topic's specific words, not counting the way it
        # says things move ('rising', 'falling'): else of the focus's.
        focus = f"{topic} {values['metric']}".strip()
        mission_query = template.format(**values) if template else ""
        return cls(
            ev=ev, cfg=ev.settings.drafting, values=values, cells=cells, table_cells=table_cells,
            topic=topic, focus=focus, mission_query=mission_query,
            about=(ev.specific(topic) & clause_terms(topic)) or ev.specific(focus),
            ledger=ev.ledger(), used=used,
        )

    def council_lines(self) -> tuple[Statement | None, dict[str, list[Statement]]]:
        """The decision, options, recommendations and next steps written for this council from the profile."""
        briefing, cfg = self.ev.profile.briefing, self.cfg
        decision = self.line(briefing.decision, "decision")
        sections = {
            "options": [self.line(briefing.options.status_quo, "option: no change"),
                        self.line(briefing.options.shift, "option: shift")],
            "recommendations": [self.line(r, f"recommendation {i}") for i, r in enumerate(briefing.recommendations, 1)],
            "next_steps": [self.line(s, f"next step {i}") for i, s in enumerate(briefing.next_steps, 1)],
        }
        sections["options"].append(self.proposal())
        for key, lines in sections.items():
            if not any(lines):
                self.gaps.append(EvidenceGap(field=key.replace("_", " "), query="", reason="the corpus profile's "
                                             "[briefing] section has no line for it that the sources support"))
        chosen = {key: [s for s in lines if s] for key, lines in sections.items()}
        chosen["recommendations"] = chosen["recommendations"][: cfg.max_items]
        chosen["next_steps"] = chosen["next_steps"][: cfg.max_items]
        return decision, chosen

    def quotes(self) -> dict[str, list[Statement]]:
        """Summary, evidence and risks: sentences of the sources, each standing on its own."""
        cfg, topic, mission = self.cfg, self.values["topic"], self.values["mission"]
        # The summary says what the sources say on the topic itself (or that they say nothing); the evidence may
        # fall back to how the mission's core metric has fared, so it is a gap only when the sources say nothing
        # on the mission either.
        summary = self.quote(self.topic, "summary", cfg.summary_bullets, fallbacks=[self.focus, self.mission_query],
                             fallback_keep=self.on_topic)
        evidence = self.quote(self.focus, "evidence", cfg.max_evidence, fallbacks=[self.mission_query])
        if not evidence and len(summary) > 1:  # the sources' few sentences on it: one is the evidence
            evidence = [summary.pop()]
            self.gaps = [g for g in self.gaps if g.field != "evidence"]
        # What stands in the way of a council is often not particular to its topic (short-termism): the fallback
        # takes any risk the report names.
        risks = self.quote(f"risks and obstacles to {self.topic} {mission}", "risks", cfg.max_items,
                           keep=names_a_risk, fallbacks=[self.ev.query("risk_fallback", mission=mission)])
        return {
            "summary": summary or [gap_statement(f"The sources say nothing directly about {topic}.")],
            "evidence": evidence or [gap_statement(f"The sources give no evidence on {topic}, nor on how the "
                                                   f"{mission} mission's core metric has fared.")],
            "risks": risks,
        }

    def quotable(self, text: str) -> bool:
        """One sentence, short enough, that reads on its own."""
        return len(text) <= self.cfg.briefing_quote_chars and stands_alone(text)

    def on_topic(self, text: str) -> bool:
        """Sharing enough of the topic's specific words ('social housing' is not 'social care')."""
        return len(self.about & key_lemmas(text)) >= max(1, math.floor(self.cfg.briefing_topic_share * len(self.about)))

    def quote(self, query: str, field_name: str, limit: int, keep: Callable[[str], bool] | None = None,
              fallbacks: Sequence[str] = (), fallback_keep: Callable[[str], bool] | None = None) -> list[Statement]:
        """Up to ``limit`` sentences on the topic; failing that, on each fallback query, kept by ``fallback_keep``
        (e.g. on the mission rather than the topic)."""
        def kept(on: Callable[[str], bool] | None) -> Callable[[str], bool]:
            return lambda t: (on is None or on(t)) and (keep is None or keep(t))

        result = self.search(query, field_name, limit, kept(self.on_topic))
        for fallback in fallbacks:
            if result.statements or not fallback:
                break
            result = self.search(fallback, field_name, limit, kept(fallback_keep))
        if result.gap:
            self.gaps.append(result.gap)
        return [_with_figures(self.ev, self.ledger, _standalone(s)) for s in result.statements]

    def search(self, query: str, field_name: str, limit: int, keep: Callable[[str], bool],
               source_ids: Sequence[str] | None = None) -> Found:
        """Quotable sentences for ``query`` that ``keep`` accepts, each relevant in its own right: when the best
        sentences are filtered out (too long, pointing back), the rest must still clear the refusal floor."""
        return self.ev.gather(self.ledger, query, field_name=field_name, limit=limit, exclude=self.used,
                              k=self.cfg.recommendation_k, kinds=QUOTABLE, source_ids=source_ids, each_relevant=True,
                              with_antecedent=True,
                              keep=lambda t: self.quotable(t) and keep(t))

    def line(self, template: BriefingLine | None, field_name: str) -> Statement | None:
        """A profile line for this council: its template filled, citing its cells and the sentence it rests on."""
        if template is None:
            return None
        wanted = {f for _, f, _, _ in string.Formatter().parse(template.text) if f}
        missing = sorted({c for c in template.cells if c not in self.table_cells}
                         | {f for f in wanted if not self.values.get(f)})
        if missing:
            reason = f"the council has no {', '.join(missing)} in the report's tables"
            self.gaps.append(EvidenceGap(field=field_name, query="", reason=reason))
            return None
        citations = [self.ledger.cite_chunk(self.table_cells[c]) for c in template.cells]
        if template.basis:
            query = self.ev.query(template.basis, mission=self.values["mission"])
            basis = self.ev.gather(self.ledger, query, field_name=field_name, limit=1)
            if not basis.statements:
                self.gaps += [basis.gap] if basis.gap else []
                return None
            citations += basis.statements[0].citations
            self.used |= {(c.chunk_id, c.start) for c in basis.statements[0].citations}
        return Statement(text=template.text.format(**self.values), citations=list({c.n: c for c in citations}.values()))

    def proposal(self) -> Statement | None:
        """The third option: the report's own proposal on the topic, else the profile's fallback proposal."""
        briefing = self.ev.profile.briefing
        template = briefing.options.proposal
        if template is None:
            return None
        field_name = "option: the report's proposal"
        # A proposal of the report itself (not of a work it cites) that uses the topic's words.
        report = [self.ev.profile.report_id] if self.ev.profile.report_id else None
        found = self.search(briefing.proposal_search.format(**self.values), field_name, 1,
                            keep=lambda t: recommends(t) and self.on_topic(t), source_ids=report)
        if not found.statements and template.basis:
            query = self.ev.query(template.basis, mission=self.values["mission"])
            found = self.ev.gather(self.ledger, query, field_name=field_name, limit=1, exclude=self.used, kinds=QUOTABLE)
            # The fallback proposal is the same for every council: its option says what it means for this one.
            template = briefing.options.fallback or template
        if not found.statements:
            self.gaps += [found.gap] if found.gap else []
            return None
        proposal = _standalone(found.statements[0])
        text = template.text.format(**{**self.values, "quote": proposal.text.rstrip(".") + "."})
        return Statement(text=text, citations=proposal.citations)


def _standalone(s: Statement) -> Statement:
    """A quoted sentence as it reads on its own: without a leading 'For example,' or 'However,'."""
    text = drop_connective(s.text)
    return s if text == s.text else s.model_copy(update={"text": text})


def _with_figures(ev: Evidence, ledger: Ledger, s: Statement) -> Statement:
    """The statement with the figures it reports ('... widening again (figure 1.2)') cited beside its sentence."""
    if not s.citations:
        return s
    source, text = s.citations[0].source_id, s.text.lower()
    extra: list[Citation] = []
    for chunk in ev.snapshot.chunks:
        if chunk.kind == "figure" and chunk.source_id == source:
            label = chunk.text.strip().split("\n", 1)[0].strip().lower()
            if label and re.search(rf"(?<![\w.]){re.escape(label)}(?!\w|\.\d)", text):
                extra.append(ledger.cite_chunk(Passage(0, chunk, 1.0, 1.0)))
    return s.model_copy(update={"citations": [*s.citations, *extra]}) if extra else s


def _background(ev: Evidence, ledger: Ledger, name: str | None, cells: MissionCells | None) -> list[Statement]:
    """The mission's goal and core metric (missions table); its spending shift is Option 2."""
    missions = ev.table_label("missions")
    if name is None or cells is None:
        return [gap_statement(f"The council is not one of the report's missions ({missions}); no goal or core "
                              "metric is set for it.")]
    return [Statement(
        text=f"The {name} mission is to “{cells.goal.chunk.text.strip()}”, measured by its core metric: "
             f"{cells.metric.chunk.text.strip()} ({missions}).",
        citations=[ledger.cite_chunk(cells.goal), ledger.cite_chunk(cells.metric)],
    )]


# -- fitting two pages by choosing ----------------------------------------------------------------
def _cost(statements: Iterable[Statement], cfg: DraftingSettings) -> int:
    """Characters the statements take in a note with their references: each text, each distinct quote (as it is
    introduced, and at most briefing_quote_chars of it) with where it is from, and each source's entry."""
    total, quotes, sources = 0, set(), set()
    for s in statements:
        total += len(s.text) + cfg.briefing_item_chars
        for c in s.citations:
            if (c.source_id, c.start, c.end) in quotes:
                continue
            quotes.add((c.source_id, c.start, c.end))
            intro = len(c.label) + len(c.basis) if c.origin == "evidence note" else 0
            total += min(len(c.quote), cfg.briefing_quote_chars) + len(c.locator) + intro + cfg.briefing_item_chars
            if c.source_id not in sources:
                sources.add(c.source_id)
                total += len(c.citation or c.title) + len(c.url or "") + cfg.briefing_item_chars
    return total


def _choose(sections: dict[str, list[Statement]], fixed: list[Statement], cfg: DraftingSettings) -> None:
    """Until the note is within briefing_chars, leave out the last item of one section after another, in the
    order of SHED (each section keeps one item)."""
    def cost() -> int:
        return _cost([*fixed, *(s for key in CHOSEN for s in sections[key])], cfg)

    turn = 0
    while cost() > cfg.briefing_chars:
        for key in SHED[turn % len(SHED):] + SHED[: turn % len(SHED)]:
            turn += 1
            if len(sections[key]) > 1:
                sections[key].pop()
                break
        else:
            return


def _renumber(ev: Evidence, note: BriefingNote) -> Ledger:
    """Number the chosen note's citations 1..n in reading order; the ledger that did so, for LLM prose after it."""
    ledger = ev.ledger()
    groups = [[note.decision] if note.decision else [], note.summary, note.recommendations, note.background,
              note.evidence, note.options, note.risks, note.next_steps]
    for group in groups:
        for s in group:
            s.citations = [ledger.add(c) for c in s.citations]
    return ledger
