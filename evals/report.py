"""Rendering an EvalReport: the Markdown report (evals/results/latest.md) and the terminal table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from evals.adversarial import adversarial_markdown
from evals.drafting import drafting_markdown
from evals.metrics import WITHHELD
from evals.runner import (
    BREAKDOWN,
    CLAIM_SCOPES,
    HELD_OUT_VERIFIER,
    LOWER_IS_BETTER,
    METRICS,
    RESULTS_DIR,
    STANCE_SCOPES,
    THRESHOLDS,
    VERIFIER_SCOPES,
    DatasetReport,
    EvalReport,
    ItemResult,
    StanceReport,
    SystemResult,
    VerifierResult,
    load_thresholds,
    stance_thresholds,
    thresholds_for,
)

# What would lift each target metric, by the cause of its failing items.
REMEDIES: dict[str, str] = {
    "recall_at_5": "retrieval misses: the gold passage is not in the top 5. Candidates: index table rows and "
    "figure captions with their table/figure title in the embedded text, expand acronyms and number words "
    "in the BM25 query, or re-rank the fused list with the sentence vectors before cutting at k.",
    "key_fact_accuracy": "retrieval misses need the retrieval fixes above; composition misses (gold retrieved, "
    "fact not in the answer) need the composer to score whole table rows/box items higher and to add the "
    "sibling sentences of a chosen multi-part passage (as it already does for announced lists).",
    "citation_precision": "a sentence cites passages that do not support it alone: cite only the passage whose "
    "unit was quoted (the embedded mode) or drop extra markers the model adds (LLM mode).",
    "citation_recall": "sentences whose cited text lacks their words or numbers: in the embedded mode this comes "
    "from rendering (table labels, figure titles) adding words the cited passage lacks; render only words of "
    "the passage, or include the heading in the stored passage.",
    "refusal_accuracy": "recalibrate Settings.answer.refusal_threshold with `python evals/calibrate.py` (on gold-v1 "
    "only); items refused for names the sources never use ('unknown names') need the name check to ignore ordinary "
    "capitalised words; a partly covered question must be answered for the part the sources cover, not refused.",
    "answer_precision": "answers quote passages that neither state a key fact nor hold the gold quote: cite fewer, "
    "closer passages (drop the neighbouring context and second-best passages once the question is answered).",
    "answer_units_p50": "answers quote too many distinct passages: cap the passages an answer draws on and take "
    "several sentences from one passage rather than one from each.",
    "answer_words_p50": "answers are long: quote the sentences that answer, not their neighbours.",
    "list_completeness": "list questions ('which four ...') miss items: when the question asks for a list, quote the "
    "whole list passage (every bullet, table header or row) rather than the top-scoring sentences.",
    "partial_coverage_accuracy": "the answer must fill Answer.not_covered with the part of the question no passage "
    "answers (a cost, a person, a date, a comparison) and say so, without refusing the covered part.",
}


COUNTS = {"answer_units_p50", "answer_words_p50"}  # medians of counts: shown as numbers, not shares
OPTIONAL = {"judge_citation_recall"}  # shown only when measured
# not in a dataset without those items
SKIP_WHEN_ABSENT = {"list_completeness", "partial_coverage_accuracy", "claim_evidence_relevance", "check_latency_p50"}


def fmt(value: float | None, key: str = "") -> str:
    if value is None:
        return "n/a"
    if key in COUNTS:
        return f"{value:g}"
    return f"{value:.3f}"


def _meets(key: str, value: float | None, target: float) -> bool:
    return value is not None and (value <= target if key in LOWER_IS_BETTER else value >= target)


def fmt_target(key: str, target: float | None) -> str:
    if target is None:
        return ""
    return f"≤ {target:g}" if key in LOWER_IS_BETTER else f"≥ {target:.2f}"


def parts(report: EvalReport) -> list[DatasetReport]:
    """The datasets of a run (a report written before there were several has just its own)."""
    return report.datasets or [
        DatasetReport(key="v1", label=report.dataset, dataset=report.dataset, dataset_sha256=report.dataset_sha256,
                      items=report.items, targets=report.targets, systems=report.systems)
    ]


def headline_rows(report: EvalReport | DatasetReport) -> list[list[str]]:
    """Metric, target, then each system's value (targets marked met or short for the first system).

    Metrics no system measured on this dataset (no list items, no claims, no judge) are left out.
    """
    rows = []
    for key, label in METRICS.items():
        target = report.targets.get(key)
        if (key in OPTIONAL or key in SKIP_WHEN_ABSENT) and all(s.metrics.get(key) is None for s in report.systems):
            continue
        cells = [label, fmt_target(key, target)]
        for i, system in enumerate(report.systems):
            value = system.metrics.get(key)
            mark = ""
            if i == 0 and target is not None:
                mark = " ✅" if _meets(key, value, target) else " ⚠️ short"
            cells.append(fmt(value, key) + mark)
        rows.append(cells)
    return rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in row) + " |" for row in rows]
    return out


def shortfalls(report: EvalReport | DatasetReport, notes: dict[str, str]) -> list[str]:
    """One paragraph per target the first system misses: the figure, the failing items by cause, the fix."""
    system = report.systems[0]
    lines: list[str] = []
    for key, target in report.targets.items():
        value = system.metrics.get(key)
        if _meets(key, value, target):
            continue
        culprits = _culprits(system, key)
        causes = Counter(r.cause or "other" for r in culprits)
        counted = ", ".join(f"{n} {cause}" for cause, n in causes.most_common())
        ids = ", ".join(r.id for r in culprits[:15]) + (" …" if len(culprits) > 15 else "")
        lines.append(
            f"- **{METRICS[key]}: {fmt(value, key)} {'>' if key in LOWER_IS_BETTER else '<'} {target:g}.** "
            f"{len(culprits)} item(s) pull it down"
            + (f" ({counted}): {ids}." if culprits else ".")
            + f" What would fix it: {REMEDIES[key]}"
        )
        if key in notes:
            lines.append(f"  - Note (evals/thresholds.toml): {notes[key]}")
    return lines


def _culprits(system: SystemResult, key: str) -> list[ItemResult]:
    items = system.items
    if key == "recall_at_5":
        return [r for r in items if r.recall_at_5 is not None and r.recall_at_5 < 1]
    if key == "key_fact_accuracy":
        return [r for r in items if r.key_facts_ok is False]
    if key == "citation_recall":
        return [r for r in items if r.citation_recall is not None and r.citation_recall < 1]
    if key == "citation_precision":
        return [r for r in items if r.citation_precision is not None and r.citation_precision < 1]
    if key == "refusal_accuracy":
        return [r for r in items if r.category != "claim" and r.refused is not None and r.refused != r.expect_refusal]
    if key == "answer_precision":
        return [r for r in items if r.answer_precision is not None and r.answer_precision < 1]
    if key == "answer_units_p50":
        return [r for r in items if r.units is not None and r.units > 4]
    if key == "list_completeness":
        return [r for r in items if r.list_share is not None and r.list_share < 1]
    if key == "partial_coverage_accuracy":
        return [r for r in items if r.uncovered_named is False]
    return []


def markdown(report: EvalReport, thresholds: dict[str, Any]) -> str:
    """The whole Markdown report: one section per dataset, then the definitions."""
    names = [d.label for d in parts(report)]
    if report.stance:
        names.append("the stance sets (verifier-v1, claims-v2)")
    if report.drafting:
        names.append("the drafting set (drafting-v1)")
    if report.adversarial:
        names.append("the adversarial documents (adversarial-docs-v1)")
    out = [
        "# Mission Desk citation evals: latest run",
        "",
        f"Run {report.created} in {report.seconds:.0f} s on {', '.join(names)}. Mode under test: **{report.mode}**; "
        f"k = {report.k}, refusal threshold {report.settings.get('refusal_threshold')}, "
        f"{report.settings.get('chunks')} structure-aware chunks. Regenerate with `python -m assistant eval`. "
        "gold-v1, gold-tune-v3 and gold-tune-v4 are the sets the product was tuned on; gold-v2 is held out (never tuned on).",
        "",
    ]
    for part in parts(report):
        out += dataset_markdown(part, thresholds_for(thresholds, part.key) if thresholds else {})
    if report.stance:
        out += stance_markdown(report.stance, thresholds)
    if report.drafting:
        out += drafting_markdown(report.drafting, thresholds)
    if report.adversarial:
        out += adversarial_markdown(report.adversarial, thresholds)
    out += ["## How to read this", "", *GLOSSARY, *STANCE_GLOSSARY, ""]
    return "\n".join(out)


def dataset_markdown(part: DatasetReport, thresholds: dict[str, Any]) -> list[str]:
    """One dataset's section: headline table, shortfalls, by category, failing items, gate."""
    first = part.systems[0]
    out = [
        f"## {part.label}",
        "",
        f"Dataset `{part.dataset}` ({part.items} items, sha256 `{part.dataset_sha256[:12]}`).",
        "",
        "### Embedded mode beside the baselines",
        "",
        *_table(["Metric", "Target", *[s.name for s in part.systems]], headline_rows(part)),
        "",
        *[f"- **{s.name}**: {s.description}." for s in part.systems],
        "",
        "### Shortfalls",
        "",
    ]
    gaps = shortfalls(part, thresholds.get("shortfalls", {}))
    out += gaps or [f"None: the {first.name} mode meets every target of issues 6 and 10 on {part.label}."]
    out += ["", f"### By category ({first.name})", ""]
    columns = [k for k in BREAKDOWN if any(v.get(k) is not None for v in first.by_category.values())]
    header = ["Category", "Items", *[METRICS[k] for k in columns]]
    rows = [[cat, f"{int(v['items'] or 0)}", *[fmt(v.get(k), k) for k in columns]] for cat, v in first.by_category.items()]
    out += _table(header, rows)
    if len(part.systems) > 1:
        for key in ("key_fact_accuracy", "answer_precision", "list_completeness"):
            cats = [c for c in first.by_category if first.by_category[c].get(key) is not None]
            if not cats:
                continue
            out += ["", f"{METRICS[key]} by category, all systems:", ""]
            out += _table(
                ["System", *cats],
                [[s.name, *[fmt(s.by_category.get(c, {}).get(key), key) for c in cats]] for s in part.systems],
            )
    failing = [r for r in first.items if r.cause]
    causes = Counter(r.cause for r in failing)
    out += ["", f"### Failing items ({first.name}): {len(failing)}", ""]
    if failing:
        out += [
            "Causes: " + ", ".join(f"{n} {c}" for c, n in causes.most_common()) + ". "
            "*retrieval*: the gold passage holding what is missing was not in the top k; *composition*: it was "
            "retrieved but the answer did not use it; *refusal*: refused with the gold retrieved; *false answer*: "
            "answered a must-refuse question; *citation*: a sentence its citations do not support (independent "
            "checker); *list*: list items not named; *uncovered*: a partly covered question whose answer does not "
            "name the uncovered part in `not_covered`; *precision*: a cited passage off the question.",
            "",
        ]
        held_out = part.key == "v2"  # gold-v1 and the gold-tune sets are tuned on; gold-v2 is held out
        out += _table(["Item", "Category", "Cause", "Why"],
                      [[r.id, r.category, r.cause or "", WITHHELD if held_out else r.why or ""] for r in failing])
    if thresholds:
        out += ["", f"### Gate (evals/thresholds.toml{'' if part.key == 'v1' else f', [{part.key}.*]'})", ""]
        rows = []
        for kind, sign in (("minimum", "≥"), ("maximum", "≤")):
            for key, bound in thresholds.get(kind, {}).items():
                value = first.metrics.get(key)
                ok = value is not None and (value >= bound if kind == "minimum" else value <= bound)
                rows.append([METRICS.get(key, key), f"{sign} {bound}", fmt(value, key), "pass" if ok else "FAIL"])
        out += _table(["Metric", "Threshold", "Measured", "Gate"], rows)
    return [*out, ""]


