"""Settings page: answer mode and k for this session, and which mode, model and prompt made each answer."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.render import escape

MODE_LABELS = {
    "embedded": "Embedded (extractive: quotes the sources; offline, no key)",
    "llm": "Chat model",
}


def render() -> None:
    """The settings page."""
    a = state.assistant()
    session = state.session()
    st.title("Settings")

    st.subheader("Answer mode")
    configured = a.settings.llm if a.llm is not None else None
    options: list[state.Mode] = ["embedded", "llm"] if configured else ["embedded"]
    labels = {**MODE_LABELS, "llm": f"Chat model: {configured}"}
    mode = st.radio(
        "How answers are written", options, index=options.index(session.mode) if session.mode in options else 0,
        format_func=labels.__getitem__, key="settings-mode",
    )
    session.mode = mode
    if state.llm_problem():
        st.warning(escape(state.llm_problem()), icon=":material/warning:")
    if not configured:
        # Only the variable's name is shown: its value, and any provider key, never reach the page.
        st.caption(
            "No chat model is configured. To offer one, set `MISSION_DESK_LLM` (for example `openai:gpt-4o-mini`) "
            "in the server's environment or in `.streamlit/secrets.toml`, with the provider's API key beside it."
        )
    else:
        st.caption("The model's answer is checked sentence by sentence; unsupported sentences are removed.")

    st.subheader("Retrieval")
    k = st.slider(
        "Passages retrieved per question (k)", 1, 30, value=session.k or a.settings.k, key="settings-k",
        help=f"The server default is {a.settings.k}.",
    )
    session.k = k

    st.subheader("Answers in this session")
    answered = [t for t in session.turns if t.answer is not None]
    if not answered:
        st.caption("No answers yet.")
        return
    st.dataframe(
        [
            {
                "Question": t.question,
                "Mode": t.answer.mode,
                "Model": t.answer.model or "none (extractive)",
                "Prompt version": t.answer.prompt_version,
                "Refused": t.answer.refused,
                "Citations": len(t.answer.citations),
                "Seconds": t.answer.timings.get("total"),
            }
            for t in answered
            if t.answer is not None
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(escape(f"{len(answered)} answer(s); each also shows its mode, model and prompt version under it."))


if __name__ == "__main__":  # run as a page by st.navigation (Streamlit executes pages as __main__)
    render()
