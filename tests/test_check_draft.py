"""Check a whole draft: the facade on the real index, the CLI as a user runs it, the exports, and the page in a
real browser (streamlit run app.py, driven by Debian's headless Chromium)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import MODELS_DIR

# The browser test shares test_e2e_browser's server and browser fixtures (its data_dir is replaced below).
from test_e2e_browser import ANSWER_WAIT_MS, server  # noqa: F401 - the app server fixture; browser and chromium are in conftest

from assistant import Assistant, DraftCheck
from assistant.__main__ import main
from assistant.drafting.draft_check import MAX_DRAFT_CHARS, split_draft
from assistant.errors import LoaderError, QuestionError
from assistant.export import layout, to_docx, to_markdown
from assistant.settings import PROJECT_ROOT

DRAFT = PROJECT_ROOT / "tests" / "fixtures" / "draft-2-pages.md"
WRONG = "Public sector productivity increased by an average of 2.5 per cent per year from 2010 to 2019."
SOURCE_FIGURE = "0.7 per cent"
PARAGRAPH = (
    "Public sector employment is around 18 per cent of total employment in the UK. " + WRONG
    + " Early intervention leads to better outcomes and can also reduce costs."
)
VERDICTS = {"supported", "contradicted", "mixed", "not enough evidence", "not checked"}


@pytest.fixture(scope="module")
def draft(corpus_assistant: Assistant) -> DraftCheck:
    return corpus_assistant.check_draft(DRAFT.read_text(encoding="utf-8"))


def _by_text(check: DraftCheck) -> dict[str, str]:
    return {s.sentence: s.verdict for s in check.sentences}


def _shows_source_figure(s) -> bool:  # type: ignore[no-untyped-def]
    """The sources' figure is given, or (until the claim check names figures) the passage holding it."""
    return any(SOURCE_FIGURE in f for f in s.source_figures) or any(SOURCE_FIGURE in c.quote for c in s.contradicting)


# -- splitting (no index) -------------------------------------------------------------------------
@dataclass(frozen=True)
class SplitCase:
    id: str
    text: str
    kinds: list[tuple[str, str]]  # (kind, text) in order


SPLITS = [
    SplitCase("markdown-heading-and-sentences", "## Costs\n\nThe scheme costs £2bn. It runs for four years.",
              [("heading", "Costs"), ("sentence", "The scheme costs £2bn."), ("sentence", "It runs for four years.")]),
    SplitCase("title-line-opens-a-paragraph", "Next steps\nOfficials will return with a costed plan in the spring.",
              [("heading", "Next steps"), ("sentence", "Officials will return with a costed plan in the spring.")]),
    SplitCase("wrapped-lines-are-one-sentence",
              "Public sector productivity increased by an average of 0.7 per cent\nper year from 2010 to 2019.",
              [("sentence", "Public sector productivity increased by an average of 0.7 per cent per year from 2010 to 2019.")]),
    SplitCase("list-items-stand-alone", "It sets out three steps:\n- Set missions in law.\n- Create a mission test",
              [("lead-in", "It sets out three steps:"), ("sentence", "Set missions in law."),
               ("sentence", "Create a mission test")]),
    SplitCase("question-and-fragment", "What would it cost?\n\nSee annex.\n\nTargets improve outcomes.",
              [("question", "What would it cost?"), ("fragment", "See annex."), ("sentence", "Targets improve outcomes.")]),
    SplitCase("bold-heading", "**Risks**\n\nVoters support moving NHS resources towards GPs.",
              [("heading", "Risks"), ("sentence", "Voters support moving NHS resources towards GPs.")]),
    SplitCase("a-last-line-without-a-full-stop-is-a-sentence", "Productivity\n\nProductivity rose by 2.5 per cent",
              [("heading", "Productivity"), ("sentence", "Productivity rose by 2.5 per cent")]),
    SplitCase("table-rows-stand-alone", "Mission\tCore metric\nHealth\tLife expectancy and healthy life expectancy",
              [("sentence", "Mission Core metric"), ("sentence", "Health Life expectancy and healthy life expectancy")]),
]


