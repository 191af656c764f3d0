"""Sign-in and private documents end to end (issue 14): `streamlit run app.py` with Streamlit's OpenID Connect sign-in
against oidc-provider-mock (a real OpenID provider on loopback), driven by Debian's headless Chromium.

Two advisers, each in their own browser context: Ana uploads a private document; Ben cannot see it in the library
and his question that only it answers is refused; once Ana shares it, Ben's question is answered from it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port, streamlit_server

from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

MODELS_DIR = PROJECT_ROOT / ".mission-desk" / "models"
WAIT_MS = 120_000
ANA, BEN = "ana@team.example", "ben@team.example"
PLAN = "# Northbay plan\n\nNorthbay Council will move £700,000 from acute care into early help for families in 2026.\n"
QUESTION = "How much will Northbay Council move into early help?"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """oidc-provider-mock on a free loopback port: any client id, users chosen on its authorisation form."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def app(
    provider: str, indexed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, chromium: Path
) -> Iterator[str]:
    """The app with sign-in configured (.streamlit/secrets.toml [auth] in its working folder) over a private copy of
    the corpus index."""
    root = tmp_path_factory.mktemp("signin")
    data = root / "data"
    shutil.copytree(indexed_data_dir, data)
    port = free_port()
    (root / ".streamlit").mkdir()
    (root / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-not-used-anywhere-else"\n'
        'client_id = "mission-desk"\nclient_secret = "mission-desk-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MISSION_DESK_")}
    env.update(MISSION_DESK_DATA_DIR=str(data), MISSION_DESK_MODELS_DIR=str(MODELS_DIR), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1")
    with streamlit_server(PROJECT_ROOT / "app.py", cwd=root, env=env, log_path=root / "streamlit.log",
                          host="localhost", port=port) as url:
        yield url


def _signed_in(browser, app: str, user: str):  # type: ignore[no-untyped-def]
    """A new browser context signed in as ``user`` through the provider's form."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.goto(app)
    page.get_by_role("button", name="Sign in").click(timeout=WAIT_MS)
    page.locator("input[name=sub]").fill(user, timeout=WAIT_MS)
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text(f"Signed in as {user}").wait_for(timeout=WAIT_MS)
    return page


def _ask(page, app: str, question: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(app)
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=WAIT_MS)
    box.fill(question)
    box.press("Enter")
    message = page.get_by_test_id("stChatMessage").filter(has=page.get_by_test_id("stExpander")).last
    message.get_by_test_id("stCaptionContainer").filter(has_text="mode:").wait_for(timeout=WAIT_MS)
    return " ".join(message.inner_text().split())


def _library(page, app: str):  # type: ignore[no-untyped-def]
    page.goto(f"{app}/library")
    page.get_by_role("heading", name="Evidence library").wait_for(timeout=WAIT_MS)
    return page


def test_signed_out_visitors_see_only_the_way_in(app: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context().new_page()
    page.goto(app)
    page.get_by_role("button", name="Sign in").wait_for(timeout=WAIT_MS)
    assert page.get_by_test_id("stChatInputTextArea").count() == 0
    assert page.get_by_text("Evidence library").count() == 0
    page.context.close()


def test_a_private_upload_is_refused_to_others_until_shared(  # type: ignore[no-untyped-def]
    app: str, browser, tmp_path: Path
) -> None:
    ana = _signed_in(browser, app, ANA)
    plan = tmp_path / "northbay-plan.md"
    plan.write_text(PLAN, encoding="utf-8")
    _library(ana, app).locator("input[type=file]").set_input_files(str(plan))
    ana.get_by_role("button", name="Add to library").click()
    ana.get_by_text("Index updated").wait_for(timeout=WAIT_MS)
    assert "£700,000" in _ask(ana, app, QUESTION)

    ben = _signed_in(browser, app, BEN)
    assert "northbay-plan.md" not in _library(ben, app).get_by_test_id("stDataFrame").inner_text()
    refused = _ask(ben, app, QUESTION)
    assert "£700,000" not in refused and "don't cover" in refused, refused

    _library(ana, app).get_by_role("button", name="Share with the team / make private").click()
    ana.get_by_text("is now shared with the team").wait_for(timeout=WAIT_MS)

    answered = _ask(ben, app, QUESTION)
    assert "£700,000" in answered, answered
    ana.context.close()
    ben.context.close()
