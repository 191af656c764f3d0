"""Mission Desk in the browser: `streamlit run app.py`. A thin shell; the pages live in ui/, behaviour in assistant/."""

from __future__ import annotations

import streamlit as st

from assistant.errors import IndexUnavailableError
from ui import state
from ui.render import escape

st.set_page_config(page_title="Mission Desk", page_icon=":material/policy:", layout="wide")
if state.sign_in_required() and not st.user.is_logged_in:
    # Signed out: nothing of the library, no upload, no question; only the way in.
    st.title("Mission Desk")
    st.write("Sign in to ask about *The smarter state*, draft, check claims and use your team's library.")
    st.button("Sign in", icon=":material/login:", on_click=st.login, type="primary")
    st.stop()
state.init_session()
try:
    state.assistant()  # load (or build) the shared index once per server process, before any page needs it
except IndexUnavailableError as exc:  # a team's Chroma server restarting: say so; the next page run retries
    st.error(escape(str(exc)), icon=":material/cloud_off:")
    st.button("Retry", icon=":material/refresh:")
    st.stop()

page = st.navigation(
    [
        st.Page("ui/chat.py", title="Chat", icon=":material/forum:", default=True),
        st.Page("ui/drafting.py", title="Drafting", icon=":material/edit_document:"),
        st.Page("ui/check.py", title="Check a draft", icon=":material/fact_check:"),
        st.Page("ui/library.py", title="Evidence library", icon=":material/library_books:"),
        st.Page("ui/settings.py", title="Settings", icon=":material/tune:"),
    ]
)
with st.sidebar:
    st.caption("Mission Desk answers from *The smarter state* (IPPR, 2023) and the evidence it cites.")
    if state.sign_in_required():
        st.caption(f"Signed in as {escape(state.user() or '')}")
        st.button("Sign out", icon=":material/logout:", on_click=st.logout)
page.run()