@pytest.mark.parametrize("case", SPLITS, ids=[c.id for c in SPLITS])
def test_draft_is_split_into_the_units_a_reader_checks(case: SplitCase) -> None:
    assert [(p.kind, p.text) for p in split_draft(case.text)] == case.kinds


# -- the facade -----------------------------------------------------------------------------------
def test_two_page_draft_gets_a_verdict_per_sentence(draft: DraftCheck) -> None:
    verdicts = _by_text(draft)
    assert draft.title == "Submission: public service reform and the smarter state"
    assert sum(draft.counts.values()) == len(draft.sentences) and set(draft.counts) == VERDICTS
    assert sum(n for v, n in draft.counts.items() if v != "not checked") >= 35, "a realistic two-page draft"
    assert verdicts[WRONG] == "contradicted"
    assert verdicts["Public sector employment is around 18 per cent of total employment in the UK."] == "supported"
    assert verdicts["Reform on its own, without any extra money, can deliver a better NHS."] == "contradicted"
    assert verdicts["Performance-related pay for nurses reduced NHS staff turnover."] == "not enough evidence"
    assert verdicts["What would a first mission council cost?"] == "not checked"
    assert verdicts["It sets out three steps:"] == "not checked"
    assert verdicts["Prevention"] == "not checked" and next(s for s in draft.sentences if s.sentence == "Prevention").heading
    wrong = next(s for s in draft.sentences if s.sentence == WRONG)
    assert wrong.flagged and wrong.reason and _shows_source_figure(wrong)
    assert all(s.reason for s in draft.sentences), "every verdict says why"


def test_citations_are_numbered_once_across_the_draft(draft: DraftCheck) -> None:
    refs = draft.references()
    assert [c.n for c in refs] == list(range(1, len(refs) + 1))
    assert len({(c.source_id, c.start, c.end) for c in refs}) == len(refs), "one [n] per distinct quote"
    numbers = {c.n for c in refs}
    for s in draft.sentences:
        cited = {c.n for c in [*s.supporting, *s.contradicting]}
        assert {int(n) for n in re.findall(r"\[(\d+)\]", s.reason)} <= cited <= numbers, s


def test_each_sentence_gets_the_verdict_the_claim_check_gives_it(corpus_assistant: Assistant, draft: DraftCheck) -> None:
    # The draft check embeds its sentences in one batch: that must not change any verdict.
    for s in draft.sentences:
        if s.verdict != "not checked":
            assert corpus_assistant.check(s.sentence).verdict == s.verdict, s.sentence


@dataclass(frozen=True)
class Bad:
    id: str
    make: Callable[[Path], dict[str, object]]  # keyword arguments for check_draft
    error: type[Exception]
    words: str


def _docx_with(text: str) -> Callable[[Path], dict[str, object]]:
    def make(tmp: Path) -> dict[str, object]:
        from docx import Document

        document = Document()
        document.add_paragraph(text)
        document.save(str(tmp / "draft.docx"))
        return {"file": tmp / "draft.docx"}

    return make


def _file(name: str, data: bytes) -> Callable[[Path], dict[str, object]]:
    def make(tmp: Path) -> dict[str, object]:
        (tmp / name).write_bytes(data)
        return {"file": tmp / name}

    return make


BAD = [
    Bad("empty", lambda t: {"text": ""}, QuestionError, "the draft is empty"),
    Bad("blank", lambda t: {"text": " \n\n\t "}, QuestionError, "the draft is empty"),
    Bad("too-long", lambda t: {"text": "Targets improve outcomes. " * 1000}, QuestionError,
        f"the limit is {MAX_DRAFT_CHARS:,}"),
    Bad("nothing-to-check", lambda t: {"text": "# Summary\n\nWhat next?\n\nSee annex."}, QuestionError, "nothing to check"),
    Bad("unsupported-type", _file("slides.pptx", b"PK\x03\x04 slides"), LoaderError, "unsupported file type '.pptx'"),
    Bad("corrupt-docx", _file("draft.docx", b"PK\x03\x04 not really a word document"), LoaderError,
        "corrupt or unreadable Word document"),
    Bad("empty-docx", _docx_with(""), LoaderError, "contains no text"),
]


