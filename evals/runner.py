"""Run a gold dataset through the embedded (or LLM) mode and the two baselines, and score every item.

Everything is built fresh in a temporary folder: the product's index of corpus/ (so a developer's
uploaded documents never change the figures), and the baselines' naive index, with the same
embedding model and a real Chroma store. ``run`` returns an ``EvalReport``; ``write`` saves it as
JSON and Markdown under evals/results/.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import MissionDeskError
from assistant.schemas import Answer, Chunk
from assistant.settings import Settings
from assistant.types import Passage
from evals import metrics as m
from evals.adversarial import AdversarialReport, run_adversarial
from evals.drafting import GATED_SCOPES as DRAFTING_GATED_SCOPES
from evals.drafting import DraftingReport, run_drafting

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVALS_DIR / "datasets" / "gold-v1.jsonl"
HELD_OUT_DATASET = EVALS_DIR / "datasets" / "gold-v2.jsonl"
# Answer questions written to tune the composer on beside gold-v1 (lists, partly covered, vague, pasted markup,
# follow-ups, table columns), so gold-v2 stays held out: written blind, committed before any tuning on them.
TUNE_DATASET = EVALS_DIR / "datasets" / "gold-tune-v3.jsonl"
# A second such set, written blind on 2026-11-30 and first scored before any tuning on it (first sight at 25a239a:
# key facts 0.793, answer precision 0.493, refusal accuracy 0.918, partial coverage 0.500).
TUNE_V4_DATASET = EVALS_DIR / "datasets" / "gold-tune-v4.jsonl"
# What `python -m evals` runs without --dataset: the tuned sets, then the held-out set (never tuned on).
DATASETS = (DEFAULT_DATASET, TUNE_DATASET, TUNE_V4_DATASET, HELD_OUT_DATASET)
LABELS = {"v1": "gold-v1 (tuned)", "tune-v3": "gold-tune-v3 (tuned)", "tune-v4": "gold-tune-v4 (tuned)",
          "v2": "gold-v2 (held out)"}
# The stance sets (issue 11): the citation verifier's sentences (split tune / heldout) and the held-out claims.
VERIFIER_DATASET = EVALS_DIR / "datasets" / "verifier-v1.jsonl"
# Sentences written later to tune the verifier on (never held out): scored as their own scope, 'tune_more'.
VERIFIER_TUNE_DATASET = EVALS_DIR / "datasets" / "verifier-tune-v2.jsonl"
# A second held-out set, written after verifier-v1's held-out misses had been read in reports (so no longer blind):
# scored as 'heldout_v3', never tuned on, its items never shown in the report.
VERIFIER_HELDOUT_DATASET = EVALS_DIR / "datasets" / "verifier-heldout-v3.jsonl"
# The files beside verifier-v1 and the scope each is scored as.
VERIFIER_MORE = {"tune_more": VERIFIER_TUNE_DATASET, "heldout_v3": VERIFIER_HELDOUT_DATASET}
CLAIMS_DATASET = EVALS_DIR / "datasets" / "claims-v2.jsonl"
# Claims written for tuning the claim checker (never held out): reported beside gold-v1's claims, apart from v2.
CLAIMS_TUNE_DATASET = EVALS_DIR / "datasets" / "claims-tune-v3.jsonl"
CLAIMS_TUNE_V4_DATASET = EVALS_DIR / "datasets" / "claims-tune-v4.jsonl"  # written blind, 2026-11-30
CLAIMS_TUNE_V5_DATASET = EVALS_DIR / "datasets" / "claims-tune-v5.jsonl"  # written blind, 2026-12-01
# Scopes of the stance report: the verifier's splits (and all its items), then the claim checker's two sets.
STANCE_SCOPES = {
    "tune": "verifier-v1 tune",
    "tune_more": "verifier-tune-v2 (tuned)",
    "heldout": "verifier-v1 held out",
    "heldout_v3": "verifier-heldout-v3 (held out)",
    "all": "verifier-v1 all",
    "claims_v1": "claims of gold-v1 (tuned)",
    "claims_tune": "claims-tune-v3 (tuned)",
    "claims_tune_v4": "claims-tune-v4 (tuned)",
    "claims_tune_v5": "claims-tune-v5 (tuned)",
    "claims_v2": "claims-v2 (held out)",
}
CLAIM_SCOPES = ("claims_v1", "claims_tune", "claims_tune_v4", "claims_tune_v5", "claims_v2")
VERIFIER_SCOPES = ("tune", "tune_more", "heldout", "heldout_v3", "all")
HELD_OUT_VERIFIER = ("heldout", "heldout_v3")  # the scopes with issue 11's targets  # 'all' is verifier-v1's two splits
RESULTS_DIR = EVALS_DIR / "results"
THRESHOLDS = EVALS_DIR / "thresholds.toml"
RECALL_K = 5
Mode = Literal["embedded", "llm"]
Progress = Callable[[str, int, int], None]


# -- the dataset ----------------------------------------------------------------------------------
class GoldQuote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source_id: str
    quote: str


class GoldItem(BaseModel):
    """One line of a gold dataset (see evals/check_dataset.py for the rules it obeys)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    category: str
    question: str
    history: list[tuple[str, str]] = Field(default_factory=list)
    gold: list[GoldQuote] = Field(default_factory=list)
    key_facts: list[str] = Field(default_factory=list)
    expect_refusal: bool = False
    verdict: str | None = None
    notes: str = ""
    # gold-v2 keys (absent from v1): the items a list question must name, the part of a partly covered
    # question the sources never give, and the split ("heldout": never tune on it).
    list_items: list[str] = Field(default_factory=list)
    uncovered: str = ""
    split: str | None = None

    @property
    def is_claim(self) -> bool:
        return self.category == "claim"


