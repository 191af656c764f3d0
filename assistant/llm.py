"""Chat models the user configures ('provider:model'); nothing is built at import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# A provider whose package is missing raises ImportError (kept as ImportError so callers that already
# handle it, such as the app's fall-back to the embedded mode, keep working); the message says what to install.
_INSTALL_HINT = "install it in this environment, or unset MISSION_DESK_LLM to answer in the embedded mode"


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None for the embedded mode.

    'llamacpp:/path/model.gguf' runs a local GGUF through llama-cpp-python (an optional extra);
    any other 'provider:model' goes to the maintained ``langchain`` package's init_chat_model (install the
    provider's package, e.g. langchain-openai, and set its API key in the environment). A spec without a
    provider ('gpt-4o') lets init_chat_model infer it from the model name.
    """
    spec = (settings.llm or "").strip()
    if not spec:
        return None
    provider, sep, model = spec.partition(":")
    if not sep:
        provider, model = "", spec
    if provider == "llamacpp":
        return _llamacpp(spec, model, settings)
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise ImportError(
            f"the chat model {spec!r} needs the 'langchain' package (pip install 'langchain>=1.4,<2'); {_INSTALL_HINT}"
        ) from exc
    try:
        return init_chat_model(model, model_provider=provider or None, temperature=settings.llm_temperature)
    except ImportError as exc:
        raise ImportError(f"the chat model {spec!r} cannot start: {exc}; {_INSTALL_HINT}") from exc
    except AttributeError as exc:
        # langchain 1.x falls back to langchain-community for a missing langchain-ollama, and the community
        # package no longer has ChatOllama: the cause is still the missing provider package.
        package = f"langchain-{provider.replace('_', '-')}" if provider else "the provider's integration package"
        raise ImportError(
            f"the chat model {spec!r} cannot start: it needs {package} (pip install {package}); {_INSTALL_HINT}"
        ) from exc
    except ValueError as exc:
        raise ValueError(f"MISSION_DESK_LLM={spec!r} is not a chat model LangChain knows: {exc}") from exc


def _llamacpp(spec: str, model_path: str, settings: Settings) -> BaseChatModel:
    """A local GGUF model through llama-cpp-python (init_chat_model has no llama.cpp provider)."""
    try:
        from langchain_community.chat_models import ChatLlamaCpp

        return ChatLlamaCpp(model_path=model_path, temperature=settings.llm_temperature, n_ctx=4096, verbose=False)
    except ImportError as exc:
        raise ImportError(
            f"the chat model {spec!r} needs llama-cpp-python (pip install -e '.[local-llm]'): {exc}; {_INSTALL_HINT}"
        ) from exc
