"""Check a draft page: paste or upload a draft; every sentence's verdict, why, and the passages on each side."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from assistant import Assistant, DraftCheck, SentenceCheck
from assistant.errors import MissionDeskError
from assistant.export import VERDICT_MARKS, draft_check_summary
from assistant.text.markdown import plain_excerpt
from ui import state
from ui.render import (
    BADGE_COLORS,
    answer_markdown,
    downloads,
    escape,
    excerpt_markdown,
    render_citation,
    render_previews,
)

if TYPE_CHECKING:
    from streamlit.runtime.uploaded_file_manager import UploadedFile

DRAFT_TYPES = ["docx", "pdf", "md", "txt"]
RESULT = "check_draft"  # the key of this page's last result in the session's drafts
# Contradicted sentences are errors to fix; mixed and unsupported ones are warnings to look at.
BOXES = {"contradicted": st.error, "mixed": st.warning, "not enough evidence": st.warning}


def _markers(citations: list) -> str:  # type: ignore[type-arg]
    return "".join(f" :blue[**\\[{c.n}\\]**]" for c in citations)


def _quoted(quote: str, reason: str) -> bool:
    return " ".join(plain_excerpt(quote).split())[:60] in " ".join(plain_excerpt(reason).split())


def _check(a: Assistant, text: str, upload: UploadedFile | None) -> None:
    """Check the uploaded file (or else the pasted text) and keep the result, or its error, for this session."""
    drafts = state.session().drafts
    try:
        with st.spinner("Checking each sentence against the sources…"):
            if upload is None:
                drafts[RESULT] = a.check_draft(text, user=state.user())
                return
            with tempfile.TemporaryDirectory(prefix="mission-desk-draft-") as tmp:
                path = Path(tmp) / Path(upload.name).name  # the base name only: a crafted name cannot leave the folder
                path.write_bytes(upload.getvalue())
                drafts[RESULT] = a.check_draft(file=path, user=state.user())
    except MissionDeskError as exc:
        drafts[RESULT] = f"{exc}"
    except Exception as exc:  # noqa: BLE001 - a chat model's network or quota error must not end the session
        drafts[RESULT] = state.report_failure("Checking the draft", exc)


def _counts(check: DraftCheck) -> None:
    badges = [f":{BADGE_COLORS.get(v, 'gray')}-badge[{n} {escape(v)}]" for v, n in check.counts.items() if n]
    st.markdown(" ".join(badges))
    st.caption(escape(draft_check_summary(check)))


def _flagged(s: SentenceCheck, a: Assistant, key: str) -> None:
    """A sentence to look at: highlighted with why, the sources' figure (or the passage against it), and citations."""
    lines = [f"**{escape(VERDICT_MARKS[s.verdict])}:** {escape(s.sentence)}"]
    if s.reason:
        lines.append(f"**Why:** {answer_markdown(s.reason)}")
    if s.source_figures:
        lines.append(f"**The sources' figure:** {escape('; '.join(s.source_figures))}{_markers(s.contradicting[:1])}")
    elif s.verdict == "contradicted" and s.contradicting and not _quoted(s.contradicting[0].quote, s.reason):
        # No figure to set against the sentence's: the passage that contradicts it, unless the reason quotes it.
        c = s.contradicting[0]
        lines.append(f"**The source:** {excerpt_markdown(c)}{_markers([c])}")
    # The passages on the side of the verdict open in full; a contradicted sentence's passages for it are previews.
    against, side = ("Against it or qualifying it", s.contradicting), ("For it", s.supporting)
    with st.container(border=True):
        BOXES[s.verdict]("\n\n".join(lines))
        for label, citations in (against, side):
            if citations and (s.verdict != "contradicted" or citations is s.contradicting):
                st.caption(escape(label))
                for c in citations:
                    render_citation(c, a)
        if s.verdict == "contradicted" and s.supporting:
            st.caption("For it")
            render_previews(s.supporting, key)


def _supported(s: SentenceCheck, key: str) -> None:
    st.markdown(f":green-badge[{escape(VERDICT_MARKS[s.verdict])}] {escape(s.sentence)}{_markers(s.supporting)}")
    render_previews([*s.supporting, *s.contradicting], key)


def show(check: DraftCheck, a: Assistant) -> None:
    """The draft sentence by sentence, in its own order, then its downloads."""
    _counts(check)
    only = st.toggle("Show only the sentences to look at", key="check-draft-flagged-only")
    for i, s in enumerate(check.sentences):
        if only and not s.flagged:
            continue
        if s.heading:
            st.markdown(f"##### {escape(s.sentence)}")
        elif s.verdict == "not checked":
            st.caption(f"{escape(s.sentence)} — not checked: {escape(s.reason)}")
        elif s.flagged:
            _flagged(s, a, key=f"check-draft-{i}")
        else:
            _supported(s, key=f"check-draft-{i}")
    downloads(check, key="check-draft", stem="mission-desk-draft-check", json=True)
    took = f" · {check.seconds:.1f} s" if check.seconds else ""
    st.caption(escape(f"mode: {check.mode} · model: {check.model or 'none (extractive)'} · "
                      f"stance rules: {check.prompt_version or '—'}{took}"))


def render() -> None:
    """The Check a draft page."""
    a = state.assistant()
    st.title("Check a draft")
    st.caption("Before a submission goes to a minister's office: every sentence is checked against the report and its "
               "evidence. Contradicted and unsupported sentences are highlighted with the reason and the passages on "
               "each side; download the result as Markdown or Word.")
    limit_mb = max(1, a.settings.max_upload_bytes // (1024 * 1024))
    with st.form("check-draft"):
        text = st.text_area("Paste the draft", height=220, key="check-draft-text",
                            placeholder="e.g. Public sector productivity increased by an average of 2.5 per cent a "
                                        "year from 2010 to 2019.")
        upload = st.file_uploader("…or upload it (Word, PDF, Markdown or text)", type=DRAFT_TYPES,
                                  key="check-draft-file", max_upload_size=limit_mb)
        go = st.form_submit_button("Check", icon=":material/fact_check:", type="primary")
    if go and not text.strip() and upload is None:
        st.warning("Paste the draft or upload a file first.")
    elif go and upload is not None and upload.size > a.settings.max_upload_bytes:
        st.error(f"{escape(upload.name)} is too large (the limit is {limit_mb} MB).")
    elif go:
        if upload is not None and text.strip():
            st.info(f"Checked the uploaded file {escape(upload.name)}; remove it to check the pasted text.")
        _check(a, text, upload)
    result = state.session().drafts.get(RESULT)
    if isinstance(result, str):
        st.error(escape(result), icon=":material/error:")
    elif isinstance(result, DraftCheck):
        show(result, a)


if __name__ == "__main__":  # run as a page by st.navigation (Streamlit executes pages as __main__)
    render()
