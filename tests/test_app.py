"""The Streamlit pages through AppTest: a real Assistant over a real index in a private data folder."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import BaseModel
from streamlit.testing.v1 import AppTest

from assistant import Answer, Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.export import block_lines, layout
from assistant.prompts import load_prompt
from assistant.settings import PROJECT_ROOT
from assistant.text.markdown import plain_excerpt

# ui/ sits beside app.py and is not an installed package: Streamlit puts app.py's folder on the path, so do we.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from ingest.pipeline import user_source_id  # noqa: E402
from ui.library import check_upload  # noqa: E402
from ui.render import (  # noqa: E402
    cited_numbers,
    docx_bytes,
    escape,
    highlighted,
    quote_span,
    safe_url,
    shown_citations,
)
from ui.settings import MODE_LABELS  # noqa: E402
from ui.state import answer_mode, redact  # noqa: E402

MODELS_DIR = PROJECT_ROOT / ".mission-desk" / "models"  # the ONNX export conftest shares between tests

APP = str(PROJECT_ROOT / "app.py")
FIRST_RUN = 240  # seconds: the first run loads the embedding model (and builds the index if absent)
CORRUPT_PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n%%garbage, no xref, no trailer\n"


def plain(markdown: str) -> str:
    """What a reader sees of Markdown this app wrote: escapes and highlight markup removed."""
    text = re.sub(r":(?:orange-background|blue)\[\*\*(.*?)\*\*\]", r"\1", markdown, flags=re.DOTALL)
    text = re.sub(r":\w+-badge\[(.*?)\]", r"\1", text)
    text = re.sub(r"(?<!\\)\*\*", "", text)
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.replace("  \n", " ").split())


def visible_text(node: object) -> str:
    """All Markdown, captions, warnings and errors under an AppTest node, as a reader sees them."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "warning", "error", "info", "success"):
        parts += [plain(el.value) for el in getattr(node, kind)]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def app_index(indexed_data_dir: Path) -> Path:
    """A data folder with the corpus indexed once for this module's app tests."""
    return indexed_data_dir


@pytest.fixture(scope="module")
def app_assistant(app_index: Path, embeddings: MiniLMEmbeddings) -> Assistant:
    """The facade over the app's index: what the pages should show, asked directly."""
    return Assistant.load(Settings(data_dir=app_index, models_dir=MODELS_DIR), embeddings=embeddings)


def _point_app_at(monkeypatch: pytest.MonkeyPatch, data: Path) -> None:
    # After conftest's autouse fixture has cleared MISSION_DESK_*: the app reads its settings from here.
    monkeypatch.setenv("MISSION_DESK_DATA_DIR", str(data))
    monkeypatch.setenv("MISSION_DESK_MODELS_DIR", str(MODELS_DIR))


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, app_index: Path) -> AppTest:
    """The app, run once, over the shared read-only index."""
    _point_app_at(monkeypatch, app_index)
    return AppTest.from_file(APP, default_timeout=60).run(timeout=FIRST_RUN)


@pytest.fixture
def own_app(monkeypatch: pytest.MonkeyPatch, app_index: Path, tmp_path: Path) -> Iterator[tuple[AppTest, Path]]:
    """The app over a private copy of the index, for tests that change the library."""
    data = tmp_path / "data"
    shutil.copytree(app_index, data)
    _point_app_at(monkeypatch, data)
    yield AppTest.from_file(APP, default_timeout=60).run(timeout=FIRST_RUN), data


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def assistant_messages(at: AppTest) -> list:
    return [m for m in at.chat_message if m.name == "assistant"]


