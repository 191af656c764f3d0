"""The chat-model factory: 'provider:model' goes to the maintained langchain package's init_chat_model, and a
missing provider package is a clear ImportError (no provider package is installed here, so none can start)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import dataclass

import pytest

from assistant.llm import make_chat_model
from assistant.settings import Settings


@dataclass(frozen=True)
class Missing:
    spec: str
    package: str


MISSING = [
    Missing("openai:gpt-4o-mini", "langchain-openai"),
    Missing("anthropic:claude-sonnet-4-5", "langchain-anthropic"),
    Missing("ollama:llama3.1", "langchain-ollama"),  # langchain's fallback to langchain-community fails differently
    Missing("gpt-4o", "langchain-openai"),  # no provider: inferred from the model name
]


@pytest.mark.parametrize("spec", [None, "", "  "], ids=["unset", "empty", "blank"])
def test_no_chat_model_configured_is_the_embedded_mode(spec: str | None) -> None:
    assert make_chat_model(Settings(llm=spec)) is None


@pytest.mark.parametrize("case", MISSING, ids=[c.spec for c in MISSING])
def test_missing_provider_package_says_what_to_install(case: Missing) -> None:
    if importlib.util.find_spec(case.package.replace("-", "_")) is not None:
        pytest.skip(f"{case.package} is installed here")
    with pytest.raises(ImportError) as caught:
        make_chat_model(Settings(llm=case.spec))
    message = str(caught.value)
    assert f"the chat model {case.spec!r}" in message
    assert f"pip install {case.package}" in message
    assert "unset MISSION_DESK_LLM" in message


def test_unknown_provider_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"MISSION_DESK_LLM='nosuch:model' is not a chat model LangChain knows"):
        make_chat_model(Settings(llm="nosuch:model"))


def test_the_deprecated_langchain_classic_entry_point_is_not_used() -> None:
    code = (
        "import sys\nfrom assistant.llm import make_chat_model\nfrom assistant.settings import Settings\n"
        "try:\n    make_chat_model(Settings(llm='openai:gpt-4o-mini'))\nexcept ImportError:\n    pass\n"
        "print('langchain_classic' in sys.modules, 'langchain.chat_models' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "True"], done.stderr