def load_dataset(path: Path) -> list[GoldItem]:
    """The items of a JSONL gold dataset."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [GoldItem.model_validate_json(line) for line in lines if line.strip()]


def dataset_key(path: Path) -> str:
    """'v1' for gold-v1.jsonl, 'tune-v3' for gold-tune-v3.jsonl, 'v2' for gold-v2.jsonl: the key of its targets and
    thresholds tables."""
    stem = path.stem
    return stem.removeprefix("gold-") if stem.startswith(("gold-v", "gold-tune-")) else stem


def dataset_label(path: Path) -> str:
    key = dataset_key(path)
    return LABELS.get(key, path.stem)


# -- results --------------------------------------------------------------------------------------
class ItemResult(BaseModel):
    """What one system did with one item, and how it scored."""

    id: str
    category: str
    question: str
    expect_refusal: bool
    answer: str | None = None
    refused: bool | None = None
    standalone_question: str | None = None
    best_score: float | None = None
    recall_at_5: float | None = None
    recall_at_k: float | None = None
    reciprocal_rank: float | None = None
    gold_ranks: list[int | None] = Field(default_factory=list, description="Rank of each gold quote in the top k.")
    missing_facts: list[str] | None = None
    key_facts_ok: bool | None = None
    key_fact_share: float | None = None
    sentences: int = 0
    supported: int = 0
    citations: int = 0
    relevant: int = 0
    citation_recall: float | None = None
    citation_precision: float | None = None
    judge_citation_recall: float | None = Field(default=None, description="Share of sentences the LLM judge finds supported.")
    unsupported: list[str] = Field(default_factory=list, description="Answer sentences our checker finds unsupported.")
    removed: int = 0
    removed_reasons: list[str] = Field(default_factory=list)
    gold_cited: bool | None = None
    gold_passage_cited: bool | None = None
    units: int | None = Field(default=None, description="Distinct cited passages (chunk ids) of an answer.")
    units_relevant: int | None = Field(default=None, description="Units bearing on the question (answerable items).")
    answer_precision: float | None = None
    lead_on_question: bool | None = Field(default=None, description="The answer's first unit bears on the question.")
    off_question: list[str] = Field(default_factory=list, description="First quote of each unit off the question.")
    words: int | None = Field(default=None, description="Words of the answer, [n] markers stripped.")
    list_share: float | None = Field(default=None, description="Share of the item's list items the answer names.")
    missing_list_items: list[str] = Field(default_factory=list)
    uncovered: str = ""
    not_covered: list[str] = Field(default_factory=list, description="Answer.not_covered as the system returned it.")
    uncovered_named: bool | None = Field(default=None, description="Partly covered item answered, gap named.")
    verdict_expected: str | None = None
    verdict: str | None = None
    evidence_shown: int | None = Field(default=None, description="Citations a claim check showed (both sides).")
    evidence_relevant: int | None = Field(default=None, description="Shown citations bearing on the claim.")
    off_claim: list[str] = Field(default_factory=list, description="Shown quotes that do not bear on the claim.")
    seconds: float | None = Field(default=None, description="Wall time of ask (questions) or check (claims).")
    cause: str | None = Field(default=None, description="retrieval, composition, refusal, false answer, citation, verdict")
    why: str | None = None
    error: str | None = None


class SystemResult(BaseModel):
    """One system's scores over the dataset."""

    name: str
    description: str
    k: int
    refusal_threshold: float | None = None
    metrics: dict[str, float | None]
    by_category: dict[str, dict[str, float | None]]
    items: list[ItemResult]


class DatasetReport(BaseModel):
    """One dataset of a run: its targets and each system's results on it."""

    key: str = Field(description="'v1', 'v2': the key of its targets and thresholds.")
    label: str
    dataset: str
    dataset_sha256: str
    items: int
    targets: dict[str, float]
    systems: list[SystemResult]

    def system(self, name: str) -> SystemResult:
        return next(s for s in self.systems if s.name == name)


class VerifierItem(BaseModel):
    """One line of verifier-v1.jsonl (see evals/check_stance_datasets.py for the rules it obeys)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str
    source_id: str
    passage_quote: str
    sentence: str
    label: str  # "faithful" or an error kind (metrics.ERROR_KINDS)
    conflict: str
    split: str  # "tune" or "heldout" (verifier-v1); the VERIFIER_MORE scope once loaded from one of its files
    notes: str = ""


def load_verifier_dataset(path: Path = VERIFIER_DATASET) -> list[VerifierItem]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [VerifierItem.model_validate_json(line) for line in lines if line.strip()]


def load_all_verifier_items() -> list[VerifierItem]:
    """verifier-v1, then each file of VERIFIER_MORE with its items' split set to the file's scope."""
    more = [item.model_copy(update={"split": scope}) for scope, path in VERIFIER_MORE.items()
            for item in load_verifier_dataset(path)]
    return [*load_verifier_dataset(VERIFIER_DATASET), *more]


class VerifierResult(BaseModel):
    """What the product's verifier said of one verifier-v1 sentence against its cited passage."""

    id: str
    split: str
    label: str
    sentence: str
    source_id: str
    chunk_id: str = Field(description="The indexed chunk cited: the first of the source holding passage_quote.")
    flagged: bool = Field(description="Support.ok was False: the verifier would remove or mark the sentence.")
    kind: str = Field(default="", description="Support.kind: what the verifier thinks is wrong.")
    reason: str = ""
    score: float | None = None
    conflict: str = Field(default="", description="The passage words the dataset says the sentence contradicts.")

    @property
    def correct(self) -> bool:
        """An error caught, or a faithful sentence kept."""
        return self.flagged is (self.label != "faithful")


