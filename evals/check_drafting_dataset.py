#!/usr/bin/env python3
"""Validate the Mission Desk drafting evaluation dataset (JSONL). Standard library only.

Usage:
    python3 evals/check_drafting_dataset.py [evals/datasets/drafting-v1.jsonl] [--report PATH] [--partial]

--partial (check(..., minimums=False)) checks a partial file, such as evals/datasets/drafting-tune-v2.jsonl: every
record rule holds, but the per-kind and per-mission minimum counts are skipped.

`check(path, report=...)` returns a list of human-readable problems (empty list = valid).
The __main__ entry point prints them (or "OK ...") and exits 1 if there are any.

Three kinds of record, each with exactly its keys:

proposal  id "prop-NNN"; text (80-250 words, >= 2 paragraphs separated by a blank line); facts (exactly
          FACT_KEYS, each null or {"value", "words"} with "words" an exact, case-sensitive substring of
          text); ratings (three criteria + overall, valid values); rating_reasons (one sentence per key of
          ratings); mission (one of MISSIONS or null); prevention_fit; pie_eligible; questions_expected
          (each ends with "?" and contains no stated fact's "words", case-insensitive); notes.
briefing  id "brief-NNN"; council; topic; expect_error; must_cover (2-4 phrases, each a case-insensitive
          substring of the report; empty when expect_error); must_not_cover (phrases from the report that
          are not in the council's own Table 3.1 column or Table 3.2 row); notes.
metrics   id "met-NNN"; mission; nearest_mission (one of MISSIONS or null); expect_shift_items (phrases
          of nearest_mission's Table 3.2 row; empty when it is null); notes.

Consistency rules for proposals (the mission test in chapter 3 of the report):
- overall is red if any criterion is red, green only if all three are green, amber otherwise;
- affordability is "insufficient evidence" when neither total_cost nor cost_per_year is stated, and
  is never green without a stated funding source;
- the 10-year test is green only with dated outcomes and a view past the first years: running costs
  stated, or a programme of 10+ years, or a recurring cost with no end (years null);
- a proposal with no mission is not mission critical (red) and is not PIE;
- spending that runs against Table 3.2's direction is not PIE ("unlikely");
- a proposal leaving four or more facts unstated expects at least one question.
Also: ids unique; per-kind and per-mission minimums.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

try:  # imported as part of the evals package (pytest, python -m)
    from evals.check_dataset import read_jsonl
except ImportError:  # run as a script: python3 evals/check_drafting_dataset.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from check_dataset import read_jsonl  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = ROOT / "evals" / "datasets" / "drafting-v1.jsonl"
DEFAULT_REPORT = ROOT / "corpus" / "smarter-state-2023.txt"

MISSIONS = ("Health", "Safety", "Opportunity", "Security")
FACT_KEYS = (
    "total_cost", "cost_per_year", "spend_type", "years", "running_costs", "running_costs_from",
    "funding", "headroom_effect", "scale", "serves", "outcomes", "outcome_dates",
)
SPEND_TYPES = {"capital", "resource", "both"}
FUNDING = {"existing departmental limit", "new borrowing", "savings", "reprioritisation", "mixed", "other"}
CRITERIA = ("affordability", "mission critical", "10-year test")
CRITERION_VALUES = {"green", "amber", "red", "insufficient evidence"}
OVERALL_VALUES = {"green", "amber", "red"}
PREVENTION_FIT = {"aligned", "runs against", "unclear"}
PIE = {"likely", "unlikely", "unclear"}

KEYS = {
    "proposal": {"id", "kind", "text", "facts", "ratings", "rating_reasons", "mission", "prevention_fit",
                 "pie_eligible", "questions_expected", "notes"},
    "briefing": {"id", "kind", "council", "topic", "expect_error", "must_cover", "must_not_cover", "notes"},
    "metrics": {"id", "kind", "mission", "nearest_mission", "expect_shift_items", "notes"},
}
ID_PREFIX = {"proposal": "prop", "briefing": "brief", "metrics": "met"}
MIN_PROPOSALS = 22
MIN_PER_MISSION = 4
MIN_NO_MISSION = 2
MIN_BRIEFINGS = 12
MIN_BRIEFINGS_PER_COUNCIL = 2
MIN_INVALID_COUNCILS = 2
MIN_METRICS = 6
WORDS_MIN, WORDS_MAX = 80, 250
FISCAL_OR_DATE = re.compile(r"^\d{4}(-\d{2})?$")


def split_of(record_id: str) -> str:
    """The record's split: "heldout" when its id number is a multiple of 3, else "tune" (evals/README.md)."""
    number = int(re.sub(r"\D", "", record_id) or 0)
    return "heldout" if number % 3 == 0 else "tune"


