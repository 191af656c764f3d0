"""Mission-framework metrics: core (outcome) metrics and comprehensive output and input metrics.

For the report's four missions the core metric is Table 3.1's cell, cited to its row and column.
Output metrics come from the report's figures (each assigned to the mission it is closest to) and
from Box 3.1's carbon-budget model of interim milestones; input metrics from the mission's Table 3.2
spending shift and from prevention investment expenditure (PIE). Anything the sources cannot fill is
a gap, never a guess: names are built from cited words, and no figure appears that a quote lacks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant import compose
from assistant.drafting.evidence import (
    GENERIC,
    Found,
    Ledger,
    MissionCells,
    clean,
    document_frequency,
    gap_statement,
    gather,
    items,
    key_lemmas,
    lemma,
    match_mission,
    missions,
    shift_sides,
    shifts,
)
from assistant.errors import QuestionError
from assistant.retrieval import Passage
from assistant.schemas import Direction, EvidenceGap, Metric, MetricsDraft, Statement

if TYPE_CHECKING:
    from assistant.facade import Assistant

EMBEDDED_VERSION = "embedded-metrics-v1"
NO_DATA_SOURCE = "No data source is named in the sources; agree one with the department's analysts."
GENERIC_LEMMAS = frozenset(lemma(w) for w in GENERIC)
# Measures where less is better, and where more is; a name with both (or neither) gets "unknown".
LOWER_IS_BETTER = frozenset(lemma(w) for w in "crime poverty mortality deaths gap inequality neet waiting benefits".split())
HIGHER_IS_BETTER = frozenset(lemma(w) for w in "expectancy ability attainment productivity satisfaction employment outcomes".split())
SPENDING = frozenset(lemma(w) for w in "spending funding expenditure budget budgets".split())


def draft_metrics(assistant: Assistant, mission: str) -> MetricsDraft:
    """A mission framework for ``mission`` (one of the report's four, or a custom mission statement)."""
    mission = clean(mission, 300)
    if not mission:
        raise QuestionError("the mission is empty: name one of the report's missions or write a mission statement")
    ledger = Ledger(assistant)
    table = missions(assistant)
    name = match_mission(mission, table)
    gaps: list[EvidenceGap] = []
    draft = MetricsDraft(mission=mission, report_mission=name, prompt_version=EMBEDDED_VERSION)
    if name is not None:
        cells = table[name]
        draft.goal = Statement(text=f"{name} mission: {cells.goal.chunk.text.strip()}", citations=[ledger.cite_chunk(cells.goal)])
        draft.core = [_core_metric(assistant, ledger, name, cells)]
        topic = f"{cells.goal.chunk.text} {cells.metric.chunk.text}"
    else:
        topic = mission
        draft.core = [_missing_core(mission)]
        gaps.append(EvidenceGap(field="core metric", query=mission,
                                reason="the report sets core metrics only for its four missions (Table 3.1)"))
        # Search on what the mission is about ("housing affordable"), not on its ambition ("most ... in the OECD").
        found = gather(assistant, ledger, _subject(mission), field_name="evidence", limit=3,
                       keep=_about(assistant, mission))
        draft.evidence = found.statements
        gaps += [found.gap] if found.gap else []
    charted = _figure_metrics(assistant, ledger, topic, table, own=name)
    draft.output = [m for m in charted if m.tier == "output"] + [_milestone_metric(assistant, ledger, gaps)]
    shifted = _shift_metrics(assistant, ledger, name, mission)
    draft.input = shifted + [m for m in charted if m.tier == "input"] + [_pie_metric(assistant, ledger, gaps)]
    if not draft.output[:-1]:
        gaps.append(EvidenceGap(field="output metrics", query=topic,
                                reason="no figure of the report measures this mission more closely than another mission"))
    if not shifted:
        gaps.append(EvidenceGap(field="input metrics", query=mission,
                                reason="no spending shift of Table 3.2 concerns this mission"))
    draft.gaps = gaps
    if assistant.llm is not None:
        _narrate(assistant, ledger, draft)
    return draft


def _subject(text: str) -> str:
    from assistant.retrieval import STOPWORDS

    words = [w for w in re.findall(r"[\w'-]+", text) if w.lower() not in STOPWORDS and lemma(w) not in GENERIC_LEMMAS]
    return " ".join(words) or text


def _about(assistant: Assistant, text: str):  # type: ignore[no-untyped-def]
    """Keep sentences naming the mission's most specific word(s): the ones fewest passages use."""
    wanted = key_lemmas(text)
    df = {w: document_frequency(assistant)[w] for w in wanted}
    present = [w for w in wanted if df[w]]
    rarest = {w for w in present if df[w] == min(df[w] for w in present)} if present else set()
    return lambda sentence: bool(rarest & key_lemmas(sentence))


def _core_metric(assistant: Assistant, ledger: Ledger, name: str, cells: MissionCells) -> Metric:
    cell = ledger.cite_chunk(cells.metric)
    goal = ledger.cite_chunk(cells.goal)
    metric = cells.metric.chunk.text.strip()
    why = gather(assistant, ledger, "the core mission metrics should be embedded in the governance of HMT",
                 field_name="why it matters", limit=1)
    direction, basis = direction_of(metric)
    return Metric(
        name=metric,
        tier="core",
        definition=Statement(text=f"The core metric Table 3.1 sets for the {name} mission: {metric}.", citations=[cell]),
        why_it_matters=Statement(
            text=f"It measures progress on the goal “{cells.goal.chunk.text.strip()}”."
            + (f" {why.statements[0].text.rstrip('.')}." if why.statements else ""),
            citations=[goal, *(why.statements[0].citations if why.statements else [])],
        ),
        data_source=_data_source(assistant, ledger, metric),
        direction=direction,
        direction_basis=basis,
    )


def _missing_core(mission: str) -> Metric:
    return Metric(
        name="Core outcome metric (not set by the sources)",
        tier="core",
        definition=gap_statement(f"The sources set no core outcome metric for “{mission}”; the report defines them "
                                 "only for its four missions (Table 3.1)."),
        why_it_matters=gap_statement("Not covered by the sources."),
        data_source=gap_statement(NO_DATA_SOURCE),
        direction="unknown",
        direction_basis="No metric, so no direction.",
    )


def direction_of(name: str) -> tuple[Direction, str]:
    """Which way is good for a measure, from the words of its name; 'unknown' when they disagree."""
    words = {lemma(w) for w in re.findall(r"[A-Za-z]+", name)}
    lower, higher = words & LOWER_IS_BETTER, words & HIGHER_IS_BETTER
    if lower and not higher:
        return "lower is better", f"it counts something the mission wants less of ({', '.join(sorted(lower))})"
    if higher and not lower:
        return "higher is better", f"it counts something the mission wants more of ({', '.join(sorted(higher))})"
    if lower and higher:
        return "unknown", "the measure combines things to raise and things to reduce; set a direction for each part"
    return "unknown", "the sources do not say which way is better; confirm with the metric's owner"


def _data_source(assistant: Assistant, ledger: Ledger, metric: str) -> Statement:
    """The source line of a figure that charts the metric, if one does; else a gap."""
    wanted = key_lemmas(metric) - {lemma("rates"), lemma("levels")}
    for score, passage in sorted(_figure_scores(assistant, metric).values(), key=lambda sp: -sp[0]):
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


def _figure_scores(assistant: Assistant, query: str) -> dict[str, tuple[float, Passage]]:
    passages, vector = assistant.retrieve(clean(query), k=6, kinds=["figure"])
    out: dict[str, tuple[float, Passage]] = {}
    for cand in compose.candidates(clean(query), vector, passages, assistant.retriever.sentences):
        cid = cand.passage.chunk.id
        if cid not in out or cand.score > out[cid][0]:
            out[cid] = (cand.score, cand.passage)
    return out


def _figure_metrics(
    assistant: Assistant, ledger: Ledger, topic: str, table: dict[str, MissionCells], own: str | None
) -> list[Metric]:
    """Figures that measure an outcome, each kept only for the mission it is closest to."""
    mine = _figure_scores(assistant, topic)
    rivals = [
        _figure_scores(assistant, f"{c.goal.chunk.text} {c.metric.chunk.text}") for n, c in table.items() if n != own
    ]
    out = []
    for cid, (score, passage) in sorted(mine.items(), key=lambda kv: -kv[1][0]):
        label, title, measure, source = _figure_lines(passage.chunk.text)
        if score < assistant.settings.refusal_threshold or not measure or measure.startswith("Responses to"):
            continue
        if any(r.get(cid, (0.0, None))[0] >= score for r in rivals):
            continue
        figure = ledger.cite_chunk(passage, score)
        name = re.sub(r"^Trends in (the )?", "", re.sub(r",?\s*\d{4}\s*[–-]\s*\d{4}$", "", measure)).strip()
        name = name[0].upper() + name[1:]
        direction, basis = direction_of(name)
        # A chart of spending measures an input; the sources give its path, not a direction of good.
        spending = bool(key_lemmas(name) & SPENDING)
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
        if len(out) == 2:
            break
    return out


def _milestone_metric(assistant: Assistant, ledger: Ledger, gaps: list[EvidenceGap]) -> Metric:
    """Interim milestones on the carbon-budget model of Box 3.1."""
    plan = gather(assistant, ledger, "progress broken down into shorter term sector-based plans carbon budgets",
                  field_name="interim milestones", limit=1, kinds=["box"])
    why = gather(assistant, ledger, "none had as clear a process for delivery and maintaining progress as carbon budgets",
                 field_name="why interim milestones matter", limit=1, kinds=["box"])
    body = gather(assistant, ledger, "independent bodies modelled on Climate Change Committee hold government to account",
                  field_name="who reports on milestones", limit=1)
    gaps += [f.gap for f in (plan, why, body) if f.gap]
    return Metric(
        name="Progress against interim milestones (carbon-budget style plans)",
        tier="output",
        definition=_first(plan, "The sources describe no interim milestones."),
        why_it_matters=_first(why, "Not covered by the sources."),
        data_source=_first(body, NO_DATA_SOURCE),
        direction="on or ahead of the milestone",
        direction_basis="each interim plan breaks the mission into shorter-term steps to be met",
    )


def _first(found: Found, missing: str) -> Statement:
    return found.statements[0] if found.statements else gap_statement(missing)


# -- inputs: the spending shift and PIE -----------------------------------------------------------
def _shift_metrics(assistant: Assistant, ledger: Ledger, name: str | None, mission: str) -> list[Metric]:
    """The share of spending going where Table 3.2 shifts it, for this mission (or the items it names)."""
    rows = shifts(assistant)
    wanted = key_lemmas(mission)
    chosen: list[tuple[Passage, str]] = []
    for row_name, passage in rows.items():
        _, dst = shift_sides(passage.chunk.text)
        if row_name == name:
            chosen.append((passage, dst))
        elif name is None:
            hits = [item for item in items(dst) if wanted & key_lemmas(item)]
            if hits:
                chosen.append((passage, " and ".join(hits)))
    out = []
    for passage, target in chosen:
        row = ledger.cite_chunk(passage)
        src, dst = shift_sides(passage.chunk.text)
        out.append(Metric(
            name=f"Share of spending going to {target}",
            tier="input",
            definition=Statement(text=f"{passage.chunk.locator.split(' · ')[0]}: shift the balance of spending from {src} to {dst}.",
                                 citations=[row]),
            why_it_matters=Statement(text="Table 3.2 lists it among the four shifts in public spending required to "
                                          "deliver a ‘pivot to prevention’.", citations=[row]),
            data_source=gap_statement(NO_DATA_SOURCE),
            direction="higher is better",
            direction_basis=f"Table 3.2 shifts spending towards {target} (away from {src})",
        ))
    return out


def _pie_metric(assistant: Assistant, ledger: Ledger, gaps: list[EvidenceGap]) -> Metric:
    what = gather(assistant, ledger, "new category of spending prevention investment expenditure PIE prioritised protected",
                  field_name="PIE", limit=1)
    aim = gather(assistant, ledger, "aim to increase the share of spending going to prevention over time",
                 field_name="PIE direction", limit=1, exclude=_used(what))
    allocation = gather(assistant, ledger, "each department should get a prevention spending allocation",
                        field_name="PIE data", limit=1, exclude=_used(what, aim))
    gaps += [f.gap for f in (what, aim, allocation) if f.gap]
    return Metric(
        name="Share of spending classified as prevention investment expenditure (PIE)",
        tier="input",
        definition=_first(what, "The sources do not define prevention spending."),
        why_it_matters=_first(aim, "Not covered by the sources."),
        data_source=_first(allocation, NO_DATA_SOURCE),
        direction="higher is better" if aim.statements else "unknown",
        direction_basis="the report asks government to raise the share of spending going to prevention over time"
        if aim.statements else "the sources do not say",
    )


def _used(*found: Found) -> set[tuple[str, int]]:
    return {(c.chunk_id, c.start) for f in found for s in f.statements for c in s.citations}


def _narrate(assistant: Assistant, ledger: Ledger, draft: MetricsDraft) -> None:
    from assistant.drafting.evidence import write
    from assistant.prompts import load_prompt

    prose, removed = write(assistant, ledger, "draft_metrics", {"mission": draft.mission}, draft.references())
    draft.narrative, draft.removed = prose, removed
    draft.mode, draft.model = "llm", assistant.settings.llm
    draft.prompt_version = load_prompt("draft_metrics").version
