"""Mission-test assessments: a spending proposal against the report's three criteria, its shifts table and PIE.

Facts only the proposal can give (cost, years, fiscal headroom, what is bought) are read from its text
or left unknown. Everything else is cited: the criteria as the report words them, the mission's core
metric (the missions table), the spending shift it meets (the shifts table), prevention investment
expenditure (PIE). Ratings follow fixed rules, stated in each finding's reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering import version_of
from assistant.drafting import evidence as evidence_module
from assistant.drafting.evidence import Evidence, Ledger, MissionCells, clean, gap_statement, items
from assistant.errors import QuestionError
from assistant.schemas import (
    Citation,
    CriterionFinding,
    EvidenceGap,
    MissionImpact,
    MissionTestAssessment,
    PieAssessment,
    PreventionFit,
    ProposalFacts,
    Rating,
    Statement,
)
from assistant.text.numbers import money, pounds, word_number
from assistant.text.questions import cuts_spending
from assistant.text.words import key_lemmas, stopwords
from assistant.types import Passage

_MONEY = r"£\s?\d+(?:[.,]\d+)*\s?(?:bn|billion|m|million|k|thousand)?\b"
_HEADROOM = re.compile(rf"headroom (?:of |is |at )?(?P<h>{_MONEY})|(?P<h2>{_MONEY}) (?:of )?(?:fiscal )?headroom", re.I)
_YEARS = re.compile(r"\bover (?:the next )?(?P<n>\d+|[a-z]+) years?\b|\b(?P<d>\d+)[- ]year\b", re.I)
_SCALE = re.compile(r"\b(\d[\d,]*(?:\.\d+)?\s+(?:new |more |extra |additional )?[a-z-]+(?: [a-z-]+)?)", re.I)
_DASH = re.compile(r"[-–]")
_WORD_OR_COMPOUND = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


# -- facts from the proposal ----------------------------------------------------------------------
def parse_facts(text: str) -> ProposalFacts:
    """Cost, years, fiscal headroom and scale, as the proposal states them; None where it does not."""
    headroom = _HEADROOM.search(text)
    head = (headroom.group("h") or headroom.group("h2")) if headroom else None
    costs = [written for written, _ in money(text) if written != (head or "").strip()]
    years = _YEARS.search(text)
    n_years = word_number(years.group("n") or years.group("d") or "") if years else None
    scale = _SCALE.search(text)
    stop = stopwords()
    scale_text = scale.group(1).strip() if scale else None
    while scale_text and scale_text.split()[-1].lower() in stop:
        scale_text = scale_text.rsplit(" ", 1)[0]
    if scale_text and years and years.group(0) and scale_text.split()[0] in years.group(0):
        scale_text = None
    return ProposalFacts(cost=costs[0] if costs else None, years=n_years, fiscal_headroom=head, scale=scale_text)


# -- fit with the pivot to prevention -------------------------------------------------------------
@dataclass(frozen=True)
class Fit:
    mission: str | None
    fit: str  # aligned | runs against | unclear
    row: Passage | None
    source: str
    target: str
    hits: tuple[str, ...]


def _words(text: str) -> set[str]:
    return key_lemmas(_DASH.sub(" ", text)) - {w for w in key_lemmas(text) if any(ch.isdigit() for ch in w)}


def _as_written(text: str, lemmas: set[str]) -> tuple[str, ...]:
    """The proposal's own words for the matched lemmas, in order of appearance."""
    out: list[str] = []
    for word in _WORD_OR_COMPOUND.findall(text):
        if _words(word) & lemmas and word.lower() not in out:
            out.append(word.lower())
    return tuple(out)


