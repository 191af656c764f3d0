"""Mission-framework metrics: core (outcome) metrics and comprehensive output and input metrics.

For the report's missions the core metric is the missions table's cell (corpus profile), cited to its row
and column. Output metrics come from the report's figures (each assigned to the mission it is closest to)
and from the report's carbon-budget model of interim milestones; input metrics from the mission's row of
the shifts table and from prevention investment expenditure (PIE). Anything the sources cannot fill is
a gap, never a guess: names are built from cited words, and no figure appears that a quote lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant import compose
from assistant.answering import version_of
from assistant.drafting import evidence as evidence_module
from assistant.drafting.evidence import Evidence, Found, Ledger, MissionCells, clean, first, gap_statement, items
from assistant.errors import QuestionError
from assistant.schemas import Direction, EvidenceGap, Metric, MetricsDraft, Statement
from assistant.text.words import key_lemmas, stem, stemmed_list, stopwords
from assistant.types import Passage

NO_DATA_SOURCE = "No data source is named in the sources; agree one with the department's analysts."
_RANGE_OF_YEARS = re.compile(r",?\s*\d{4}\s*[–-]\s*\d{4}$")
_TRENDS = re.compile(r"^Trends in (the )?")
_WORDS = re.compile(r"[\w'-]+")
_LETTERS = re.compile(r"[A-Za-z]+")


def draft_metrics(ev: Evidence, mission: str) -> MetricsDraft:
    """A mission framework for ``mission`` (one of the report's missions, or a custom mission statement)."""
    mission = clean(mission, 300)
    if not mission:
        raise QuestionError("the mission is empty: name one of the report's missions or write a mission statement")
    ledger = ev.ledger()
    table = ev.missions
    name = ev.match_mission(mission)
    gaps: list[EvidenceGap] = []
    version = version_of("metrics", ev.settings, ev.settings.drafting, evidence_module, draft_metrics, _figure_metrics,
                         _shift_metrics, _pie_metric, _milestone_metric)
    draft = MetricsDraft(mission=mission, report_mission=name, prompt_version=version)
    if name is not None:
        cells = table[name]
        draft.goal = Statement(text=f"{name} mission: {cells.goal.chunk.text.strip()}", citations=[ledger.cite_chunk(cells.goal)])
        draft.core = [_core_metric(ev, ledger, name, cells)]
        topic = f"{cells.goal.chunk.text} {cells.metric.chunk.text}"
    else:
        topic = mission
        draft.core = [_missing_core(ev, mission)]
        gaps.append(EvidenceGap(field="core metric", query=mission,
                                reason=f"the report sets core metrics only for its own missions ({ev.table_label('missions')})"))
        # Search on what the mission is about ("housing affordable"), not on its ambition ("most ... in the OECD").
        found = ev.gather(ledger, _subject(mission), field_name="evidence", limit=3, keep=_about(ev, mission))
        draft.evidence = found.statements
        gaps += [found.gap] if found.gap else []
    charted = _figure_metrics(ev, ledger, topic, table, own=name)
    draft.output = [m for m in charted if m.tier == "output"] + [_milestone_metric(ev, ledger, gaps)]
    shifted = _shift_metrics(ev, ledger, name, mission)
    draft.input = shifted + [m for m in charted if m.tier == "input"] + [_pie_metric(ev, ledger, gaps)]
    if not draft.output[:-1]:
        gaps.append(EvidenceGap(field="output metrics", query=topic,
                                reason="no figure of the report measures this mission more closely than another mission"))
    if not shifted:
        gaps.append(EvidenceGap(field="input metrics", query=mission,
                                reason=f"no spending shift of {ev.table_label('shifts')} concerns this mission"))
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
    """Which way is good for a measure, from the words of its name; 'unknown' when they disagree."""
    words = {stem(w) for w in _LETTERS.findall(name)}
    lower, higher = words & stemmed_list("measures", "lower_is_better"), words & stemmed_list("measures", "higher_is_better")
    if lower and not higher:
        return "lower is better", f"it counts something the mission wants less of ({', '.join(sorted(lower))})"
    if higher and not lower:
        return "higher is better", f"it counts something the mission wants more of ({', '.join(sorted(higher))})"
    if lower and higher:
        return "unknown", "the measure combines things to raise and things to reduce; set a direction for each part"
    return "unknown", "the sources do not say which way is better; confirm with the metric's owner"


def _data_source(ev: Evidence, ledger: Ledger, metric: str) -> Statement:
    """The source line of a figure that charts the metric, if one does; else a gap."""
    wanted = key_lemmas(metric) - {stem("rates"), stem("levels")}
    for score, passage in sorted(_figure_scores(ev, metric).values(), key=lambda sp: -sp[0]):
        label, title, measure, source = _figure_lines(passage.chunk.text)
        if source and not measure.startswith("Responses to") and wanted & key_lemmas(f"{title} {measure}"):
            return Statement(
                text=f"{source.removeprefix('Source:').strip()} (the source of {label}, which charts {measure}).",
                citations=[ledger.cite_chunk(passage, score)],
            )
    return gap_statement(NO_DATA_SOURCE)


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
            data_source=Statement(text=source.removeprefix("Source:").strip() + f" (source of {label}).", citations=[figure])
            if source else gap_statement(NO_DATA_SOURCE),
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
    fields: tuple[_Field, _Field, _Field], distinct: bool = False,
) -> tuple[Metric, list[Found]]:
    """A metric whose definition, why-it-matters and data source are each the best sentence for a query.

    With ``distinct``, each field avoids the sentences quoted by the fields before it.
    """
    found: list[Found] = []
    for f in fields:
        exclude = _used(*found) if distinct else None
        found.append(ev.gather(ledger, ev.query(f.query), field_name=f.name, limit=1, kinds=f.kinds, exclude=exclude))
    gaps += [f.gap for f in found if f.gap]
    definition, why, source = (first(result, f.missing) for result, f in zip(found, fields, strict=True))
    metric = Metric(name=name, tier=tier, definition=definition, why_it_matters=why, data_source=source,
                    direction="unknown", direction_basis="the sources do not say")
    return metric, found


