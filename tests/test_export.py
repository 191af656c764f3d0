"""Exports: Markdown and DOCX with numbered references; the briefing note's two-page limit; the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.__main__ import main
from assistant.export import (
    BRIEFING_PAGES,
    PAGE_LINES,
    block_lines,
    docx_lines,
    estimate_lines,
    layout,
    markdown_lines,
    plain_excerpt,
    reference_text,
    to_docx,
    to_markdown,
)
from assistant.schemas import Answer, Citation


@dataclass(frozen=True)
class ExportCase:
    id: str
    make: Callable[[Assistant], object]


EXPORTS = [
    ExportCase("answer", lambda a: a.ask("What three criteria make up the mission test?")),
    ExportCase("metrics", lambda a: a.draft_metrics("Safety")),
    ExportCase("mission-test", lambda a: a.draft_mission_test("£2bn over four years for 10,000 new prison places")),
    # key-fact lines, a Markdown table and a bullet in the proposal (drafting-tune-v5's shapes, our own words)
    ExportCase("mission-test-lines", lambda a: a.draft_mission_test(
        "Reablement Teams (DHSC)\n\n| Item | Detail |\n|---|---|\n| Scale | 2,200 reablement workers in 60 teams |\n"
        "| Beneficiaries | older people leaving hospital |\n| Cost | £85m per year, 2026-27 to 2029-30 |\n\n"
        "Funding: new money at the Spending Review\nHeadroom: -£85m a year\n\n- Consultation closes 31 January 2026")),
    ExportCase("briefing", lambda a: a.draft_briefing("health", "shifting care from hospitals into the community")),
    ExportCase("claim", lambda a: a.check("Targets improve outcomes.")),
]


def _docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("case", EXPORTS, ids=[c.id for c in EXPORTS])
def test_docx_reopened_contains_every_citation(corpus_assistant: Assistant, case: ExportCase, tmp_path: Path) -> None:
    result = case.make(corpus_assistant)
    doc = layout(result)
    assert doc.references, "something is cited"
    text = _norm(_docx_text(to_docx(result, tmp_path / f"{case.id}.docx")))
    assert "References" in text
    for c in doc.references:
        assert f"[{c.n}] {_norm(c.locator)}" in text, f"reference [{c.n}] with its locator"
        assert _norm(c.citation).rstrip(". ") in text, "the source's full citation"
        assert _norm(plain_excerpt(c.quote))[:60] in text, "the quote (as a reader sees it, without Markdown syntax)"
    used = {n for b in doc.blocks for n in b.refs}
    assert used <= {c.n for c in doc.references}, "every marker in the body resolves"


@pytest.mark.parametrize("case", EXPORTS, ids=[c.id for c in EXPORTS])
def test_markdown_has_numbered_references(corpus_assistant: Assistant, case: ExportCase) -> None:
    result = case.make(corpus_assistant)
    text = to_markdown(result)
    assert "## References" in text
    for c in layout(result).references:
        assert f"[{c.n}] {c.locator}" in text


def _lines(lines: list[str]) -> list[str]:
    return [_norm(line) for line in lines if line.strip()]


@pytest.mark.parametrize("case", EXPORTS, ids=[c.id for c in EXPORTS])
def test_downloads_carry_exactly_the_layout_the_screen_shows(corpus_assistant: Assistant, case: ExportCase,
                                                             tmp_path: Path) -> None:
    """The app renders ``layout(draft)`` (ui/render.py render_layout); the DOCX and Markdown must hold exactly
    its lines, in order: nothing dropped, nothing added, no Markdown syntax left in the Word file."""
    result = case.make(corpus_assistant)
    doc = layout(result)
    want = _lines(block_lines(doc))
    assert _lines(docx_lines(to_docx(result, tmp_path / "x.docx"))) == want
    assert _lines(markdown_lines(to_markdown(result))) == want
    assert not any("**" in line or line.startswith(("#", "- ")) for line in _lines(docx_lines(tmp_path / "x.docx")))
    assert not any("left out" in note for note in doc.notes), "nothing is silently dropped"


def test_titles_are_never_cut_mid_word(corpus_assistant: Assistant) -> None:
    proposal = ("Funding for the Ministry of Justice to expand residential women's centres run with local "
                "authorities across England and Wales\n\nMoJ asks for £120m a year for three years.")
    title = layout(corpus_assistant.draft_mission_test(proposal)).title
    assert title.endswith("…") and title.removesuffix("…").split()[-1] in proposal.split(), title
    long_claim = "Public sector productivity in the United Kingdom grew by 0.7 per cent a year between 2010 and 2019"
    title = layout(corpus_assistant.check(long_claim)).title
    assert title.removesuffix("…").split()[-1] in long_claim.split(), title


BRIEFINGS = [
    ("health", "shifting care from hospitals into the community"),
    ("opportunity", "childcare and early years"),
    ("security", "child poverty and social housing"),
    ("safety", "reducing reoffending"),
]


@pytest.mark.parametrize("council,topic", BRIEFINGS, ids=[c for c, _ in BRIEFINGS])
def test_briefing_layout_fits_the_line_budget(corpus_assistant: Assistant, council: str, topic: str) -> None:
    doc = layout(corpus_assistant.draft_briefing(council, topic))
    assert estimate_lines(doc) <= BRIEFING_PAGES * PAGE_LINES
    assert sum(1 for b in doc.blocks if b.kind == "bullet") >= 10, "trimming leaves a real note"


README_IMAGE = Path(__file__).resolve().parent.parent / "docs" / "briefing-note.png"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice and poppler-utils are needed (apt-get install libreoffice-writer-nogui poppler-utils)")
def test_briefing_docx_is_at_most_two_pages(corpus_assistant: Assistant, tmp_path: Path) -> None:
    """Each council's note, exported to Word and converted by LibreOffice, fits two A4 pages with nothing left
    out; the first page of the first note is the README's picture of a briefing note (docs/briefing-note.png)."""
    from pypdf import PdfReader

    for i, (council, topic) in enumerate(BRIEFINGS):
        note = corpus_assistant.draft_briefing(council, topic, date="2026-11-30")
        assert not layout(note).notes, "the note fits by choosing what goes in, never by a note that it runs over"
        to_docx(note, tmp_path / f"note{i}.docx")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *(str(p) for p in sorted(tmp_path.glob("note*.docx")))],
        check=True, capture_output=True, timeout=300,
    )
    pdfs = sorted(tmp_path.glob("note*.pdf"))
    assert len(pdfs) == len(BRIEFINGS)
    for pdf in pdfs:
        pages = PdfReader(str(pdf)).pages
        assert len(pages) <= 2, pdf.name
        text = _norm(" ".join(page.extract_text() for page in pages))
        assert "OFFICIAL" in text and "Decision required" in text and "References" in text
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdfs[0]),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=120)
    README_IMAGE.parent.mkdir(exist_ok=True)
    image = (tmp_path / "page.png").read_bytes()
    if not README_IMAGE.exists() or README_IMAGE.read_bytes() != image:
        README_IMAGE.write_bytes(image)