# -- chat ------------------------------------------------------------------------------------
def test_chat_answer_shows_citations_with_visible_quotes(app: AppTest) -> None:
    ask(app, "What three criteria make up the mission test?")
    assert not app.exception
    [message] = assistant_messages(app)
    answer = visible_text(message)
    assert "Affordability" in answer
    assert re.search(r"\[\d+\]", answer), "the [n] markers are visible"
    expanders = [e for e in message.expander if re.match(r"\\\[\d+\\\]", e.label)]
    assert expanders, "each citation opens in an expander"
    for expander in expanders:
        shown = visible_text(expander)
        intro = plain(expander.markdown[0].value)
        assert intro.startswith(("Quote: “", "Evidence note (our summary of ")), "every excerpt says what it is"
        quote = intro.split("  \n")[0].split(": ", 1)[1].strip("“”") if intro.startswith("Quote") else ""
        assert not quote or shown.count(quote) >= 2, "the quote is shown, and again highlighted inside its passage"
        assert "Source:" in shown and "Where:" in shown
        assert "ippr.org" in shown, "the source's address is shown"
    highlighted_quotes = [m.value for e in expanders for m in e.markdown if ":orange-background[" in m.value]
    assert highlighted_quotes, "quotes are highlighted inside their passages"
    assert "mode: embedded" in visible_text(message)
    assert {b.label for b in message.get("download_button")} >= {"Download Markdown", "Download DOCX"}