GLOSSARY = [
    "- **Retrieval recall@k**: share of an item's gold quotes held by the top k retrieved chunks (a chunk holds a "
    "quote when its text contains it or it covers half its characters in the source); averaged over items with gold. "
    "**MRR@k**: 1/rank of the first chunk holding any gold quote.",
    "- **Key-fact accuracy**: share of answerable items whose answer contains every key fact (case, quotes, dashes "
    "ignored). A refusal contains none.",
    "- **Citation recall / precision (ALCE)**: per answer sentence, do its cited passages together support it; a "
    "citation is irrelevant when it alone does not and the others do. Support is decided by a checker independent of "
    "the product's verifier: the sentence is contained in the cited text, or 80 % of its content words and all its "
    "numbers are. Averaged over answered items.",
    "- **Gold citation hit rate**: share of answerable items where some citation's quote contains (or lies inside) a "
    "gold quote. **Gold passage cited**: the cited passage holds a gold quote.",
    "- **Unsupported-sentence rate**: sentences the product's verifier removed, over all sentences drafted.",
    "- **Refusal precision / recall / accuracy**: refusal is the positive class, over all non-claim items; a partly "
    "covered item (gold-v2 `partial`) must be answered, so refusing it counts against accuracy.",
    "- **Answer precision**: an answer's units are its distinct cited passages (chunk ids); a unit bears on the "
    "question when one of its quotes contains a key fact or overlaps a gold quote in the source, or its passage "
    "contains a gold quote. Share of units that do, per answer, averaged over answered answerable items.",
    "- **Answer length**: median units and median words (markers stripped) per answered item; lower is better, "
    "reported against the target, never gated by a threshold.",
    "- **List completeness**: over items with list items, the mean share the answer names (case-insensitive "
    "substring, markers and Markdown emphasis stripped); a refusal names none.",
    "- **Partial-coverage accuracy**: over partly covered items, the share answered (not refused) whose "
    "`Answer.not_covered` has an entry sharing at least half the content words of the item's uncovered phrase.",
    "- **Claim-verdict accuracy**: `Assistant.check` verdicts against the gold verdicts (n/a until that exists).",
    "- **Latency**: wall time of `ask`, on this machine, in seconds (reported, never gated).",
    "- Baselines use the same embedding model, Chroma and citation verifier; their refusal cut-off is tuned on "
    "this very set, which flatters them.",
]


