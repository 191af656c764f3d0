"""Loaders on real files: .txt, .md with front matter, .html, .docx written by python-docx, and PDFs written by
reportlab and read by pypdf;
each broken file fails with its own clear error, and a batch indexes the good files regardless."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures.make_pdfs import (
    small_corpus,
    write_corrupt_pdf,
    write_empty,
    write_encrypted_pdf,
    write_image_only_pdf,
    write_pdf,
)

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import LoaderError
from ingest.chunking import chunk_text
from ingest.loaders import load
from ingest.pipeline import user_source_id

LIMIT = 1_000_000

PAGES = [
    ["Harbour board annual review", "", "The harbour wall was repaired in March after the winter storms."],
    ["Ferry services", "", "The ferry timetable doubled to twelve crossings a day in the summer."],
    ["Fish market", "", "The fish market moved to the north quay and opens at five in the morning."],
]


def test_txt_is_read_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    path.write_text("Minutes of the parish council\n\nThe council agreed to repair the bridge.\n", encoding="utf-8")
    doc = load(path, max_bytes=LIMIT)
    assert doc.text == path.read_text(encoding="utf-8")
    assert doc.title == "Minutes of the parish council"
    assert doc.page_starts is None


def test_markdown_front_matter_becomes_metadata_and_is_not_indexed(
    tmp_path: Path, embeddings: MiniLMEmbeddings
) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: Bridge repair note\nid: bridge-note\nurl: https://example.org/bridge\nyear: 2021\n---\n"
        "# Heading in the body\n\nThe bridge was closed for six weeks.\n",
        encoding="utf-8",
    )
    doc = load(path, max_bytes=LIMIT)
    assert doc.metadata == {"title": "Bridge repair note", "id": "bridge-note", "url": "https://example.org/bridge",
                            "year": 2021}
    assert doc.title == "Bridge repair note"
    assert doc.text[doc.body_start :].startswith("# Heading in the body")
    chunks = chunk_text(doc.text, source_id="bridge-note", title=doc.title, count=embeddings.count_tokens,
                        budget=230, body_start=doc.body_start)
    assert chunks and all(c.start >= doc.body_start for c in chunks)
    assert not any("example.org" in c.display_text for c in chunks)


def test_html_keeps_readable_text_only(tmp_path: Path, embeddings: MiniLMEmbeddings) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Library hours</title><style>body { color: red; }</style>"
        "<script>var tracker = 'SCRIPT-MARKER';</script></head><body>"
        "<nav>Home | About</nav><h1>Opening hours</h1><p>The library opens on <b>Sundays</b> from June.</p>"
        "<script>document.write('INLINE-SCRIPT-MARKER')</script><style>.x{margin:0}</style>"
        "<ul><li>Weekdays: nine to five</li><li>Sundays: ten to two</li></ul>"
        "<table><tr><th>Branch</th><th>Hours</th></tr><tr><td>Central</td><td>9-5</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    doc = load(path, max_bytes=LIMIT)
    assert doc.title == "Library hours"
    for junk in ("SCRIPT-MARKER", "color: red", "margin:0", "<p>", "Home | About"):
        assert junk not in doc.text
    assert "# Opening hours" in doc.text
    assert "The library opens on Sundays from June." in doc.text
    assert "- Weekdays: nine to five" in doc.text
    assert "Branch\tHours" in doc.text and "Central\t9-5" in doc.text
    chunks = chunk_text(doc.text, source_id="h", title=doc.title, count=embeddings.count_tokens, budget=230)
    assert any(c.section == "Opening hours" and "Sundays from June" in c.text for c in chunks)


def test_pdf_text_lands_on_its_page(tmp_path: Path, embeddings: MiniLMEmbeddings) -> None:
    path = write_pdf(tmp_path / "harbour.pdf", PAGES, title="Harbour board review")
    doc = load(path, max_bytes=LIMIT)
    assert doc.title == "Harbour board review"
    assert doc.page_starts is not None and len(doc.page_starts) == 3
    for page, lines in enumerate(PAGES):
        assert doc.text[doc.page_starts[page] :].startswith(lines[0])
    chunks = chunk_text(doc.text, source_id="p", title=doc.title, count=embeddings.count_tokens, budget=230,
                        page_starts=doc.page_starts)
    for number, lines in enumerate(PAGES, start=1):
        (chunk,) = [c for c in chunks if lines[-1] in c.text]
        assert chunk.page == number
        assert f"p. {number}" in chunk.locator
        assert doc.text[chunk.start : chunk.end] == chunk.text


def test_docx_headings_lists_and_tables_read_as_markdown(tmp_path: Path, embeddings: MiniLMEmbeddings) -> None:
    from docx import Document

    document = Document()
    document.core_properties.title = "Harbour board note"
    document.add_heading("Ferry services", level=1)
    document.add_paragraph("The ferry timetable doubled to twelve crossings a day in the summer.")
    document.add_paragraph("North quay", style="List Bullet")
    document.add_paragraph("South quay", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Route", (0, 1): "Crossings", (1, 0): "Island", (1, 1): "12"}.items():
        table.cell(r, c).text = text
    document.add_paragraph("")  # an empty paragraph adds nothing
    document.add_heading("Fish market", level=2)
    document.add_paragraph("The fish market moved to the north quay.")
    path = tmp_path / "harbour.docx"
    document.save(str(path))

    doc = load(path, max_bytes=LIMIT)
    assert doc.title == "Harbour board note"
    assert doc.text == (
        "# Ferry services\n\nThe ferry timetable doubled to twelve crossings a day in the summer.\n\n"
        "- North quay\n- South quay\n\nRoute\tCrossings\nIsland\t12\n\n## Fish market\n\n"
        "The fish market moved to the north quay.\n"
    )
    chunks = chunk_text(doc.text, source_id="d", title=doc.title, count=embeddings.count_tokens, budget=230)
    assert any(c.section == "Ferry services" and "twelve crossings" in c.text for c in chunks)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)


@dataclass(frozen=True)
class Broken:
    id: str
    make: Callable[[Path], Path]
    reason: str  # words the user must see


def _non_utf8(tmp: Path) -> Path:
    path = tmp / "latin1.txt"
    path.write_bytes("Caf\u00e9 minutes: the board met on Tuesday.".encode("latin-1"))
    return path


def _unsupported(tmp: Path) -> Path:
    path = tmp / "budget.pptx"
    path.write_bytes(b"PK\x03\x04 a slide deck")
    return path


def _corrupt_docx(tmp: Path) -> Path:
    path = tmp / "budget.docx"
    path.write_bytes(b"PK\x03\x04 not really a word document")
    return path


def _oversize(tmp: Path) -> Path:
    path = tmp / "huge.txt"
    path.write_text("The same sentence again. " * 80_000, encoding="utf-8")  # about 2 MB
    return path


def _blank_markdown(tmp: Path) -> Path:
    path = tmp / "blank.md"
    path.write_text("---\ntitle: Nothing here\n---\n\n   \n", encoding="utf-8")
    return path


def _script_only_html(tmp: Path) -> Path:
    path = tmp / "app.html"
    path.write_text("<html><head><script>render()</script></head><body><script>x()</script></body></html>")
    return path


BROKEN = [
    Broken("corrupt-pdf", lambda t: write_corrupt_pdf(t / "corrupt.pdf"), "corrupt"),
    Broken("encrypted-pdf", lambda t: write_encrypted_pdf(t / "locked.pdf"), "encrypted (password-protected)"),
    Broken("empty-file", lambda t: write_empty(t / "empty.pdf"), "empty file (0 bytes)"),
    Broken("image-only-pdf", lambda t: write_image_only_pdf(t / "scan.pdf"), "image-only"),
    Broken("unsupported-type", _unsupported, "unsupported file type '.pptx'"),
    Broken("corrupt-docx", _corrupt_docx, "corrupt or unreadable Word document"),
    Broken("not-utf8", _non_utf8, "not UTF-8"),
    Broken("oversize", _oversize, "too large"),
    Broken("blank-markdown", _blank_markdown, "contains no text"),
    Broken("script-only-html", _script_only_html, "no readable text"),
]


@pytest.mark.parametrize("case", BROKEN, ids=[b.id for b in BROKEN])
def test_each_broken_file_has_a_clear_error_naming_it(tmp_path: Path, case: Broken) -> None:
    path = case.make(tmp_path)
    with pytest.raises(LoaderError) as caught:
        load(path, max_bytes=LIMIT)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert case.reason in caught.value.reason


def test_broken_files_have_distinct_reasons(tmp_path: Path) -> None:
    reasons = []
    for case in BROKEN:
        folder = tmp_path / case.id
        folder.mkdir()
        with pytest.raises(LoaderError) as caught:
            load(case.make(folder), max_bytes=LIMIT)
        reasons.append(caught.value.reason.split(":")[0].split("(")[0])
    assert len(set(reasons)) == len(reasons), reasons


def test_batch_indexes_good_files_and_reports_each_bad_one(
    tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings
) -> None:
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", ["morris-2023"]), max_upload_bytes=LIMIT)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = [
        write_pdf(inbox / "harbour.pdf", PAGES, title="Harbour board review"),
        inbox / "bridge.md",
        inbox / "library.html",
    ]
    good[1].write_text("---\ntitle: Bridge repair note\n---\n# Bridge\n\nThe bridge was closed for six weeks.\n")
    good[2].write_text("<html><body><h1>Library</h1><p>The library opens on Sundays from June.</p></body></html>")
    bad = {case.id: case.make(inbox) for case in BROKEN}

    assistant = Assistant(settings, embeddings=embeddings)
    report = assistant.ingest([*good, *bad.values()])

    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == {p.name for p in bad.values()}
    for case in BROKEN:
        assert case.reason in skipped[bad[case.id].name]
    indexed = {s.record.id: s for s in assistant.sources() if s.indexed}
    for path in good:
        assert indexed[user_source_id(path.name)].chunks >= 1
    assert "morris-2023" in indexed
    assert sorted(p.name for p in settings.user_documents_dir.iterdir()) == sorted(p.name for p in good)

    answer = assistant.ask("How many ferry crossings a day were there in the summer?")
    assert not answer.refused, answer.answer
    cited = [c for c in answer.citations if c.source_id == user_source_id(good[0].name)]
    assert cited and all("p. 2" in c.locator for c in cited if "ferry" in c.quote), answer.citations
    assert any("twelve crossings" in c.quote for c in cited)
