"""The optional LLM judge of citation support (ALCE uses an NLI model; any configured chat model here).

Off by default and never in CI: the deterministic checker in evals/metrics.py is the gate. Run with
``python -m assistant eval --judge`` when MISSION_DESK_LLM names a chat model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.chain import build_chain
from assistant.prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def make_judge(llm: BaseChatModel) -> Callable[[str, str], bool]:
    """A function (statement, cited text) -> whether the judge says the text supports the statement."""
    chain = build_chain(llm, load_prompt("eval_judge"))

    def judge(statement: str, passages: str) -> bool:
        reply = chain.invoke({"statement": statement, "passages": passages})
        return reply.strip().strip("*\"'.").lower().startswith("yes")

    return judge