# -- stance: the citation verifier and the claim checker (issue 11) -------------------------------
STANCE_SECTION = "Stance: citation verifier and claim checker"
STANCE_REMEDIES: dict[str, str] = {
    "catch": "the verifier passes sentences that contradict their cited passage while sharing its words: compare "
    "the sentence with the passage's best-matching sentence for the error kinds it misses (polarity of verbs and "
    "comparatives, quantifiers and hedges, which entity or actor each clause names, which figure goes with what).",
    "keep_rate": "the verifier flags faithful paraphrases: loosen the rule that flags them (the reason column of the "
    "missed items names it), never on held-out items.",
    "claim_verdict_accuracy": "the claim checker's verdict differs from the gold verdict: see the claim items below "
    "(expected against given verdict) for which side it misses.",
    "claim_evidence_relevance": "the checker shows passages that do not bear on the claim: show only passages "
    "that share the claim's subject (its content words or key figures), not every passage retrieved for it.",
    "check_latency_p50": "`check` is slow: embed the claim once and reuse the retrieval's vectors.",
}
STANCE_GLOSSARY = [
    "- **Catch rate** (verifier-v1): share of the sentences with one planted error (label other than `faithful`) "
    "that the product's verifier flags (`check_support(...).ok` is False) against the one passage they cite; per "
    "error kind too. **Keep rate**: share of faithful sentences it does not flag. `tune` items may be tuned on; "
    "`heldout` items (id number mod 5 in {0, 1}) never; the targets are on `heldout`.",
    "- **Claim evidence relevance**: of all citations `Assistant.check` shows (supporting and contradicting), the "
    "share that bear on the claim: the quote overlaps a gold quote of the item (same source: spans overlap, one "
    "contains the other, or half the shorter's content words shared), contains a key fact, or shares at least two "
    "content stems with the claim (stop words and the corpus's generic words left out). Pooled over the set.",
    "- **Check latency p50**: median wall time of `Assistant.check` on this machine (reported, never gated).",
]


