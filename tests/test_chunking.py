"""Structure-aware chunking of the real corpus, read back from the real index: tables, figures, boxes,
sections, references, citations, offsets and the model's 256-word-piece window."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from assistant import Assistant
from assistant.embeddings import MAX_WORD_PIECES, MiniLMEmbeddings
from assistant.schemas import Chunk
from ingest.chunking import chunk_text

REPORT = "smarter-state-2023"
STEP_2 = "3. A new public service reform playbook > Step 2: Make sure the money follows the missions"


@pytest.fixture(scope="module")
def indexed(corpus_assistant: Assistant) -> tuple[list[Chunk], dict[str, str]]:
    """Every stored chunk and every stored source text of the corpus index."""
    texts = {s.record.id: s.text for s in corpus_assistant.store.sources()}
    return corpus_assistant.store.chunks(), texts


@pytest.fixture(scope="module")
def report(indexed: tuple[list[Chunk], dict[str, str]]) -> tuple[list[Chunk], str]:
    chunks, texts = indexed
    return [c for c in chunks if c.source_id == REPORT], texts[REPORT]


def _line_starts(text: str, pattern: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in re.finditer(pattern, text, re.MULTILINE)]


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    header_line: str
    row_lines: list[str]


def _table(text: str, number: str) -> Table:
    """Table ``number`` as the report prints it: TABLE line, title, tab-separated rows, Source line."""
    lines = text[text.index(f"\nTABLE {number}\n") :].split("\n")[2:]
    body = []
    for line in lines:
        if line.strip().startswith("Source:"):
            break
        if line.strip():
            body.append(line)
    title = body[0].strip()
    tabbed = [line.strip() for line in body if "\t" in line]
    return Table(title, tabbed[0].split("\t"), [r.split("\t") for r in tabbed[1:]], tabbed[0], tabbed[1:])


@pytest.mark.parametrize("number", ["2.1", "3.2"])
def test_every_table_row_is_its_own_chunk_with_title_and_header(report: tuple[list[Chunk], str], number: str) -> None:
    chunks, text = report
    table = _table(text, number)
    assert len(table.row_lines) >= 3
    for row, cells in zip(table.row_lines, table.rows, strict=True):
        matches = [c for c in chunks if c.text == row]
        assert len(matches) == 1, f"row {cells[0]!r} is not exactly one chunk"
        chunk = matches[0]
        assert chunk.kind == "table_row"
        assert chunk.locator.startswith(f"Table {number}, {cells[0]} row")
        assert f"TABLE {number}" in chunk.context
        assert table.title in chunk.context
        assert table.header_line in chunk.context.split("\n")


def test_table_3_1_every_cell_carries_its_column(report: tuple[list[Chunk], str]) -> None:
    """Table 3.1's missions are columns: a cell's meaning comes from its column header and neighbours."""
    chunks, text = report
    table = _table(text, "3.1")
    assert table.header == ["Health", "Safety", "Opportunity", "Security"]
    for col, head in enumerate(table.header):
        column = [row[col] for row in table.rows]
        others = [row[c] for row in table.rows for c in range(len(row)) if c != col]
        for cell in column:
            matches = [c for c in chunks if c.text == cell]
            assert len(matches) == 1, f"cell {cell!r} is not exactly one chunk"
            chunk = matches[0]
            assert chunk.kind == "table_row"
            assert f"Table 3.1, {head} column" in chunk.locator
            assert table.title in chunk.context
            context_lines = chunk.context.split("\n")
            assert head in context_lines
            assert all(other in context_lines for other in column if other != cell)
            assert not any(cell_elsewhere in context_lines for cell_elsewhere in others)


def test_safety_core_metric_cell_is_located_in_its_column(report: tuple[list[Chunk], str]) -> None:
    chunks, _ = report
    (crime,) = [c for c in chunks if c.text == "Rates of crime"]
    assert "Table 3.1, Safety column" in crime.locator
    assert "Make the UK the safest country in the OECD" in crime.context


def test_safety_metric_question_retrieves_the_safety_cell(corpus_assistant: Assistant) -> None:
    passages, _ = corpus_assistant.retrieve("what is the core metric for the safety mission?", k=3)
    top = [(p.chunk.locator, p.chunk.text) for p in passages]
    assert any("Table 3.1, Safety column" in loc and txt == "Rates of crime" for loc, txt in top), top


def test_offsets_round_trip_for_every_chunk_of_every_source(indexed: tuple[list[Chunk], dict[str, str]]) -> None:
    chunks, texts = indexed
    assert set(texts) == {c.source_id for c in chunks} and len(texts) == 12
    for chunk in chunks:
        source = texts[chunk.source_id]
        assert source[chunk.start : chunk.end] == chunk.text, chunk.locator
        assert chunk.text.strip() == chunk.text and chunk.text
        for s, e in chunk.context_spans:
            assert 0 <= s < e <= len(source)
        assert chunk.context == "\n".join(source[s:e] for s, e in chunk.context_spans), chunk.locator


def test_no_chunk_exceeds_the_model_window(
    indexed: tuple[list[Chunk], dict[str, str]], embeddings: MiniLMEmbeddings
) -> None:
    chunks, _ = indexed
    sizes = {c.locator: embeddings.count_tokens(c.display_text) for c in chunks}
    assert max(sizes.values()) <= MAX_WORD_PIECES, max(sizes.items(), key=lambda kv: kv[1])


def test_chunks_under_step_2_carry_section_path_and_page(report: tuple[list[Chunk], str]) -> None:
    chunks, text = report
    begin = text.index("STEP 2: MAKE SURE THE MONEY FOLLOWS THE MISSIONS")
    end = text.index("STEP 3:", begin)
    under = [c for c in chunks if begin < c.start < end]
    assert {c.kind for c in under} >= {"text", "table_row", "figure", "list"}
    for chunk in under:
        assert chunk.section == STEP_2, chunk.locator
        assert "p. 20" in chunk.locator, chunk.locator
        assert chunk.page == 20


# Pages of each section as the report's contents list gives them: from its first page to the page before the
# next section at its level or above. The text has no page breaks, so a chunk cannot be placed more exactly.
CHAPTER_1 = "1. Between the ‘magic money tree’ and the ‘reform fairy’"
CHAPTER_2 = "2. The future is here"
SECTION_PAGES = {
    "Summary": (5, 6),
    CHAPTER_1: (7, 11),
    CHAPTER_2: (12, 17),
    "3. A new public service reform playbook > Step 1: Create a ‘mission-led government’": (18, 19),
    STEP_2: (20, 22),
    "3. A new public service reform playbook > Step 3: Create an ‘enabling centre’ to spread new models of "
    "public service reform": (23, 24),
}


def test_table_2_1_rows_carry_their_chapters_page_range(report: tuple[list[Chunk], str]) -> None:
    chunks, text = report
    table = _table(text, "2.1")
    for row, cells in zip(table.row_lines, table.rows, strict=True):
        (chunk,) = [c for c in chunks if c.text == row]
        assert chunk.locator == f"Table 2.1, {cells[0]} row · {CHAPTER_2}, pp. 12–17"
        assert (chunk.page, chunk.page_end) == (12, 17)


def test_chapter_1_figures_carry_their_chapters_page_range(report: tuple[list[Chunk], str]) -> None:
    chunks, text = report
    figures = [c for c in chunks if c.kind == "figure" and c.locator.startswith("Figure 1.")]
    assert len(figures) == len(_line_starts(text, r"^FIGURE 1\.\d+$")) >= 8
    for chunk in figures:
        assert chunk.section == CHAPTER_1
        assert chunk.locator.endswith(f"· {CHAPTER_1}, pp. 7–11"), chunk.locator
        assert (chunk.page, chunk.page_end) == (7, 11)


@pytest.mark.parametrize("section", sorted(SECTION_PAGES))
def test_every_chunk_of_a_listed_section_carries_its_page_range(report: tuple[list[Chunk], str], section: str) -> None:
    chunks, _ = report
    first, last = SECTION_PAGES[section]
    under = [c for c in chunks if c.section == section]
    assert under
    for chunk in under:
        assert (chunk.page, chunk.page_end) == (first, last), chunk.locator
        assert chunk.locator.endswith(f", pp. {first}–{last}"), chunk.locator
        assert "from p." not in chunk.locator


def test_unlisted_subsections_take_the_pages_of_the_listed_section_around_them(
    report: tuple[list[Chunk], str],
) -> None:
    chunks, _ = report
    recommendations = [c for c in chunks if c.section.startswith("Summary > Recommendations > Step")]
    assert len(recommendations) == 3
    assert all((c.page, c.page_end) == (5, 6) and c.locator.endswith(", pp. 5–6") for c in recommendations)


def test_the_last_listed_section_does_not_invent_its_last_page(report: tuple[list[Chunk], str]) -> None:
    """References start on p. 25 and nothing in the text says where the report ends."""
    chunks, _ = report
    references = [c for c in chunks if c.section.startswith("References")]
    assert references
    for chunk in references:
        assert (chunk.page, chunk.page_end) == (25, None)
        assert chunk.locator.endswith(", from p. 25"), chunk.locator


def test_front_matter_carries_no_page(report: tuple[list[Chunk], str]) -> None:
    chunks, _ = report
    front = [c for c in chunks if c.section.startswith(("Front matter", "Contents")) or c.seq == 0]
    assert front and all(c.page is None and c.page_end is None for c in front)
    assert not any(re.search(r"\bpp?\. \d", c.locator) for c in front)


def test_contents_list_page_ranges(embeddings: MiniLMEmbeddings) -> None:
    """One-page sections say 'p. N'; a section sharing its first page with its first step does not run
    backwards; a step's range ends where the next step or chapter starts; the last section stays open."""
    text = (
        "CONTENTS\n\n"
        "- Summary 3**\n"
        "- 1. Harbours 4**\n"
        "- 2. Ferries 6**\n"
        "   Part 1: Timetables 6\n"
        "   Part 2: Fares 8\n"
        "- Annex 10**\n\n"
        "SUMMARY\n\nThe harbour board met twice.\n\n"
        "1. HARBOURS\n\nThe harbour wall was repaired.\n\n"
        "2. FERRIES\n\nFerries ran all year.\n\n"
        "PART 1: TIMETABLES\n\nCrossings doubled in summer.\n\n"
        "PART 2: FARES\n\nFares rose by a fifth.\n\n"
        "ANNEX\n\nTables of crossings by month.\n"
    )
    chunks = chunk_text(text, source_id="t", title="T", count=embeddings.count_tokens, budget=230)
    where = {c.text: (c.locator, c.page, c.page_end) for c in chunks}
    assert where["The harbour board met twice."] == ("Summary, p. 3", 3, 3)
    assert where["The harbour wall was repaired."] == ("1. Harbours, pp. 4–5", 4, 5)
    assert where["Ferries ran all year."] == ("2. Ferries, pp. 6–9", 6, 9)
    assert where["Crossings doubled in summer."] == ("Part 1: Timetables, pp. 6–7", 6, 7)
    assert where["Fares rose by a fifth."] == ("Part 2: Fares, pp. 8–9", 8, 9)
    assert where["Tables of crossings by month."] == ("Annex, from p. 10", 10, None)


