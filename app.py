"""Mission Desk in the browser: `streamlit run app.py`. A thin shell; the pages live in ui/, behaviour in assistant/."""

from __future__ import annotations

import streamlit as st

from ui import state

st.set_page_config(page_title="Mission Desk", page_icon=":material/policy:", layout="wide")
state.init_session()
state.assistant()  # load (or build) the shared index once per server process, before any page needs it

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
page.run()