def stance_name(key: str) -> str:
    """A stance metric's name in the shortfalls: 'Catch rate', 'Catch rate, hedge', 'Keep rate', or METRICS'."""
    if key in ("catch_rate", "keep_rate"):
        return key.replace("_", " ").capitalize()
    if key.startswith("catch_"):
        return f"Catch rate, {key.removeprefix('catch_')}"
    return METRICS.get(key, key)


def _stance_rate(rows: list, label: str | None) -> str:
    """'caught/n' (errors) or 'kept/n' (faithful) for the verifier table's cells."""
    if label == "faithful":
        chosen = [r for r in rows if r.label == "faithful"]
        return f"{sum(not r.flagged for r in chosen)}/{len(chosen)}"
    chosen = [r for r in rows if r.label != "faithful" and (label is None or r.label == label)]
    return f"{sum(r.flagged for r in chosen)}/{len(chosen)}"


def stance_verifier_rows(stance: StanceReport) -> list[list[str]]:
    """Verifier metric, target (held out), then tune, heldout and all, each with its count."""
    rows = []
    keys = ["catch_rate", "keep_rate", *[k for k in stance.metrics.get("all", {}) if k.startswith("catch_") and k != "catch_rate"]]
    for key in keys:
        label = "faithful" if key == "keep_rate" else (None if key == "catch_rate" else key.removeprefix("catch_"))
        name = {"catch_rate": "Catch rate (all errors)", "keep_rate": "Keep rate (faithful)"}.get(key, f"Catch: {label}")
        target = stance.targets.get("heldout", {}).get(key)
        cells = [name, fmt_target(key, target)]
        for scope in VERIFIER_SCOPES:
            value = stance.metrics.get(scope, {}).get(key)
            mark = ""
            if scope in HELD_OUT_VERIFIER and target is not None:
                mark = " ✅" if _meets(key, value, target) else " ⚠️ short"
            cells.append(f"{fmt(value)} ({_stance_rate(stance.verifier_items(scope), label)}){mark}")
        rows.append(cells)
    return rows