def test_answer_downloads_carry_the_answer_and_its_references(app_assistant: Assistant) -> None:
    import io

    from docx import Document

    from assistant.export import to_markdown

    answer = app_assistant.ask("What three criteria make up the mission test?")
    document = Document(io.BytesIO(docx_bytes(answer)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Affordability" in text and "References" in text
    assert answer.citations[0].citation in text
    markdown = to_markdown(answer)
    assert "Affordability" in markdown and "## References" in markdown


def test_citation_of_report_claim_shows_the_evidence_behind_it(app: AppTest) -> None:
    ask(app, "How many experiments did Deci and colleagues replicate?")
    assert not app.exception
    [message] = assistant_messages(app)
    evidence = [e for e in message.expander if "Evidence the report cites here" in visible_text(e)]
    if not evidence:  # the answer may quote the evidence note itself rather than the report citing it
        assert any("Deci" in e.label for e in message.expander)
        ask(app, "What does the report say about Deci et al 1999 and intrinsic motivation?")
        evidence = [e for e in assistant_messages(app)[-1].expander if "Evidence the report cites here" in visible_text(e)]
    assert evidence, "a report passage citing a work lists that work"
    assert "Deci" in visible_text(evidence[0])


def test_refusal_shows_closest_material(app: AppTest) -> None:
    ask(app, "What is the population of Lima, the capital of Peru?")
    assert not app.exception
    [message] = assistant_messages(app)
    assert "don't cover this question" in visible_text(message)
    assert "Closest material" in visible_text(message)
    assert message.expander, "the closest passages open like citations"


def test_history_is_kept_per_session_and_follow_ups_work(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    ask(app, "What three criteria make up the mission test?")
    ask(app, "What does the 10 year test ask?")
    assert not app.exception
    assert [m.name for m in app.chat_message] == ["user", "assistant", "user", "assistant"]
    assert "longer term" in visible_text(assistant_messages(app)[1])
    fresh = AppTest.from_file(APP, default_timeout=60).run(timeout=FIRST_RUN)
    assert not fresh.chat_message, "another browser session starts with an empty chat"


def test_over_long_question_is_refused_with_a_clear_message(app: AppTest) -> None:
    ask(app, "Why? " * 1000)
    assert not app.exception
    assert "the limit is 2,000" in " ".join(plain(e.value) for e in app.error)


def test_document_text_is_escaped() -> None:
    nasty = "<script>alert(1)</script> $x$ :red[boom] **bold** [a](javascript:alert(1))"
    escaped = escape(nasty)
    assert plain(escaped) == nasty
    for raw in ("<script>", "$x$", ":red[", "**bold**", "](javascript"):
        assert raw not in escaped
    marked = highlighted("Before. <b>Quoted</b> sentence. After.", "<b>Quoted</b> sentence.")
    assert ":orange-background[**\\<b\\>Quoted\\<\\/b\\> sentence\\.**]" in marked
    assert quote_span("a  b\nc", "a b c") == (0, 6)
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://example.org/a (b)") == "https://example.org/a%20%28b%29"


# -- drafting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DraftCase:
    id: str
    method: str
    fill: Callable[[AppTest], None]
    submit: str
    expected: Callable[[Assistant], BaseModel]


DRAFTS = [
    DraftCase("metrics", "draft_metrics", lambda at: at.selectbox(key="metrics-mission").set_value("Health"),
              "Draft metrics", lambda a: a.draft_metrics("Health")),
    DraftCase("mission_test", "draft_mission_test",
              lambda at: at.text_area(key="mission-test-text").set_value(
                  "Spend £2bn over ten years on community health centres that prevent hospital admissions, "
                  "funded within the departmental spending limit."),
              "Assess proposal",
              lambda a: a.draft_mission_test(
                  "Spend £2bn over ten years on community health centres that prevent hospital admissions, "
                  "funded within the departmental spending limit.")),
    DraftCase("briefing", "draft_briefing",
              lambda at: (at.selectbox(key="briefing-council").set_value("Safety"),
                          at.text_input(key="briefing-topic").set_value("shifting spending towards prevention")),
              "Draft briefing note", lambda a: a.draft_briefing("Safety", "shifting spending towards prevention")),
    DraftCase("claim", "check",
              lambda at: at.text_area(key="claim-text").set_value(
                  "Public sector productivity grew by 0.7 per cent a year between 2010 and 2019."),
              "Check claim",
              lambda a: a.check("Public sector productivity grew by 0.7 per cent a year between 2010 and 2019.")),
]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"\*\*(.+?)\*\*", r"\1", text).split())


@pytest.mark.parametrize("case", DRAFTS, ids=[c.id for c in DRAFTS])
def test_each_drafting_form_shows_its_draft(app: AppTest, case: DraftCase, app_assistant: Assistant) -> None:
    if not hasattr(Assistant, case.method):
        pytest.skip(f"the drafting API (Assistant.{case.method}) is not in this tree yet")
    app.switch_page("ui/drafting.py").run()
    assert not app.exception
    case.fill(app)
    next(b for b in app.button if b.label == case.submit).click()
    app.run(timeout=180)
    assert not app.exception
    assert not app.error, [e.value for e in app.error]
    page = _norm(visible_text(app.main) + "\n" + "\n".join(plain(s.value) for s in app.subheader)).lower()
    # The same request to the facade gives the same draft (embedded mode is deterministic). The page shows
    # its export layout line by line: exactly what the Markdown and DOCX downloads carry.
    doc = layout(case.expected(app_assistant))
    expected = [_norm(line).lower() for line in block_lines(doc)]
    assert len(expected) > 5
    missing = [line for line in expected if line not in page]
    assert not missing, f"lines of the download not shown on screen: {missing[:5]}"
    raw = "\n".join(m.value for m in app.main.markdown)
    for b in doc.blocks:
        if b.badge:
            assert f"-badge[{escape(b.badge)}]" in raw, f"rating {b.badge!r} is shown as a coloured badge"
    labels = {b.label for b in app.get("download_button")}
    assert {"Download Markdown", "Download DOCX", "Download JSON"} <= labels


# -- evidence library ------------------------------------------------------------------------
def _library_totals(at: AppTest) -> str:
    return next(c.value for c in at.caption if re.match(r"\d+ sources, \d+ indexed, \d+ passages", c.value))


def test_library_lists_sources_with_status_and_passages(app: AppTest) -> None:
    app.switch_page("ui/library.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 12
    assert set(table["Status"]) == {"indexed"}
    assert (table["Passages"] > 0).all()
    assert "smarter-state-2023" in set(table["Id"])


def test_corrupt_pdf_upload_shows_error_and_library_stays_intact(own_app: tuple[AppTest, Path]) -> None:
    at, data = own_app
    at.switch_page("ui/library.py").run()
    before = _library_totals(at)
    at.file_uploader(key="library-upload").set_value(("broken-report.pdf", CORRUPT_PDF, "application/pdf"))
    next(b for b in at.button if b.label == "Add to library").click()
    at.run(timeout=120)
    assert not at.exception
    errors = " ".join(plain(e.value) for e in at.error)
    assert "broken-report.pdf was not added: corrupt or unreadable PDF" in errors, errors
    assert _library_totals(at) == before
    fresh = Assistant.load(Settings(data_dir=data, models_dir=MODELS_DIR), build_if_missing=False)
    assert before.startswith(f"{len(fresh.sources())} sources")
    assert not list((data / "user").glob("*.pdf")), "the unreadable file is not kept"


def test_upload_ingests_good_files_reports_bad_ones_and_removes(own_app: tuple[AppTest, Path]) -> None:
    at, data = own_app
    at.switch_page("ui/library.py").run()
    note = (
        b"# Prevention pilots in Leeds\n\nThe Leeds pilot moved 4 per cent of acute spending into community "
        b"prevention teams over three years, and emergency admissions fell by 6 per cent.\n"
    )
    at.file_uploader(key="library-upload").set_value(
        [("leeds-pilot.md", note, "text/markdown"), ("broken-report.pdf", CORRUPT_PDF, "application/pdf")]
    )
    next(b for b in at.button if b.label == "Add to library").click()
    at.run(timeout=180)
    assert not at.exception
    errors = " ".join(plain(e.value) for e in at.error)
    assert "broken-report.pdf was not added" in errors and "leeds-pilot.md" not in errors
    assert any("Index updated" in s.value for s in at.success)
    table = at.dataframe[0].value
    row = table[table["Id"] == user_source_id("leeds-pilot.md")]
    assert len(row) == 1 and row["Passages"].iloc[0] >= 1 and row["Kind"].iloc[0] == "user document"

    at.switch_page("ui/chat.py").run()
    ask(at, "How much did emergency admissions fall in the Leeds pilot?")
    assert "6 per cent" in visible_text(assistant_messages(at)[0])

    at.switch_page("ui/library.py").run()
    at.selectbox(key="library-remove").set_value(user_source_id("leeds-pilot.md"))
    next(b for b in at.button if b.label == "Remove").click()
    at.run(timeout=120)
    assert not at.exception
    assert user_source_id("leeds-pilot.md") not in set(at.dataframe[0].value["Id"])
    assert any("Removed" in s.value for s in at.success)


def test_uploading_a_taken_name_asks_before_replacing(own_app: tuple[AppTest, Path]) -> None:
    """Issue 13: re-uploading a name replaced the earlier version without a word; now the page asks."""
    at, data = own_app
    at.switch_page("ui/library.py").run()

    def upload(text: bytes) -> None:
        at.file_uploader(key="library-upload").set_value([("depot.md", text, "text/markdown")])
        next(b for b in at.button if b.label == "Add to library").click()
        at.run(timeout=180)
        assert not at.exception

    upload(b"# Depot\n\nThe tram depot opens at six in the morning.\n")
    upload(b"# Depot\n\nThe tram depot opens at nine in the morning.\n")
    warning = " ".join(plain(w.value) for w in at.warning)
    assert "depot.md is already in your library with different contents" in warning, warning
    assert "six" in (data / "user" / "depot.md").read_text()

    next(b for b in at.button if b.label == "Keep the earlier version").click()
    at.run(timeout=60)
    assert "six" in (data / "user" / "depot.md").read_text() and not at.warning
    assert any("Kept the earlier version of depot.md" in plain(i.value) for i in at.info)

    upload(b"# Depot\n\nThe tram depot opens at nine in the morning.\n")
    next(b for b in at.button if b.label == "Replace").click()
    at.run(timeout=180)
    assert not at.exception and not at.warning
    assert "nine" in (data / "user" / "depot.md").read_text()
    assert any("Index updated" in s.value for s in at.success)


@dataclass(frozen=True)
class FakeUpload:
    """A stand-in for st.file_uploader's result with just the fields the size and type check reads."""

    name: str
    size: int

    def getvalue(self) -> bytes:
        return b"x" * self.size


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (FakeUpload("huge.pdf", 21 * 1024 * 1024), "too large (21.0 MB; the limit is 20 MB)"),
        (FakeUpload("slides.pptx", 100), "unsupported file type '.pptx'"),
        (FakeUpload("empty.txt", 0), "empty file"),
    ],
    ids=["too-large", "wrong-type", "empty"],
)
def test_upload_limits_give_clear_reasons(upload: FakeUpload, reason: str) -> None:
    found = check_upload(upload, Settings().max_upload_bytes)
    assert found is not None and found.startswith(reason)