def prevention_fit(ev: Evidence, proposal: str) -> Fit:
    """Which shift of the shifts table the proposal meets, and whether it spends on its 'from' or its 'to' side."""
    rows = ev.shifts
    wanted = _words(proposal)
    best: Fit | None = None
    best_score = 0
    cutting = cuts_spending(proposal)
    for name, row in rows.items():
        src, dst = ev.shift_sides(row.chunk.text)
        from_hits, to_hits = wanted & _words(src), wanted & _words(dst)
        score = len(from_hits) + len(to_hits)
        if score <= best_score:
            continue
        toward, away = (from_hits, to_hits) if cutting else (to_hits, from_hits)
        fit = "aligned" if len(toward) > len(away) else "runs against" if len(away) > len(toward) else "unclear"
        shown = _as_written(proposal, from_hits | to_hits)
        best, best_score = Fit(name, fit, row, src, dst, shown), score
    return best or Fit(None, "unclear", None, "", "", ())


# -- the assessment -------------------------------------------------------------------------------
def draft_mission_test(ev: Evidence, proposal: str) -> MissionTestAssessment:
    """Put a spending proposal's text through the mission test."""
    text = " ".join((proposal or "").split())
    if not text:
        raise QuestionError("the proposal is empty: describe the spending, or pass --file with a document")
    ledger = ev.ledger()
    gaps: list[EvidenceGap] = []
    facts = parse_facts(text)
    fit = prevention_fit(ev, text)
    row = ledger.cite_chunk(fit.row) if fit.row else None
    impacts = _impacts(ev, ledger, text, fit)
    questions_cited = {key: _criterion(ev, ledger, key, gaps) for key in ev.profile.criteria}
    prevention = _prevention(ev, fit, row)
    missing = gap_statement("The corpus profile words no such criterion.")
    assessment = MissionTestAssessment(
        proposal=clean(text, 2000),
        facts=facts,
        criteria=[
            _affordability(facts, questions_cited.get("affordability", missing)),
            _mission_critical(ev, fit, impacts, questions_cited.get("mission critical", missing), row),
            _ten_year(ev, ledger, facts, fit, questions_cited.get("10-year test", missing), row, gaps),
        ],
        missions=impacts,
        prevention=prevention,
        pie=_pie(ev, ledger, fit, gaps),
        questions=_questions(facts, fit, impacts),
        prompt_version=version_of("mission-test", ev.settings, evidence_module, parse_facts, prevention_fit,
                                  draft_mission_test, _affordability, _mission_critical, _ten_year, _pie, _questions),
    )
    if fit.mission is None:
        gaps.append(EvidenceGap(field="prevention fit", query=clean(text),
                                reason=f"the proposal names nothing on either side of a {ev.table_label('shifts')} spending shift"))
    assessment.gaps = gaps
    if ev.llm is not None:
        ratings = "\n".join(f"- {c.criterion}: {c.rating} — {c.finding}" for c in assessment.criteria)
        ratings += f"\n- pivot to prevention: {assessment.prevention.fit} — {assessment.prevention.reason}"
        ev.narrate(assessment, ledger, "draft_mission_test", {"proposal": assessment.proposal, "ratings": ratings})
    return assessment


def _criterion(ev: Evidence, ledger: Ledger, key: str, gaps: list[EvidenceGap]) -> Statement:
    criterion = ev.profile.criteria[key]
    starts = criterion.label.lower().strip("‘’'")
    found = ev.gather(ledger, criterion.query, field_name=f"{key} criterion", limit=1,
                      keep=lambda t: t.lstrip("-*• ").strip("‘’' ").lower().startswith(starts))
    if found.gap:
        gaps.append(found.gap)
    return found.statements[0] if found.statements else gap_statement(f"The sources do not word the {key} criterion.")


def _impacts(ev: Evidence, ledger: Ledger, text: str, fit: Fit) -> list[MissionImpact]:
    wanted = _words(text)
    out = []
    cells: MissionCells
    for name, cells in ev.missions.items():
        named = wanted & _words(f"{cells.goal.chunk.text} {cells.metric.chunk.text}")
        if name != fit.mission and not named:
            continue
        basis = (f"it spends on {', '.join(fit.hits)}, named in the {name} row of {ev.table_label('shifts')}"
                 if name == fit.mission
                 else f"it names {', '.join(sorted(named))}, as the {name} mission's goal or metric does")
        metric = cells.metric.chunk.text.strip()
        out.append(MissionImpact(
            mission=name,
            core_metric=Statement(text=f"Core metric of the {name} mission ({ev.table_label('missions')}): {metric}.",
                                  citations=[ledger.cite_chunk(cells.metric)]),
            basis=basis,
        ))
    return out