def stance_claim_rows(stance: StanceReport) -> list[list[str]]:
    """Claim-checker metric, target v1 / v2, then claims v1, the tune claims and claims v2 (targets marked met or
    short; the tune set has none)."""
    rows = []
    for key in ("claim_verdict_accuracy", "claim_evidence_relevance", "check_latency_p50", "claims"):
        shown = [stance.targets.get(scope, {}).get(key) for scope in ("claims_v1", "claims_v2")]
        target = " / ".join(fmt_target(key, t) or "–" for t in shown) if any(t is not None for t in shown) else ""
        cells = [METRICS.get(key, "Claims"), target]
        for scope in CLAIM_SCOPES:
            t = stance.targets.get(scope, {}).get(key)
            value = stance.metrics.get(scope, {}).get(key)
            mark = "" if t is None else (" ✅" if _meets(key, value, t) else " ⚠️ short")
            cells.append((f"{int(value)}" if key == "claims" and value is not None else fmt(value)) + mark)
        rows.append(cells)
    return rows


def stance_shortfalls(stance: StanceReport, thresholds: dict[str, Any]) -> list[str]:
    """One line per stance target missed, with the items behind it and the [stance.shortfalls.<scope>] note."""
    lines: list[str] = []
    for scope, targets in stance.targets.items():
        notes = stance_thresholds(thresholds, scope)["shortfalls"] if thresholds else {}
        for key, target in targets.items():
            value = stance.metrics.get(scope, {}).get(key)
            if _meets(key, value, target):
                continue
            if scope in VERIFIER_SCOPES:
                label = "faithful" if key == "keep_rate" else (None if key == "catch_rate" else key.removeprefix("catch_"))
                wrong: list[VerifierResult | ItemResult] = [
                    r for r in stance.verifier_items(scope)
                    if not r.correct and ((label is None and r.label != "faithful") or r.label == label)
                ]
                remedy = STANCE_REMEDIES["keep_rate" if key == "keep_rate" else "catch"]
            else:
                wrong = [r for r in stance.claims(scope) if _claim_culprit(r, key)]
                remedy = STANCE_REMEDIES[key]
            ids = ", ".join(r.id for r in wrong[:15]) + (" …" if len(wrong) > 15 else "")
            sign = ">" if key in LOWER_IS_BETTER else "<"
            lines.append(
                f"- **{STANCE_SCOPES[scope]}, {stance_name(key)}: {fmt(value)} {sign} {target:g}.** "
                + (f"{len(wrong)} item(s): {ids}. " if wrong else "")
                + f"What would fix it: {remedy}"
            )
            if key in notes:
                lines.append(f"  - Note (evals/thresholds.toml): {notes[key]}")
    return lines


