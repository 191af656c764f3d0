"""What the pages share: settings, the one Assistant per server process, per-session state."""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import streamlit as st

from assistant import Answer, Assistant, Settings

log = logging.getLogger("mission_desk.ui")

Mode = Literal["embedded", "llm"]
LLM_SECRET = "MISSION_DESK_LLM"


@dataclass
class Turn:
    """One exchange of the chat: the question and either an answer or an error message.

    A turn is recorded before it is answered, so a question survives the page being switched mid-answer;
    ``job`` is the answer being worked out (ui.chat.Job), which the chat page picks up again when shown.
    """

    question: str
    answer: Answer | None = None
    error: str = ""
    job: Any = field(default=None, repr=False, compare=False)

    @property
    def pending(self) -> bool:
        """Asked but neither answered nor failed yet."""
        return self.answer is None and not self.error


@dataclass
class Session:
    """Everything one browser session keeps between reruns."""

    turns: list[Turn] = field(default_factory=list)
    mode: Mode = "embedded"
    k: int | None = None  # None: the server's configured k
    drafts: dict[str, Any] = field(default_factory=dict)  # form name -> last result
    notices: list[tuple[str, str]] = field(default_factory=list)  # (level, message) shown once by the library page
    last_upload: Any = None  # ui.library.UploadResult, shown once after the rerun that follows an upload
    last_fetch: list[str] = field(default_factory=list)  # the fetch-evidence lines, shown once after its rerun
    held_uploads: list[Any] = field(default_factory=list)  # ui.library.HeldUpload: waiting for "Replace" or "Keep"


def _secret(name: str) -> str | None:
    """A value from Streamlit secrets, or None when there are no secrets at all."""
    if not st.secrets.load_if_toml_exists():  # no secrets.toml is the normal case
        return None
    value = st.secrets.get(name)
    return str(value) if value else None


def sign_in_required() -> bool:
    """Sign-in is on when .streamlit/secrets.toml has an [auth] section (Streamlit's OpenID Connect: st.login);
    without one the app is single-user, every request the default user's."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # noqa: BLE001 - an unreadable secrets file means no sign-in configured, as before
        return False


def user() -> str | None:
    """Who this session acts as: the signed-in user's e-mail (else the provider's subject), or None (the default
    user) in single-user mode. The app shows nothing but the sign-in page until a required sign-in is done."""
    if not sign_in_required():
        return None
    if not st.user.is_logged_in:
        raise PermissionError("not signed in")
    return str(st.user.get("email") or st.user.get("sub"))


def settings() -> Settings:
    """Settings from the environment; the chat model may also come from Streamlit secrets."""
    if os.environ.get(LLM_SECRET):
        return Settings()
    llm = _secret(LLM_SECRET)
    return Settings(llm=llm) if llm else Settings()


@dataclass(frozen=True)
class Loaded:
    assistant: Assistant
    problem: str = ""  # why the configured chat model is not in use, when it is not


@st.cache_resource(show_spinner="Loading the evidence index…")
def _load(settings_json: str) -> Loaded:
    # Keyed by the settings, so a changed configuration (or a test's data folder) gets its own Assistant.
    configured = Settings.model_validate_json(settings_json)
    try:
        return Loaded(Assistant.load(configured))
    except Exception as exc:
        if not configured.llm:
            raise
        # A chat model that cannot start (provider package missing, bad spec) must not take the app down:
        # answer in the embedded mode and say why on the Settings page.
        problem = report_failure(f"Starting the chat model {configured.llm}", exc)
        return Loaded(Assistant.load(configured.model_copy(update={"llm": None})), problem)


def assistant() -> Assistant:
    """The one Assistant this server process shares between all sessions."""
    return _load(settings().model_dump_json()).assistant


def llm_problem() -> str:
    """Why the configured chat model is not in use ('' when it is, or when none is configured)."""
    return _load(settings().model_dump_json()).problem


@st.cache_resource
def write_lock() -> threading.Lock:
    """Serialises ingest and removal across sessions: two concurrent rebuilds would race on the index."""
    return threading.Lock()


def session() -> Session:
    """This browser session's state (created by ``init_session``)."""
    return st.session_state["mission_desk"]


def init_session() -> None:
    """Guard every session key once, before any page runs."""
    if "mission_desk" not in st.session_state:
        st.session_state["mission_desk"] = Session()


def answer_mode(a: Assistant, mode: Mode) -> Mode:
    """The mode to ask in: the session's choice, or embedded when no chat model is configured."""
    return "llm" if mode == "llm" and a.llm is not None else "embedded"


# Provider key shapes ("sk-…", "Bearer …") and any long unbroken token.
_SECRETISH = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}|\bbearer\s+\S{8,}|\b[A-Za-z0-9_\-]{32,}", re.IGNORECASE)


def redact(text: str) -> str:
    """Provider errors can echo part of an API key: mask anything that looks like one."""
    return _SECRETISH.sub("[redacted]", text)


def report_failure(what: str, exc: BaseException) -> str:
    """Log a failure without secrets and return the message to show."""
    log.error("%s failed: %s: %s", what, type(exc).__name__, redact(str(exc))[:300])
    return f"{what} failed ({type(exc).__name__}): {redact(str(exc))[:300]}"