def test_good_upload_is_accepted_by_the_checks() -> None:
    assert check_upload(FakeUpload("notes.md", 100), Settings().max_upload_bytes) is None


# -- settings --------------------------------------------------------------------------------
def test_settings_show_mode_k_and_each_answers_provenance(app: AppTest, app_assistant: Assistant) -> None:
    ask(app, "What are the three p's of public service reform?")
    app.switch_page("ui/settings.py").run()
    assert not app.exception
    assert app.radio(key="settings-mode").value == "embedded"
    assert app.radio(key="settings-mode").options == ["Embedded (extractive: quotes the sources; offline, no key)"]
    assert any("MISSION_DESK_LLM" in c.value for c in app.caption)
    log = app.dataframe[0].value
    assert list(log["Mode"]) == ["embedded"]
    assert list(log["Prompt version"]) == [app_assistant.embedded_version]

    question = "What share of UK employment is in the public sector?"
    app.slider(key="settings-k").set_value(2).run()
    app.switch_page("ui/chat.py").run()
    ask(app, question)
    assert not app.exception
    message = assistant_messages(app)[-1]
    passages = {plain(e.markdown[1].value) for e in message.expander}
    assert 1 <= len(passages) <= 2, "the answer quotes from the k=2 passages retrieved"
    assert plain(message.markdown[0].value) == " ".join(app_assistant.ask(question, k=2).answer.split())


