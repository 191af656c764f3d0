"""Answering one question from one retrieval snapshot: refuse, compose (embedded) or generate (LLM), verify.

The facade validates the question and picks the snapshot; everything from scored units to the verified
Answer happens here, so drafting and the evals use the same steps as ``Assistant.ask``.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from assistant import citations, compose
from assistant.chain import generate
from assistant.citations import passage_units, verify
from assistant.prompts import load_prompt
from assistant.retrieval import HybridRetriever
from assistant.schemas import Answer, Citation
from assistant.settings import Settings
from assistant.types import Passage, Unit
from ingest.catalogue import Catalogue

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

REFUSAL = "The sources don't cover this question."
CitationMaker = Callable[[int, Passage, Unit, float], Citation]


class Citer:
    """Makes numbered Citations of stored passages, with each source's full reference and evidence."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def __call__(self, n: int, passage: Passage, unit: Unit, score: float) -> Citation:
        chunk = passage.chunk
        record = self.catalogue.get(chunk.source_id)
        return Citation(
            n=n,
            source_id=chunk.source_id,
            title=chunk.title,
            locator=chunk.locator,
            quote=unit.text,
            passage=chunk.display_text,
            start=unit.start,
            end=unit.end,
            score=round(float(score), 4),
            chunk_id=chunk.id,
            section=chunk.section,
            kind=chunk.kind,
            url=record.url if record else None,
            citation=record.citation if record else chunk.title,
            evidence=self.catalogue.resolve(chunk.cites),
            origin="evidence note" if record is not None and record.kind == "evidence note" else "quote",
            basis=record.basis if record is not None and record.kind == "evidence note" else "",
        )

    def quoting(self, units: dict[int, Unit]) -> CitationMaker:
        """A maker that quotes the chosen unit of each numbered passage, whatever the verifier matched."""

        def make(n: int, passage: Passage, unit: Unit, score: float) -> Citation:
            return self(n, passage, units.get(passage.n, unit), score)

        return make


def version_of(kind: str, settings: Settings, *parts: object) -> str:
    """A version string derived from what shapes the output: settings, step names and the code of the steps.

    Hand-edited versions went stale (one stayed '-v1' through ten composer changes); this one changes
    whenever any of ``parts`` (modules, functions, settings models, tuples of step names) changes.
    """
    digest = hashlib.sha256()
    for part in parts:
        if inspect.ismodule(part) or inspect.isfunction(part) or inspect.isclass(part):
            digest.update(inspect.getsource(part).encode())  # type: ignore[arg-type]
        elif hasattr(part, "model_dump_json"):
            digest.update(part.model_dump_json().encode())
        else:
            digest.update(repr(part).encode())
    digest.update(settings.verify.model_dump_json().encode())
    return f"embedded-{kind}-{digest.hexdigest()[:10]}"


def embedded_version(settings: Settings) -> str:
    """The embedded answer's version: the composer's steps, its code and its settings."""
    return version_of("extractive", settings, compose.STEPS, settings.answer, compose, citations)


def scored_units(
    snapshot: HybridRetriever, question: str, vector: np.ndarray, passages: Sequence[Passage], settings: Settings
) -> list[compose.Candidate]:
    """Every quotable unit of the passages, scored against the question with the acronyms the sources define."""
    return compose.candidates(snapshot.expand(question), vector, passages, snapshot.sentences, settings.answer)


def refusal(
    question: str, standalone: str, passages: Sequence[Passage], pool: list[compose.Candidate], citer: Citer,
    *, unknown: Sequence[str] = (), mode: str, model: str | None, version: str,
) -> Answer:
    """The refusal, with the closest material (the best unit of each of the top three passages)."""
    closest: list[Citation] = []
    for passage in passages[:3]:
        units = [c for c in pool if c.passage.n == passage.n]
        best = max(units, key=lambda c: c.score) if units else None
        unit = best.unit if best else passage_units(passage)[0]
        closest.append(citer(len(closest) + 1, passage, unit, best.score if best else 0.0))
    text = REFUSAL if not unknown else f"{REFUSAL} They never mention {', '.join(repr(w) for w in unknown)}."
    return Answer(
        question=question, answer=text, refused=True, closest=closest, mode=mode,  # type: ignore[arg-type]
        model=model, prompt_version=version, standalone_question=standalone,
    )


def embedded(
    question: str, standalone: str, pool: list[compose.Candidate], citer: Citer, settings: Settings,
    encode: citations.Encoder,
) -> Answer:
    """An answer composed of the sources' own sentences (compose.STEPS), each cited and verified."""
    cfg = settings.answer
    picks = compose.select(pool, cfg.max_sentences, cfg)
    chosen = compose.with_continuation(picks, pool)
    chosen = compose.with_list_items(chosen, pool, extra=cfg.list_items)
    chosen = compose.with_antecedents(chosen, pool)
    chosen = compose.with_numbers(standalone, chosen, pool)
    chosen = compose.fit(chosen, picks, cfg.max_sentences, cfg.completing_extra)
    # Each chosen unit gets its own number, so each citation quotes exactly one sentence.
    numbered = [Passage(i, c.passage.chunk, c.passage.score, c.passage.dense) for i, c in enumerate(chosen, 1)]
    draft = [f"{compose.render(c)} [{i}]." for i, c in enumerate(chosen, 1)]
    units = {i: c.unit for i, c in enumerate(chosen, 1)}
    checked = verify(draft, numbered, encode=encode, make_citation=citer.quoting(units), settings=settings.verify)
    return Answer(
        question=question, answer=checked.text or REFUSAL, refused=not checked.citations,
        citations=checked.citations, removed=checked.removed, mode="embedded",
        prompt_version=embedded_version(settings), standalone_question=standalone,
    )


def with_llm(
    question: str, standalone: str, passages: Sequence[Passage], citer: Citer, settings: Settings,
    encode: citations.Encoder, llm: BaseChatModel, on_token: Callable[[str], None] | None,
) -> Answer:
    """The chat model's answer over the numbered passages, every sentence verified (unsupported ones marked)."""
    text = generate(llm, standalone, passages, on_token=on_token)
    checked = verify(text, passages, encode=encode, make_citation=citer, keep_unsupported=True, settings=settings.verify)
    refused = not checked.citations
    return Answer(
        question=question, answer=checked.text if not refused else REFUSAL, refused=refused,
        citations=checked.citations, removed=checked.removed, mode="llm", model=settings.llm,
        prompt_version=load_prompt("answer").version, standalone_question=standalone,
    )