def _is_money(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _tables(report: str) -> tuple[dict[str, str], dict[str, str]]:
    """Each mission's Table 3.1 column (goal + metric) and Table 3.2 row, lower-cased, from the report text."""
    lines = report.splitlines()
    col31: dict[str, str] = {m: "" for m in MISSIONS}
    row32: dict[str, str] = {}
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if [c.strip() for c in cells] == list(MISSIONS):  # Table 3.1 header; the next two tab rows are its cells
            rows = [ln.split("\t") for ln in lines[i + 1:i + 3]]
            for row in rows:
                if len(row) == len(MISSIONS):
                    for m, cell in zip(MISSIONS, row, strict=True):
                        col31[m] += " " + cell.strip().lower()
        elif len(cells) == 2 and cells[0].strip() in MISSIONS and cells[1].startswith("Shift"):
            row32[cells[0].strip()] = cells[1].strip().lower()
    return col31, row32


def _check_proposal(rec: dict, where: str) -> list[str]:
    problems: list[str] = []
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: text missing"]
    n_words = len(text.split())
    if not WORDS_MIN <= n_words <= WORDS_MAX:
        problems.append(f"{where}: text has {n_words} words (want {WORDS_MIN}-{WORDS_MAX})")
    if len([p for p in re.split(r"\n\s*\n", text) if p.strip()]) < 2:
        problems.append(f"{where}: text needs paragraphs separated by blank lines")

    facts = rec.get("facts")
    stated: dict[str, object] = {}
    if not isinstance(facts, dict) or set(facts) != set(FACT_KEYS):
        problems.append(f"{where}: facts must have exactly the keys {list(FACT_KEYS)}")
        facts = facts if isinstance(facts, dict) else {}
    for key in FACT_KEYS:
        fact = facts.get(key)
        if fact is None:
            continue
        if not isinstance(fact, dict) or set(fact) != {"value", "words"}:
            problems.append(f"{where}: facts.{key} must be null or {{value, words}}")
            continue
        value, words = fact["value"], fact["words"]
        if not isinstance(words, str) or not words.strip():
            problems.append(f"{where}: facts.{key}.words must be a non-empty string")
            continue
        if words not in text:
            problems.append(f"{where}: facts.{key}.words not found verbatim in text: {words!r}")
        stated[key] = value
        bad = False
        if key in ("total_cost", "running_costs", "headroom_effect"):
            bad = not _is_money(value)
        elif key == "cost_per_year":
            bad = not (_is_money(value) or (isinstance(value, list) and len(value) >= 2 and all(_is_money(v) for v in value)))
        elif key == "spend_type":
            bad = value not in SPEND_TYPES
        elif key == "years":
            bad = not (isinstance(value, int) and not isinstance(value, bool) and value >= 1)
        elif key == "running_costs_from":
            bad = not ((isinstance(value, int) and not isinstance(value, bool) and value >= 1)
                       or (isinstance(value, str) and FISCAL_OR_DATE.match(value)))
        elif key == "funding":
            bad = value not in FUNDING
        elif key == "outcome_dates":
            bad = not ((isinstance(value, str) and value.strip())
                       or (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)))
        else:  # scale, serves, outcomes
            bad = not (isinstance(value, str) and value.strip())
        if bad:
            problems.append(f"{where}: facts.{key}.value has an invalid value: {value!r}")

    ratings = rec.get("ratings")
    if not isinstance(ratings, dict) or set(ratings) != set(CRITERIA) | {"overall"}:
        problems.append(f"{where}: ratings must have exactly {list(CRITERIA) + ['overall']}")
        ratings = {}
    for c in CRITERIA:
        if c in ratings and ratings[c] not in CRITERION_VALUES:
            problems.append(f"{where}: ratings[{c!r}] invalid: {ratings[c]!r}")
    if "overall" in ratings and ratings["overall"] not in OVERALL_VALUES:
        problems.append(f"{where}: ratings['overall'] invalid: {ratings['overall']!r}")
    reasons = rec.get("rating_reasons")
    if not isinstance(reasons, dict) or set(reasons) != set(CRITERIA) | {"overall"}:
        problems.append(f"{where}: rating_reasons must have one sentence for each of {list(CRITERIA) + ['overall']}")
    else:
        for c, r in reasons.items():
            if not isinstance(r, str) or not r.strip().endswith("."):
                problems.append(f"{where}: rating_reasons[{c!r}] must be a sentence ending in '.'")
            elif re.search(r"[.!?]\s+[A-Z]", r.strip()[:-1]):
                problems.append(f"{where}: rating_reasons[{c!r}] must be one sentence")

    mission = rec.get("mission")
    if mission is not None and mission not in MISSIONS:
        problems.append(f"{where}: mission must be one of {MISSIONS} or null, not {mission!r}")
    fit, pie = rec.get("prevention_fit"), rec.get("pie_eligible")
    if fit not in PREVENTION_FIT:
        problems.append(f"{where}: prevention_fit invalid: {fit!r}")
    if pie not in PIE:
        problems.append(f"{where}: pie_eligible invalid: {pie!r}")

    # Consistency with the mission test.
    crit = [ratings.get(c) for c in CRITERIA]
    if all(v in CRITERION_VALUES for v in crit) and ratings.get("overall") in OVERALL_VALUES:
        want = "red" if "red" in crit else "green" if all(v == "green" for v in crit) else "amber"
        if ratings["overall"] != want:
            problems.append(f"{where}: overall should be {want!r} given {crit}")
    if "total_cost" not in stated and "cost_per_year" not in stated and ratings.get("affordability") != "insufficient evidence":
        problems.append(f"{where}: no cost stated, so affordability must be 'insufficient evidence'")
    if ratings.get("affordability") == "green" and "funding" not in stated:
        problems.append(f"{where}: affordability cannot be green without a stated funding source")
    if ratings.get("10-year test") == "green":
        years = stated.get("years")
        long_view = ("running_costs" in stated or (isinstance(years, int) and years >= 10)
                     or ("years" not in stated and "cost_per_year" in stated))
        if not long_view or "outcome_dates" not in stated:
            problems.append(f"{where}: 10-year test green needs dated outcomes and costs beyond the first years")
    if mission is None:
        if ratings.get("mission critical") != "red":
            problems.append(f"{where}: no mission, so 'mission critical' must be red")
        if pie != "unlikely":
            problems.append(f"{where}: no mission, so pie_eligible must be 'unlikely'")
    if fit == "runs against" and pie != "unlikely":
        problems.append(f"{where}: runs against Table 3.2, so pie_eligible must be 'unlikely'")

    questions = rec.get("questions_expected")
    if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
        problems.append(f"{where}: questions_expected must be a list of strings")
        questions = []
    unstated = len(FACT_KEYS) - len(stated)
    if unstated >= 4 and not questions:
        problems.append(f"{where}: {unstated} facts unstated but no questions expected")
    for q in questions:
        if not q.strip().endswith("?"):
            problems.append(f"{where}: question does not end with '?': {q!r}")
        for key in stated:
            words = facts[key]["words"]
            if words.lower() in q.lower():
                problems.append(f"{where}: question asks about stated fact {key} ({words!r}): {q!r}")
    if not isinstance(rec.get("notes"), str):
        problems.append(f"{where}: notes must be a string")
    return problems