@pytest.mark.parametrize("case", BAD, ids=[b.id for b in BAD])
def test_a_draft_that_cannot_be_checked_is_a_clear_error(corpus_assistant: Assistant, tmp_path: Path, case: Bad) -> None:
    with pytest.raises(case.error) as caught:
        corpus_assistant.check_draft(**case.make(tmp_path))  # type: ignore[arg-type]
    assert case.words in str(caught.value)


def _as_docx(markdown: str, path: Path) -> Path:
    """The draft as an adviser's Word document: heading styles, list paragraphs, body paragraphs."""
    from docx import Document

    document = Document()
    for block in markdown.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if lines[0].startswith("#"):
            level = len(lines[0]) - len(lines[0].lstrip("#"))
            document.add_heading(lines[0].lstrip("# "), level=level)
            lines = lines[1:]
        for line in lines:
            if line.startswith("- "):
                document.add_paragraph(line[2:], style="List Bullet")
            else:
                document.add_paragraph(line)
    document.save(str(path))
    return path


def test_docx_and_markdown_files_check_like_the_pasted_text(
    corpus_assistant: Assistant, draft: DraftCheck, tmp_path: Path
) -> None:
    expected = [(s.sentence, s.verdict) for s in draft.sentences]
    from_md = corpus_assistant.check_draft(file=DRAFT)
    from_docx = corpus_assistant.check_draft(file=_as_docx(DRAFT.read_text(encoding="utf-8"), tmp_path / "draft.docx"))
    assert [(s.sentence, s.verdict) for s in from_md.sentences] == expected
    assert [(s.sentence, s.verdict) for s in from_docx.sentences] == expected
    assert from_docx.title == draft.title


# -- exports --------------------------------------------------------------------------------------
def test_markdown_and_docx_reports_carry_every_verdict_and_citation(draft: DraftCheck, tmp_path: Path) -> None:
    from docx import Document

    markdown = to_markdown(draft)
    assert markdown.startswith(f"# Draft check: {draft.title}")
    assert f"{draft.counts['contradicted']} contradicted" in markdown.split("\n\n")[1], "a summary line with the counts"
    assert f"**✘ contradicted:** {WRONG}" in markdown
    assert "**⚠ not enough evidence:** Performance-related pay for nurses reduced NHS staff turnover." in markdown
    assert "## Prevention" in markdown, "the draft's headings stay headings"
    refs = draft.references()
    assert all(f"- [{c.n}] " in markdown for c in refs), "a numbered reference for every citation"
    docx_text = "\n".join(p.text for p in Document(str(to_docx(draft, tmp_path / "check.docx"))).paragraphs)
    assert f"✘ contradicted: {WRONG}" in docx_text
    assert all(f"[{c.n}] " in docx_text for c in refs)
    cited = {int(n) for b in layout(draft).blocks for n in re.findall(r"\[(\d+)\]", b.text + "".join(f"[{r}]" for r in b.refs))}
    assert cited == {c.n for c in refs}, "every reference is cited from a sentence"


# -- the CLI, as a user runs it ---------------------------------------------------------------------
def run_cli(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MISSION_DESK_DATA_DIR": str(data), "MISSION_DESK_MODELS_DIR": str(MODELS_DIR)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        input=stdin, timeout=300,
    )


def test_cli_checks_a_draft_from_standard_input(corpus_assistant: Assistant) -> None:
    done = run_cli(corpus_assistant.settings.data_dir, "check", "--text", "-", stdin=PARAGRAPH)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Draft check: ")
    assert "3 sentences checked: 2 supported, 1 contradicted" in done.stdout
    assert f"**✘ contradicted:** {WRONG}" in done.stdout
    assert SOURCE_FIGURE in done.stdout and "## References" in done.stdout


