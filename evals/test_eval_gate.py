"""The eval gate: the embedded mode on gold-v1 (tuned) and gold-v2 (held out), over a real index of the
corpus, against thresholds.toml (top-level tables for v1, [v2.*] for v2); and, in the same run, the citation
verifier on verifier-v1 (tune and heldout) and the claim checker on gold-v1's claims and claims-v2
([stance.<kind>.<scope>]).

One run per module for both datasets (three to four minutes on two cores, the stance sets 30-60 s of it):
the product's index and the naive baselines' index are built fresh in a temporary folder with the real embedding
model and Chroma.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from assistant.settings import Settings
from evals.adversarial import EVALS_DIR as ADVERSARIAL_EVALS_DIR
from evals.adversarial import LOWER_IS_BETTER as ADVERSARIAL_LOWER
from evals.adversarial import TARGETS as ADVERSARIAL_TARGETS
from evals.adversarial import adversarial_markdown, adversarial_thresholds, fold
from evals.adversarial import load_set as load_adversarial_set
from evals.drafting import GATED_SCOPES as DRAFTING_GATED_SCOPES
from evals.drafting import LOWER_IS_BETTER as DRAFTING_LOWER
from evals.drafting import TARGETS as DRAFTING_TARGETS
from evals.drafting import drafting_markdown, drafting_thresholds
from evals.metrics import ERROR_KINDS, STANCE_TARGETS, STANCE_UPPER_BOUND_TARGETS, TARGETS, UPPER_BOUND_TARGETS
from evals.report import STANCE_SECTION, markdown, stance_name
from evals.runner import (
    CLAIM_SCOPES,
    DATASETS,
    LOWER_IS_BETTER,
    METRICS,
    STANCE_SCOPES,
    DatasetReport,
    EvalReport,
    load_all_verifier_items,
    load_thresholds,
    run,
    stance_thresholds,
    thresholds_for,
)

pytestmark = pytest.mark.eval
THRESHOLDS = load_thresholds()
KEYS = ("v1", "tune-v3", "tune-v4", "v2")
GATE = {key: thresholds_for(THRESHOLDS, key) for key in KEYS}
GATED = [(key, kind, metric) for key in KEYS for kind in ("minimum", "maximum") for metric in GATE[key][kind]]
# Targets held by a threshold (a minimum), and those checked on the run itself (answer length: never a threshold).
HELD = [(key, metric) for key in KEYS for metric in TARGETS[key] if metric not in UPPER_BOUND_TARGETS]
MEASURED = [(key, metric) for key in KEYS for metric in TARGETS[key] if metric in UPPER_BOUND_TARGETS]
# Stance (issue 11): thresholds per scope ('tune', 'heldout': the verifier; 'claims_v1', 'claims_v2': the checker).
STANCE = {scope: stance_thresholds(THRESHOLDS, scope) for scope in STANCE_SCOPES}
STANCE_GATED = [(scope, kind, metric) for scope in STANCE for kind in ("minimum", "maximum") for metric in STANCE[scope][kind]]
# Latency is reported against its target, never asserted.
STANCE_HELD = [(scope, metric) for scope, targets in STANCE_TARGETS.items() for metric in targets
               if metric not in STANCE_UPPER_BOUND_TARGETS]
BEATS = [
    ("v1", "recall_at_5"), ("v1", "key_fact_accuracy"), ("v1", "gold_citation_hit_rate"),
    # gold-v2: its recall@5 is not above the baselines' (0.860 against 0.864 and 0.875 when first measured).
    ("v2", "key_fact_accuracy"), ("v2", "gold_citation_hit_rate"), ("v2", "list_completeness"),
]


def test_the_gate_has_thresholds_for_both_datasets() -> None:
    assert THRESHOLDS.get("minimum") and THRESHOLDS.get("maximum"), "gold-v1's [minimum]/[maximum] must stay"
    assert GATE["v2"]["minimum"] and GATE["v2"]["maximum"], "gold-v2 needs [v2.minimum] and [v2.maximum]"
    assert GATE["tune-v3"]["minimum"], "gold-tune-v3 needs [tune-v3.minimum]"
    assert GATE["tune-v4"]["minimum"], "gold-tune-v4 needs [tune-v4.minimum]"
    assert [p.stem for p in DATASETS] == ["gold-v1", "gold-tune-v3", "gold-tune-v4", "gold-v2"]


@pytest.fixture(scope="module")
def report() -> EvalReport:
    with pytest.MonkeyPatch.context() as patch:  # a developer's MISSION_DESK_* never changes the gate
        for key in list(os.environ):
            if key.startswith("MISSION_DESK_"):
                patch.delenv(key)
        return run(DATASETS, mode="embedded", settings=Settings(), stance=True, drafting=True)


def _failures(part: DatasetReport) -> str:
    items = [r for r in part.systems[0].items if r.cause]
    return "\n".join(f"{r.id} [{r.cause}] {r.why}" for r in items[:40])


def _note(key: str, metric: str) -> str:
    return str(GATE[key]["shortfalls"].get(metric, "")).strip()


@pytest.mark.parametrize(("key", "kind", "metric"), GATED, ids=[f"{d}-{k}-{m}" for d, k, m in GATED])
def test_embedded_mode_meets_threshold(report: EvalReport, key: str, kind: str, metric: str) -> None:
    part = report.part(key)
    value = part.systems[0].metrics[metric]
    bound = GATE[key][kind][metric]
    assert value is not None, f"{metric} was not measured on {part.label}"
    if kind == "minimum":
        assert value >= bound, (
            f"{part.label}: {METRICS[metric]} fell to {value:.4f} (threshold {bound}). Failing items:\n{_failures(part)}"
        )
    else:
        assert value <= bound, (
            f"{part.label}: {METRICS[metric]} rose to {value:.4f} (threshold {bound}). Failing items:\n{_failures(part)}"
        )


@pytest.mark.parametrize(("key", "metric"), HELD, ids=[f"{k}-{m}" for k, m in HELD])
def test_threshold_meets_issue_target_or_states_the_shortfall(key: str, metric: str) -> None:
    threshold = GATE[key]["minimum"].get(metric)
    target = TARGETS[key][metric]
    assert threshold is not None, f"{metric} has no threshold for gold-{key} in evals/thresholds.toml"
    assert threshold >= target or len(_note(key, metric)) >= 40, (
        f"gold-{key} {metric}: threshold {threshold} is below the issue's target {target}; "
        "add [shortfalls] text saying why and what would fix it"
    )


@pytest.mark.parametrize(("key", "metric"), MEASURED, ids=[f"{k}-{m}" for k, m in MEASURED])
def test_answer_length_meets_issue_target_or_states_the_shortfall(report: EvalReport, key: str, metric: str) -> None:
    value = report.part(key).systems[0].metrics[metric]
    target = TARGETS[key][metric]
    assert value is not None
    assert value <= target or len(_note(key, metric)) >= 40, (
        f"gold-{key} {metric}: {value} is above the issue's target {target}; add [shortfalls] text"
    )


@pytest.mark.parametrize(("key", "metric"), BEATS, ids=[f"{k}-{m}" for k, m in BEATS])
def test_embedded_mode_beats_both_naive_baselines(report: EvalReport, key: str, metric: str) -> None:
    embedded, *baselines = report.part(key).systems
    assert len(baselines) == 2
    for baseline in baselines:
        mine, theirs = embedded.metrics[metric], baseline.metrics[metric]
        assert mine is not None and theirs is not None, (key, metric, mine, theirs)
        assert mine >= theirs, f"gold-{key}: {baseline.name} does better on {metric}: {theirs} > {mine}"


def test_baselines_never_name_what_is_not_covered(report: EvalReport) -> None:
    for baseline in report.part("v2").systems[1:]:
        assert baseline.metrics["partial_coverage_accuracy"] == 0.0


@pytest.mark.parametrize("key", KEYS)
def test_every_failing_answerable_item_is_diagnosed(report: EvalReport, key: str) -> None:
    for item in report.part(key).systems[0].items:
        if item.key_facts_ok is False or (item.expect_refusal and item.refused is False):
            assert item.cause in {"retrieval", "composition", "refusal", "false answer"}, item
            assert item.why
        if item.refused and not item.expect_refusal and item.category == "partial":
            assert item.cause in {"retrieval", "refusal"}, item


def _strict(targets: dict[str, float]) -> dict[str, Any]:
    return {key: (-1.0 if key in LOWER_IS_BETTER else 1.01) for key in targets}


def test_report_has_a_section_per_dataset_and_states_each_shortfall(report: EvalReport) -> None:
    strict = report.model_copy(
        update={"datasets": [p.model_copy(update={"targets": _strict(p.targets)}) for p in report.datasets]}
    )
    text = markdown(strict, THRESHOLDS)
    sections = text.split("\n## ")
    for key, label in (("v1", "gold-v1 (tuned)"), ("v2", "gold-v2 (held out)")):
        section = next(s for s in sections if s.startswith(label))
        for system in report.part(key).systems:
            assert system.name in section
        gaps = section.split("### Shortfalls", 1)[1].split("\n### ", 1)[0]
        for metric in TARGETS[key]:
            assert f"**{METRICS[metric]}:" in gaps, (label, metric)
        assert "None: the embedded mode meets every target" not in gaps
        assert "### By category" in section and "### Gate" in section
    assert report.systems == report.part("v1").systems  # the v1 report's top-level fields are kept


# -- stance: the citation verifier and the claim checker (issue 11) -----------------------------------
def test_the_gate_has_stance_thresholds_for_each_split_kind_and_claim_set() -> None:
    for scope in ("tune", "tune_more", "heldout", "heldout_v3"):
        floors = STANCE[scope]["minimum"]
        missing = {"catch_rate", "keep_rate", *(f"catch_{kind}" for kind in ERROR_KINDS)} - set(floors)
        assert not missing, f"[stance.minimum.{scope}] lacks {sorted(missing)}"
    for scope in CLAIM_SCOPES:
        assert {"claim_verdict_accuracy", "claim_evidence_relevance"} <= set(STANCE[scope]["minimum"]), scope
    assert not any("latency" in metric for _, _, metric in STANCE_GATED), "latency is reported, never gated"


def _stance_failures(report: EvalReport, scope: str) -> str:
    stance = report.stance
    assert stance is not None
    if scope in CLAIM_SCOPES:
        rows = [f"{r.id} [{r.cause or 'evidence'}] {r.why or ''} off-claim: {r.off_claim[:2]}"
                for r in stance.claims(scope) if r.cause or r.off_claim]
    else:
        rows = [f"{r.id} {r.label} {'flagged' if r.flagged else 'passed'}: {r.sentence} ({r.kind} {r.reason})"
                for r in stance.verifier_items(scope) if not r.correct]
    return "\n".join(rows[:40])


@pytest.mark.parametrize(("scope", "kind", "metric"), STANCE_GATED, ids=[f"stance-{s}-{k}-{m}" for s, k, m in STANCE_GATED])
def test_stance_meets_threshold(report: EvalReport, scope: str, kind: str, metric: str) -> None:
    assert report.stance is not None, "the gate's run must score the stance sets"
    value = report.stance.metrics[scope].get(metric)
    bound = STANCE[scope][kind][metric]
    assert value is not None, f"{metric} was not measured on {STANCE_SCOPES[scope]}"
    ok = value >= bound if kind == "minimum" else value <= bound
    assert ok, (
        f"{STANCE_SCOPES[scope]}: {metric} = {value:.4f} against {kind} {bound}. "
        f"Wrong items:\n{_stance_failures(report, scope)}"
    )


@pytest.mark.parametrize(("scope", "metric"), STANCE_HELD, ids=[f"stance-{s}-{m}" for s, m in STANCE_HELD])
def test_stance_threshold_meets_issue_target_or_states_the_shortfall(scope: str, metric: str) -> None:
    threshold = STANCE[scope]["minimum"].get(metric)
    target = STANCE_TARGETS[scope][metric]
    note = str(STANCE[scope]["shortfalls"].get(metric, "")).strip()
    assert threshold is not None, f"{metric} has no threshold in [stance.minimum.{scope}]"
    assert threshold >= target or len(note) >= 40, (
        f"stance {scope} {metric}: threshold {threshold} is below the issue's target {target}; "
        f"add [stance.shortfalls.{scope}] text saying why and what would fix it"
    )


def test_every_verifier_item_is_scored_against_its_passage(report: EvalReport) -> None:
    assert report.stance is not None
    items = load_all_verifier_items()
    assert [r.id for r in report.stance.verifier] == [i.id for i in items]
    assert {r.split for r in report.stance.verifier if r.id.startswith("vt2-")} == {"tune_more"}
    assert {r.split for r in report.stance.verifier if r.id.startswith("vh3-")} == {"heldout_v3"}
    assert all(r.chunk_id for r in report.stance.verifier)
    counts = {scope: report.stance.metrics[scope]["error_items"] for scope in ("tune", "heldout", "all")}
    assert counts["tune"] and counts["heldout"] and counts["tune"] + counts["heldout"] == counts["all"], counts
    claims = report.stance.claims_v1
    assert claims and all(r.id.startswith("claim-") for r in claims) and len(report.stance.claims_v2) >= 55
    assert len(report.stance.claims_tune) >= 45 and all(r.id.startswith("v3-claim-") for r in report.stance.claims_tune)
    assert len(report.stance.claims_tune_v4) >= 40 and all(r.id.startswith("v4-claim-") for r in report.stance.claims_tune_v4)
    assert len(report.stance.claims_tune_v5) >= 40 and all(r.id.startswith("v5-claim-") for r in report.stance.claims_tune_v5)


def test_report_states_the_stance_figures_shortfalls_and_missed_items(report: EvalReport) -> None:
    assert report.stance is not None
    strict = report.stance.model_copy(update={"targets": {
        scope: {k: (-1.0 if k in LOWER_IS_BETTER else 1.01) for k in targets}
        for scope, targets in report.stance.targets.items()
    }})
    text = markdown(report.model_copy(update={"stance": strict}), THRESHOLDS)
    section = text.split(f"\n## {STANCE_SECTION}", 1)[1].split("\n## ", 1)[0]
    gaps = section.split("### Shortfalls", 1)[1].split("\n### ", 1)[0]
    for scope, targets in STANCE_TARGETS.items():
        for metric in targets:
            assert f"**{STANCE_SCOPES[scope]}, {stance_name(metric)}:" in gaps, (scope, metric)
    missed = [r for r in report.stance.verifier if not r.correct]
    for r in missed:
        assert f"| {r.id} |" in section
    assert "### Gate (evals/thresholds.toml, [stance.*])" in section


# -- drafting (issue 12) ---------------------------------------------------------------------------------
DRAFTING = {scope: drafting_thresholds(THRESHOLDS, scope) for scope in DRAFTING_GATED_SCOPES}
DRAFTING_GATED = [(scope, kind, metric) for scope in DRAFTING for kind in ("minimum", "maximum")
                  for metric in DRAFTING[scope][kind]]


def test_the_gate_has_drafting_thresholds_for_each_target() -> None:
    for scope in DRAFTING_GATED_SCOPES:
        gated = set(DRAFTING[scope]["minimum"]) | set(DRAFTING[scope]["maximum"])
        missing = set(DRAFTING_TARGETS) - gated
        assert not missing, f"[drafting.*.{scope}] lacks {sorted(missing)}"


@pytest.mark.parametrize(("scope", "kind", "metric"), DRAFTING_GATED,
                         ids=[f"drafting-{s}-{k}-{m}" for s, k, m in DRAFTING_GATED])
def test_drafting_meets_threshold(report: EvalReport, scope: str, kind: str, metric: str) -> None:
    assert report.drafting is not None, "the gate's run must score the drafting set"
    value = report.drafting.metrics[scope].get(metric)
    bound = DRAFTING[scope][kind][metric]
    assert value is not None, f"{metric} was not measured on drafting {scope}"
    ok = value >= bound if kind == "minimum" else value <= bound
    section = "\n".join(drafting_markdown(report.drafting, {}))
    assert ok, f"drafting {scope}: {metric} = {value} against {kind} {bound}.\n{section.split('### Drafting items', 1)[-1][:4000]}"


@pytest.mark.parametrize("metric", sorted(DRAFTING_TARGETS))
def test_drafting_threshold_meets_issue_target_or_states_the_shortfall(metric: str) -> None:
    target = DRAFTING_TARGETS[metric]
    gate = DRAFTING["heldout"]
    lower = metric in DRAFTING_LOWER
    bound = gate["maximum" if lower else "minimum"].get(metric)
    note = str(gate["shortfalls"].get(metric, "")).strip()
    assert bound is not None, f"{metric} has no threshold in [drafting.*.heldout]"
    meets = bound <= target if lower else bound >= target
    assert meets or len(note) >= 40, (
        f"drafting heldout {metric}: threshold {bound} misses the issue's target {target}; "
        "add [drafting.shortfalls.heldout] text saying why and what would fix it"
    )


# -- adversarial documents (issue 13) --------------------------------------------------------------------
ADVERSARIAL = adversarial_thresholds(THRESHOLDS)
ADVERSARIAL_GATED = [(kind, metric) for kind in ("minimum", "maximum") for metric in ADVERSARIAL[kind]]


def test_the_gate_has_adversarial_thresholds_for_each_target() -> None:
    gated = set(ADVERSARIAL["minimum"]) | set(ADVERSARIAL["maximum"])
    missing = set(ADVERSARIAL_TARGETS) - gated
    assert not missing, f"[adversarial.*] lacks {sorted(missing)}"


def test_every_adversarial_item_is_held_out_and_no_false_claim_is_in_the_report() -> None:
    manifest, questions = load_adversarial_set()
    assert {q["split"] for q in questions} == {"heldout"}, "adversarial-docs-v1 is held out: never tune on it"
    report_text = fold((ADVERSARIAL_EVALS_DIR.parent / "corpus" / "smarter-state-2023.txt").read_text(encoding="utf-8"))
    strings = [s for q in questions for s in q["false_claims"]]
    strings += [s for rec in manifest for s in (*rec["false_claims"], *rec["injection_texts"])]
    assert not [s for s in strings if fold(s) in report_text], "a false claim the report itself states"


@pytest.mark.parametrize(("kind", "metric"), ADVERSARIAL_GATED, ids=[f"adversarial-{k}-{m}" for k, m in ADVERSARIAL_GATED])
def test_adversarial_meets_threshold(report: EvalReport, kind: str, metric: str) -> None:
    assert report.adversarial is not None, "the gate's run must score the adversarial documents"
    value = report.adversarial.metrics.get(metric)
    bound = ADVERSARIAL[kind][metric]
    assert value is not None, f"{metric} was not measured on the adversarial documents"
    ok = value >= bound if kind == "minimum" else value <= bound
    section = "\n".join(adversarial_markdown(report.adversarial, {}))
    assert ok, f"adversarial: {metric} = {value} against {kind} {bound}.\n{section.split('### Documents at ingest', 1)[-1][:4000]}"


@pytest.mark.parametrize("metric", sorted(ADVERSARIAL_TARGETS))
def test_adversarial_threshold_meets_issue_target_or_states_the_shortfall(metric: str) -> None:
    target = ADVERSARIAL_TARGETS[metric]
    lower = metric in ADVERSARIAL_LOWER
    bound = ADVERSARIAL["maximum" if lower else "minimum"].get(metric)
    note = str(ADVERSARIAL["shortfalls"].get(metric, "")).strip()
    assert bound is not None, f"{metric} has no threshold in [adversarial.*]"
    meets = bound <= target if lower else bound >= target
    assert meets or len(note) >= 40, (
        f"adversarial {metric}: threshold {bound} misses issue 13's target {target}; "
        "add [adversarial.shortfalls] text saying why and what would fix it"
    )
