"""Evidence library page: what is indexed, uploading documents to ingest, removing user documents."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import streamlit as st

from assistant import SUPPORTED_TYPES as SUPPORTED
from assistant import Assistant, IngestReport, SourceStatus, size_problem
from assistant.errors import MissionDeskError
from ingest.fetch import main_lines
from ui import state
from ui.render import escape, link

UPLOAD_TYPES = [s.lstrip(".") for s in SUPPORTED]


class Upload(Protocol):
    """What the handler needs of an uploaded file (st.file_uploader's UploadedFile has it)."""

    @property
    def name(self) -> str: ...

    @property
    def size(self) -> int: ...

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True)
class HeldUpload:
    """An upload held back until the user says whether it replaces the library's document of the same name."""

    name: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def getvalue(self) -> bytes:
        return self.data


@dataclass
class UploadResult:
    """What one upload did: files refused before ingest, files held back (a document of that name is already in
    the library, with other contents: the page asks), the ingest report, or why ingest failed."""

    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    held: list[HeldUpload] = field(default_factory=list)
    report: IngestReport | None = None
    error: str = ""

    @property
    def problems(self) -> list[tuple[str, str]]:
        skipped = [(Path(s.path).name, s.reason) for s in (self.report.skipped if self.report else [])]
        return self.refused + skipped