def test_cli_checks_a_docx_file_as_json(corpus_assistant: Assistant, tmp_path: Path) -> None:
    path = _as_docx("# A short submission\n\n" + PARAGRAPH, tmp_path / "draft.docx")
    done = run_cli(corpus_assistant.settings.data_dir, "check", "--file", str(path), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["title"] == "A short submission"
    assert result["counts"]["contradicted"] == 1 and result["counts"]["not checked"] == 1
    assert [s["verdict"] for s in result["sentences"]] == ["not checked", "supported", "contradicted", "supported"]
    wrong = result["sentences"][2]
    assert set(wrong) >= {"sentence", "verdict", "reason", "supporting", "contradicting", "source_figures"}
    assert wrong["sentence"] == WRONG and wrong["reason"] and wrong["contradicting"][0]["quote"]
    DraftCheck.model_validate(result)


@pytest.fixture
def cli_env(corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSION_DESK_DATA_DIR", str(corpus_assistant.settings.data_dir))
    monkeypatch.setenv("MISSION_DESK_MODELS_DIR", str(MODELS_DIR))


def test_cli_checks_a_markdown_file_and_writes_docx(cli_env: None, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.docx"
    assert main(["check", "--file", str(DRAFT), "--docx", str(out), "--markdown"]) == 0
    assert out.exists()
    printed = capsys.readouterr().out
    assert "# Draft check: Submission: public service reform and the smarter state" in printed
    assert f"**✘ contradicted:** {WRONG}" in printed


def test_cli_claim_check_is_unchanged(cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "Tangible rewards undermine intrinsic motivation.", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "supported"


@pytest.mark.parametrize("argv", [["check"], ["check", "A claim.", "--text", "A draft."],
                                  ["check", "--file", "draft.md", "--text", "-"]],
                         ids=["nothing", "claim-and-text", "file-and-text"])
def test_cli_wants_exactly_one_of_claim_file_or_text(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "give exactly one of: a claim, --file PATH or --text TEXT" in capsys.readouterr().err


def test_cli_unreadable_draft_is_a_clear_error(cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "draft.docx"
    path.write_bytes(b"PK\x03\x04 not really a word document")
    assert main(["check", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert "corrupt or unreadable Word document" in err and "Traceback" not in err


# -- the page, in a real browser --------------------------------------------------------------------
@pytest.fixture(scope="module")
def data_dir(corpus_assistant: Assistant) -> Path:
    """The server reads the session's corpus index (built once, by conftest)."""
    return corpus_assistant.settings.data_dir


@pytest.mark.e2e
def test_check_a_draft_page_flags_the_wrong_figure_with_the_sources_figure(
    corpus_assistant: Assistant, server: str, browser  # noqa: F811  # type: ignore[no-untyped-def]
) -> None:
    expected = corpus_assistant.check_draft(PARAGRAPH)
    assert [s.verdict for s in expected.sentences] == ["supported", "contradicted", "supported"]
    context = browser.new_context(viewport={"width": 1360, "height": 1800}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(f"{server}/check")
        box = page.get_by_label("Paste the draft")
        box.wait_for(timeout=ANSWER_WAIT_MS)
        box.fill(PARAGRAPH)
        page.get_by_role("button", name="Check").click()
        flagged = page.get_by_test_id("stAlertContentError").filter(has_text=WRONG)
        flagged.wait_for(timeout=ANSWER_WAIT_MS)
        shown = " ".join(flagged.inner_text().split())
        assert "contradicted" in shown and "Why:" in shown
        assert SOURCE_FIGURE in shown, "the source's figure (or the passage holding it) is shown with the sentence"
        assert page.get_by_test_id("stAlertContentError").count() == 1, "only the wrong sentence is flagged"
        supported = page.get_by_test_id("stMarkdownContainer").filter(
            has_text="Public sector employment is around 18 per cent of total employment in the UK.")
        assert supported.count() >= 1 and "supported" in supported.first.inner_text()
        page.get_by_text("1 contradicted", exact=False).first.wait_for(timeout=10_000)
        page.get_by_role("button", name="Download DOCX").wait_for(timeout=10_000)
        shot = Path("/tmp/check-draft.png")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        context.close()
