"""LCEL chains for a configured chat model: condense a follow-up, then answer from numbered passages.

The model's text is never shown as is: the facade passes it through the citation verifier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assistant.conversation import History
from assistant.prompts import PromptTemplate, load_prompt
from assistant.types import Passage

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable


def build_chain(llm: BaseChatModel, prompt: PromptTemplate) -> Runnable:
    """prompt -> model -> text, named for traces."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    template = ChatPromptTemplate.from_messages([("system", prompt.system), ("human", prompt.human)])
    return (template | llm | StrOutputParser()).with_config(run_name=f"mission_desk.{prompt.name}")


def format_passages(passages: Sequence[Passage]) -> str:
    """Numbered passages with their source and locator, as the answer prompt shows them."""
    blocks = []
    for p in passages:
        blocks.append(f"[{p.n}] {p.chunk.title} — {p.chunk.locator}\n<<<\n{p.chunk.display_text}\n>>>")
    return "\n\n".join(blocks)


def generate(
    llm: BaseChatModel, question: str, passages: Sequence[Passage], *, on_token: Callable[[str], None] | None = None
) -> str:
    """The model's answer with [n] markers, streamed token by token to ``on_token``."""
    chain = build_chain(llm, load_prompt("answer"))
    inputs = {"question": question, "passages": format_passages(passages)}
    parts: list[str] = []
    for token in chain.stream(inputs):
        parts.append(token)
        if on_token:
            on_token(token)
    return "".join(parts)


def condense(llm: BaseChatModel, question: str, history: History) -> str:
    """A standalone question from a follow-up and the conversation."""
    turns = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history)
    text = build_chain(llm, load_prompt("condense")).invoke({"history": turns, "question": question})
    return " ".join(text.split()) or question