def _check_briefing(rec: dict, where: str, report_l: str, col31: dict, row32: dict) -> list[str]:
    problems: list[str] = []
    council, topic, err = rec.get("council"), rec.get("topic"), rec.get("expect_error")
    must, must_not = rec.get("must_cover"), rec.get("must_not_cover")
    if not isinstance(council, str) or not council.strip() or not isinstance(topic, str) or not topic.strip():
        problems.append(f"{where}: council and topic must be non-empty strings")
        return problems
    if not isinstance(err, bool):
        problems.append(f"{where}: expect_error must be true or false")
    if not isinstance(must, list) or not isinstance(must_not, list):
        return problems + [f"{where}: must_cover and must_not_cover must be lists"]
    valid = council.strip().title() in MISSIONS
    if err is True:
        if valid:
            problems.append(f"{where}: council {council!r} is a mission council, expect_error should be false")
        if must:
            problems.append(f"{where}: an expected error has nothing to cover")
        return problems
    if not valid:
        problems.append(f"{where}: council {council!r} is not a mission council but expect_error is false")
        return problems
    name = council.strip().title()
    if not 2 <= len(must) <= 4:
        problems.append(f"{where}: must_cover needs 2-4 phrases, has {len(must)}")
    for ph in must:
        if not isinstance(ph, str) or ph.lower() not in report_l:
            problems.append(f"{where}: must_cover phrase not in the report: {ph!r}")
        elif any(ph.lower() in row for m, row in row32.items() if m != name):
            problems.append(f"{where}: must_cover phrase belongs to another council's Table 3.2 row: {ph!r}")
    own = col31.get(name, "") + " " + row32.get(name, "")
    for ph in must_not:
        if not isinstance(ph, str) or ph.lower() not in report_l:
            problems.append(f"{where}: must_not_cover phrase not in the report: {ph!r}")
        elif ph.lower() in own:
            problems.append(f"{where}: must_not_cover phrase is in {name}'s own Table 3.1/3.2 cells: {ph!r}")
        if isinstance(ph, str) and any(ph.lower() in m.lower() or m.lower() in ph.lower() for m in must if isinstance(m, str)):
            problems.append(f"{where}: must_not_cover overlaps must_cover: {ph!r}")
    return problems