def check_upload(upload: Upload, max_bytes: int) -> str | None:
    """Why an upload is refused before ingest (type or size), or None."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUPPORTED:
        return f"unsupported file type '{suffix or '(none)'}': upload PDF, Word, HTML, Markdown or text ({', '.join(SUPPORTED)})"
    return size_problem(upload.size, max_bytes)


def ingest_uploads(
    a: Assistant, uploads: Sequence[Upload], progress: Callable[[int, int, str], None] | None = None, *,
    replace: bool = False, user: str | None = None,
) -> UploadResult:
    """Check each upload, save the acceptable ones to a temporary folder and ingest them.

    A file that cannot be read is reported in ``IngestReport.skipped`` and never reaches the index;
    everything already indexed stays as it was. Unless ``replace``, an upload whose name a different document in
    the library already has is held back (``UploadResult.held``) for the user to decide.
    """
    result = UploadResult()
    with tempfile.TemporaryDirectory(prefix="mission-desk-upload-") as tmp:
        paths = []
        for upload in uploads:
            reason = check_upload(upload, a.settings.max_upload_bytes)
            if reason:
                result.refused.append((upload.name, reason))
                continue
            # Only the base name is kept: a crafted name cannot write outside the folder.
            name = Path(upload.name).name
            data = upload.getvalue()
            existing = a.library_file(name, user=user)
            if not replace and existing is not None and existing.read_bytes() != data:
                result.held.append(HeldUpload(name, data))
                continue
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(path)
        if not paths:
            return result
        try:
            with state.write_lock():
                result.report = a.ingest(paths, progress=progress, replace=replace, user=user)
        except MissionDeskError as exc:
            result.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the index is rebuilt atomically, so a failure leaves it intact
            result.error = state.report_failure("Ingest", exc)
    return result


def _show_result(result: UploadResult) -> None:
    for name, reason in result.problems:
        st.error(f"**{escape(name)}** was not added: {escape(reason)}", icon=":material/error:")
    if result.error:
        st.error(escape(result.error), icon=":material/error:")
    report = result.report
    if report is not None and report.changed:
        st.success(
            f"Index updated: {report.added} passages added, {report.updated} updated, {report.removed} removed "
            f"({report.chunks_total} in all).", icon=":material/check_circle:",
        )
    elif report is not None and not result.problems:
        st.info("Those documents were already indexed: nothing changed.")
    if result.held:
        state.session().held_uploads = result.held
    if result.problems and not result.error:
        st.caption("Everything already in the library is unchanged.")


def _ask_to_replace(a: Assistant) -> None:
    """Uploads named like a document already in the library wait here until the user replaces or keeps it."""
    session = state.session()
    held: list[HeldUpload] = session.held_uploads
    if not held:
        return
    names = ", ".join(f"**{escape(h.name)}**" for h in held)
    st.warning(
        f"{names} {'is' if len(held) == 1 else 'are'} already in your library with different contents. "
        "Replace the earlier version with the file you just uploaded?", icon=":material/help:",
    )
    replace_col, keep_col = st.columns(2)
    if replace_col.button("Replace", icon=":material/swap_horiz:", key="library-replace"):
        session.held_uploads = []
        session.last_upload = ingest_uploads(a, held, replace=True, user=state.user())
        st.rerun()
    if keep_col.button("Keep the earlier version", key="library-keep"):
        session.held_uploads = []
        session.notices.append(("info", f"Kept the earlier version of {', '.join(h.name for h in held)}."))
        st.rerun()


def _catalogue(a: Assistant) -> None:
    statuses = a.sources(user=state.user())
    rows = [
        {
            "Source": s.record.title,
            "Kind": s.record.kind,
            "Access": _access(s, a),
            "Status": "indexed" if s.indexed else "not indexed",
            "Passages": s.chunks,
            "Citation": s.record.citation,
            "Address": s.record.url or "",
            "Id": s.record.id,
        }
        for s in statuses
    ]
    indexed = sum(1 for s in statuses if s.indexed)
    st.caption(f"{len(statuses)} sources, {indexed} indexed, {sum(s.chunks for s in statuses)} passages.")
    # st.dataframe shows cell text as plain text (never as Markdown or HTML), so titles need no escaping.
    st.dataframe(
        rows, hide_index=True, width="stretch",
        column_config={
            "Address": st.column_config.LinkColumn("Address", validate=r"^https?://"),
            "Passages": st.column_config.NumberColumn("Passages", format="%d"),
        },
    )


def _fetch(a: Assistant) -> None:
    """Download the cited works the evidence notes summarise and index them beside the notes (issue 14)."""
    session = state.session()
    if session.last_fetch:
        st.code("\n".join(session.last_fetch), language=None)
        session.last_fetch = []
    with st.form("fetch-works"):
        st.caption("The evidence notes are our summaries. Fetching downloads the works themselves from the addresses "
                   "above, so answers can quote them; a work behind a paywall or sign-in is reported and skipped.")
        fetch = st.form_submit_button("Fetch the cited works", icon=":material/download:")
    if fetch:
        with st.spinner("Fetching the cited works and indexing them…"):
            results, report = a.fetch_evidence()
        session.last_fetch = [*main_lines(results),
                              f"index: {report.chunks_total} passages, {report.added} added"]
        st.rerun()


def _upload(a: Assistant) -> None:
    session = state.session()
    limit_mb = math.ceil(a.settings.max_upload_bytes / (1024 * 1024))
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            "Add documents (PDF, Word, HTML, Markdown or text)", type=UPLOAD_TYPES, accept_multiple_files=True,
            max_upload_size=limit_mb, key="library-upload",
            help=f"Up to {limit_mb} MB each. Documents are indexed on this server and cited like the report.",
        )
        submitted = st.form_submit_button("Add to library", icon=":material/upload:")
    if submitted and not files:
        st.warning("Choose at least one file first.")
    elif submitted:
        bar = st.progress(0.0, text="Reading documents…")

        def progress(done: int, total: int, stage: str) -> None:
            bar.progress(done / total if total else 1.0, text=f"{stage}: {done} of {total} texts")

        session.last_upload = ingest_uploads(a, files, progress, user=state.user())
        st.rerun()  # so the catalogue above shows what the index now holds


def _access(s: SourceStatus, a: Assistant) -> str:
    """Who may see a source: everyone (the catalogue), only you, or the team (and whose it is)."""
    if not s.owner:
        return "everyone"
    mine = s.owner == (state.user() or a.settings.default_user)
    if not s.shared:
        return "only you"
    return "team (yours)" if mine else f"team (shared by {s.owner})"


def _yours(a: Assistant) -> None:
    """Your own documents: share with the team, make private again, or remove. Others' shared documents are
    listed in the table above; only their owner can change them."""
    me = state.user() or a.settings.default_user
    own = [s for s in a.sources(user=state.user()) if s.record.kind == "user document" and s.owner == me]
    if not own:
        st.caption("No documents of your own yet. What you add is private to you until you share it.")
        return
    titles = {s.record.id: f"{s.record.title} ({s.record.file or s.record.id})" for s in own}
    shared = {s.record.id: s.shared for s in own}
    with st.form("yours"):
        chosen = st.selectbox("One of your documents", list(titles), format_func=titles.__getitem__,
                              key="library-remove")
        share_col, remove_col = st.columns(2)
        # Without sign-in there is one user, who sees everything: sharing would change nothing.
        toggle = state.sign_in_required() and share_col.form_submit_button(
            "Share with the team / make private", icon=":material/group:")
        confirm = remove_col.form_submit_button("Remove", icon=":material/delete:")
    if not chosen or not (toggle or confirm):
        return
    try:
        with state.write_lock():
            if confirm:
                a.remove_source(chosen, user=state.user())
                message = f"Removed {titles[chosen]}."
            else:
                a.share(chosen, shared=not shared[chosen], user=state.user())
                message = f"{titles[chosen]} is now {'private to you' if shared[chosen] else 'shared with the team'}."
    except (KeyError, MissionDeskError) as exc:
        st.error(escape(str(exc.args[0] if isinstance(exc, KeyError) else exc)))
        return
    state.session().notices.append(("success", message))
    st.rerun()


def render() -> None:
    """The evidence library page."""
    a = state.assistant()
    session = state.session()
    st.title("Evidence library")
    for level, message in session.notices:
        (st.success if level == "success" else st.info)(escape(message))
    session.notices.clear()
    report = a.catalogue.get(a.profile.report_id)
    if report is not None:
        st.markdown(f"The report and the works it cites, as indexed here. Report: {link(report.url, report.citation)}")
    _catalogue(a)
    _fetch(a)
    st.subheader("Add documents")
    if session.last_upload is not None:
        _show_result(session.last_upload)
        session.last_upload = None
    _ask_to_replace(a)
    _upload(a)
    st.subheader("Your documents")
    _yours(a)


if __name__ == "__main__":  # run as a page by st.navigation (Streamlit executes pages as __main__)
    render()
