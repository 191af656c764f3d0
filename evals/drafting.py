"""Drafting evals (issue 12) on drafting-v1: what the proposal reader reads, the mission test's ratings and
questions, briefing notes, custom-mission metrics, and whether every download carries exactly what the
screen shows.

Every record goes through the public API (``Assistant.draft_mission_test``, ``draft_briefing``,
``draft_metrics``) on the run's index; figures are reported per split ('tune', 'heldout', 'all': drafting-v1, whose
split rule is ``evals.check_drafting_dataset.split_of``; 'tune_more': the later tune files, TUNE_MORE) and the
targets are on 'heldout'. The scorers here are
the eval's own and share no rule with the product (a product rule cannot grade itself).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from evals.check_dataset import read_jsonl
from evals.check_drafting_dataset import CRITERIA, DEFAULT_DATASET, FACT_KEYS, split_of
from evals.metrics import WITHHELD

SCOPES = ("tune", "tune_more", "tune_v4", "tune_v5", "tune_v6", "heldout", "all")
GATED_SCOPES = ("tune", "tune_more", "tune_v4", "tune_v5", "tune_v6", "heldout")  # each has its [drafting.minimum|maximum.<scope>]
SCOPE_NAMES = {"tune": "tune", "tune_more": "more tune", "tune_v4": "tune v4", "tune_v5": "tune v5", "tune_v6": "tune v6", "heldout": "heldout",
               "all": "all (v1)"}
# Tune sets written after drafting-v1, each before the reader was tuned on it (evals/README.md): every record is
# tune, scored in its own column and gated by its own measured floor. drafting-tune-v4 has its own column: its
# proposals are laid out unlike the others' (headed sections, key-fact lines, a letter), and adding it to 'more tune'
# would have moved that column's floors.
TUNE_MORE = tuple(Path(__file__).parent / "datasets" / name
                  for name in ("drafting-tune-v2.jsonl", "drafting-tune-v3.jsonl", "briefing-tune-v1.jsonl"))
# Later blind tune sets, each scored as its own scope: its first score, before any tuning on it, is the nearest thing
# to a fresh held-out figure the reader has.
LATEST = {"tune_v4": Path(__file__).parent / "datasets" / "drafting-tune-v4.jsonl",
          "tune_v5": Path(__file__).parent / "datasets" / "drafting-tune-v5.jsonl",
          "tune_v6": Path(__file__).parent / "datasets" / "drafting-tune-v6.jsonl"}
# (fact accuracy, rating agreement) of each at first sight
FIRST_SCORES = {"tune_v4": (0.633, 0.400), "tune_v5": (0.725, 0.562), "tune_v6": (0.625, 0.512)}
Progress = Callable[[str, int, int], None]

# Issue 12's targets, on the held-out split. Counts are maxima (lower is better).
TARGETS: dict[str, float] = {
    "fact_accuracy": 0.95,
    "rating_agreement": 0.90,
    "redundant_questions": 0,
    "export_equals_screen": 1.0,
    "dropped_items": 0,
}
LOWER_IS_BETTER = {"redundant_questions", "dropped_items", "briefing_leaks", "briefing_dangling", "briefing_over_pages",
                   "briefing_shared_boilerplate"}
NAMES: dict[str, str] = {
    "fact_accuracy": "Proposal-fact accuracy (all fields)",
    "fact_words_verbatim": "Fact words quoted verbatim from the proposal",
    **{f"fact_{k}": f"Fact accuracy: {k.replace('_', ' ')}" for k in FACT_KEYS},
    "rating_agreement": "Rating agreement (3 criteria + overall)",
    **{f"rating_{c.replace(' ', '_').replace('-', '_')}": f"Rating agreement: {c}" for c in (*CRITERIA, "overall")},
    "prevention_fit_agreement": "Prevention-fit agreement",
    "pie_agreement": "PIE agreement",
    "redundant_questions": "Questions about a stated fact (count)",
    "export_equals_screen": "Exports equal to the screen (share of drafts)",
    "dropped_items": "Draft items missing from screen and export (count)",
    "briefing_error_accuracy": "Unknown councils refused",
    "briefing_coverage": "Briefing must-cover phrases found",
    "briefing_leaks": "Other councils' shifts in a note (count)",
    "briefing_dangling": "Sentences leaning on an unshown antecedent (count)",
    "briefing_over_pages": "Notes over two pages by the layout's estimate (count)",
    "briefing_shared_boilerplate": "Options/recommendations/next steps shared between councils (count)",
    "metrics_nearest_accuracy": "Custom missions matched to the right mission",
    "metrics_shift_recall": "Expected Table 3.2 items in the input metrics",
}

# Questions that ask for a fact, by the fact they ask for. The eval's own patterns (checked against every
# question the dataset expects: none of those may match a fact its proposal states).
QUESTION_ASKS: dict[str, re.Pattern[str]] = {
    "total_cost": re.compile(r"\btotal cost\b|\bhow much (?:will|does) (?:it|the \w+) cost\b", re.I),
    "years": re.compile(r"\bhow many years\b|\bhow long\b|\bover what period\b|\btime span\b", re.I),
    "spend_type": re.compile(r"\bcapital\b.*\bresource\b|\bresource\b.*\bcapital\b", re.I),
    "running_costs": re.compile(r"\brunning costs?\b", re.I),
    # how the programme is funded, not how a later cost will be ("… after year 5, and how will it be funded?")
    "funding": re.compile(r"^(?!.*\b(?:after|beyond|once|ends?)\b).*(?:\bhow will (?:it|the \w+(?: \w+)?) be funded\b|"
                          r"\bfunding source\b|\bsource of funding\b)", re.I),
    "headroom_effect": re.compile(r"\bheadroom\b", re.I),
}
_DANGLING = re.compile(r"^(?:for example|for instance|this|these|those|it|they|however|similarly|but|also|such|"
                       r"in addition|moreover|furthermore|as a result|therefore|thus)\b", re.I)
_WORD = re.compile(r"[a-z0-9£%.]+")
_YEAR = re.compile(r"\b(?:19|20)\d{2}(?:-\d{2})?\b")
_STOP = frozenset("a an the of in on for to and or with by at as from per its their around".split())


class DraftingResult(BaseModel):
    """One record's outcome; the fields a record's kind does not use stay empty."""

    id: str
    kind: str
    split: str
    error: str = ""
    facts: dict[str, bool] = Field(default_factory=dict, description="Per fact field: read right?")
    fact_shown: dict[str, str] = Field(default_factory=dict, description="What was read, per field (for the report).")
    verbatim: list[bool] = Field(default_factory=list)
    ratings: dict[str, bool] = Field(default_factory=dict)
    rated: dict[str, str] = Field(default_factory=dict)
    fit_ok: bool | None = None
    pie_ok: bool | None = None
    redundant: list[str] = Field(default_factory=list)
    export_equal: bool | None = None
    dropped: list[str] = Field(default_factory=list)
    coverage: float | None = None
    leaks: list[str] = Field(default_factory=list)
    dangling: list[str] = Field(default_factory=list)
    over_pages: bool | None = None
    refused_ok: bool | None = None
    shared: list[str] = Field(default_factory=list)
    nearest_ok: bool | None = None
    shift_recall: float | None = None


class DraftingReport(BaseModel):
    dataset: str
    sha256: str
    seconds: float
    targets: dict[str, float]
    metrics: dict[str, dict[str, float | None]]
    items: list[DraftingResult]
    more: list[str] = Field(default_factory=list)  # the further tune files scored as 'tune_more'
    latest: dict[str, str] = Field(default_factory=dict)  # scope -> the blind tune file scored as it ('tune_v4')

    def with_metrics(self) -> DraftingReport:
        self.metrics = {scope: drafting_metrics(self.scope(scope)) for scope in SCOPES}
        return self

    def scope(self, scope: str) -> list[DraftingResult]:
        return [r for r in self.items if r.split == scope or (scope == "all" and r.split in ("tune", "heldout"))]


# -- scoring: facts ---------------------------------------------------------------------------------
def _words(text: str) -> set[str]:
    return {w.strip(".") for w in _WORD.findall(text.lower()) if w.strip(".") and w not in _STOP}


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        a_list, b_list = (a if isinstance(a, list) else [a]), (b if isinstance(b, list) else [b])
        return len(a_list) == len(b_list) and all(_close(x, y) for x, y in zip(a_list, b_list, strict=True))
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int | float) or not isinstance(b, int | float):
        return False
    return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1)


def _dates(value: Any) -> set[str]:
    values = value if isinstance(value, list) else [value]
    found = {y for v in values for y in _YEAR.findall(str(v))}
    return found or {" ".join(str(v).lower().split()) for v in values}


def fact_correct(key: str, gold: dict[str, Any] | None, got: Any) -> bool:
    """One fact field read right: both unstated, or the same value (money within 1 %; text fields by the
    words they quote, at least half shared both ways; dates as the set of years)."""
    value = getattr(got, "value", None) if got is not None else None
    words = getattr(got, "words", "") if got is not None else ""
    if gold is None or got is None:
        return gold is None and got is None
    if key in ("scale", "serves", "outcomes"):
        want, have = _words(gold["words"]), _words(words or str(value))
        shared = len(want & have)
        return bool(want and have) and shared / len(want) >= 0.5 and shared / len(have) >= 0.5
    if key == "outcome_dates":
        return _dates(gold["value"]) == _dates(value)
    if key in ("spend_type", "funding"):
        return str(value).lower() == str(gold["value"]).lower()
    if key == "running_costs_from":
        return str(value).lower() == str(gold["value"]).lower()
    if key == "years":
        return value == gold["value"]
    return _close(gold["value"], value)


def redundant_questions(questions: Sequence[str], stated: set[str]) -> list[str]:
    """The questions that ask for a fact the proposal states."""
    return [q for q in questions if any(pattern.search(q) for key, pattern in QUESTION_ASKS.items() if key in stated)]


# -- scoring: layout against the draft ----------------------------------------------------------------
def _texts(obj: object) -> list[str]:
    """Every sentence a reader must find: Statement texts and lists of strings (questions, reasons)."""
    from assistant.schemas import Citation, ProposalFact, Statement

    if isinstance(obj, Statement):
        return [obj.text] if obj.text.strip() else []
    if isinstance(obj, (Citation, ProposalFact)):
        # A fact read from the proposal is shown as its words ('by 31 March 2027'), which the fact scores check;
        # its normalised value ('2027-03') is no sentence to find on the page.
        return []
    if isinstance(obj, BaseModel):
        skip = {"removed", "narrative", "proposal", "signals", "gaps", "unstated"}  # unstated: shown by label
        return [t for name in type(obj).model_fields if name not in skip for t in _texts(getattr(obj, name))]
    if isinstance(obj, list):
        return [t for item in obj for t in (_texts(item) if not isinstance(item, str) else [item])]
    return []


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def export_check(draft: BaseModel, folder: Path) -> tuple[bool, list[str]]:
    """(DOCX and Markdown carry exactly the layout's lines, the draft's sentences missing from the layout)."""
    from assistant.export import block_lines, docx_lines, layout, markdown_lines, to_docx, to_markdown

    doc = layout(draft)
    want = [_norm(x) for x in block_lines(doc) if x.strip()]
    docx = [_norm(x) for x in docx_lines(to_docx(draft, folder / "draft.docx")) if x.strip()]
    md = [_norm(x) for x in markdown_lines(to_markdown(draft)) if x.strip()]
    shown = "\n".join(want)
    missing = [t for t in _texts(draft) if _norm(t) not in shown]
    return docx == want and md == want, missing


# -- the run ------------------------------------------------------------------------------------------
def run_drafting(assistant: Any, path: Path = DEFAULT_DATASET, progress: Progress | None = None,
                 more: Sequence[Path] = TUNE_MORE, latest: dict[str, Path] | None = None) -> DraftingReport:
    """Every drafting-v1 record (split by its id) and every record of the ``more`` tune files through the product;
    per-split figures."""
    from assistant.errors import QuestionError

    began = time.perf_counter()
    records: list[tuple[str | None, dict[str, Any]]] = []
    latest = LATEST if latest is None else latest
    for file, split in [(path, None), *((p, "tune_more") for p in more), *((p, scope) for scope, p in latest.items())]:
        lines, problems = read_jsonl(file)
        if problems:
            raise ValueError(f"{file}: {problems[0]}")
        records += [(split, rec) for _, rec in lines]
    results: list[DraftingResult] = []
    notes: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mission-desk-drafting-eval-") as tmp:
        folder = Path(tmp)
        for i, (split, rec) in enumerate(records, 1):
            result = DraftingResult(id=rec["id"], kind=rec["kind"], split=split or split_of(rec["id"]))
            try:
                if rec["kind"] == "proposal":
                    _score_proposal(result, rec, assistant.draft_mission_test(rec["text"]), folder)
                elif rec["kind"] == "briefing":
                    try:
                        note = assistant.draft_briefing(rec["council"], rec["topic"])
                    except QuestionError as exc:
                        result.refused_ok = bool(rec["expect_error"])
                        result.error = str(exc)
                    else:
                        result.refused_ok = not rec["expect_error"]
                        if not rec["expect_error"]:
                            _score_briefing(result, rec, note, folder)
                            notes[rec["id"]] = (rec["council"].lower(), note)
                else:
                    _score_metrics(result, rec, assistant.draft_metrics(rec["mission"]), folder)
            except Exception as exc:  # noqa: BLE001 - a crash on one record is that record's failure, reported
                result.error = f"{type(exc).__name__}: {exc}"
            results.append(result)
            if progress:
                progress("drafting", i, len(records))
    _shared_boilerplate(results, notes)
    return DraftingReport(
        dataset=str(path.relative_to(path.parents[2])) if len(path.parents) > 2 else str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(), seconds=round(time.perf_counter() - began, 1),
        targets=dict(TARGETS), metrics={}, items=results, more=[p.name for p in more], latest={s: p.name for s, p in latest.items()},
    ).with_metrics()


def _score_proposal(result: DraftingResult, rec: dict[str, Any], assessment: Any, folder: Path) -> None:
    read = assessment.facts.stated()  # the twelve facts by the dataset's keys
    stated = {k for k, v in rec["facts"].items() if v is not None}
    for key in FACT_KEYS:
        got = read.get(key)
        result.facts[key] = fact_correct(key, rec["facts"][key], got)
        result.fact_shown[key] = "—" if got is None else f"{got.value!r} ({got.words!r})"
        if got is not None:
            result.verbatim.append(bool(got.words) and got.words in rec["text"])
    rated = {c.criterion: c.rating for c in assessment.criteria}
    rated["overall"] = str(getattr(assessment, "overall", "") or "")
    result.rated = rated
    result.ratings = {c: rated.get(c) == rec["ratings"][c] for c in (*CRITERIA, "overall")}
    result.fit_ok = assessment.prevention.fit == rec["prevention_fit"]
    result.pie_ok = assessment.pie.could_count == rec["pie_eligible"]
    result.redundant = redundant_questions(assessment.questions, stated)
    result.export_equal, result.dropped = export_check(assessment, folder)


def _score_briefing(result: DraftingResult, rec: dict[str, Any], note: Any, folder: Path) -> None:
    from assistant.export import BRIEFING_PAGES, PAGE_LINES, estimate_lines, layout

    sentences = [s.text for name in ("summary", "recommendations", "background", "evidence", "options", "risks",
                                     "next_steps") for s in getattr(note, name)]
    quotes = [c.quote for c in note.references()]
    text = _norm(" ".join([*sentences, *quotes]))
    result.coverage = sum(_norm(p) in text for p in rec["must_cover"]) / len(rec["must_cover"])
    result.leaks = [p for p in rec["must_not_cover"] if _norm(p) in text]
    result.dangling = [s for s in sentences if _DANGLING.match(s.strip())]
    result.over_pages = estimate_lines(layout(note)) > BRIEFING_PAGES * PAGE_LINES
    result.export_equal, result.dropped = export_check(note, folder)


def _shared_boilerplate(results: list[DraftingResult], notes: dict[str, Any]) -> None:
    """Options, recommendations and next steps that appear word for word in another council's note."""
    seen: dict[str, set[str]] = {}
    for council, note in notes.values():
        for s in [*note.options, *note.recommendations, *note.next_steps]:
            seen.setdefault(_norm(s.text), set()).add(council)
    for r in results:
        if r.id in notes:
            _, note = notes[r.id]
            r.shared = [s.text for s in [*note.options, *note.recommendations, *note.next_steps]
                        if len(seen.get(_norm(s.text), set())) > 1]


