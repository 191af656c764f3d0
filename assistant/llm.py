"""Chat models the user configures ('provider:model'); nothing is built at import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None for the embedded mode.

    'llamacpp:/path/model.gguf' runs a local GGUF through llama-cpp-python (an optional extra);
    any other 'provider:model' goes to LangChain's init_chat_model (install the provider's package,
    e.g. langchain-openai, and set its API key in the environment).
    """
    spec = settings.llm
    if not spec:
        return None
    provider, _, model = spec.partition(":")
    if provider == "llamacpp":
        from langchain_community.chat_models import ChatLlamaCpp

        return ChatLlamaCpp(model_path=model, temperature=settings.llm_temperature, n_ctx=4096, verbose=False)
    from langchain_classic.chat_models import init_chat_model

    return init_chat_model(model, model_provider=provider, temperature=settings.llm_temperature)