def _prevention(ev: Evidence, fit: Fit, row: Citation | None) -> PreventionFit:
    table = ev.table_label("shifts")
    if fit.row is None or row is None:
        return PreventionFit(fit="unclear", shift=gap_statement(f"No {table} shift matches the proposal."),
                             reason="the proposal names nothing the report's spending shifts move from or to")
    reason = {
        "aligned": f"it spends on {_join(fit.hits)}, where {table} shifts {fit.mission} spending towards ({fit.target})",
        "runs against": f"it spends on {_join(fit.hits)}, which {table} shifts {fit.mission} spending away from "
                        f"(from {fit.source} to {fit.target})",
        "unclear": f"it names {_join(fit.hits)} on both sides of the {fit.mission} shift",
    }[fit.fit]
    return PreventionFit(
        mission=fit.mission, fit=fit.fit,  # type: ignore[arg-type]
        shift=Statement(text=f"{table}, {fit.mission}: shift the balance of spending from {fit.source} to {fit.target}.",
                        citations=[row]),
        reason=reason,
    )


def _affordability(facts: ProposalFacts, question: Statement) -> CriterionFinding:
    cost, headroom = pounds(facts.cost), pounds(facts.fiscal_headroom)
    per_year = cost / facts.years if cost is not None and facts.years else cost
    reasons = [
        f"Cost: {facts.cost} (from the proposal)" if facts.cost else "Cost: unknown — the proposal does not state it",
        f"Period: {facts.years} years (from the proposal)" if facts.years else "Period: unknown — the proposal does not state it",
        f"Fiscal headroom: {facts.fiscal_headroom} (from the proposal)" if facts.fiscal_headroom
        else "Fiscal headroom and departmental limits: unknown — the proposal does not state them",
    ]
    rating: Rating
    if per_year is not None and headroom is not None:
        rating = "green" if per_year <= headroom else "red"
        finding = (f"At about £{per_year / 1e9:.2g}bn a year against stated headroom of {facts.fiscal_headroom}, it "
                   + ("fits." if rating == "green" else "does not fit."))
    else:
        rating = "insufficient evidence"
        finding = ("Cannot be judged: the cost is stated, but not the fiscal headroom or departmental spending limits."
                   if facts.cost else "Cannot be judged: neither the cost nor the fiscal headroom is given.")
    return CriterionFinding(criterion="affordability", question=question, finding=finding, rating=rating,
                            reasons=reasons, evidence=question.citations)


def _mission_critical(
    ev: Evidence, fit: Fit, impacts: list[MissionImpact], question: Statement, row: Citation | None
) -> CriterionFinding:
    evidence = [*question.citations, *(c for i in impacts for c in i.core_metric.citations), *([row] if row else [])]
    if not impacts:
        return CriterionFinding(
            criterion="mission critical", question=question, rating="insufficient evidence", evidence=evidence,
            finding="The sources link the proposal to no mission or core metric.",
            reasons=[f"nothing in the proposal matches a mission's goal or core metric ({ev.table_label('missions')}) "
                     f"or a spending shift ({ev.table_label('shifts')})"],
        )
    names = ", ".join(i.mission for i in impacts)
    rating: Rating = {"aligned": "green", "runs against": "amber"}.get(fit.fit, "insufficient evidence")  # type: ignore[assignment]
    reasons = [f"{i.mission}: {i.basis}" for i in impacts]
    if fit.fit == "runs against":
        reasons.append(f"it acts on the core metric through {fit.source}, the side of the {fit.mission} shift the report "
                       "moves spending away from; the department must show the impact on the core metric")
    elif fit.fit == "aligned":
        reasons.append(f"it funds {fit.target}, where the report wants {fit.mission} spending to go")
    return CriterionFinding(criterion="mission critical", question=question, rating=rating, reasons=reasons,
                            evidence=evidence, finding=f"It bears on the {names} mission{'s' if len(impacts) > 1 else ''}.")