def _claim_culprit(r: ItemResult, key: str) -> bool:
    if key == "claim_verdict_accuracy":
        return r.verdict is not None and r.verdict != r.verdict_expected
    if key == "claim_evidence_relevance":
        return bool(r.off_claim)
    return False


def stance_markdown(stance: StanceReport, thresholds: dict[str, Any]) -> list[str]:
    """The stance section: verifier rates by split and kind, claim-checker figures, shortfalls, missed items, gate."""
    out = [
        f"## {STANCE_SECTION}",
        "",
        f"Verifier `{stance.verifier_dataset}` ({len(stance.verifier)} sentences, sha256 "
        f"`{stance.verifier_sha256[:12]}`), each checked by the product's verifier against the indexed chunk holding "
        f"its passage; claims: gold-v1's {len(stance.claims_v1)} claim items and `{stance.claims_dataset}` "
        f"({len(stance.claims_v2)} held-out claims, sha256 `{stance.claims_sha256[:12]}`), and the "
        f"{len(stance.claims_tune)}, {len(stance.claims_tune_v4)} and {len(stance.claims_tune_v5)} tune claims of "
        "`evals/datasets/claims-tune-v3.jsonl`, `claims-tune-v4.jsonl` and `claims-tune-v5.jsonl` (each written blind and "
        "first measured before any tuning on it), through `Assistant.check`. "
        f"{stance.seconds:.0f} s. Targets are on the held-out split; tuned and held-out figures are reported apart.",
        "",
        "### Citation verifier: tune and held out",
        "",
        *_table(["Metric", "Target (held out)", "tune", "more tune", "heldout", "heldout v3", "all (v1)"], stance_verifier_rows(stance)),
        "",
        "### Claim checker: claims v1, tune-v3, tune-v4 and tune-v5 (tuned), v2 (held out)",
        "",
        *_table(["Metric", "Target v1 / v2", "claims v1", "claims tune-v3", "claims tune-v4", "claims tune-v5", "claims v2"],
                stance_claim_rows(stance)),
        "",
        "### Shortfalls",
        "",
    ]
    out += stance_shortfalls(stance, thresholds) or ["None: the product meets every target of issue 11."]
    missed = [r for r in stance.verifier if not r.correct]
    out += ["", f"### Verifier items it got wrong: {len(missed)}", "",
            "An error sentence not flagged (missed), or a faithful one flagged (false flag), with what the verifier said.",
            ""]
    if missed:
        out += _table(
            ["Item", "Split", "Label", "Outcome", "Sentence", "Verifier said"],
            [[r.id, r.split, r.label, "false flag" if r.label == "faithful" else "missed",
              *([WITHHELD, r.kind] if r.split in HELD_OUT_VERIFIER else [r.sentence, (f"{r.kind}: " if r.kind else "") + r.reason])]
             for r in missed],
        )
    wrong = [(scope, r) for scope in CLAIM_SCOPES for r in stance.claims(scope) if r.cause or r.off_claim]
    out += ["", f"### Claim items with a wrong verdict or off-claim evidence: {len(wrong)}", ""]
    if wrong:
        out += _table(
            ["Item", "Set", "Expected", "Verdict", "Evidence on the claim", "Off the claim (first)"],
            [[r.id, scope.removeprefix("claims_"), r.verdict_expected or "", r.verdict or r.cause or "",
              f"{r.evidence_relevant}/{r.evidence_shown}" if r.evidence_shown is not None else "n/a",
              (WITHHELD if scope == "claims_v2" and r.off_claim else r.off_claim[0][:100] if r.off_claim else "")]
             for scope, r in wrong],
        )
    if thresholds:
        rows = []
        for scope in STANCE_SCOPES:
            gate = stance_thresholds(thresholds, scope)
            for kind, sign in (("minimum", "≥"), ("maximum", "≤")):
                for key, bound in gate.get(kind, {}).items():
                    value = stance.metrics.get(scope, {}).get(key)
                    ok = value is not None and (value >= bound if kind == "minimum" else value <= bound)
                    rows.append([STANCE_SCOPES[scope], stance_name(key), f"{sign} {bound}", fmt(value),
                                 "pass" if ok else "FAIL"])
        out += ["", "### Gate (evals/thresholds.toml, [stance.*])", ""]
        out += _table(["Scope", "Metric", "Threshold", "Measured", "Gate"], rows)
    return [*out, ""]