def test_figures_carry_title_and_source_line(report: tuple[list[Chunk], str]) -> None:
    chunks, text = report
    figures = _line_starts(text, r"^FIGURE \d+\.\d+$")
    assert len(figures) >= 10
    for offset, line in figures:
        number = line.split()[1]
        (chunk,) = [c for c in chunks if c.start == offset]
        assert chunk.kind == "figure"
        assert chunk.locator.startswith(f"Figure {number}")
        title = next(s for s in text[offset + len(line) :].split("\n") if s.strip())
        assert title.strip() in chunk.text
        assert chunk.text.split("\n")[-1].strip().startswith("Source:"), chunk.text


@dataclass(frozen=True)
class BoxCase:
    label: str
    inside: tuple[str, ...]  # phrases of the box body
    after: str  # the first paragraph after the box: not part of it


BOXES = [
    BoxCase("2.1", ("three areas of productivity", "to deliver a healthier population."),
            "Building services that deliver on these goals"),
    BoxCase("3.1", ("shorter term and sector-based plans", "as enabled by carbon budgets."),
            "Government should create a new 'mission framework'"),
    BoxCase("3.2", ("Prime ministerial commitment", "High-powered, activist and well-resourced secretariats"),
            "If government is to deliver on the missions"),
]


@pytest.mark.parametrize("case", BOXES, ids=[f"box-{b.label}" for b in BOXES])
def test_boxes_are_box_chunks_that_end_where_the_box_ends(report: tuple[list[Chunk], str], case: BoxCase) -> None:
    chunks, text = report
    ((offset, heading),) = _line_starts(text, rf"^BOX {re.escape(case.label)}:.*$")
    box = [c for c in chunks if c.kind == "box" and c.locator.startswith(f"Box {case.label}")]
    assert box
    assert all(c.context == heading for c in box)
    for phrase in case.inside:
        assert any(phrase in c.text for c in box), phrase
    after = min((c for c in chunks if case.after in c.text and c.start > offset), key=lambda c: c.start)
    assert after.kind != "box" and not after.locator.startswith("Box")