def _score_metrics(result: DraftingResult, rec: dict[str, Any], draft: Any, folder: Path) -> None:
    nearest = getattr(draft, "nearest_mission", None) or draft.report_mission
    result.nearest_ok = nearest == rec["nearest_mission"]
    if rec["expect_shift_items"]:
        inputs = _norm(" ".join(f"{m.name} {m.definition.text}" for m in draft.input))
        result.shift_recall = sum(_norm(x) in inputs for x in rec["expect_shift_items"]) / len(rec["expect_shift_items"])
    result.export_equal, result.dropped = export_check(draft, folder)


def _mean(values: Sequence[float | bool]) -> float | None:
    return round(sum(float(v) for v in values) / len(values), 3) if values else None


def drafting_metrics(results: Sequence[DraftingResult]) -> dict[str, float | None]:
    proposals = [r for r in results if r.kind == "proposal" and not r.error]
    crashed = [r for r in results if r.kind == "proposal" and r.error]
    out: dict[str, float | None] = {}
    facts = [ok for r in proposals for ok in r.facts.values()] + [False] * len(FACT_KEYS) * len(crashed)
    out["fact_accuracy"] = _mean(facts)
    for key in FACT_KEYS:
        out[f"fact_{key}"] = _mean([r.facts[key] for r in proposals] + [False] * len(crashed))
    out["fact_words_verbatim"] = _mean([v for r in proposals for v in r.verbatim])
    ratings = [ok for r in proposals for ok in r.ratings.values()] + [False] * 4 * len(crashed)
    out["rating_agreement"] = _mean(ratings)
    for c in (*CRITERIA, "overall"):
        out[f"rating_{c.replace(' ', '_').replace('-', '_')}"] = _mean([r.ratings[c] for r in proposals])
    out["prevention_fit_agreement"] = _mean([r.fit_ok for r in proposals if r.fit_ok is not None])
    out["pie_agreement"] = _mean([r.pie_ok for r in proposals if r.pie_ok is not None])
    out["redundant_questions"] = float(sum(len(r.redundant) for r in proposals))
    exported = [r.export_equal for r in results if r.export_equal is not None]
    out["export_equals_screen"] = _mean(exported + [False] * sum(1 for r in results if r.error and r.kind != "briefing"))
    out["dropped_items"] = float(sum(len(r.dropped) for r in results))
    briefs = [r for r in results if r.kind == "briefing"]
    out["briefing_error_accuracy"] = _mean([bool(r.refused_ok) for r in briefs])
    written = [r for r in briefs if r.coverage is not None]
    out["briefing_coverage"] = _mean([r.coverage for r in written if r.coverage is not None])
    out["briefing_leaks"] = float(sum(len(r.leaks) for r in written))
    out["briefing_dangling"] = float(sum(len(r.dangling) for r in written))
    out["briefing_over_pages"] = float(sum(bool(r.over_pages) for r in written))
    out["briefing_shared_boilerplate"] = float(sum(len(r.shared) for r in written))
    metrics = [r for r in results if r.kind == "metrics"]
    out["metrics_nearest_accuracy"] = _mean([bool(r.nearest_ok) for r in metrics])
    out["metrics_shift_recall"] = _mean([r.shift_recall for r in metrics if r.shift_recall is not None])
    out["errors"] = float(sum(1 for r in results if r.error and not r.refused_ok))
    return out