def test_chat_model_from_secrets_that_cannot_start_falls_back_without_showing_keys(
    monkeypatch: pytest.MonkeyPatch, app_index: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # No provider package is installed here, so the configured model cannot start: the app must say so,
    # keep answering in the embedded mode, and never print the provider key it was given.
    _point_app_at(monkeypatch, app_index)
    secret = "sk-test-0123456789abcdefghijklmnop"
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["MISSION_DESK_LLM"] = "ollama:llama3.1"
    at.secrets["OPENAI_API_KEY"] = secret
    at.run(timeout=FIRST_RUN)
    at.switch_page("ui/settings.py").run()
    assert not at.exception
    warning = " ".join(plain(w.value) for w in at.warning)
    assert "Starting the chat model ollama:llama3.1 failed (ImportError)" in warning
    assert at.radio(key="settings-mode").options == [MODE_LABELS["embedded"]]
    at.switch_page("ui/chat.py").run()
    ask(at, "What three criteria make up the mission test?")
    assert "mode: embedded" in visible_text(assistant_messages(at)[0])
    assert secret not in str(at.main) + str(at.sidebar) and secret not in caplog.text


def test_redact_masks_key_like_strings() -> None:
    message = "Incorrect API key provided: sk-proj-abcdEFGH1234ijklMNOP5678. Bearer abcdefgh12345678"
    assert "abcdEFGH1234" not in redact(message) and "abcdefgh12345678" not in redact(message)
    assert redact("ImportError: install langchain-ollama") == "ImportError: install langchain-ollama"


@pytest.fixture
def scripted_llm_assistant(make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings) -> Assistant:
    """An Assistant whose chat model is scripted: for the plumbing of the LLM mode only."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    reply = "The mission test asks whether spending is affordable, mission critical and passes a 10 year test [1]."
    llm = GenericFakeChatModel(messages=iter([AIMessage(content=reply)] * 10))
    return Assistant.load(make_settings(llm="scripted:test"), embeddings=embeddings, llm=llm)


SCRIPTED_CHAT = """
import streamlit as st

from ui import chat, state


@st.cache_resource
def scripted(data_dir: str, models_dir: str):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from assistant import Assistant, Settings

    reply = ("Affordability asks whether the spending ensures the government can meet its fiscal rule and "
             "departmental spending limits [1].")
    llm = GenericFakeChatModel(messages=iter([AIMessage(content=reply)] * 20))
    return Assistant.load(Settings(data_dir=data_dir, models_dir=models_dir, llm="scripted:test"), llm=llm)


state.init_session()
state.session().mode = "llm"
chat.render(scripted(DATA, MODELS))
"""


def test_llm_mode_streams_then_shows_the_verified_answer(app_index: Path) -> None:
    # A scripted chat model: this tests the page's streaming plumbing, not any model's answers.
    script = SCRIPTED_CHAT.replace("DATA", repr(str(app_index))).replace("MODELS", repr(str(MODELS_DIR)))
    at = AppTest.from_string(script, default_timeout=60).run(timeout=FIRST_RUN)
    ask(at, "What three criteria make up the mission test?")
    assert not at.exception
    [message] = assistant_messages(at)
    text = visible_text(message)
    assert "mode: llm · model: scripted:test · prompt: " + load_prompt("answer").version in text
    answers = [m.value for m in message.markdown if m.value.startswith("Affordability asks")]
    assert len(answers) == 1, "the streamed draft is replaced by the verified answer, not shown twice"
    assert message.expander, "the model's [1] opens to its passage"


def test_embedded_mode_view_of_an_llm_assistant(scripted_llm_assistant: Assistant) -> None:
    question = "What three criteria make up the mission test?"
    embedded = scripted_llm_assistant.ask(question, mode=answer_mode(scripted_llm_assistant, "embedded"))
    assert embedded.mode == "embedded" and embedded.model is None and embedded.citations
    assert answer_mode(scripted_llm_assistant, "llm") == "llm"
    assert scripted_llm_assistant.llm is not None, "the shared Assistant keeps its chat model"


# -- the chat page: honest labels, Markdown answers, previews, examples, new conversation (issue 10) --------
LIST_QUESTION = "What three criteria make up the mission test?"
NOTE_QUESTIONS = [  # the first whose answer cites one of our evidence notes is used
    "What did Van Ark find about public sector productivity?",
    "How much of public sector productivity growth came from improvements in the quality of services?",
    "How many experiments did Deci and colleagues replicate?",
    "What did the Health Foundation warn about cost savings?",
]


def _as_list(answer: Answer) -> Answer:
    """An answer as the composer's Markdown list ("- " items, each ending with its marker), if it is not one."""
    if answer.refused or re.search(r"(?m)^- ", answer.answer):
        return answer
    items = [s.strip() for s in re.split(r"(?<=\])[.?!]?\s+", answer.answer) if s.strip()]
    return answer.model_copy(update={"answer": "\n".join(f"- {item}" for item in items)})


@pytest.fixture
def list_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers are lists in the app (AppTest runs it in this process): the composer's own list when it writes
    one for the question, otherwise its sentences laid out as one, so the page's list rendering is tested."""
    ask_facade = Assistant.ask

    def ask_listing(self: Assistant, question: str, *args: object, **kwargs: object) -> Answer:
        return _as_list(ask_facade(self, question, *args, **kwargs))  # type: ignore[arg-type]

    monkeypatch.setattr(Assistant, "ask", ask_listing)


def blocks_of(node: object, kind: str) -> list:
    """Every block of a type (e.g. "popover") under an AppTest node."""
    found = []
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", None) == kind:
            found.append(child)
        found += blocks_of(child, kind)
    return found


def _numbered(expanders: list, n: int):  # type: ignore[no-untyped-def]
    return next(e for e in expanders if plain(e.label).startswith(f"[{n}] "))


def test_evidence_note_is_labelled_as_our_summary_with_its_basis(app: AppTest, app_assistant: Assistant) -> None:
    answers = [(q, app_assistant.ask(q)) for q in NOTE_QUESTIONS]
    question, answer = next(
        ((q, a) for q, a in answers if any(c.origin == "evidence note" for c in shown_citations(a))), (None, None)
    )
    assert question and answer, "one of the questions is answered from an evidence note"
    ask(app, question)
    assert not app.exception
    [message] = assistant_messages(app)
    for c in shown_citations(answer):
        expander = _numbered(list(message.expander), c.n)
        intro = plain(expander.markdown[0].value)
        everything = visible_text(expander)
        if c.origin == "evidence note":
            assert intro.startswith(f"{c.label}: "), intro
            assert c.basis and f"Note written from: {c.basis}" in intro, "the note's basis is shown"
            assert "Quote" not in everything, "our summary is never presented as the work's quoted words"
            assert "evidence note" in plain(expander.label)
        else:
            assert intro.startswith("Quote: “"), intro
    notes = [c for c in shown_citations(answer) if c.origin == "evidence note"]
    previews = {plain(p.proto.popover.label): visible_text(p) for p in blocks_of(message, "popover")}
    for c in notes:
        assert c.label in previews[f"[{c.n}]"] and "Quote" not in previews[f"[{c.n}]"]


def test_list_answer_is_rendered_as_bullets_with_its_markers(app: AppTest, list_answers: None) -> None:
    ask(app, LIST_QUESTION)
    assert not app.exception
    [message] = assistant_messages(app)
    turn = app.session_state["mission_desk"].turns[0]
    items = [line[2:] for line in turn.answer.answer.splitlines() if line.startswith("- ")]
    assert len(items) >= 2, "the answer is a list"
    body = message.markdown[0].value
    bullets = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(bullets) == len(items), "each list item is a real Markdown bullet (not an escaped '\\-')"
    assert [plain(b[2:]) for b in bullets] == [" ".join(i.split()) for i in items]
    assert all(re.search(r":blue\[\*\*\\\[\d+\\\]\*\*\]", b) for b in bullets), "each item keeps its [n] marker"
    assert "\\-" not in "".join(b[:3] for b in bullets)


def test_each_marker_previews_its_excerpt_and_sources_list_only_what_is_cited(app: AppTest) -> None:
    ask(app, LIST_QUESTION)
    [message] = assistant_messages(app)
    answer = app.session_state["mission_desk"].turns[0].answer
    cited = cited_numbers(answer.answer)
    assert cited
    listed = sorted(int(re.match(r"\[(\d+)\]", plain(e.label)).group(1)) for e in message.expander)  # type: ignore[union-attr]
    assert listed == sorted(cited), "the sources list shows exactly the citations the answer cites"
    previews = {plain(p.proto.popover.label): p for p in blocks_of(message, "popover")}
    assert list(previews) == [f"[{n}]" for n in cited], "each [n] of the answer opens in place"
    by_n = {c.n: c for c in answer.citations}
    for n in cited:
        shown = visible_text(previews[f"[{n}]"])
        assert plain_excerpt(by_n[n].quote) in shown
    # Passages show the source's Markdown as a reader sees it, never as syntax.
    for expander in message.expander:
        passage = expander.markdown[1].value
        assert not re.search(r"(?m)^\s*\\[-#*+]\s", passage), "no list or heading markers shown as syntax"
        assert "\\*\\*" not in passage, "no literal bold markers"


def test_example_question_buttons_ask_it(app: AppTest, app_assistant: Assistant) -> None:
    example = app_assistant.profile.examples[0]
    next(b for b in app.button if b.label == example).click().run()
    assert not app.exception
    assert [m.name for m in app.chat_message] == ["user", "assistant"]
    assert plain(app.chat_message[0].markdown[0].value) == example
    assert assistant_messages(app)[0].expander, "the example is answered with its sources"
    assert not any(b.label == example for b in app.button), "the examples make way for the conversation"


def test_new_conversation_is_visible_before_and_after_an_answer(app: AppTest) -> None:
    def new_conversation():  # type: ignore[no-untyped-def]
        return [b for b in app.button if b.label == "New conversation"]

    assert new_conversation(), "visible before the first question"
    ask(app, LIST_QUESTION)
    assert new_conversation() and assistant_messages(app), "visible after an answer"
    new_conversation()[0].click().run()
    assert not app.exception
    assert not app.chat_message, "the conversation is cleared"
    assert new_conversation(), "and the control stays"


@pytest.mark.parametrize("blank", ["   ", "\n\t \n"], ids=["spaces", "newlines-and-tabs"])
def test_whitespace_only_input_is_ignored(app: AppTest, blank: str) -> None:
    ask(app, blank)
    assert not app.exception
    assert not app.chat_message, "no empty bubble"
    assert not app.error
    assert not app.session_state["mission_desk"].turns


def test_source_markdown_in_passages_is_shown_as_text_and_stays_escaped() -> None:
    passage = "# A heading <b>\n\n- **Bold:** first item :red[x].\n- Second $y$ item.\nPlain line."
    marked = highlighted(passage, "- **Bold:** first item :red[x].")
    assert marked.startswith("**A heading \\<b\\>**\n\n"), "a heading becomes a bold line, not '# '"
    assert "• :orange-background[**Bold\\: first item \\:red\\[x\\]\\.**]" in marked, "the quoted item, highlighted"
    assert "  \n• Second \\$y\\$ item\\.  \nPlain line\\." in marked
    assert "**Bold" not in marked.replace("[**Bold", "")
    assert plain_excerpt("- **Bold:** first item.\n- Second.") == "Bold: first item. • Second."