# -- the CLI --------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI at the session's index."""
    monkeypatch.setenv("MISSION_DESK_DATA_DIR", str(corpus_assistant.settings.data_dir))
    monkeypatch.setenv("MISSION_DESK_MODELS_DIR", str(corpus_assistant.settings.model_cache_dir))


def test_cli_check_json(cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "Tangible rewards undermine intrinsic motivation.", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "supported"
    assert any("Deci" in c["citation"] for c in result["supporting"])


def test_cli_draft_briefing_writes_docx_and_prints_markdown(cli_env: None, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "note.docx"
    code = main(["draft", "briefing", "--council", "health", "--topic", "waiting lists", "--docx", str(out), "--markdown"])
    assert code == 0 and out.exists()
    assert "## References" in capsys.readouterr().out


def test_cli_mission_test_without_a_proposal_is_a_clear_error(cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", "mission-test"]) == 2
    assert "proposal is empty" in capsys.readouterr().err


def test_cli_metrics_json(cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", "metrics", "--mission", "Security", "--json"]) == 0
    draft = json.loads(capsys.readouterr().out)
    assert draft["core"][0]["name"] == "Rates of absolute and relative poverty"


# -- honest labels and Markdown answers (issue 10) ---------------------------------------------------------------
def _citation(n: int, origin: str, quote: str = "- **Productive:** growth was 0.7 per cent a year.") -> Citation:
    return Citation(
        n=n, source_id="van-ark-2022", title="Making public sector productivity practical",
        locator="Making public sector productivity practical", quote=quote, passage=quote, start=0, end=len(quote),
        score=1.0, chunk_id="x", citation="Van Ark B (2022) Making Public Sector Productivity Practical.",
        origin=origin, basis="summary of the published executive summary" if origin == "evidence note" else "",  # type: ignore[arg-type]
    )


def test_references_label_evidence_notes_as_our_summary_and_quotes_as_quotes() -> None:
    note, quote = _citation(1, "evidence note"), _citation(2, "quote")
    assert reference_text(note) == (
        "[1] Making public sector productivity practical: Evidence note (our summary of Making public sector "
        "productivity practical, not its words): Productive: growth was 0.7 per cent a year. "
        "(note written from: summary of the published executive summary)"
    )
    assert reference_text(quote) == "[2] Making public sector productivity practical: “Productive: growth was 0.7 per cent a year.”"
    answer = Answer(question="Why?", answer="Nothing covers it.", refused=True, closest=[note])
    text = to_markdown(answer)
    assert "“Productive" not in text and "Evidence note (our summary of" in text, "never quoted under the work's name"
    assert "**" not in text.split("## References")[1], "no raw Markdown from the source in the references"


LIST_ANSWER = (
    "The mission test has three criteria [1].\n\n"
    "- Affordability: can the government meet its fiscal rule [2].\n"
    "- Mission critical: does it help deliver the missions [3].\n"
    "- 10 year test: what is its impact over the longer term [4].\n\n"
    "The sources don't cover how the test is scored."
)


def test_answer_exports_keep_paragraphs_and_bullets(tmp_path: Path) -> None:
    from docx import Document

    answer = Answer(question="What is the mission test?", answer=LIST_ANSWER,
                    citations=[_citation(n, "quote") for n in range(1, 5)])
    markdown = to_markdown(answer)
    assert "The mission test has three criteria [1].\n\n- Affordability" in markdown
    assert "- 10 year test: what is its impact over the longer term [4].\n\nThe sources don't cover" in markdown
    paragraphs = Document(str(to_docx(answer, tmp_path / "answer.docx"))).paragraphs
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets[:3] == [
        "Affordability: can the government meet its fiscal rule [2].",
        "Mission critical: does it help deliver the missions [3].",
        "10 year test: what is its impact over the longer term [4].",
    ]
    texts = [p.text for p in paragraphs]
    assert "The mission test has three criteria [1]." in texts and "The sources don't cover how the test is scored." in texts
    assert not any(t.startswith("- ") for t in texts), "no literal list markers"


def test_references_show_no_markdown_emphasis_or_link_syntax() -> None:
    quote = "Patel P et al (2023), *For public health and public finances*, IPPR. <https://www.ippr.org/research>"
    text = reference_text(_citation(1, "quote", quote))
    assert "*" not in text and "<" not in text, text
    assert "For public health and public finances, IPPR. https://www.ippr.org/research" in text
