"""Rendering an EvalReport: the Markdown report (evals/results/latest.md) and the terminal table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from evals.runner import (
    BREAKDOWN,
    LOWER_IS_BETTER,
    METRICS,
    RESULTS_DIR,
    THRESHOLDS,
    EvalReport,
    ItemResult,
    SystemResult,
    load_thresholds,
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
    "refusal_accuracy": "recalibrate Settings.answer.refusal_threshold with `python evals/calibrate.py`; items refused "
    "for names the sources never use ('unknown names') need the name check to ignore ordinary capitalised words.",
}


OPTIONAL = {"judge_citation_recall"}  # shown only when measured


def fmt(value: float | None, key: str = "") -> str:
    if value is None:
        return "n/a"
    if key.startswith("latency"):
        return f"{value:.3f}"
    return f"{value:.3f}"


def _meets(key: str, value: float | None, target: float) -> bool:
    return value is not None and (value <= target if key in LOWER_IS_BETTER else value >= target)


def headline_rows(report: EvalReport) -> list[list[str]]:
    """Metric, target, then each system's value (targets marked met or short for the first system)."""
    rows = []
    for key, label in METRICS.items():
        target = report.targets.get(key)
        if key in OPTIONAL and all(s.metrics.get(key) is None for s in report.systems):
            continue
        cells = [label, f"≥ {target:.2f}" if target is not None else ""]
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


def shortfalls(report: EvalReport, notes: dict[str, str]) -> list[str]:
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
            f"- **{METRICS[key]}: {fmt(value)} < {target:.2f}.** {len(culprits)} item(s) pull it down"
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
    return []


def markdown(report: EvalReport, thresholds: dict[str, Any]) -> str:
    """The whole Markdown report."""
    first = report.systems[0]
    out = [
        "# Mission Desk citation evals: latest run",
        "",
        f"Dataset `{report.dataset}` ({report.items} items, sha256 `{report.dataset_sha256[:12]}`), "
        f"run {report.created} in {report.seconds:.0f} s. Mode under test: **{report.mode}**; "
        f"k = {report.k}, refusal threshold {report.settings.get('refusal_threshold')}, "
        f"{report.settings.get('chunks')} structure-aware chunks. Regenerate with `python -m assistant eval`.",
        "",
        "## Embedded mode beside the baselines",
        "",
        *_table(["Metric", "Target", *[s.name for s in report.systems]], headline_rows(report)),
        "",
        *[f"- **{s.name}**: {s.description}." for s in report.systems],
        "",
        "## Shortfalls",
        "",
    ]
    gaps = shortfalls(report, thresholds.get("shortfalls", {}))
    out += gaps or [f"None: the {first.name} mode meets every target of issue 6."]
    out += ["", f"## By category ({first.name})", ""]
    header = ["Category", "Items", *[METRICS[k] for k in BREAKDOWN]]
    rows = [[cat, f"{int(v['items'] or 0)}", *[fmt(v.get(k)) for k in BREAKDOWN]] for cat, v in first.by_category.items()]
    out += _table(header, rows)
    if len(report.systems) > 1:
        out += ["", "Key-fact accuracy by category, all systems:", ""]
        cats = [c for c in first.by_category if first.by_category[c].get("key_fact_accuracy") is not None]
        out += _table(
            ["System", *cats],
            [[s.name, *[fmt(s.by_category.get(c, {}).get("key_fact_accuracy")) for c in cats]] for s in report.systems],
        )
    failing = [r for r in first.items if r.cause]
    causes = Counter(r.cause for r in failing)
    out += ["", f"## Failing items ({first.name}): {len(failing)}", ""]
    if failing:
        out += [
            "Causes: " + ", ".join(f"{n} {c}" for c, n in causes.most_common()) + ". "
            "*retrieval*: the gold passage holding what is missing was not in the top k; *composition*: it was "
            "retrieved but the answer did not use it; *refusal*: refused with the gold retrieved; *false answer*: "
            "answered a must-refuse question; *citation*: a sentence its citations do not support (independent "
            "checker).",
            "",
        ]
        out += _table(["Item", "Category", "Cause", "Why"], [[r.id, r.category, r.cause or "", r.why or ""] for r in failing])
    if thresholds:
        out += ["", "## Gate (evals/thresholds.toml)", ""]
        rows = []
        for kind, sign in (("minimum", "≥"), ("maximum", "≤")):
            for key, bound in thresholds.get(kind, {}).items():
                value = first.metrics.get(key)
                ok = value is not None and (value >= bound if kind == "minimum" else value <= bound)
                rows.append([METRICS.get(key, key), f"{sign} {bound}", fmt(value), "pass" if ok else "FAIL"])
        out += _table(["Metric", "Threshold", "Measured", "Gate"], rows)
    out += ["", "## How to read this", "", *GLOSSARY, ""]
    return "\n".join(out)


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
    "- **Refusal precision / recall / accuracy**: refusal is the positive class, over all non-claim items.",
    "- **Claim-verdict accuracy**: `Assistant.check` verdicts against the gold verdicts (n/a until that exists).",
    "- **Latency**: wall time of `ask`, on this machine, in seconds (reported, never gated).",
    "- Baselines use the same embedding model, Chroma and citation verifier; their refusal cut-off is tuned on "
    "this very set, which flatters them.",
]


def print_table(report: EvalReport) -> None:
    """The headline table in the terminal (rich)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Mission Desk evals — {report.dataset} ({report.items} items, {report.seconds:.0f} s)")
    table.add_column("Metric")
    table.add_column("Target", justify="right")
    for system in report.systems:
        table.add_column(system.name, justify="right")
    for row in headline_rows(report):
        table.add_row(*row)
    console = Console()
    console.print(table)
    failing = [r for r in report.systems[0].items if r.cause]
    causes = Counter(r.cause for r in failing)
    console.print(
        f"{report.systems[0].name}: {len(failing)} failing item(s)"
        + (": " + ", ".join(f"{n} {c}" for c, n in causes.most_common()) if failing else "")
    )


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
