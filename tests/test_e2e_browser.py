"""End to end: `streamlit run app.py` on a free port, driven by Debian's headless Chromium through Playwright."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port, streamlit_server

from assistant import Assistant, Settings
from assistant.settings import PROJECT_ROOT
from assistant.text.markdown import plain_excerpt

if str(PROJECT_ROOT) not in sys.path:  # ui/ sits beside app.py and is not an installed package
    sys.path.insert(0, str(PROJECT_ROOT))

from ui.render import shown_citations  # noqa: E402

pytestmark = pytest.mark.e2e

QUESTION = "What three criteria make up the mission test?"
CONCURRENT = [
    "What three criteria make up the mission test?",
    "What does the 10 year test ask?",
    "What are the three p's of public service reform?",
    "What share of UK employment is in the public sector?",
    "How much of GDP would NHS spending reach without reform?",
]
ANSWER_WAIT_MS = 120_000  # a generous bound for CPU-only machines; the tests assert content, not speed
SCREENSHOT = PROJECT_ROOT / "docs" / "screenshot.png"
MODELS_DIR = PROJECT_ROOT / ".mission-desk" / "models"  # the ONNX export conftest shares between tests


@pytest.fixture(scope="module")
def data_dir(indexed_data_dir: Path) -> Path:
    """The corpus indexed in a private folder, before the server starts, so page loads are quick."""
    return indexed_data_dir


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a free localhost port; yields its address and stops it afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MISSION_DESK_")}
    env.update(
        MISSION_DESK_DATA_DIR=str(data_dir), MISSION_DESK_MODELS_DIR=str(MODELS_DIR),
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
    )
    log_path = tmp_path_factory.mktemp("e2e-server") / "streamlit.log"
    with streamlit_server(PROJECT_ROOT / "app.py", cwd=PROJECT_ROOT, env=env, log_path=log_path, port=port) as url:
        yield url


def _ask(page, url: str, question: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=ANSWER_WAIT_MS)
    box.fill(question)
    box.press("Enter")


def _answered(page):  # type: ignore[no-untyped-def]
    """The assistant message, once its citations (or its refusal's closest material) are shown."""
    message = page.get_by_test_id("stChatMessage").filter(has=page.get_by_test_id("stExpander")).last
    message.get_by_test_id("stCaptionContainer").filter(has_text="mode:").wait_for(timeout=ANSWER_WAIT_MS)
    return message


def _items(answer: str) -> list[str]:
    """An answer's Markdown list items, without their "- "."""
    return [line[2:] for line in answer.splitlines() if line.startswith("- ")]


def _norm(text: str) -> str:
    """Text as compared: white space collapsed, and the report's Markdown bold markers dropped as the app does."""
    return " ".join(re.sub(r"\*\*(.+?)\*\*", r"\1", text).replace("\u00a0", " ").split())


def test_question_citation_opens_to_its_quote_and_screenshot(
    server: str, browser, data_dir: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    expected = Assistant.load(Settings(data_dir=data_dir, models_dir=MODELS_DIR), build_if_missing=False).ask(QUESTION)
    cited = shown_citations(expected)
    assert cited
    items = _items(expected.answer)
    context = browser.new_context(viewport={"width": 1360, "height": 1180}, device_scale_factor=1)
    page = context.new_page()
    _ask(page, server, QUESTION)
    message = _answered(page)
    answer_text = _norm(message.inner_text())
    assert "Affordability" in answer_text
    assert re.search(r"\[\d+\]", answer_text), "the [n] markers are visible"
    bullets = message.get_by_test_id("stMarkdownContainer").first.locator("li")
    assert bullets.count() == len(items) >= 2, "the answer's list items are shown as a real list"
    assert _norm(bullets.first.inner_text()) == _norm(items[0])

    first = cited[1] if len(cited) > 1 else cited[0]
    summary = message.get_by_test_id("stExpander").locator("summary").filter(has_text=f"[{first.n}]").first
    summary.click()
    panel = message.get_by_test_id("stExpander").filter(has_text=f"[{first.n}]").first.get_by_test_id(
        "stExpanderDetails"
    )
    panel.wait_for(timeout=10_000)
    shown = _norm(panel.inner_text())
    excerpt = _norm(plain_excerpt(first.quote))
    assert excerpt in shown, "the quoted sentence is shown"
    assert ("Quote:" in shown) == (first.origin == "quote"), "a quote is introduced as a quote, a note as our summary"
    assert _norm(first.locator) in _norm(summary.inner_text())
    assert "ippr.org" in shown, "the source's address is shown"
    # The quote is marked inside its passage (bold on a highlight), not just repeated above it.
    marked = panel.locator("strong").filter(has_text=excerpt[:40])
    assert marked.count() >= 1

    # Frame the question, the answer and the opened citation. Streamlit keeps a chat pinned to the bottom while
    # content grows (the expander animates open), so scroll until the question stays at the top.
    # A user's wheel scroll releases that pin, as it would for a reader scrolling back up.
    question = page.get_by_test_id("stChatMessage").first
    page.mouse.move(700, 400)
    stable = 0
    for _ in range(30):
        page.mouse.wheel(0, -400)
        question.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        box = question.bounding_box()
        stable = stable + 1 if box is not None and box["y"] < 60 else 0
        if stable >= 3:
            break
    shot = tmp_path / "mission-desk.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
    context.close()


def test_five_concurrent_sessions_all_get_their_own_answers(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    contexts = [browser.new_context(viewport={"width": 1100, "height": 900}) for _ in CONCURRENT]
    try:
        pages = [c.new_page() for c in contexts]
        for page in pages:  # load every session first, then send all five questions at once
            page.goto(server)
            page.get_by_test_id("stChatInputTextArea").wait_for(timeout=ANSWER_WAIT_MS)
        for page, question in zip(pages, CONCURRENT, strict=True):
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(question)
            box.press("Enter")
        for page, question in zip(pages, CONCURRENT, strict=True):
            message = _answered(page)
            assert message.get_by_test_id("stExpander").count() >= 1
            user_messages = page.get_by_test_id("stChatMessage").filter(
                has=page.get_by_test_id("stChatMessageAvatarUser"))
            users = [_norm(u) for u in user_messages.get_by_test_id("stChatMessageContent").all_inner_texts()]
            assert users == [question], "each session shows only its own question"
    finally:
        for c in contexts:
            c.close()


def test_corrupt_pdf_through_the_upload_widget_leaves_the_library_intact(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{server}/library")
        totals = page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"\d+ sources, \d+ indexed"))
        totals.wait_for(timeout=ANSWER_WAIT_MS)
        before = totals.inner_text()
        corrupt = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n%%garbage, no xref, no trailer\n"
        page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(
            {"name": "broken-report.pdf", "mimeType": "application/pdf", "buffer": corrupt}
        )
        page.get_by_test_id("stFileChipName").filter(has_text="broken-report.pdf").wait_for(timeout=30_000)
        page.get_by_role("button", name="Add to library").click()
        error = page.get_by_test_id("stAlertContentError").filter(has_text="broken-report.pdf was not added")
        error.wait_for(timeout=ANSWER_WAIT_MS)
        assert "corrupt or unreadable PDF" in error.inner_text()
        assert totals.inner_text() == before, "the library is unchanged"
    finally:
        context.close()


def test_docx_download_of_a_list_answer_keeps_its_bullets(server: str, browser, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    import io

    from docx import Document

    expected = Assistant.load(Settings(data_dir=data_dir, models_dir=MODELS_DIR), build_if_missing=False).ask(QUESTION)
    items = _items(expected.answer)
    assert len(items) >= 2, "the answer is a list"
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, accept_downloads=True)
    try:
        page = context.new_page()
        _ask(page, server, QUESTION)
        message = _answered(page)
        with page.expect_download(timeout=60_000) as download:
            message.get_by_role("button", name="Download DOCX").click()
        document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
        bullets = [_norm(p.text) for p in document.paragraphs if p.style is not None and p.style.name == "List Bullet"]
        assert bullets[: len(items)] == [_norm(i) for i in items], "each list item is a Word bullet, with its [n]"
        assert not any(p.text.startswith("- ") for p in document.paragraphs), "no literal list markers"
    finally:
        context.close()


SWITCH_QUESTIONS = {  # seconds after asking -> question
    0.3: "What does the 10 year test ask?",
    0.8: "What are the three p's of public service reform?",
    1.5: "What share of UK employment is in the public sector?",
}


@pytest.mark.parametrize("delay", list(SWITCH_QUESTIONS), ids=[f"{d}s" for d in SWITCH_QUESTIONS])
def test_switching_page_mid_answer_keeps_the_question_and_its_answer(
    server: str, browser, delay: float  # type: ignore[no-untyped-def]
) -> None:
    question = SWITCH_QUESTIONS[delay]
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    try:
        page = context.new_page()
        _ask(page, server, question)
        page.wait_for_timeout(int(delay * 1000))
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name="Drafting").click()
        page.wait_for_url(re.compile(r"/drafting$"), timeout=30_000)
        page.get_by_test_id("stHeading").first.wait_for(timeout=30_000)
        nav.get_by_role("link", name="Chat").click()
        message = _answered(page)
        users = page.get_by_test_id("stChatMessage").filter(has=page.get_by_test_id("stChatMessageAvatarUser"))
        assert [_norm(t) for t in users.get_by_test_id("stChatMessageContent").all_inner_texts()] == [question]
        assert message.get_by_test_id("stExpander").count() >= 1, "the answer is shown with its sources"
        assert page.get_by_test_id("stChatMessage").count() == 2, "one question, one answer"
    finally:
        context.close()


def test_new_conversation_and_examples_in_the_browser(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    try:
        page = context.new_page()
        page.goto(server)
        new = page.get_by_role("button", name="New conversation")
        new.wait_for(timeout=ANSWER_WAIT_MS)
        page.get_by_role("button", name=QUESTION).click()
        _answered(page)
        assert new.is_visible(), "still visible after an answer"
        new.click()
        page.get_by_role("button", name=QUESTION).wait_for(timeout=30_000)
        assert page.get_by_test_id("stChatMessage").count() == 0
    finally:
        context.close()