class StanceReport(BaseModel):
    """Issue 11: the citation verifier on verifier-v1 and the claim checker on gold-v1's claims and claims-v2.

    ``metrics`` and ``targets`` are keyed by scope (STANCE_SCOPES): 'tune', 'heldout', 'all' (verifier),
    'claims_v1', 'claims_tune', 'claims_tune_v4', 'claims_tune_v5', 'claims_v2' (claim checker; CLAIM_SCOPES).
    """

    verifier_dataset: str
    verifier_sha256: str
    claims_dataset: str
    claims_sha256: str
    seconds: float
    targets: dict[str, dict[str, float]]
    metrics: dict[str, dict[str, float | None]]
    verifier: list[VerifierResult]
    claims_v1: list[ItemResult]
    claims_v2: list[ItemResult]
    claims_tune: list[ItemResult] = []
    claims_tune_v4: list[ItemResult] = []
    claims_tune_v5: list[ItemResult] = []

    def claims(self, scope: str) -> list[ItemResult]:
        return {"claims_v1": self.claims_v1, "claims_tune": self.claims_tune,
                "claims_tune_v4": self.claims_tune_v4, "claims_tune_v5": self.claims_tune_v5}.get(scope, self.claims_v2)

    def verifier_items(self, scope: str) -> list[VerifierResult]:
        return verifier_scope(self.verifier, scope)


class EvalReport(BaseModel):
    """A whole eval run: the settings that matter and, per dataset, each system's results.

    The top-level dataset fields and ``systems`` are those of the first dataset (gold-v1 by default),
    as before there were several; ``datasets`` holds every dataset of the run, the first included.
    """

    dataset: str
    dataset_sha256: str
    items: int
    created: str
    seconds: float
    mode: Mode
    k: int
    settings: dict[str, Any]
    targets: dict[str, float]
    systems: list[SystemResult]
    datasets: list[DatasetReport] = Field(default_factory=list)
    stance: StanceReport | None = Field(default=None, description="The verifier and claim-checker sets (issue 11).")
    drafting: DraftingReport | None = Field(default=None, description="The drafting set, drafting-v1 (issue 12).")
    adversarial: AdversarialReport | None = Field(
        default=None, description="The adversarial-document set, adversarial-docs-v1 (issue 13; on its own index)."
    )

    def system(self, name: str) -> SystemResult:
        return next(s for s in self.systems if s.name == name)

    def part(self, key: str) -> DatasetReport:
        """The results on one dataset ('v1', 'v2')."""
        return next(d for d in self.datasets if d.key == key)


METRICS: dict[str, str] = {
    "recall_at_5": "Retrieval recall@5",
    "recall_at_k": "Retrieval recall@k",
    "mrr": "MRR@k",
    "key_fact_accuracy": "Key-fact accuracy",
    "key_fact_recall": "Key facts found (share)",
    "citation_recall": "Citation recall (ALCE)",
    "citation_precision": "Citation precision (ALCE)",
    "judge_citation_recall": "Citation recall (LLM judge)",
    "gold_citation_hit_rate": "Gold citation hit rate",
    "gold_passage_hit_rate": "Gold passage cited",
    "unsupported_sentence_rate": "Unsupported-sentence rate",
    "refusal_precision": "Refusal precision",
    "refusal_recall": "Refusal recall",
    "refusal_accuracy": "Refusal accuracy",
    "answer_precision": "Answer precision (units on the question)",
    "lead_precision": "Answers led by a unit on the question (share)",
    "answer_units_p50": "Answer length: median units",
    "answer_words_p50": "Answer length: median words",
    "list_completeness": "List completeness",
    "partial_coverage_accuracy": "Partial-coverage accuracy",
    "claim_verdict_accuracy": "Claim-verdict accuracy",
    "claim_evidence_relevance": "Claim evidence relevance",
    "check_latency_p50": "Check latency p50 (s)",
    "latency_p50": "Latency p50 (s)",
    "latency_p95": "Latency p95 (s)",
}
LOWER_IS_BETTER = {"unsupported_sentence_rate", "latency_p50", "latency_p95", "answer_units_p50", "answer_words_p50",
                   "check_latency_p50"}


# -- systems under test ---------------------------------------------------------------------------
class System(Protocol):
    name: str
    description: str
    k: int

    def ask(self, question: str, history: Sequence[tuple[str, str]]) -> Answer: ...

    def retrieve(self, query: str, k: int) -> tuple[list[Passage], np.ndarray]: ...

    def best_score(self, query: str, passages: Sequence[Passage], vector: np.ndarray) -> float: ...

    def check(self, claim: str) -> Any | None: ...  # an assistant.schemas.ClaimCheck, or None: no claim checker


class ProductSystem:
    """The Assistant as users get it (embedded mode, or the configured chat model)."""

    def __init__(self, assistant: Any, name: str) -> None:
        self.assistant = assistant
        self.name = name
        self.k = assistant.settings.k
        self.refusal_threshold = assistant.settings.answer.refusal_threshold
        self.description = (
            "structure-aware chunks, hybrid dense+BM25 retrieval, "
            + ("extractive composer" if assistant.llm is None else f"chat model {assistant.settings.llm}")
        )

    def ask(self, question: str, history: Sequence[tuple[str, str]]) -> Answer:
        return self.assistant.ask(question, list(history))

    def retrieve(self, query: str, k: int) -> tuple[list[Passage], np.ndarray]:
        return self.assistant.retrieve(query, k=k)

    def best_score(self, query: str, passages: Sequence[Passage], vector: np.ndarray) -> float:
        return float(self.assistant.relevance(passages, query, vector))

    def check(self, claim: str) -> Any | None:
        """What ``Assistant.check`` returns (a ClaimCheck) when the product has one; None when it has not."""
        check = getattr(self.assistant, "check", None)
        if not callable(check):
            return None
        return check(claim)


class BaselineSystem:
    """Adapter giving a NaiveSystem the same face as the product."""

    def __init__(self, naive: Any, description: str) -> None:
        self.naive = naive
        self.name = naive.name
        self.k = naive.k
        self.description = description

    @property
    def refusal_threshold(self) -> float:
        return float(self.naive.refusal_threshold)

    def ask(self, question: str, history: Sequence[tuple[str, str]]) -> Answer:
        return self.naive.ask(question, history)

    def retrieve(self, query: str, k: int) -> tuple[list[Passage], np.ndarray]:
        return self.naive.retrieve(query, k)

    def best_score(self, query: str, passages: Sequence[Passage], vector: np.ndarray) -> float:
        return float(self.naive.best_score(query))

    def check(self, claim: str) -> Any | None:
        return None