def _check_metrics(rec: dict, where: str, row32: dict) -> list[str]:
    problems: list[str] = []
    mission, nearest, items = rec.get("mission"), rec.get("nearest_mission"), rec.get("expect_shift_items")
    if not isinstance(mission, str) or not mission.strip():
        problems.append(f"{where}: mission must be a non-empty string")
    if nearest is not None and nearest not in MISSIONS:
        problems.append(f"{where}: nearest_mission must be one of {MISSIONS} or null")
    if not isinstance(items, list):
        return problems + [f"{where}: expect_shift_items must be a list"]
    if nearest is None:
        if items:
            problems.append(f"{where}: no nearest mission, so no shift items are expected")
        return problems
    if nearest in MISSIONS and not items:
        problems.append(f"{where}: expect_shift_items is empty")
    if isinstance(mission, str) and mission.strip().title() in MISSIONS and mission.strip().title() != nearest:
        problems.append(f"{where}: mission {mission!r} is a report mission but nearest_mission is {nearest!r}")
    row = row32.get(nearest, "")
    for ph in items:
        if not isinstance(ph, str) or ph.lower() not in row:
            problems.append(f"{where}: shift item not in {nearest}'s Table 3.2 row: {ph!r}")
    return problems


def check(path: str | Path = DEFAULT_DATASET, report: str | Path = DEFAULT_REPORT, minimums: bool = True) -> list[str]:
    """Problems in the dataset at ``path``; ``minimums=False`` (a partial set, such as a file of new tune items)
    skips the per-kind and per-mission minimum counts and allows a numbered id prefix ('prop2-001')."""
    problems: list[str] = []
    report_text = Path(report).read_text(encoding="utf-8")
    report_l = report_text.lower()
    col31, row32 = _tables(report_text)
    if set(row32) != set(MISSIONS) or not all(col31.values()):
        problems.append(f"report: could not find Tables 3.1 and 3.2 for all missions in {report}")

    items, line_problems = read_jsonl(Path(path))
    records = [rec for _, rec in items]
    problems += [p for p in line_problems if not p.endswith(": blank line")]  # blank lines are allowed here

    ids = Counter(r.get("id") for r in records)
    problems += [f"id {i!r} appears {c} times" for i, c in ids.items() if c > 1]
    kinds: Counter = Counter()
    per_mission: Counter = Counter()
    councils: Counter = Counter()
    invalid_councils = 0
    for rec in records:
        rid, kind = rec.get("id"), rec.get("kind")
        where = str(rid)
        if kind not in KEYS:
            problems.append(f"{where}: unknown kind {kind!r}")
            continue
        kinds[kind] += 1
        if set(rec) != KEYS[kind]:
            problems.append(f"{where}: keys {sorted(set(rec) ^ KEYS[kind])} missing or unexpected")
        if not isinstance(rid, str) or not re.fullmatch(ID_PREFIX[kind] + ("" if minimums else r"\d*") + r"-\d{3}", rid):
            problems.append(f"{where}: id must look like {ID_PREFIX[kind]}-NNN")
        if kind == "proposal":
            problems += _check_proposal(rec, where)
            per_mission[rec.get("mission")] += 1
        elif kind == "briefing":
            problems += _check_briefing(rec, where, report_l, col31, row32)
            if rec.get("expect_error") is True:
                invalid_councils += 1
            elif isinstance(rec.get("council"), str):
                councils[rec["council"].strip().title()] += 1
        else:
            problems += _check_metrics(rec, where, row32)

    if not minimums:
        return problems
    if kinds["proposal"] < MIN_PROPOSALS:
        problems.append(f"only {kinds['proposal']} proposals (want >= {MIN_PROPOSALS})")
    for m in MISSIONS:
        if per_mission[m] < MIN_PER_MISSION:
            problems.append(f"only {per_mission[m]} proposals for {m} (want >= {MIN_PER_MISSION})")
    if per_mission[None] < MIN_NO_MISSION:
        problems.append(f"only {per_mission[None]} proposals with no mission (want >= {MIN_NO_MISSION})")
    if kinds["briefing"] < MIN_BRIEFINGS:
        problems.append(f"only {kinds['briefing']} briefings (want >= {MIN_BRIEFINGS})")
    for m in MISSIONS:
        if councils[m] < MIN_BRIEFINGS_PER_COUNCIL:
            problems.append(f"only {councils[m]} briefings for the {m} council (want >= {MIN_BRIEFINGS_PER_COUNCIL})")
    if invalid_councils < MIN_INVALID_COUNCILS:
        problems.append(f"only {invalid_councils} briefings with an invalid council (want >= {MIN_INVALID_COUNCILS})")
    if kinds["metrics"] < MIN_METRICS:
        problems.append(f"only {kinds['metrics']} metrics requests (want >= {MIN_METRICS})")
    return problems


def summary(path: str | Path = DEFAULT_DATASET) -> str:
    recs = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]
    kinds = Counter(r.get("kind") for r in recs)
    missions = Counter(r.get("mission") or "none" for r in recs if r.get("kind") == "proposal")
    return (f"{kinds['proposal']} proposals ({', '.join(f'{m} {missions[m]}' for m in (*MISSIONS, 'none'))}), "
            f"{kinds['briefing']} briefings, {kinds['metrics']} metrics requests")


def main(argv: list[str]) -> int:
    args = list(argv)
    report = DEFAULT_REPORT
    if "--report" in args:
        i = args.index("--report")
        report = Path(args[i + 1])
        del args[i:i + 2]
    minimums = "--partial" not in args
    args = [a for a in args if a != "--partial"]
    path = Path(args[0]) if args else DEFAULT_DATASET
    problems = check(path, report, minimums=minimums)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) in {path}")
        return 1
    print(f"OK {path}: {summary(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