# -- the report section -------------------------------------------------------------------------------
def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}" if value % 1 else f"{value:g}"


def drafting_markdown(report: DraftingReport, thresholds: dict[str, Any]) -> list[str]:
    """The drafting section: figures per split against the targets, the gate, and the items behind misses."""
    v1 = report.scope("all")
    more = report.scope("tune_more") + [r for scope in report.latest for r in report.scope(scope)]
    out = [
        "## Drafting (drafting-v1)", "",
        f"`{report.dataset}` (sha256 `{report.sha256[:12]}`): {sum(r.kind == 'proposal' for r in v1)} "
        f"proposals, {sum(r.kind == 'briefing' for r in v1)} briefing requests and "
        f"{sum(r.kind == 'metrics' for r in v1)} metric requests through the public API, and "
        f"{sum(r.kind == 'proposal' for r in more)} proposals and {sum(r.kind == 'briefing' for r in more)} briefing "
        "requests of the later tune sets; "
        f"{report.seconds:.0f} s. The split rule is evals/README.md's; targets are on held-out. "
        + (f"'more tune' is every record of {', '.join(f'`{m}`' for m in report.more)} (tune sets written later, each "
           "before the code was tuned on it; 'all (v1)' leaves them out)." if report.more else "")
        + "".join(f" '{SCOPE_NAMES[scope]}' is every record of `{name}`, written the same way (first scored, before "
                  f"any tuning on it, at fact accuracy {FIRST_SCORES[scope][0]:.3f} and rating agreement "
                  f"{FIRST_SCORES[scope][1]:.3f})." for scope, name in report.latest.items() if scope in FIRST_SCORES), "",
        f"| Metric | Target (held out) | {' | '.join(SCOPE_NAMES[s] for s in SCOPES)} |", "|---" * (len(SCOPES) + 2) + "|",
    ]
    for key, name in NAMES.items():
        target = report.targets.get(key)
        sign = "≤" if key in LOWER_IS_BETTER else "≥"
        cells = [_fmt(report.metrics[s].get(key)) for s in SCOPES]
        out.append(f"| {name} | {f'{sign} {target:g}' if target is not None else ''} | {' | '.join(cells)} |")
    wrong = []
    for r in report.items:
        # A held-out item's misses are named, not shown: what was read, asked or said stays out (metrics.WITHHELD).
        shown = (lambda text: WITHHELD) if r.split == "heldout" else (lambda text: text)
        why = [f"{k}: read {shown(r.fact_shown.get(k))}" for k, ok in r.facts.items() if not ok]
        why += [f"{c}: rated {r.rated.get(c)}" for c, ok in r.ratings.items() if not ok]
        why += [f"asks about a stated fact: {shown(q)}" for q in r.redundant]
        why += ([f"error: {shown(r.error)}"] if r.error and not r.refused_ok else [])
        why += [f"not on screen: {shown(t[:80])}" for t in r.dropped[:3]]
        why += ["export differs from the screen"] if r.export_equal is False else []
        why += [f"leaks: {shown(', '.join(r.leaks))}"] if r.leaks else []
        why += [f"dangling: {shown(d[:80])}" for d in r.dangling[:2]]
        why += ["refusal wrong"] if r.refused_ok is False else []
        why += ["nearest mission wrong"] if r.nearest_ok is False else []
        if why:
            wrong.append(f"| {r.id} | {r.split} | {'; '.join(why).replace('|', '/')} |")
    out += ["", f"### Drafting items with a miss: {len(wrong)}", ""]
    if wrong:
        out += ["| Item | Split | What was wrong |", "|---|---|---|", *wrong]
    if thresholds:
        out += ["", "### Gate (evals/thresholds.toml, [drafting.*])", "",
                "| Scope | Metric | Threshold | Measured | Gate |", "|---|---|---|---|---|"]
        for scope in GATED_SCOPES:
            gate = drafting_thresholds(thresholds, scope)
            for kind, sign in (("minimum", "≥"), ("maximum", "≤")):
                for key, bound in gate[kind].items():
                    value = report.metrics.get(scope, {}).get(key)
                    ok = value is not None and (value >= bound if kind == "minimum" else value <= bound)
                    out.append(f"| {scope} | {NAMES.get(key, key)} | {sign} {bound} | {_fmt(value)} | "
                               f"{'pass' if ok else 'FAIL'} |")
    return [*out, ""]


def drafting_thresholds(thresholds: dict[str, Any], scope: str) -> dict[str, Any]:
    """One scope's [drafting.minimum.<scope>], [drafting.maximum.<scope>] and [drafting.shortfalls.<scope>]."""
    table = thresholds.get("drafting", {})
    return {kind: table.get(kind, {}).get(scope, {}) for kind in ("minimum", "maximum", "shortfalls")}
