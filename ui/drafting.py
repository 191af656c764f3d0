"""Drafting page: mission metrics, the mission test, briefing notes and claim checks, each downloadable."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from pydantic import BaseModel

from assistant import Assistant
from assistant.errors import MissionDeskError
from ui import state
from ui.render import downloads, escape, render_draft

if TYPE_CHECKING:
    from streamlit.runtime.uploaded_file_manager import UploadedFile

PROPOSAL_TYPES = ["pdf", "txt", "md", "html"]


def run_draft(name: str, make: Callable[[], BaseModel]) -> None:
    """Run one drafting call and keep its result (or its error) for this session."""
    drafts = state.session().drafts
    try:
        with st.spinner("Drafting from the sources…"):
            drafts[name] = make()
    except MissionDeskError as exc:
        drafts[name] = f"{exc}"
    except Exception as exc:  # noqa: BLE001 - a chat model's network or quota error must not end the session
        drafts[name] = state.report_failure("Drafting", exc)


def show_draft(name: str, a: Assistant) -> None:
    """The last result of a form: its sections, then downloads; or the error it produced."""
    result = state.session().drafts.get(name)
    if result is None:
        return
    if isinstance(result, str):
        st.error(escape(result), icon=":material/error:")
        return
    with st.container(border=True):
        render_draft(result, a)
        downloads(result, key=f"draft-{name}", stem=f"mission-desk-{name}", json=True)


def _metrics(a: Assistant) -> None:
    st.markdown("Candidate metrics for a mission, each with its evidence and the gaps in it.")
    with st.form("metrics"):
        mission = st.selectbox("One of the report's missions", a.profile.missions, key="metrics-mission")
        custom = st.text_input("…or your own mission statement", key="metrics-custom",
                               placeholder="e.g. Every family can afford a secure home")
        go = st.form_submit_button("Draft metrics", icon=":material/query_stats:")
    if go:
        chosen = custom.strip() or mission
        run_draft("metrics", lambda: a.draft_metrics(chosen, user=state.user()))
    show_draft("metrics", a)


def _save_upload(upload: UploadedFile, folder: str) -> Path:
    path = Path(folder) / Path(upload.name).name  # the base name only: a crafted name cannot leave the folder
    path.write_bytes(upload.getvalue())
    return path


def _mission_test(a: Assistant) -> None:
    st.markdown("Rate a spending proposal against the report's mission test: affordability, mission critical, "
                "10-year test.")
    limit_mb = max(1, a.settings.max_upload_bytes // (1024 * 1024))
    with st.form("mission-test"):
        text = st.text_area("Paste the proposal", height=160, key="mission-test-text")
        upload = st.file_uploader("…or upload it", type=PROPOSAL_TYPES, key="mission-test-file",
                                  max_upload_size=limit_mb)
        go = st.form_submit_button("Assess proposal", icon=":material/fact_check:")
    if go and not text.strip() and upload is None:
        st.warning("Paste the proposal or upload a file first.")
    elif go and upload is not None:
        if upload.size > a.settings.max_upload_bytes:
            st.error(f"{escape(upload.name)} is too large (the limit is {limit_mb} MB).")
        else:
            with tempfile.TemporaryDirectory(prefix="mission-desk-proposal-") as tmp:
                path = _save_upload(upload, tmp)
                run_draft("mission_test", lambda: a.draft_mission_test(file=path, user=state.user()))
    elif go:
        run_draft("mission_test", lambda: a.draft_mission_test(text, user=state.user()))
    show_draft("mission_test", a)


def _briefing(a: Assistant) -> None:
    st.markdown("A briefing note for a mission council on a topic, every point cited.")
    with st.form("briefing"):
        council = st.selectbox("Mission council", a.profile.missions, key="briefing-council")
        topic = st.text_input("Topic", placeholder="e.g. shifting spending towards prevention", key="briefing-topic")
        with st.expander("Marking, addressee and sender"):
            marking = st.text_input("Security marking", value=a.settings.drafting.briefing_marking,
                                    key="briefing-marking")
            to = st.text_input("To", placeholder="default: the council's chair", key="briefing-to")
            sender = st.text_input("From", value=a.settings.drafting.briefing_sender, key="briefing-from")
        go = st.form_submit_button("Draft briefing note", icon=":material/description:")
    if go and not topic.strip():
        st.warning("Give the briefing note a topic.")
    elif go:
        run_draft("briefing", lambda: a.draft_briefing(council, topic, user=state.user(), marking=marking.strip() or None,
                                                       to=to.strip() or None, sender=sender.strip() or None))
    show_draft("briefing", a)


def _claim(a: Assistant) -> None:
    st.markdown("Check a claim against the report and its evidence: supported, contradicted or not covered.")
    with st.form("claim"):
        claim = st.text_area("Claim", height=100, key="claim-text",
                             placeholder="e.g. Public sector productivity grew by 0.7 per cent a year in the 2010s")
        go = st.form_submit_button("Check claim", icon=":material/verified:")
    if go and not claim.strip():
        st.warning("Type the claim to check first.")
    elif go:
        run_draft("claim", lambda: a.check(claim, user=state.user()))
    show_draft("claim", a)


def render() -> None:
    """The drafting page."""
    a = state.assistant()
    st.title("Drafting")
    st.caption("Drafts are built from the sources; every point carries its citation. Download them as Markdown, "
               "Word or JSON.")
    tabs = st.tabs(["Mission metrics", "Mission test", "Briefing note", "Claim check"])
    for tab, form in zip(tabs, (_metrics, _mission_test, _briefing, _claim), strict=True):
        with tab:
            form(a)


if __name__ == "__main__":  # run as a page by st.navigation (Streamlit executes pages as __main__)
    render()