def print_table(report: EvalReport) -> None:
    """The headline table of each dataset in the terminal (rich)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for part in parts(report):
        table = Table(title=f"Mission Desk evals — {part.label}: {part.dataset} ({part.items} items)")
        table.add_column("Metric")
        table.add_column("Target", justify="right")
        for system in part.systems:
            table.add_column(system.name, justify="right")
        for row in headline_rows(part):
            table.add_row(*row)
        console.print(table)
        failing = [r for r in part.systems[0].items if r.cause]
        causes = Counter(r.cause for r in failing)
        console.print(
            f"{part.label}, {part.systems[0].name}: {len(failing)} failing item(s)"
            + (": " + ", ".join(f"{n} {c}" for c, n in causes.most_common()) if failing else "")
        )
    if report.stance:
        for title, header, rows in (
            ("citation verifier", ["Metric", "Target (held out)", "tune", "more tune", "heldout", "heldout v3", "all (v1)"],
             stance_verifier_rows(report.stance)),
            ("claim checker", ["Metric", "Target v1 / v2", "claims v1", "claims tune-v3", "claims tune-v4", "claims tune-v5",
                               "claims v2"],
             stance_claim_rows(report.stance)),
        ):
            table = Table(title=f"Mission Desk evals — stance: {title}")
            for i, column in enumerate(header):
                table.add_column(column, justify="left" if i == 0 else "right")
            for row in rows:
                table.add_row(*row)
            console.print(table)
    console.print(f"{report.seconds:.0f} s")


def write(report: EvalReport, folder: Path = RESULTS_DIR) -> list[Path]:
    """Save the run as <timestamp>.json, latest.json and latest.md; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = report.created.replace("-", "").replace(":", "")
    data = report.model_dump_json(indent=1)
    paths = [folder / f"{stamp}.json", folder / "latest.json", folder / "latest.md"]
    paths[0].write_text(data, encoding="utf-8")
    paths[1].write_text(data, encoding="utf-8")
    paths[2].write_text(markdown(report, load_thresholds() if THRESHOLDS.exists() else {}), encoding="utf-8")
    return paths
