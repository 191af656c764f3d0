"""The Streamlit workspace: one module per page, shared state and rendering; all behaviour is in ``assistant``."""