def test_reference_list_entries_are_reference_chunks(
    report: tuple[list[Chunk], str], corpus_assistant: Assistant
) -> None:
    chunks, text = report
    block = text[text.index("\nREFERENCES\n") :].split("\n\n")[1]
    entries = [line.strip() for line in block.split("\n") if line.startswith("- ")]
    evidence = [r for r in corpus_assistant.catalogue.records if r.kind != "report"]
    assert len(entries) == len(evidence) == 11
    for entry in entries:
        (chunk,) = [c for c in chunks if c.text == entry]
        assert chunk.kind == "reference"
        assert chunk.section == "References"
    assert all(c.text in entries for c in chunks if c.kind == "reference")


CITES = [
    ("(Deci et al 1999)", "Deci et al 1999", "deci-1999"),
    ("Deci et al (1999) replicated 128 experiments", "Deci et al 1999", "deci-1999"),
    ("(Van Ark 2022)", "Van Ark 2022", "van-ark-2022"),
    ("sets out the public sector delivery chain (ibid)", "Van Ark 2022", "van-ark-2022"),  # ibid: the one before
    ("(Mazzucato and Dibb, 2019)", "Mazzucato and Dibb 2019", "mazzucato-dibb-2019"),
    ("Source: Tuckett et al (2022)", "Tuckett et al 2022", "tuckett-2022"),
]