def _verdict(value: object) -> str | None:
    if value is None:
        return None
    raw = getattr(value, "value", value)
    return " ".join(str(raw).lower().replace("_", " ").split())


# -- scoring one item -----------------------------------------------------------------------------
class Gold:
    """Gold quotes located in the indexed source texts (offsets are what chunks are measured against)."""

    def __init__(self, texts: dict[str, str]) -> None:
        from evals.baselines import body_start

        self.texts = texts
        self.starts = {sid: body_start(text) for sid, text in texts.items()}

    def spans(self, item: GoldItem) -> list[m.GoldSpan]:
        return [m.locate(g.source_id, g.quote, self.texts[g.source_id], self.starts[g.source_id]) for g in item.gold]


def _retrieved(passages: Sequence[Passage]) -> list[m.Retrieved]:
    return [m.Retrieved(p.chunk.source_id, p.chunk.display_text, tuple(p.chunk.spans)) for p in passages]


def _score_retrieval(result: ItemResult, system: System, query: str, golds: list[m.GoldSpan]) -> None:
    at5, _ = system.retrieve(query, RECALL_K)
    atk, vector = system.retrieve(query, system.k)
    result.best_score = round(system.best_score(query, atk, vector), 4)
    if not golds:
        return
    top5, topk = _retrieved(at5), _retrieved(atk)
    result.recall_at_5 = m.recall_at(golds, top5, RECALL_K)
    result.recall_at_k = m.recall_at(golds, topk, system.k)
    result.reciprocal_rank = m.reciprocal_rank(golds, topk)
    result.gold_ranks = [next((r for r, c in enumerate(topk, 1) if m.covers(c, g)), None) for g in golds]


Judge = Callable[[str, str], bool]  # (sentence, cited text) -> supported?


def _score_answer(
    result: ItemResult, item: GoldItem, answer: Answer, golds: list[m.GoldSpan], judge: Judge | None = None
) -> None:
    result.answer = answer.answer
    result.refused = answer.refused
    result.standalone_question = answer.standalone_question
    result.removed = len(answer.removed)
    result.removed_reasons = [f"{r.sentence[:80]} — {r.reason}" for r in answer.removed]
    if not answer.refused:
        # A sentence naming what the sources do not cover (an Answer.not_covered entry, no citation) is no claim.
        sentences = m.without_gaps(m.answer_sentences(answer.answer), answer.not_covered)
        evidence = {c.n: f"{c.quote}\n{c.passage}" for c in answer.citations}
        scores = m.citation_scores(sentences, evidence)
        if judge is not None and sentences:
            verdicts = [
                bool(s.cited) and all(n in evidence for n in s.cited)
                and judge(s.text, "\n\n".join(evidence[n] for n in s.cited))
                for s in sentences
            ]
            result.judge_citation_recall = sum(verdicts) / len(verdicts)
        result.sentences, result.supported = scores.sentences, scores.supported
        result.citations, result.relevant = scores.citations, scores.relevant
        result.citation_recall, result.citation_precision = scores.recall, scores.precision
        result.unsupported = list(scores.unsupported)
    if item.expect_refusal:
        return
    text = "" if answer.refused else answer.answer
    missing = m.key_facts(text, item.key_facts)
    result.missing_facts = missing
    result.key_facts_ok = not missing
    result.key_fact_share = 1 - len(missing) / len(item.key_facts) if item.key_facts else None
    cited = [] if answer.refused else answer.citations
    result.gold_cited = any(m.cites_gold(g, c.source_id, c.quote, c.start, c.end) for g in golds for c in cited)
    result.gold_passage_cited = result.gold_cited or any(
        m.covers(m.Retrieved(c.source_id, c.passage, ((c.start, c.end),)), g) for g in golds for c in cited
    )


def _score_answer_quality(result: ItemResult, item: GoldItem, answer: Answer, golds: list[m.GoldSpan]) -> None:
    """Issue 10: answer units and their precision, length, list completeness, the uncovered part named."""
    result.uncovered = item.uncovered
    result.not_covered = list(answer.not_covered)
    if not answer.refused:
        result.units = len(m.answer_units(answer.citations))
        result.words = m.answer_words(answer.answer)
        if not item.expect_refusal:
            precision = m.answer_precision(answer.citations, item.key_facts, golds)
            result.units_relevant = precision.relevant
            result.answer_precision = precision.precision
            result.lead_on_question = precision.lead
            result.off_question = [q[:120] for q in precision.off_question]
    if item.list_items:
        result.list_share = m.list_share(answer.answer, item.list_items, answer.refused)
        result.missing_list_items = list(item.list_items) if answer.refused else m.missing_list_items(
            answer.answer, item.list_items
        )
    if item.uncovered:
        result.uncovered_named = not answer.refused and m.names_uncovered(answer.not_covered, item.uncovered)


def _score_claim(result: ItemResult, item: GoldItem, checked: Any, golds: list[m.GoldSpan]) -> None:
    """Issue 11: the verdict of a claim check, and how much of the evidence it shows bears on the claim."""
    verdict = checked.get("verdict") if isinstance(checked, dict) else getattr(checked, "verdict", checked)
    result.verdict = _verdict(verdict)
    shown = [*getattr(checked, "supporting", []), *getattr(checked, "contradicting", [])]
    evidence = m.claim_evidence(item.question, shown, item.key_facts, golds)
    result.evidence_shown, result.evidence_relevant = evidence.shown, evidence.relevant
    result.off_claim = [q[:120] for q in evidence.off_claim]


