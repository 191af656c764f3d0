"""The citation verifier, driven by a scripted chat model (plumbing only: no claim about answer quality)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant import Assistant

GROWTH = "Public sector productivity increased by an average of 0.7 per cent per year from 2010 to 2019"
EMPLOYMENT = "Public sector employment is around 18 per cent of total employment in the UK"


class ScriptedChatModel(BaseChatModel):
    """Answers from a script; '{n:needle}' becomes the number of the passage containing 'needle'."""

    script: str

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
        prompt = str(messages[-1].content)
        blocks = dict(re.findall(r"\[(\d+)\][^\n]*\n<<<\n(.*?)\n>>>", prompt, re.DOTALL))

        def number(match: re.Match[str]) -> str:
            needle = match.group(1)
            found = [n for n, text in blocks.items() if needle in text]
            return found[0] if found else "99"

        text = re.sub(r"\{n:([^}]+)\}", number, self.script)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def llm_assistant(corpus_assistant: Assistant, script: str) -> Assistant:
    return Assistant(
        corpus_assistant.settings,
        embeddings=corpus_assistant.embeddings,
        store=corpus_assistant.store,
        catalogue=corpus_assistant.catalogue,
        llm=ScriptedChatModel(script=script),
    )


QUESTION = "How did public sector productivity and employment change?"


def test_correct_sentence_with_correct_citation_is_kept(corpus_assistant: Assistant) -> None:
    a = llm_assistant(corpus_assistant, f"{GROWTH} [{{n:0.7 per cent per year}}].")
    answer = a.ask(QUESTION)
    assert answer.mode == "llm" and not answer.refused
    assert not answer.removed
    assert answer.answer.startswith("Public sector productivity increased")
    assert "0.7 per cent per year" in answer.citations[0].quote


def test_invented_sentence_is_removed(corpus_assistant: Assistant) -> None:
    script = (
        f"{GROWTH} [{{n:0.7 per cent per year}}]. "
        "The Treasury abolished all public sector targets in 2015 and replaced them with lotteries [{n:0.7 per cent per year}]."
    )
    answer = llm_assistant(corpus_assistant, script).ask(QUESTION)
    assert len(answer.removed) == 1
    assert "lotteries" in answer.removed[0].sentence
    assert "unsupported" in answer.answer  # visibly marked in LLM mode, never shown as fact
    assert all("lotteries" not in c.quote for c in answer.citations)


def test_copied_sentence_with_one_number_changed_is_caught(corpus_assistant: Assistant) -> None:
    changed = GROWTH.replace("0.7", "1.7")
    answer = llm_assistant(corpus_assistant, f"{changed} [{{n:0.7 per cent per year}}].").ask(QUESTION)
    assert answer.removed and "1.7" in answer.removed[0].reason
    assert answer.refused or "1.7" not in answer.answer.replace("unsupported", "").split("]")[-1]


def test_negated_copy_of_a_sentence_is_caught(corpus_assistant: Assistant) -> None:
    negated = GROWTH.replace("increased", "did not increase")
    answer = llm_assistant(corpus_assistant, f"{negated} [{{n:0.7 per cent per year}}].").ask(QUESTION)
    assert answer.removed and "'not'" in answer.removed[0].reason
    assert answer.removed[0].kind == "negation"
    assert not answer.citations


def test_sentence_citing_the_wrong_passage_is_caught(corpus_assistant: Assistant) -> None:
    # The growth sentence cited to a passage about something else entirely.
    script = f"{GROWTH} [{{n:Prime ministerial commitment}}]."
    a = llm_assistant(corpus_assistant, script)
    answer = a.ask("How did public sector productivity change, and what makes committees work?")
    assert answer.removed, answer.answer
    assert "cited passage" in answer.removed[0].reason or "not a retrieved passage" in answer.removed[0].reason


def test_citation_to_a_passage_that_was_not_retrieved_is_caught(corpus_assistant: Assistant) -> None:
    answer = llm_assistant(corpus_assistant, f"{EMPLOYMENT} [42].").ask(QUESTION)
    assert answer.removed and "not a retrieved passage" in answer.removed[0].reason
    assert answer.refused


@pytest.mark.parametrize("marker_style", ["{s} [{n}].", "{s}. [{n}]"])
def test_marker_before_or_after_the_full_stop(corpus_assistant: Assistant, marker_style: str) -> None:
    script = marker_style.format(s=EMPLOYMENT, n="{n:18 per cent}")
    answer = llm_assistant(corpus_assistant, script).ask("What share of employment is in the public sector?")
    assert not answer.removed and answer.citations


def test_a_chat_model_sees_a_table_asked_for_whole(corpus_assistant: Assistant) -> None:
    # Plumbing: the scripted model cites the passage holding each mission's goal; every one must have been shown.
    goals = ("Make the UK the healthiest country in the world", "Make the UK the safest country in the OECD",
             "Every young person learns the basics and is in employment", "End child poverty in the UK")
    script = " ".join(f"{g} [{{n:{g}}}]." for g in goals)
    answer = llm_assistant(corpus_assistant, script).ask("What are the four missions?")
    assert len(answer.citations) == 4 and not answer.removed, answer.answer
