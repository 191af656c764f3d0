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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import MissionDeskError
from assistant.schemas import Answer
from assistant.settings import Settings
from assistant.types import Passage
from evals import metrics as m

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVALS_DIR / "datasets" / "gold-v1.jsonl"
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

    @property
    def is_claim(self) -> bool:
        return self.category == "claim"


def load_dataset(path: Path) -> list[GoldItem]:
    """The items of a JSONL gold dataset."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [GoldItem.model_validate_json(line) for line in lines if line.strip()]


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
    verdict_expected: str | None = None
    verdict: str | None = None
    seconds: float | None = None
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


class EvalReport(BaseModel):
    """A whole eval run: the dataset, the settings that matter, and each system's results."""

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

    def system(self, name: str) -> SystemResult:
        return next(s for s in self.systems if s.name == name)


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
    "claim_verdict_accuracy": "Claim-verdict accuracy",
    "latency_p50": "Latency p50 (s)",
    "latency_p95": "Latency p95 (s)",
}
LOWER_IS_BETTER = {"unsupported_sentence_rate", "latency_p50", "latency_p95"}


# -- systems under test ---------------------------------------------------------------------------
class System(Protocol):
    name: str
    description: str
    k: int

    def ask(self, question: str, history: Sequence[tuple[str, str]]) -> Answer: ...

    def retrieve(self, query: str, k: int) -> tuple[list[Passage], np.ndarray]: ...

    def best_score(self, query: str, passages: Sequence[Passage], vector: np.ndarray) -> float: ...

    def check(self, claim: str) -> str | None: ...


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

    def check(self, claim: str) -> str | None:
        """The verdict of ``Assistant.check`` when the product has one; None when it has not."""
        check = getattr(self.assistant, "check", None)
        if not callable(check):
            return None
        result = check(claim)
        verdict = result.get("verdict") if isinstance(result, dict) else getattr(result, "verdict", result)
        return _verdict(verdict)


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

    def check(self, claim: str) -> str | None:
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
        sentences = m.answer_sentences(answer.answer)
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


def score_item(system: System, item: GoldItem, gold: Gold, judge: Judge | None = None) -> ItemResult:
    """Ask (or check) one item and score everything about it."""
    result = ItemResult(id=item.id, category=item.category, question=item.question, expect_refusal=item.expect_refusal)
    golds = gold.spans(item)
    try:
        if item.is_claim:
            result.verdict_expected = item.verdict
            result.verdict = system.check(item.question)
            _score_retrieval(result, system, item.question, golds)
        else:
            began = time.perf_counter()
            answer = system.ask(item.question, item.history)
            result.seconds = round(time.perf_counter() - began, 4)
            _score_answer(result, item, answer, golds, judge)
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
    kept = sum(r.sentences for r in asked)
    removed = sum(r.removed for r in asked)
    seconds = [r.seconds for r in asked if r.seconds is not None]
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
        "claim_verdict_accuracy": m.mean(float(r.verdict == r.verdict_expected) for r in claims) if claims else None,
        "latency_p50": m.percentile(seconds, 50),
        "latency_p95": m.percentile(seconds, 95),
    }


BREAKDOWN = ("recall_at_5", "key_fact_accuracy", "gold_citation_hit_rate", "citation_recall", "citation_precision",
             "refusal_accuracy", "claim_verdict_accuracy")


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
    dataset: Path = DEFAULT_DATASET,
    *,
    mode: Mode = "embedded",
    k: int | None = None,
    baselines: bool = True,
    settings: Settings | None = None,
    embeddings: Any | None = None,
    progress: Progress | None = None,
    judge: bool = False,
) -> EvalReport:
    """Evaluate ``mode`` (and, with ``baselines``, the two naive baselines) on ``dataset``."""
    from assistant import Assistant
    from assistant.embeddings import MiniLMEmbeddings

    began = time.perf_counter()
    items = load_dataset(dataset)
    judge_fn = _judge(settings) if judge else None  # fail before the index is built, not after
    with tempfile.TemporaryDirectory(prefix="mission-desk-eval-") as tmp:
        config = eval_settings(settings, Path(tmp) / "index", mode, k)
        embeddings = embeddings or MiniLMEmbeddings(config.model_cache_dir)
        assistant = Assistant.load(config, embeddings=embeddings)
        gold = Gold({s.record.id: s.text for s in assistant.store.sources()})
        product = ProductSystem(assistant, mode)
        systems: list[SystemResult] = [evaluate(product, items, gold, progress, judge_fn)]
        if baselines:
            systems += run_baselines(assistant, items, gold, Path(tmp) / "naive", progress)
    return EvalReport(
        dataset=_relative(dataset), dataset_sha256=hashlib.sha256(dataset.read_bytes()).hexdigest(),
        items=len(items), created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(time.perf_counter() - began, 1), mode=mode, k=config.k,
        settings={
            "k": config.k, "refusal_threshold": config.answer.refusal_threshold,
            "max_answer_sentences": config.answer.max_sentences, "chunk_tokens": config.chunk_tokens,
            "llm": config.llm, "chunks": len(assistant.retriever.chunks),
        },
        targets=m.ISSUE_TARGETS, systems=systems,
    )


def _judge(settings: Settings | None) -> Judge:
    """The optional LLM judge, on the chat model the user configured (never in CI)."""
    from assistant.llm import make_chat_model
    from evals.judge import make_judge

    llm = make_chat_model(settings or Settings())
    if llm is None:
        raise MissionDeskError("--judge needs a chat model: set MISSION_DESK_LLM")
    return make_judge(llm)


def run_baselines(
    assistant: Any, items: Sequence[GoldItem], gold: Gold, folder: Path, progress: Progress | None = None
) -> list[SystemResult]:
    """Dense-only and BM25-only over naive chunks, each with its refusal cut-off tuned on these items.

    Tuning on the items themselves flatters the baselines' refusals; that is deliberate, so what the
    product gains over them is not an artefact of a badly chosen cut-off.
    """
    from evals.baselines import CHUNK_CHARS, CHUNK_OVERLAP, NaiveIndex, NaiveSystem

    corpus_ids = {r.id for r in assistant.catalogue.records}
    sources = [s for s in assistant.store.sources() if s.record.id in corpus_ids]
    index = NaiveIndex.build(sources, assistant.embeddings, folder)
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


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(EVALS_DIR.parent))
    except ValueError:
        return str(path)


# -- thresholds and output ------------------------------------------------------------------------
def load_thresholds(path: Path = THRESHOLDS) -> dict[str, Any]:
    """thresholds.toml: [minimum] and [maximum] per metric for the embedded mode, [shortfalls] notes."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


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
    """One JSON line of the headline figures (for logs)."""
    return json.dumps({s.name: {k: s.metrics[k] for k in m.ISSUE_TARGETS} for s in report.systems})