def _diagnose(result: ItemResult, item: GoldItem, threshold: float | None, k: int) -> None:
    """Name the first thing that went wrong, and where: the lead's to-do list.

    retrieval: the gold passage holding what is missing was not in the top k;
    composition: it was retrieved, but the answer did not use it; refusal: refused although the gold
    was retrieved; false answer: answered a must-refuse question; citation: our checker finds a
    sentence its citations do not support; verdict: the claim check disagreed.
    """
    if result.error:
        result.cause, result.why = "error", result.error
        return
    if item.is_claim:
        if result.verdict is not None and result.verdict != result.verdict_expected:
            result.cause = "verdict"
            result.why = f"verdict {result.verdict!r}, expected {result.verdict_expected!r}"
        return
    if item.expect_refusal:
        if not result.refused:
            result.cause = "false answer"
            result.why = f"answered a must-refuse question (best score {result.best_score}): {(result.answer or '')[:120]}"
        return
    ranks = result.gold_ranks
    missed = [g.quote for g, r in zip(item.gold, ranks, strict=True) if r is None]
    found = [g.quote for g, r in zip(item.gold, ranks, strict=True) if r is not None]
    where = f"gold not in top {k}: {[q[:60] for q in missed]}" if missed else f"gold at rank(s) {ranks}"
    if result.refused:
        said = (result.answer or "").replace("The sources don't cover this question.", "").strip()
        reason = said or (f"best score {result.best_score} < threshold {threshold}" if threshold is not None else "")
        result.cause = "refusal" if found else "retrieval"
        result.why = f"refused ({reason}); {where}"
    elif not result.key_facts_ok:
        missing = result.missing_facts or []
        retrievable = [f for f in missing if any(m.normalise(f) in m.normalise(q) for q in found)]
        result.cause = "composition" if retrievable or not missed else "retrieval"
        result.why = f"missing key facts {missing}; {where}"
    elif not result.gold_cited:
        result.cause = "composition" if found else "retrieval"
        result.why = f"key facts present but no citation quotes a gold passage; {where}"
    elif result.citation_recall is not None and result.citation_recall < 1:
        result.cause = "citation"
        result.why = f"sentence(s) not supported by their citations: {[s[:80] for s in result.unsupported]}"
    elif result.citation_precision is not None and result.citation_precision < 1:
        result.cause = "citation"
        result.why = "a citation that does not support its sentence"
    elif result.missing_list_items:
        result.cause = "list"
        result.why = f"list items not named: {result.missing_list_items}"
    elif result.uncovered_named is False:
        result.cause = "uncovered"
        result.why = f"not_covered {result.not_covered} does not name the uncovered part {result.uncovered!r}"
    elif result.answer_precision is not None and result.answer_precision < 1:
        result.cause = "precision"
        result.why = (
            f"{result.units - (result.units_relevant or 0) if result.units else 0} of {result.units} unit(s) "
            f"off the question: {[q[:60] for q in result.off_question]}"
        )


def score_item(system: System, item: GoldItem, gold: Gold, judge: Judge | None = None) -> ItemResult:
    """Ask (or check) one item and score everything about it."""
    result = ItemResult(id=item.id, category=item.category, question=item.question, expect_refusal=item.expect_refusal)
    golds = gold.spans(item)
    try:
        if item.is_claim:
            result.verdict_expected = item.verdict
            began = time.perf_counter()
            checked = system.check(item.question)
            if checked is not None:
                result.seconds = round(time.perf_counter() - began, 4)
                _score_claim(result, item, checked, golds)
            _score_retrieval(result, system, item.question, golds)
        else:
            began = time.perf_counter()
            answer = system.ask(item.question, item.history)
            result.seconds = round(time.perf_counter() - began, 4)
            _score_answer(result, item, answer, golds, judge)
            _score_answer_quality(result, item, answer, golds)
            _score_retrieval(result, system, answer.standalone_question or item.question, golds)
    except MissionDeskError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    _diagnose(result, item, getattr(system, "refusal_threshold", None), system.k)
    return result


# -- aggregation ----------------------------------------------------------------------------------
def aggregate(items: Sequence[ItemResult]) -> dict[str, float | None]:
    """Dataset-level metrics from item results (each over the items it applies to)."""
    asked = [r for r in items if r.category != "claim" and r.error is None]
    answerable = [r for r in asked if not r.expect_refusal]
    answered = [r for r in asked if r.refused is False]
    with_gold = [r for r in items if r.recall_at_5 is not None]
    refusal = m.refusals((r.expect_refusal, bool(r.refused)) for r in asked)
    claims = [r for r in items if r.category == "claim" and r.verdict is not None]
    shown = [r for r in claims if r.evidence_shown is not None]
    evidence = sum(r.evidence_shown or 0 for r in shown)
    kept = sum(r.sentences for r in asked)
    removed = sum(r.removed for r in asked)
    seconds = [r.seconds for r in asked if r.seconds is not None]
    listed = [r for r in asked if r.list_share is not None]
    partial = [r for r in asked if r.uncovered_named is not None]
    return {
        "recall_at_5": m.mean(r.recall_at_5 for r in with_gold),
        "recall_at_k": m.mean(r.recall_at_k for r in with_gold),
        "mrr": m.mean(r.reciprocal_rank for r in with_gold),
        "key_fact_accuracy": m.mean(float(bool(r.key_facts_ok)) for r in answerable),
        "key_fact_recall": m.mean(r.key_fact_share for r in answerable),
        "citation_recall": m.mean(r.citation_recall for r in answered),
        "citation_precision": m.mean(r.citation_precision for r in answered),
        "judge_citation_recall": m.mean(r.judge_citation_recall for r in answered),
        "gold_citation_hit_rate": m.mean(float(bool(r.gold_cited)) for r in answerable),
        "gold_passage_hit_rate": m.mean(float(bool(r.gold_passage_cited)) for r in answerable),
        "unsupported_sentence_rate": removed / (kept + removed) if kept + removed else None,
        "refusal_precision": refusal.precision,
        "refusal_recall": refusal.recall,
        "refusal_accuracy": refusal.accuracy,
        "answer_precision": m.mean(r.answer_precision for r in answered if not r.expect_refusal),
        "lead_precision": m.mean(float(r.lead_on_question) for r in answered
                                 if not r.expect_refusal and r.lead_on_question is not None),
        "answer_units_p50": m.percentile([float(r.units) for r in answered if r.units is not None], 50),
        "answer_words_p50": m.percentile([float(r.words) for r in answered if r.words is not None], 50),
        "list_completeness": m.mean(r.list_share for r in listed) if listed else None,
        "partial_coverage_accuracy": m.mean(float(bool(r.uncovered_named)) for r in partial) if partial else None,
        "claim_verdict_accuracy": m.mean(float(r.verdict == r.verdict_expected) for r in claims) if claims else None,
        # pooled: shown citations bearing on their claim over all shown citations (a claim showing none adds nothing)
        "claim_evidence_relevance": sum(r.evidence_relevant or 0 for r in shown) / evidence if evidence else None,
        "check_latency_p50": m.percentile([r.seconds for r in claims if r.seconds is not None], 50),
        "latency_p50": m.percentile(seconds, 50),
        "latency_p95": m.percentile(seconds, 95),
    }


