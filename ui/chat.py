"""Chat page: questions and grounded answers, every citation openable down to the quoted sentence.

A question is recorded as a turn of the session before it is answered, and answered on a worker thread:
switching page mid-answer interrupts only the drawing, never the turn, and the chat page shows the answer
(or picks up the wait) when it is shown again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import streamlit as st

from assistant import Assistant
from assistant.errors import MissionDeskError
from ui import state
from ui.render import escape, render_answer

STOPPED = "Answering stopped before it finished: please ask again."


def history(turns: list[state.Turn]) -> list[tuple[str, str]]:
    """Earlier answered turns as (question, answer) pairs for follow-up questions."""
    return [(t.question, t.answer.answer) for t in turns if t.answer is not None and not t.answer.refused]


@dataclass
class Job:
    """An answer being worked out on a worker thread, so it outlives the script run that asked for it."""

    streaming: bool  # a chat model's tokens arrive as they are written
    tokens: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


def start(a: Assistant, turn: state.Turn, past: list[tuple[str, str]], mode: state.Mode, k: int | None) -> Job:
    """Answer ``turn`` on a worker thread; the answer (or the error to show) is written to the turn itself."""
    job = Job(streaming=mode == "llm")
    user = state.user()  # read on the script thread: the worker cannot see this session's sign-in

    def work() -> None:
        try:
            if job.streaming:
                turn.answer = a.ask(turn.question, past, k=k, on_token=job.tokens.append, mode="llm", user=user)
            else:
                turn.answer = a.ask(turn.question, past, k=k, mode="embedded", user=user)
        except MissionDeskError as exc:  # QuestionError: empty or over-long question
            turn.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a chat model's network or quota error must not end the session
            turn.error = state.report_failure("Answering", exc)
        finally:
            job.done.set()

    # Only the script thread touches Streamlit; the worker only computes.
    threading.Thread(target=work, name="mission-desk-ask", daemon=True).start()
    return job


def _tokens(job: Job) -> Iterator[str]:
    """The model's tokens so far and as they arrive (from the first, when a page comes back to the turn)."""
    i = 0
    while True:
        if i < len(job.tokens):
            token = job.tokens[i]
            i += 1
            yield escape(token) if token.strip() else token
        elif job.done.is_set():
            if i >= len(job.tokens):
                return
        else:
            time.sleep(0.02)


def answer_turn(a: Assistant, turn: state.Turn, past: list[tuple[str, str]], key: str) -> None:
    """Answer a recorded turn in place (or wait again for one already being answered): streamed text, then
    citations; errors become a clear message."""
    session = state.session()
    job: Job | None = turn.job
    if job is None:
        job = turn.job = start(a, turn, past, state.answer_mode(a, session.mode), session.k)
    if job.streaming:
        draft = st.empty()
        with draft.container():
            st.write_stream(_tokens(job))
        job.done.wait()
        draft.empty()
    else:
        with st.spinner("Searching the sources…"):
            job.done.wait()
    if turn.answer is not None:
        render_answer(turn.answer, a, key=key, stream=not job.streaming)
    else:
        turn.error = turn.error or STOPPED
        st.error(escape(turn.error), icon=":material/error:")


def ask(question: str) -> None:
    """Record a question as a new turn (whitespace-only input is ignored, like empty input)."""
    if question and question.strip():
        state.session().turns.append(state.Turn(question=question.strip()))


def new_conversation() -> None:
    state.session().turns.clear()


def render(a: Assistant | None = None) -> None:
    """The chat page (over the shared Assistant unless one is given)."""
    a = a or state.assistant()
    session = state.session()
    # The question box and "New conversation" stay pinned at the bottom of the page, before and after answers.
    bar = st.bottom.container(horizontal=True, vertical_alignment="center", key="chat-bar")
    prompt = bar.chat_input("Ask about the report or its evidence", key="chat-input")
    bar.button("New conversation", icon=":material/restart_alt:", key="chat-new", on_click=new_conversation)
    ask(prompt or "")  # recorded before anything is drawn, so a page switch cannot lose it

    st.title("Ask the evidence")
    st.caption(
        "Answers come only from *The smarter state* (IPPR, 2023), the evidence it cites and your documents. "
        "Open a numbered source to see the quoted sentence in its passage."
    )
    if not session.turns:
        st.markdown("**Try one of these:**")
        examples = st.container(horizontal=True, key="chat-examples")
        for i, example in enumerate(a.profile.examples):
            examples.button(example, key=f"chat-example-{i}", icon=":material/help:", on_click=ask, args=(example,))
    for i, turn in enumerate(session.turns):
        with st.chat_message("user"):
            st.markdown(escape(turn.question))
        with st.chat_message("assistant"):
            if turn.answer is not None:
                render_answer(turn.answer, a, key=f"turn-{i}")
            elif turn.error:
                st.error(escape(turn.error), icon=":material/error:")
            else:
                answer_turn(a, turn, history(session.turns[:i]), key=f"turn-{i}")


if __name__ == "__main__":  # run as a page by st.navigation (Streamlit executes pages as __main__)
    render()