@pytest.mark.parametrize(("phrase", "marker", "source_id"), CITES, ids=[c[1] + ": " + c[0][:24] for c in CITES])
def test_author_year_citations_are_carried_and_resolve(
    report: tuple[list[Chunk], str], corpus_assistant: Assistant, phrase: str, marker: str, source_id: str
) -> None:
    chunks, _ = report
    (chunk,) = [c for c in chunks if phrase in c.text]
    assert marker in chunk.cites
    assert source_id in corpus_assistant.catalogue.resolve(chunk.cites)


# -- the chunker on texts written for the test (real token counter) ---------------------------------


def _sentences(n: int, topic: str) -> str:
    return " ".join(
        f"In year {1990 + i} the {topic} committee reviewed budget line {i} and published finding number {i}."
        for i in range(n)
    )


def test_long_paragraph_is_split_at_sentences_within_the_budget(embeddings: MiniLMEmbeddings) -> None:
    paragraph = _sentences(60, "harbour")
    text = f"# Harbour review\n\n{paragraph}\n"
    chunks = chunk_text(text, source_id="t", title="T", count=embeddings.count_tokens, budget=230)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert embeddings.count_tokens(chunk.display_text) <= 230
        assert chunk.text.endswith(".") and chunk.text[0].isupper()  # whole sentences
    assert " ".join(c.text for c in chunks) == paragraph


def test_one_overlong_sentence_is_split_at_words(embeddings: MiniLMEmbeddings) -> None:
    sentence = " ".join(f"word{i}" for i in range(400)) + "."
    chunks = chunk_text(sentence, source_id="t", title="T", count=embeddings.count_tokens, budget=100)
    assert len(chunks) >= 2
    assert all(embeddings.count_tokens(c.display_text) <= 100 for c in chunks)
    assert " ".join(c.text for c in chunks) == sentence


def test_markdown_headings_give_section_paths(embeddings: MiniLMEmbeddings) -> None:
    text = (
        "# Council budget\n\nThe council set its budget in March.\n\n"
        "## Parks\n\nThe parks budget rose by a tenth.\n\n"
        "### Playgrounds\n\nTwo playgrounds were rebuilt.\n\n"
        "## Libraries\n\nThe libraries opened on Sundays.\n"
    )
    chunks = chunk_text(text, source_id="t", title="T", count=embeddings.count_tokens, budget=230)
    section = {c.text: c.section for c in chunks}
    assert section["The parks budget rose by a tenth."] == "Council budget > Parks"
    assert section["Two playgrounds were rebuilt."] == "Council budget > Parks > Playgrounds"
    assert section["The libraries opened on Sundays."] == "Council budget > Libraries"
    libraries = next(c for c in chunks if c.text.startswith("The libraries"))
    assert libraries.context == "## Libraries" and "Libraries" in libraries.locator


def test_chunk_ids_are_stable_and_local_to_what_changed(embeddings: MiniLMEmbeddings) -> None:
    before = "# Notes\n\n## One\n\nFirst part stays.\n\n## Two\n\nSecond part changes.\n"
    after = before.replace("Second part changes.", "Second part has changed.")

    def ids(text: str) -> list[str]:
        return [c.id for c in chunk_text(text, source_id="t", title="T", count=embeddings.count_tokens, budget=230)]

    assert ids(before) == ids(before)
    assert len(ids(before)) == len(ids(after)) == 2
    assert ids(before)[0] == ids(after)[0]  # "First part stays." is untouched
    assert ids(before)[1] != ids(after)[1]