BREAKDOWN = ("recall_at_5", "key_fact_accuracy", "gold_citation_hit_rate", "citation_recall", "citation_precision",
             "refusal_accuracy", "answer_precision", "answer_units_p50", "list_completeness",
             "partial_coverage_accuracy", "claim_verdict_accuracy", "claim_evidence_relevance")


def by_category(items: Sequence[ItemResult]) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for category in dict.fromkeys(r.category for r in items):
        rows = [r for r in items if r.category == category]
        scores = aggregate(rows)
        out[category] = {"items": float(len(rows)), **{key: scores[key] for key in BREAKDOWN}}
    return out


def evaluate(
    system: System, items: Sequence[GoldItem], gold: Gold, progress: Progress | None = None, judge: Judge | None = None
) -> SystemResult:
    """Score every item with one system (and, given a judge, its citations by the judge too)."""
    results = []
    for i, item in enumerate(items, 1):
        results.append(score_item(system, item, gold, judge))
        if progress:
            progress(system.name, i, len(items))
    return SystemResult(
        name=system.name, description=system.description, k=system.k,
        refusal_threshold=getattr(system, "refusal_threshold", None),
        metrics=aggregate(results), by_category=by_category(results), items=results,
    )


# -- the run --------------------------------------------------------------------------------------
def eval_settings(base: Settings | None, data_dir: Path, mode: Mode, k: int | None) -> Settings:
    """The user's settings with a fresh embedded index of corpus/ only (and the chat model only in llm mode)."""
    base = base or Settings()
    if mode == "llm" and not base.llm:
        raise MissionDeskError("--mode llm needs a chat model: set MISSION_DESK_LLM (e.g. 'ollama:llama3.1')")
    update: dict[str, Any] = {
        "data_dir": data_dir, "user_dir": data_dir / "user", "models_dir": base.model_cache_dir, "chroma_host": None,
    }
    if mode == "embedded":
        update["llm"] = None
    if k is not None:
        update["k"] = k
    return base.model_copy(update=update)


def run(
    dataset: Path | Sequence[Path] = DEFAULT_DATASET,
    *,
    mode: Mode = "embedded",
    k: int | None = None,
    baselines: bool = True,
    settings: Settings | None = None,
    embeddings: Any | None = None,
    progress: Progress | None = None,
    judge: bool = False,
    stance: bool = True,
    drafting: bool = True,
    adversarial: bool = True,
) -> EvalReport:
    """Evaluate ``mode`` (and, with ``baselines``, the two naive baselines) on one dataset or several.

    Several datasets share one fresh index (and one naive index); each gets its own section of the
    report, and the baselines' refusal cut-offs are tuned on each dataset separately. With ``stance``,
    the same index and Assistant also run the verifier set and the claim sets (``run_stance``); with
    ``drafting``, the drafting set (``evals.drafting.run_drafting``); with ``adversarial``, the adversarial-document
    set on its own fresh index, so its documents never reach the other sets (``evals.adversarial.run_adversarial``).
    """
    from assistant import Assistant
    from assistant.embeddings import MiniLMEmbeddings

    began = time.perf_counter()
    paths = [dataset] if isinstance(dataset, Path) else list(dataset)
    if not paths:
        raise MissionDeskError("no dataset to evaluate")
    loaded = [(path, load_dataset(path)) for path in paths]
    judge_fn = _judge(settings) if judge else None  # fail before the index is built, not after
    parts: list[DatasetReport] = []
    with tempfile.TemporaryDirectory(prefix="mission-desk-eval-") as tmp:
        config = eval_settings(settings, Path(tmp) / "index", mode, k)
        embeddings = embeddings or MiniLMEmbeddings(config.model_cache_dir)
        assistant = Assistant.load(config, embeddings=embeddings)
        gold = Gold({s.record.id: s.text for s in assistant.store.sources()})
        product = ProductSystem(assistant, mode)
        naive_index = None
        for path, items in loaded:
            key = dataset_key(path)
            tagged = _tagged(progress, key) if len(loaded) > 1 else progress
            systems: list[SystemResult] = [evaluate(product, items, gold, tagged, judge_fn)]
            if baselines:
                if naive_index is None:
                    naive_index = build_naive_index(assistant, Path(tmp) / "naive")
                systems += run_baselines(assistant, items, gold, naive_index, tagged)
            parts.append(DatasetReport(
                key=key, label=dataset_label(path), dataset=_relative(path),
                dataset_sha256=hashlib.sha256(path.read_bytes()).hexdigest(), items=len(items),
                targets=m.targets_for(key), systems=systems,
            ))
        stance_report = None
        if stance:
            v1 = next((p for p in parts if p.key == "v1"), None)
            claims_v1 = [r for r in v1.systems[0].items if r.category == "claim"] if v1 else None
            stance_report = run_stance(assistant, product, gold, claims_v1, progress)
        drafting_report = run_drafting(assistant, progress=progress) if drafting else None
    adversarial_report = run_adversarial(settings, embeddings=embeddings, progress=progress) if adversarial else None
    first = parts[0]
    return EvalReport(
        dataset=first.dataset, dataset_sha256=first.dataset_sha256, items=first.items,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(time.perf_counter() - began, 1), mode=mode, k=config.k,
        settings={
            "k": config.k, "refusal_threshold": config.answer.refusal_threshold,
            "chunk_tokens": config.chunk_tokens, "llm": config.llm, "chunks": len(assistant.retriever.chunks),
            # every answer setting by name, so the record survives renamed tunables
            "answer": config.answer.model_dump(mode="json"),
        },
        targets=first.targets, systems=first.systems, datasets=parts, stance=stance_report,
        drafting=drafting_report, adversarial=adversarial_report,
    )


