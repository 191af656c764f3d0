"""Mission-framework metrics: core (outcome) metrics and comprehensive output and input metrics.

For the report's missions the core metric is the missions table's cell (corpus profile), cited to its row
and column. Output metrics come from the report's figures (each assigned to the mission it is closest to)
and from the report's carbon-budget model of interim milestones; input metrics from the mission's row of
the shifts table and from prevention investment expenditure (PIE). A custom mission statement is matched
by meaning to the nearest report mission: that mission's shift items that bear on the statement become its
input metrics, and its core metric a related outcome. Anything the sources cannot fill is a gap, never a
guess: names are the sources' own words, no figure appears that a quote lacks, and a data source names a
body or dataset the sources give as the origin of the data.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant import compose
from assistant.answering import version_of
from assistant.drafting import evidence as evidence_module
from assistant.drafting.evidence import Evidence, Found, Ledger, MissionCells, clean, first, gap_statement
from assistant.errors import QuestionError
from assistant.schemas import Direction, EvidenceGap, Metric, MetricsDraft, Statement
from assistant.text import phrases, provenance
from assistant.text.lexicon import entries
from assistant.text.phrases import ListItem, list_items, written_phrases
from assistant.text.provenance import names_in, origin_names
from assistant.text.words import key_lemmas, stem, stemmed_list, stopwords
from assistant.types import Passage

NO_DATA_SOURCE = "No data source is named in the sources; agree one with the department's analysts."
_RANGE_OF_YEARS = re.compile(r",?\s*\d{4}\s*[–-]\s*\d{4}$")
_TRENDS = re.compile(r"^Trends in (the )?")
_WORDS = re.compile(r"[\w'-]+")
_LETTERS = re.compile(r"[A-Za-z]+")
_PROSE = ("text", "list", "box")
_AUTHOR_YEAR = re.compile(r"^([A-Z][\w'’-]+).*?\b(\d{4})\b")


def draft_metrics(ev: Evidence, mission: str) -> MetricsDraft:
    """A mission framework for ``mission`` (one of the report's missions, or a custom mission statement)."""
    mission = clean(mission, 300)
    if not mission:
        raise QuestionError("the mission is empty: name one of the report's missions or write a mission statement")
    ledger = ev.ledger()
    table = ev.missions
    name = ev.match_mission(mission)
    gaps: list[EvidenceGap] = []
    version = version_of("metrics", ev.settings, ev.settings.drafting, evidence_module, sys.modules[__name__],
                         phrases, provenance, ev.profile.metrics)
    draft = MetricsDraft(mission=mission, report_mission=name, prompt_version=version)
    related: list[Metric] = []
    if name is not None:
        cells = table[name]
        near = Nearest(name, 1.0, f"It is the report's {name} mission ({ev.table_label('missions')}).")
        draft.goal = Statement(text=f"{name} mission: {cells.goal.chunk.text.strip()}", citations=[ledger.cite_chunk(cells.goal)])
        draft.core = [_core_metric(ev, ledger, name, cells)]
        topic = f"{cells.goal.chunk.text} {cells.metric.chunk.text}"
    else:
        near = nearest_mission(ev, mission)
        draft.core = [_missing_core(ev, mission)]
        gaps.append(EvidenceGap(field="core metric", query=mission,
                                reason=f"the report sets core metrics only for its own missions ({ev.table_label('missions')})"))
        # Search on what the mission is about ("housing affordable"), not on its ambition ("most ... in the OECD").
        found = ev.gather(ledger, _subject(mission), field_name="evidence", limit=3, keep=_about(ev, mission))
        draft.evidence = found.statements
        gaps += [found.gap] if found.gap else []
        topic = mission
        if near.mission is not None:
            cells = table[near.mission]
            related = [_related_outcome(ev, ledger, near.mission, cells)]
            topic = f"{mission} {cells.goal.chunk.text} {cells.metric.chunk.text}"
    draft.nearest_mission, draft.nearest_basis = near.mission, near.basis
    charted = _figure_metrics(ev, ledger, topic, table, own=near.mission)
    outputs = related + [m for m in charted if m.tier == "output"]
    draft.output = outputs + [_milestone_metric(ev, ledger, gaps)]
    shifted = _shift_metrics(ev, ledger, near)
    draft.input = shifted + [m for m in charted if m.tier == "input"] + [_pie_metric(ev, ledger, gaps)]
    if not outputs:
        gaps.append(EvidenceGap(field="output metrics", query=topic,
                                reason="no figure of the report measures this mission more closely than another mission"))
    if not shifted:
        reason = (f"no spending shift of {ev.table_label('shifts')} concerns this mission" if near.mission is not None
                  else f"no report mission is close in meaning to it, so no spending shift of {ev.table_label('shifts')} applies")
        gaps.append(EvidenceGap(field="input metrics", query=mission, reason=reason))
    draft.gaps = gaps
    if ev.llm is not None:
        ev.narrate(draft, ledger, "draft_metrics", {"mission": draft.mission})
    return draft


def _subject(text: str) -> str:
    stop, generic = stopwords(), stemmed_list("words", "generic")
    words = [w for w in _WORDS.findall(text) if w.lower() not in stop and stem(w) not in generic]
    return " ".join(words) or text


def _about(ev: Evidence, text: str) -> Callable[[str], bool]:
    """Keep sentences naming the mission's most specific word(s): the ones fewest passages use."""
    wanted = key_lemmas(text)
    df = {w: ev.document_frequency[w] for w in wanted}
    present = [w for w in wanted if df[w]]
    rarest = {w for w in present if df[w] == min(df[w] for w in present)} if present else set()
    return lambda sentence: bool(rarest & key_lemmas(sentence))


def _join(parts: Sequence[str]) -> str:
    parts = list(dict.fromkeys(parts))
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


# -- the nearest report mission, by meaning ------------------------------------------------------
@dataclass(frozen=True)
class Nearest:
    """The report mission a statement is closest to in meaning, and the items of its shift that bear on it."""

    mission: str | None
    similarity: float
    basis: str
    towards: tuple[ListItem, ...] = ()  # items the shift moves spending to that bear on it (none: the whole row)
    away: tuple[ListItem, ...] = ()  # items it moves spending from that bear on it


def nearest_mission(ev: Evidence, statement: str) -> Nearest:
    """The report mission closest in meaning to ``statement``: its goal and metric (missions table) and its row of
    the shifts table, compared by embedding on the statement's content words; none below the calibrated minimum."""
    table, rows = ev.missions, ev.shifts
    if not table:
        return Nearest(None, 0.0, "The sources define no missions to compare it with.")
    names = list(table)
    subject = _subject(statement)
    described = []
    for n in names:
        src, dst = ev.shift_sides(rows[n].chunk.text) if n in rows else ("", "")
        described.append(" ".join(p for p in (_subject(table[n].goal.chunk.text), table[n].metric.chunk.text.strip(), dst, src) if p))
    vectors = ev.embed([subject, *described])
    sims = vectors[1:] @ vectors[0]
    best = int(np.argmax(sims))
    name, score = names[best], float(sims[best])
    minimum = ev.settings.drafting.nearest_mission_min
    if score < minimum:
        return Nearest(None, score, f"No mission of the report is close in meaning: the nearest, {name}, scores "
                                    f"{score:.2f}, below the minimum of {minimum:.2f}.")
    return _bearing(ev, subject, name, score)


def _bearing(ev: Evidence, subject: str, name: str, score: float) -> Nearest:
    """Which items of the mission's shift bear on the statement: none when it restates the mission as a whole
    (closer to its goal or metric than to any one item), else those close enough in meaning."""
    cells, row = ev.missions[name], ev.shifts.get(name)
    src, dst = ev.shift_sides(row.chunk.text) if row is not None else ("", "")
    towards, away = list_items(dst), list_items(src)
    goal, metric = cells.goal.chunk.text.strip(), cells.metric.chunk.text.strip()
    vectors = ev.embed([subject, _subject(goal), metric, *(i.text for i in (*towards, *away))])
    sims = vectors[1:] @ vectors[0]
    whole, items = float(max(sims[:2])), sims[2:]
    minimum = ev.settings.drafting.nearest_item_min
    bearing = [bool(s >= minimum) for s in items] if len(items) and float(max(items)) > whole else [False] * len(items)
    near_to = tuple(i for i, b in zip(towards, bearing[: len(towards)], strict=True) if b)
    near_from = tuple(i for i, b in zip(away, bearing[len(towards):], strict=True) if b)
    if near_to or near_from:
        named = _join([i.written for i in (*near_to, *near_from)])
        basis = (f"Closest in meaning to the {name} mission: {ev.table_label('shifts')}'s {name} row names {named} "
                 f"(similarity {score:.2f}).")
    else:
        basis = (f"Closest in meaning to the {name} mission, whose goal in {ev.table_label('missions')} is “{goal}” "
                 f"and whose core metric is “{metric}” (similarity {score:.2f}).")
    return Nearest(name, score, basis, near_to, near_from)


# -- core metrics ---------------------------------------------------------------------------------
def _core_metric(ev: Evidence, ledger: Ledger, name: str, cells: MissionCells) -> Metric:
    cell = ledger.cite_chunk(cells.metric)
    goal = ledger.cite_chunk(cells.goal)
    metric = cells.metric.chunk.text.strip()
    why = ev.gather(ledger, ev.query("core_metric_governance"), field_name="why it matters", limit=1)
    direction, basis = direction_of(metric)
    return Metric(
        name=metric,
        tier="core",
        definition=Statement(text=f"The core metric {ev.table_label('missions')} sets for the {name} mission: {metric}.",
                             citations=[cell]),
        why_it_matters=Statement(
            text=f"It measures progress on the goal “{cells.goal.chunk.text.strip()}”."
            + (f" {why.statements[0].text.rstrip('.')}." if why.statements else ""),
            citations=[goal, *(why.statements[0].citations if why.statements else [])],
        ),
        data_source=_data_source(ev, ledger, metric),
        direction=direction,
        direction_basis=basis,
    )


def _related_outcome(ev: Evidence, ledger: Ledger, name: str, cells: MissionCells) -> Metric:
    """The nearest report mission's core metric, offered as an outcome related to a custom mission."""
    metric = cells.metric.chunk.text.strip()
    direction, basis = direction_of(metric)
    return Metric(
        name=metric,
        tier="output",
        definition=Statement(text=f"A related outcome: the core metric {ev.table_label('missions')} sets for the {name} "
                                  f"mission, the report mission nearest to this one: {metric}.",
                             citations=[ledger.cite_chunk(cells.metric)]),
        why_it_matters=Statement(text=f"It measures progress on the {name} mission's goal “{cells.goal.chunk.text.strip()}”.",
                                 citations=[ledger.cite_chunk(cells.goal)]),
        data_source=_data_source(ev, ledger, metric),
        direction=direction,
        direction_basis=basis,
    )


def _missing_core(ev: Evidence, mission: str) -> Metric:
    return Metric(
        name="Core outcome metric (not set by the sources)",
        tier="core",
        definition=gap_statement(f"The sources set no core outcome metric for “{mission}”; the report defines them "
                                 f"only for its own missions ({ev.table_label('missions')})."),
        why_it_matters=gap_statement("Not covered by the sources."),
        data_source=gap_statement(NO_DATA_SOURCE),
        direction="unknown",
        direction_basis="No metric, so no direction.",
    )


def direction_of(name: str) -> tuple[Direction, str]:
    """Which way is good for a measure, from the words of its name; 'unknown' when they disagree.

    The reason quotes the name's own words ("Avoidable mortality"), never the stems it matched on.
    """
    words = {stem(w) for w in _LETTERS.findall(name)}
    lower, higher = words & stemmed_list("measures", "lower_is_better"), words & stemmed_list("measures", "higher_is_better")
    generic = entries("words", "generic")
    if lower and higher:  # name each word alone: 'Crime outcomes' holds both 'Crime' and 'outcomes'
        every = tuple(_LETTERS.findall(name))
        less, more = (_quoted(written_phrases(name, found, stop=every)) for found in (lower, higher))
        return "unknown", f"it combines {more} (to raise) and {less} (to reduce); set a direction for each part"
    less, more = (_quoted(written_phrases(name, found, stop=generic)) for found in (lower, higher))
    if lower:
        return "lower is better", f"it measures {less}, which the mission wants less of"
    if higher:
        return "higher is better", f"it measures {more}, which the mission wants more of"
    return "unknown", "the sources do not say which way is better; confirm with the metric's owner"


def _quoted(parts: list[str]) -> str:
    return _join([f"“{p}”" for p in parts])


# -- data sources ---------------------------------------------------------------------------------
def _data_source(ev: Evidence, ledger: Ledger, measure: str) -> Statement:
    """Where the data for ``measure`` come from: a body or dataset the sources give as the origin, else a gap.

    First a figure charting the measure (its source line, or the publisher of the work it credits); then a
    sentence naming a body as the origin of such data.
    """
    wanted = ev.specific(measure)
    for score, passage in sorted(_figure_scores(ev, measure).values(), key=lambda sp: -sp[0]):
        _, title, charted, line = _figure_lines(passage.chunk.text)
        # The figure must chart most of what the measure names, not share one word with it ('school').
        shared = wanted & key_lemmas(f"{title} {charted}")
        if line and not charted.startswith("Responses to") and wanted and 2 * len(shared) >= len(wanted):
            return _figure_source(ev, ledger, passage, score, charts=True)
    bodies, query = ev.profile.metrics.bodies, ev.profile.metrics.source_query
    if bodies and query and wanted:
        # Prose only: figures were read above, by their source lines.
        found = ev.gather(ledger, query.format(measure=measure), field_name="data source", limit=1, kinds=_PROSE,
                          keep=lambda s: bool(origin_names(s, bodies) and wanted & key_lemmas(s)))
        if found.statements:
            s = found.statements[0]
            return s.model_copy(update={"text": f"{_join(origin_names(s.text, bodies))}: {s.text}"})
    return gap_statement(NO_DATA_SOURCE)


def _figure_source(ev: Evidence, ledger: Ledger, passage: Passage, score: float, *, charts: bool = False) -> Statement:
    """The body or dataset a figure's source line names, or the publisher of the work it credits; else a gap.

    With ``charts``, say what the figure charts (when it is not the metric's own figure).
    """
    label, _, charted, line = _figure_lines(passage.chunk.text)
    figure = ledger.cite_chunk(passage, score)
    credit = line.split(":", 1)[-1].strip()
    bodies = ev.profile.metrics.bodies
    what = f" ({label} charts {charted})" if charts and charted else ""
    named = origin_names(line, bodies)
    if named:
        return Statement(text=f"{_join(named)}, the source {label} gives: “{credit}”{what}.", citations=[figure])
    for reference in _references(ev, passage):
        named = names_in(reference.chunk.text, bodies)
        if named:
            return Statement(text=f"{_join(named)}, which published the work {label} gives as its source: “{credit}”{what}.",
                             citations=[figure, ledger.cite_chunk(reference)])
    return Statement(text=f"No data source is named in the sources: {label} gives only “{credit}”{what}; agree one "
                          "with the department's analysts.", citations=[figure], gap=True)


def _references(ev: Evidence, passage: Passage) -> list[Passage]:
    """The reference-list entries of the works a passage cites ('Patel et al 2023' -> 'Patel P et al (2023), ...')."""
    out = []
    listed = [c for c in ev.snapshot.chunks if c.kind == "reference" and c.source_id == passage.chunk.source_id]
    for work in passage.chunk.cites:
        m = _AUTHOR_YEAR.match(work)
        if not m:
            continue
        author, year = m.groups()
        for chunk in listed:
            text = chunk.text.lstrip("-*• ")
            if text.startswith(author) and f"({year})" in text.split("*", 1)[0]:
                out.append(Passage(0, chunk, 1.0, 1.0))
    return out


# -- figures as output metrics --------------------------------------------------------------------
def _figure_lines(text: str) -> tuple[str, str, str, str]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    source = next((line for line in lines if line.lower().startswith("source:")), "")
    body = [line for line in lines[1:] if line != source]
    return (lines[0].title() if lines else "Figure", body[0] if body else "", body[1] if len(body) > 1 else "", source)


def _figure_scores(ev: Evidence, query: str) -> dict[str, tuple[float, Passage]]:
    pool, _ = ev.units(clean(query), k=ev.settings.drafting.figure_k, kinds=["figure"])
    out: dict[str, tuple[float, Passage]] = {}
    cand: compose.Candidate
    for cand in pool:
        cid = cand.passage.chunk.id
        if cid not in out or cand.score > out[cid][0]:
            out[cid] = (cand.score, cand.passage)
    return out


def _figure_metrics(
    ev: Evidence, ledger: Ledger, topic: str, table: dict[str, MissionCells], own: str | None
) -> list[Metric]:
    """Figures that measure an outcome, each kept only for the mission it is closest to."""
    mine = _figure_scores(ev, topic)
    rivals = [_figure_scores(ev, f"{c.goal.chunk.text} {c.metric.chunk.text}") for n, c in table.items() if n != own]
    out = []
    for cid, (score, passage) in sorted(mine.items(), key=lambda kv: -kv[1][0]):
        label, title, measure, source = _figure_lines(passage.chunk.text)
        if score < ev.floor or not measure or measure.startswith("Responses to"):
            continue
        if any(r.get(cid, (0.0, None))[0] >= score for r in rivals):
            continue
        figure = ledger.cite_chunk(passage, score)
        name = _TRENDS.sub("", _RANGE_OF_YEARS.sub("", measure)).strip()
        name = name[0].upper() + name[1:]
        direction, basis = direction_of(name)
        # A chart of spending measures an input; the sources give its path, not a direction of good.
        spending = bool(key_lemmas(name) & stemmed_list("measures", "spending"))
        if spending:
            direction, basis = "unknown", f"{label} charts it under scenarios; agree the intended path with HMT"
        out.append(Metric(
            name=name,
            tier="input" if spending else "output",
            definition=Statement(text=f"{label} of the report charts it: {measure}.", citations=[figure]),
            why_it_matters=Statement(text=f"{label} shows: {title}.", citations=[figure]),
            data_source=_figure_source(ev, ledger, passage, score) if source else gap_statement(NO_DATA_SOURCE),
            direction=direction,
            direction_basis=basis,
        ))
        if len(out) == ev.settings.drafting.figures_per_mission:
            break
    return out


@dataclass(frozen=True)
class _Field:
    """One field of a metric filled from a profile query: what to search, and what to say when nothing is found."""

    query: str
    name: str
    missing: str
    kinds: tuple[str, ...] | None = None


def _queried_metric(
    ev: Evidence, ledger: Ledger, gaps: list[EvidenceGap], name: str, tier: Literal["core", "output", "input"],
    fields: tuple[_Field, _Field], distinct: bool = False,
) -> tuple[Metric, list[Found]]:
    """A metric whose definition and why-it-matters are each the best sentence for a query; its data source is
    where the sources say such data come from (usually a gap).

    With ``distinct``, each field avoids the sentences quoted by the fields before it.
    """
    found: list[Found] = []
    for f in fields:
        exclude = _used(*found) if distinct else None
        found.append(ev.gather(ledger, ev.query(f.query), field_name=f.name, limit=1, kinds=f.kinds, exclude=exclude))
    gaps += [f.gap for f in found if f.gap]
    definition, why = (first(result, f.missing) for result, f in zip(found, fields, strict=True))
    metric = Metric(name=name, tier=tier, definition=definition, why_it_matters=why,
                    data_source=_data_source(ev, ledger, name), direction="unknown",
                    direction_basis="the sources do not say")
    return metric, found


def _milestone_metric(ev: Evidence, ledger: Ledger, gaps: list[EvidenceGap]) -> Metric:
    """Interim milestones on the report's carbon-budget model (its box on delivery)."""
    metric, _ = _queried_metric(ev, ledger, gaps, "Progress against interim milestones (carbon-budget style plans)", "output", (
        _Field("milestone_plan", "interim milestones", "The sources describe no interim milestones.", ("box",)),
        _Field("milestone_why", "why interim milestones matter", "Not covered by the sources.", ("box",)),
    ))
    return metric.model_copy(update={
        "direction": "on or ahead of the milestone",
        "direction_basis": "each interim plan breaks the mission into shorter-term steps to be met",
    })


# -- inputs: the spending shift and PIE -----------------------------------------------------------
def _shift_metrics(ev: Evidence, ledger: Ledger, near: Nearest) -> list[Metric]:
    """The share of spending going where the shifts table moves it for the (nearest) mission: to the items that
    bear on the statement, or the whole row; and, for items it moves spending away from, their share."""
    passage = ev.shifts.get(near.mission) if near.mission is not None else None
    if passage is None:
        return []
    label = ev.table_label("shifts")
    row = ledger.cite_chunk(passage)
    src, dst = ev.shift_sides(passage.chunk.text)
    definition = Statement(text=f"{passage.chunk.locator.split(' · ')[0]}: shift the balance of spending from {src} to {dst}.",
                           citations=[row])
    why = Statement(text=f"{label} lists it among the shifts in public spending required to deliver a ‘pivot to prevention’.",
                    citations=[row])
    target = _join([i.written for i in near.towards]) or dst
    out = [Metric(
        name=f"Share of spending going to {target}", tier="input", definition=definition, why_it_matters=why,
        data_source=_data_source(ev, ledger, f"spending on {target}"),
        direction="higher is better", direction_basis=f"{label} shifts spending towards {target} (away from {src})",
    )]
    if near.away:
        away = _join([i.written for i in near.away])
        out.append(Metric(
            name=f"Share of spending going to {away}", tier="input", definition=definition, why_it_matters=why,
            data_source=_data_source(ev, ledger, f"spending on {away}"),
            direction="lower is better", direction_basis=f"{label} shifts spending away from {src}, towards {dst}",
        ))
    return out


def _pie_metric(ev: Evidence, ledger: Ledger, gaps: list[EvidenceGap]) -> Metric:
    name = "Share of spending classified as prevention investment expenditure (PIE)"
    metric, (_, aim) = _queried_metric(ev, ledger, gaps, name, "input", (
        _Field("pie", "PIE", "The sources do not define prevention spending."),
        _Field("pie_aim", "PIE direction", "Not covered by the sources."),
    ), distinct=True)
    if not aim.statements:
        return metric
    return metric.model_copy(update={
        "direction": "higher is better",
        "direction_basis": "the report asks government to raise the share of spending going to prevention over time",
    })


def _used(*found: Found) -> set[tuple[str, int]]:
    return {(c.chunk_id, c.start) for f in found for s in f.statements for c in s.citations}