def _milestone_metric(ev: Evidence, ledger: Ledger, gaps: list[EvidenceGap]) -> Metric:
    """Interim milestones on the report's carbon-budget model (its box on delivery)."""
    metric, _ = _queried_metric(ev, ledger, gaps, "Progress against interim milestones (carbon-budget style plans)", "output", (
        _Field("milestone_plan", "interim milestones", "The sources describe no interim milestones.", ("box",)),
        _Field("milestone_why", "why interim milestones matter", "Not covered by the sources.", ("box",)),
        _Field("milestone_body", "who reports on milestones", NO_DATA_SOURCE),
    ))
    return metric.model_copy(update={
        "direction": "on or ahead of the milestone",
        "direction_basis": "each interim plan breaks the mission into shorter-term steps to be met",
    })


# -- inputs: the spending shift and PIE -----------------------------------------------------------
def _shift_metrics(ev: Evidence, ledger: Ledger, name: str | None, mission: str) -> list[Metric]:
    """The share of spending going where the shifts table moves it, for this mission (or the items it names)."""
    rows = ev.shifts
    label = ev.table_label("shifts")
    wanted = key_lemmas(mission)
    chosen: list[tuple[Passage, str]] = []
    for row_name, passage in rows.items():
        _, dst = ev.shift_sides(passage.chunk.text)
        if row_name == name:
            chosen.append((passage, dst))
        elif name is None:
            hits = [item for item in items(dst) if wanted & key_lemmas(item)]
            if hits:
                chosen.append((passage, " and ".join(hits)))
    out = []
    for passage, target in chosen:
        row = ledger.cite_chunk(passage)
        src, dst = ev.shift_sides(passage.chunk.text)
        out.append(Metric(
            name=f"Share of spending going to {target}",
            tier="input",
            definition=Statement(text=f"{passage.chunk.locator.split(' · ')[0]}: shift the balance of spending from {src} to {dst}.",
                                 citations=[row]),
            why_it_matters=Statement(text=f"{label} lists it among the shifts in public spending required to "
                                          "deliver a ‘pivot to prevention’.", citations=[row]),
            data_source=gap_statement(NO_DATA_SOURCE),
            direction="higher is better",
            direction_basis=f"{label} shifts spending towards {target} (away from {src})",
        ))
    return out


def _pie_metric(ev: Evidence, ledger: Ledger, gaps: list[EvidenceGap]) -> Metric:
    name = "Share of spending classified as prevention investment expenditure (PIE)"
    metric, (_, aim, _) = _queried_metric(ev, ledger, gaps, name, "input", (
        _Field("pie", "PIE", "The sources do not define prevention spending."),
        _Field("pie_aim", "PIE direction", "Not covered by the sources."),
        _Field("pie_allocation", "PIE data", NO_DATA_SOURCE),
    ), distinct=True)
    if not aim.statements:
        return metric
    return metric.model_copy(update={
        "direction": "higher is better",
        "direction_basis": "the report asks government to raise the share of spending going to prevention over time",
    })


def _used(*found: Found) -> set[tuple[str, int]]:
    return {(c.chunk_id, c.start) for f in found for s in f.statements for c in s.citations}