def _tagged(progress: Progress | None, key: str) -> Progress | None:
    """Progress with the dataset in the system's name, so each dataset gets its own bar."""
    if progress is None:
        return None
    return lambda system, done, total: progress(f"{system} · {key}", done, total)


def _judge(settings: Settings | None) -> Judge:
    """The optional LLM judge, on the chat model the user configured (never in CI)."""
    from assistant.llm import make_chat_model
    from evals.judge import make_judge

    llm = make_chat_model(settings or Settings())
    if llm is None:
        raise MissionDeskError("--judge needs a chat model: set MISSION_DESK_LLM")
    return make_judge(llm)


def build_naive_index(assistant: Any, folder: Path) -> Any:
    """The baselines' index: naive chunks of the corpus sources, in a real Chroma store under ``folder``."""
    from evals.baselines import NaiveIndex

    corpus_ids = {r.id for r in assistant.catalogue.records}
    sources = [s for s in assistant.store.sources() if s.record.id in corpus_ids]
    return NaiveIndex.build(sources, assistant.embeddings, folder)


def run_baselines(
    assistant: Any, items: Sequence[GoldItem], gold: Gold, index: Any, progress: Progress | None = None
) -> list[SystemResult]:
    """Dense-only and BM25-only over naive chunks, each with its refusal cut-off tuned on these items.

    ``index`` is a ``NaiveIndex`` (``build_naive_index``), or a folder to build one in.
    Tuning on the items themselves flatters the baselines' refusals; that is deliberate, so what the
    product gains over them is not an artefact of a badly chosen cut-off.
    """
    from evals.baselines import CHUNK_CHARS, CHUNK_OVERLAP, NaiveSystem

    if isinstance(index, Path):
        index = build_naive_index(assistant, index)
    out = []
    for retrieval in ("dense", "bm25"):
        naive = NaiveSystem(index, retrieval, assistant.embeddings, k=assistant.settings.k)
        asked = [i for i in items if not i.is_claim]
        scores = [(i.expect_refusal, naive.best_score(i.question, i.history)) for i in asked]
        choice = m.best_threshold([s for e, s in scores if not e], [s for e, s in scores if e])
        naive.refusal_threshold = choice.threshold
        what = "Chroma cosine" if retrieval == "dense" else "BM25 (rank_bm25)"
        description = (
            f"{CHUNK_CHARS}-character chunks (overlap {CHUNK_OVERLAP}, {len(index.chunks)} chunks), {what} only, "
            f"top-3 sentences by cosine; refuses below sentence cosine {choice.threshold:.3f} (tuned on this set)"
        )
        out.append(evaluate(BaselineSystem(naive, description), items, gold, progress))
    return out


# -- stance: the citation verifier and the claim checker (issue 11) ---------------------------------
def cited_chunk(chunks: Sequence[Chunk], source_id: str, quote: str) -> Chunk:
    """The indexed chunk a verifier item cites: the first chunk of ``source_id`` whose text or display text
    (headers included) contains ``quote``, whitespace, quotes and dashes normalised. None is a dataset or
    index error, raised: the item cannot be scored."""
    want = m.normalise(quote)
    for chunk in chunks:
        if chunk.source_id == source_id and (want in m.normalise(chunk.text) or want in m.normalise(chunk.display_text)):
            return chunk
    raise MissionDeskError(f"no indexed chunk of {source_id!r} contains the passage quote {quote[:80]!r}")


def run_verifier(assistant: Any, items: Sequence[VerifierItem], progress: Progress | None = None) -> list[VerifierResult]:
    """Each sentence through the product's verifier exactly as an answer's sentence citing one passage [1] is.

    ``check_support(strip_markers(sentence), [Passage(1, chunk, 1.0, 1.0)], embed, settings.verify)``: a
    result whose ``ok`` is False is flagged. Only these public functions are used, never their internals.
    """
    from assistant.citations import check_support, strip_markers

    chunks = assistant.retriever.chunks
    out = []
    for i, item in enumerate(items, 1):
        chunk = cited_chunk(chunks, item.source_id, item.passage_quote)
        support = check_support(
            strip_markers(item.sentence), [Passage(1, chunk, 1.0, 1.0)], assistant.embeddings.embed,
            assistant.settings.verify,
        )
        out.append(VerifierResult(
            id=item.id, split=item.split, label=item.label, sentence=item.sentence, source_id=item.source_id,
            chunk_id=chunk.id, flagged=not support.ok, kind=str(getattr(support, "kind", "") or ""),
            reason=support.reason, score=round(float(support.score), 4), conflict=item.conflict,
        ))
        if progress:
            progress("verifier", i, len(items))
    return out


def verifier_scope(rows: Sequence[VerifierResult], scope: str) -> list[VerifierResult]:
    """The verifier results of one scope: a split, or 'all' (verifier-v1's tune and heldout)."""
    return [r for r in rows if r.split == scope or (scope == "all" and r.split in ("tune", "heldout"))]


