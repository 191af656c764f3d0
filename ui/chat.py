"""Chat page: questions and grounded answers, every citation openable down to the quoted sentence."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import streamlit as st

from assistant import Answer, Assistant
from assistant.errors import MissionDeskError
from ui import state
from ui.render import escape, render_answer


def history(turns: list[state.Turn]) -> list[tuple[str, str]]:
    """Earlier answered turns as (question, answer) pairs for follow-up questions."""
    return [(t.question, t.answer.answer) for t in turns if t.answer is not None and not t.answer.refused]


def _ask_streaming(a: Assistant, question: str, past: list[tuple[str, str]], k: int | None) -> Answer:
    """Ask a chat model, showing its tokens as they arrive, then the verified answer replaces them."""
    tokens: queue.Queue[str | None] = queue.Queue()
    result: dict[str, Answer | BaseException] = {}

    def work() -> None:
        try:
            result["answer"] = a.ask(question, past, k=k, on_token=tokens.put, mode="llm")
        except BaseException as exc:  # noqa: BLE001 - re-raised on the script thread below
            result["error"] = exc
        finally:
            tokens.put(None)

    def drain() -> Iterator[str]:
        while (token := tokens.get()) is not None:
            yield escape(token) if token.strip() else token

    # The model runs on a worker thread; only this (the script) thread touches Streamlit.
    worker = threading.Thread(target=work, name="mission-desk-ask", daemon=True)
    worker.start()
    draft = st.empty()
    with draft.container():
        st.write_stream(drain())
    worker.join()
    draft.empty()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["answer"]  # type: ignore[return-value]


def answer_turn(a: Assistant, turn: state.Turn, past: list[tuple[str, str]], key: str) -> None:
    """Answer a new question in place: streamed text, then citations; errors become a clear message."""
    session = state.session()
    mode = state.answer_mode(a, session.mode)
    try:
        if mode == "llm":
            turn.answer = _ask_streaming(a, turn.question, past, session.k)
            render_answer(turn.answer, a, key=key)
        else:
            with st.spinner("Searching the sources…"):
                turn.answer = a.ask(turn.question, past, k=session.k, mode="embedded")
            render_answer(turn.answer, a, key=key, stream=True)
    except MissionDeskError as exc:  # QuestionError: empty or over-long question
        turn.error = str(exc)
        st.error(escape(turn.error), icon=":material/error:")
    except Exception as exc:  # noqa: BLE001 - a chat model's network or quota error must not end the session
        turn.error = state.report_failure("Answering", exc)
        st.error(escape(turn.error), icon=":material/error:")


def render(a: Assistant | None = None) -> None:
    """The chat page (over the shared Assistant unless one is given)."""
    a = a or state.assistant()
    session = state.session()
    st.title("Ask the evidence")
    st.caption(
        "Answers come only from *The smarter state* (IPPR, 2023), the evidence it cites and your documents. "
        "Open a numbered source to see the quoted sentence in its passage."
    )
    if not session.turns:
        st.markdown("**Try:** " + " · ".join(f"*{escape(q)}*" for q in a.profile.examples))
    if session.turns and st.button("New conversation", icon=":material/restart_alt:"):
        session.turns.clear()
        st.rerun()
    for i, turn in enumerate(session.turns):
        with st.chat_message("user"):
            st.markdown(escape(turn.question))
        with st.chat_message("assistant"):
            if turn.answer is not None:
                render_answer(turn.answer, a, key=f"turn-{i}")
            else:
                st.error(escape(turn.error), icon=":material/error:")

    if prompt := st.chat_input("Ask about the report or its evidence"):
        past = history(session.turns)
        turn = state.Turn(question=prompt)
        with st.chat_message("user"):
            st.markdown(escape(prompt))
        with st.chat_message("assistant"):
            answer_turn(a, turn, past, key=f"turn-{len(session.turns)}")
        session.turns.append(turn)


if __name__ == "__main__":  # run as a page by st.navigation (Streamlit executes pages as __main__)
    render()