def _ten_year(
    ev: Evidence, ledger: Ledger, facts: ProposalFacts, fit: Fit, question: Statement,
    row: Citation | None, gaps: list[EvidenceGap],
) -> CriterionFinding:
    reasons: list[str] = []
    evidence = list(question.citations) + ([row] if row else [])
    if fit.fit == "aligned":
        found = ev.gather(ledger, ev.query("prevention_pays"), field_name="10-year test: prevention", limit=1)
        rating: Rating = "green"
        finding = "Prevention spending of the kind the report expects to pay back over the longer term."
    elif fit.fit == "runs against":
        found = ev.gather(ledger, ev.query("short_termism"), field_name="10-year test: short-termism", limit=1)
        rating = "red"
        finding = (f"Adds to {fit.source}, locking in the spending the report's pivot to prevention moves away from "
                   "over the longer term.")
    else:
        found = ev.gather(ledger, ev.query("long_term"), field_name="10-year test", limit=1)
        rating = "insufficient evidence"
        finding = "The sources give nothing to judge the proposal's impact over ten years."
    if found.gap:
        gaps.append(found.gap)
    evidence += [c for s in found.statements for c in s.citations]
    reasons += [s.text for s in found.statements]
    if facts.years and facts.years < 10:
        reasons.append(f"the proposal covers {facts.years} years; costs and effects beyond that are unknown")
    elif not facts.years:
        reasons.append("the proposal states no time span; the ten-year costs and effects are unknown")
    return CriterionFinding(criterion="10-year test", question=question, finding=finding, rating=rating,
                            reasons=reasons, evidence=evidence)


def _pie(ev: Evidence, ledger: Ledger, fit: Fit, gaps: list[EvidenceGap]) -> PieAssessment:
    found = ev.gather(ledger, ev.query("pie"), field_name="PIE", limit=1)
    if found.gap:
        gaps.append(found.gap)
    evidence = [c for s in found.statements for c in s.citations]
    if fit.fit == "aligned":
        return PieAssessment(could_count="likely", evidence=evidence,
                             reason=f"it funds {fit.target}, the prevention side of the {fit.mission} shift "
                                    f"({ev.table_label('shifts')})")
    if fit.fit == "runs against":
        return PieAssessment(could_count="unlikely", evidence=evidence,
                             reason=f"it funds {fit.source}, the acute side the {fit.mission} shift moves spending from")
    return PieAssessment(could_count="unclear", evidence=evidence,
                         reason="the proposal does not say whether it funds prevention; the definition of PIE is yet to be set")


def _questions(facts: ProposalFacts, fit: Fit, impacts: list[MissionImpact]) -> list[str]:
    qs = []
    if not facts.cost or not facts.years:
        qs.append("What is the total cost, and over how many years?")
    if not facts.fiscal_headroom:
        qs.append("How does the spending fit the fiscal rule and the department's spending limits: what headroom is assumed?")
    if facts.years and facts.years < 10:
        qs.append(f"What are the running costs and effects after year {facts.years}, over a ten-year horizon?")
    metric = impacts[0].core_metric.text.split(": ", 1)[-1].rstrip(".") if impacts else None
    if fit.fit == "runs against":
        qs.append(f"What evidence shows that more spending on {fit.source} will improve {metric or 'the core metric'}, "
                  f"compared with spending on {fit.target}?")
        qs.append(f"Could part of the money go to {_join(items(fit.target))} instead?")
    elif fit.fit == "aligned":
        qs.append("How much of the spending could be classified as prevention investment expenditure (PIE)?")
    if metric:
        qs.append(f"How will the impact on the core metric ({metric}) be measured, and by when?")
    else:
        qs.append("Which mission and core metric is this spending meant to move?")
    return qs


def _join(words: tuple[str, ...] | list[str]) -> str:
    words = list(words)
    return " and ".join(words) if len(words) < 3 else f"{', '.join(words[:-1])} and {words[-1]}"