def stance_metrics(
    verifier: Sequence[VerifierResult], claims: Mapping[str, Sequence[ItemResult]]
) -> dict[str, dict[str, float | None]]:
    """The stance figures per scope: verifier catch/keep rates per split and overall, claim-checker figures per set."""
    out: dict[str, dict[str, float | None]] = {}
    for scope in VERIFIER_SCOPES:
        rows = verifier_scope(verifier, scope)
        out[scope] = m.verifier_scores([m.VerifierOutcome(r.split, r.label, r.flagged) for r in rows])
    for scope, items in claims.items():
        scores = aggregate(items)
        out[scope] = {
            "claim_verdict_accuracy": scores["claim_verdict_accuracy"],
            "claim_evidence_relevance": scores["claim_evidence_relevance"],
            "check_latency_p50": scores["check_latency_p50"],
            "claims": float(len(items)),
        }
    return out


def run_stance(
    assistant: Any, product: System, gold: Gold, claims_v1: Sequence[ItemResult] | None = None,
    progress: Progress | None = None,
) -> StanceReport:
    """The verifier set and the claim sets through the product, on the run's index.

    ``claims_v1``: gold-v1's claim items as the gold-v1 part of the run scored them; checked here when the
    run did not include gold-v1.
    """
    began = time.perf_counter()
    verifier = run_verifier(assistant, load_all_verifier_items(), progress)
    if claims_v1 is None:
        items = [i for i in load_dataset(DEFAULT_DATASET) if i.is_claim]
        claims_v1 = evaluate(product, items, gold, _tagged(progress, "claims v1")).items
    tune = evaluate(product, load_dataset(CLAIMS_TUNE_DATASET), gold, _tagged(progress, "claims tune")).items
    tune_v4 = evaluate(product, load_dataset(CLAIMS_TUNE_V4_DATASET), gold, _tagged(progress, "claims tune v4")).items
    tune_v5 = evaluate(product, load_dataset(CLAIMS_TUNE_V5_DATASET), gold, _tagged(progress, "claims tune v5")).items
    v2 = evaluate(product, load_dataset(CLAIMS_DATASET), gold, _tagged(progress, "claims v2")).items
    claims = {"claims_v1": list(claims_v1), "claims_tune": tune, "claims_tune_v4": tune_v4, "claims_tune_v5": tune_v5,
              "claims_v2": v2}
    return StanceReport(
        verifier_dataset=_relative(VERIFIER_DATASET),
        verifier_sha256=hashlib.sha256(VERIFIER_DATASET.read_bytes()).hexdigest(),
        claims_dataset=_relative(CLAIMS_DATASET),
        claims_sha256=hashlib.sha256(CLAIMS_DATASET.read_bytes()).hexdigest(),
        seconds=round(time.perf_counter() - began, 1),
        targets={scope: dict(t) for scope, t in m.STANCE_TARGETS.items()},
        metrics=stance_metrics(verifier, claims), verifier=verifier, **claims,
    )


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(EVALS_DIR.parent))
    except ValueError:
        return str(path)


# -- thresholds and output ------------------------------------------------------------------------
def load_thresholds(path: Path = THRESHOLDS) -> dict[str, Any]:
    """thresholds.toml: [minimum] and [maximum] per metric for the embedded mode, [shortfalls] notes.

    The top-level tables are gold-v1's; another dataset's are under its key ([v2.minimum], ...).
    """
    return tomllib.loads(path.read_text(encoding="utf-8"))


def thresholds_for(thresholds: dict[str, Any], key: str) -> dict[str, Any]:
    """One dataset's [minimum], [maximum] and [shortfalls]: the top-level tables for 'v1', else [<key>.*]."""
    if key == "v1":
        return {kind: thresholds.get(kind, {}) for kind in ("minimum", "maximum", "shortfalls")}
    table = thresholds.get(key, {})
    return {kind: table.get(kind, {}) for kind in ("minimum", "maximum", "shortfalls")}


def stance_thresholds(thresholds: dict[str, Any], scope: str) -> dict[str, Any]:
    """One stance scope's [stance.minimum.<scope>], [stance.maximum.<scope>] and [stance.shortfalls.<scope>]."""
    table = thresholds.get("stance", {})
    return {kind: table.get(kind, {}).get(scope, {}) for kind in ("minimum", "maximum", "shortfalls")}


def below_thresholds(metrics: dict[str, float | None], thresholds: dict[str, Any]) -> list[str]:
    """Each gated metric that misses its threshold, as a sentence."""
    problems = []
    for key, floor in thresholds.get("minimum", {}).items():
        value = metrics.get(key)
        if value is None or value < floor:
            problems.append(f"{key} = {value} is below its threshold {floor}")
    for key, ceiling in thresholds.get("maximum", {}).items():
        value = metrics.get(key)
        if value is None or value > ceiling:
            problems.append(f"{key} = {value} is above its threshold {ceiling}")
    return problems


def summary(report: EvalReport) -> str:
    """One JSON line of the headline figures (for logs), per dataset."""
    parts = report.datasets or [
        DatasetReport(key="", label="", dataset=report.dataset, dataset_sha256=report.dataset_sha256,
                      items=report.items, targets=report.targets, systems=report.systems)
    ]
    out: dict[str, Any] = {
        d.label or d.dataset: {s.name: {k: s.metrics.get(k) for k in d.targets} for s in d.systems} for d in parts
    }
    if report.stance:
        out["stance"] = {
            STANCE_SCOPES[scope]: {k: report.stance.metrics.get(scope, {}).get(k) for k in targets}
            for scope, targets in report.stance.targets.items()
        }
    if report.drafting:
        out["drafting"] = {scope: {k: report.drafting.metrics[scope].get(k) for k in report.drafting.targets}
                           for scope in DRAFTING_GATED_SCOPES}
    if report.adversarial:
        out["adversarial"] = {k: report.adversarial.metrics.get(k) for k in report.adversarial.targets}
    return json.dumps(out)
