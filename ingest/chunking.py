"""Structure-aware chunking: sections, figures, tables (a chunk per row), boxes, lists and references.

Every chunk's ``text`` is ``source_text[start:end]`` exactly; repeated headers (a table's title and
column names, a box's heading, a section's heading) are other exact spans of the source, kept in
``context_spans`` so that a citation can always point at the precise characters it quotes.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.schemas import Chunk, ChunkKind
from assistant.text.questions import named_labels
from assistant.text.sentences import split_sentences
from ingest.citations import find_citations

TokenCounter = Callable[[str], int]

# The section of what precedes a report's contents (title page, authors, citation line, licence, publisher's
# address): data about the document, which the composer quotes only when asked about the document.
FRONT_MATTER = "Front matter"


def chunk_label(chunk: Chunk) -> str:
    """The labelled part a chunk belongs to ('table 2.1', 'figure 1.2', 'box 3.2'), or '': a figure's label opens its
    text, a table row's or box part's its headers (``context``)."""
    head = chunk.text if chunk.kind == "figure" else (chunk.context or chunk.text)
    return min(named_labels(head.strip().split("\n", 1)[0]), default="")


_FIGURE = re.compile(r"^FIGURE\s+(\d+(?:\.\d+)?)\s*$")
_TABLE = re.compile(r"^TABLE\s+(\d+(?:\.\d+)?)\s*$")
_BOX = re.compile(r"^BOX\s+(\d+(?:\.\d+)?)\s*:?\s*(.*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(r"^(\d+)\.\s+\S")
_STEP_HEADING = re.compile(r"^(STEP|Step|PART|Part)\s+\d+\s*:")
_BULLET = re.compile(r"^(\s*)(?:[-*•]|\d+[.)])\s+")
_SOURCE_LINE = re.compile(r"^Source:", re.IGNORECASE)
_CONTENTS_ENTRY = re.compile(r"^\s*(-?)\s*(.*?)[\s.]*(\d{1,3})\**\s*$")


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # without the newline
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def span(self) -> tuple[int, int]:
        lead = len(self.text) - len(self.text.lstrip())
        return self.start + lead, self.start + len(self.text.rstrip())


@dataclass(frozen=True)
class Section:
    path: tuple[str, ...]
    page: int | None = None  # first page, from the contents list
    heading: tuple[int, int] | None = None
    page_end: int | None = None  # last page, inclusive (None: the contents list does not say)

    @property
    def name(self) -> str:
        return " > ".join(self.path)

    @property
    def leaf(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass
class Piece:
    """A unit the packer keeps whole where it can: a paragraph, a list item, a table row, a figure."""

    start: int
    end: int
    kind: ChunkKind
    section: Section
    label: str = ""
    detail: str = ""
    context: list[tuple[int, int]] = field(default_factory=list)
    atomic: bool = False
    page: int | None = None


def _lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return out


def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower().replace("’", "'").replace("‘", "'"))


def _parse_contents(lines: list[Line]) -> dict[str, tuple[str, int, int]]:
    """Map normalised heading -> (title as in the contents list, page, level) from a CONTENTS block."""
    entries: dict[str, tuple[str, int, int]] = {}
    inside, pending = False, ""
    for line in lines:
        s = line.stripped
        if s.upper() == "CONTENTS":
            inside = True
            continue
        if not inside:
            continue
        if not s:
            if entries and not pending:
                break
            continue
        pending = f"{pending}\n{line.text}" if pending else line.text
        m = _CONTENTS_ENTRY.match(pending.replace("\n", " ").replace("**", ""))
        if m and m.group(3):
            level = 2 if pending.startswith((" ", "\t")) else 1
            title = " ".join(m.group(2).split()).strip()
            entries[_norm(title)] = (title, int(m.group(3)), level)
            pending = ""
    return entries


PageRange = tuple[int, int | None]


def _page_ranges(entries: dict[str, tuple[str, int, int]]) -> dict[str, PageRange]:
    """Pages each contents entry runs over: from its page to the page before the next entry at its level or
    above starts (never before its own page); the last entry's end is unknown, so it stays None."""
    items = list(entries.items())
    ranges: dict[str, PageRange] = {}
    for i, (key, (_, page, level)) in enumerate(items):
        following = next((p for _, (_, p, lvl) in items[i + 1 :] if lvl <= level), None)
        ranges[key] = (page, None if following is None else max(page, following - 1))
    return ranges


def _is_caps_heading(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return (
        len(letters) >= 3
        and s == s.upper()
        and not re.match(r"^[-*•]\s", s)
        and len(s.split()) <= 16
        and not s.endswith((".", ","))
        and "\t" not in s
    )


def _pretty(heading: str, text: str) -> str:
    """Sentence case for an all-caps heading, keeping acronyms that the text also writes in capitals."""
    words = heading.split()
    out = []
    for i, word in enumerate(words):
        core = re.sub(r"[^A-Za-z]", "", word)
        keep = len(core) >= 2 and re.search(rf"(?<![A-Z]){re.escape(core)}(?![A-Z])[^\n]*[a-z]", text) is not None
        keep = keep and len(core) <= 5
        lowered = word if keep else word.lower()
        out.append(lowered[:1].upper() + lowered[1:] if i == 0 else lowered)
    return " ".join(out)


class StructuredParser:
    """Turns a text (report, Markdown, PDF text) into pieces with sections and locators."""

    def __init__(
        self,
        text: str,
        *,
        page_starts: Sequence[int] | None = None,
        box_ends: dict[str, str] | None = None,
        body_start: int = 0,
    ) -> None:
        self.text = text
        self.lines = _lines(text)
        self.contents = _parse_contents(self.lines)
        self.page_ranges = _page_ranges(self.contents)
        self.page_starts = list(page_starts) if page_starts else None
        self.box_ends = box_ends or {}
        self.body_start = body_start
        self.stack: list[tuple[int, str, PageRange | None, tuple[int, int]]] = []
        self.seen_contents_heading = False

    # -- sections -------------------------------------------------------------------------------
    def section(self) -> Section:
        path = tuple(title for _, title, _, _ in self.stack)
        # The smallest enclosing section the contents list gives pages for.
        pages = next((p for _, _, p, _ in reversed(self.stack) if p is not None), None)
        heading = self.stack[-1][3] if self.stack else None
        return Section(path, pages[0] if pages else None, heading, pages[1] if pages else None)

    def _push(self, level: int, title: str, pages: PageRange | None, span: tuple[int, int]) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title, pages, span))

    def _heading(self, line: Line, previous_blank: bool, next_blank: bool) -> bool:
        s = line.stripped
        if _FIGURE.match(s) or _TABLE.match(s) or _BOX.match(s):
            return False
        md = _MD_HEADING.match(s)
        if md:
            self._push(len(md.group(1)), md.group(2).strip(), None, line.span)
            return True
        if not (previous_blank and next_blank):
            return False
        # Only capitalised headings take their title and page from the contents list: the summary
        # repeats the step titles in sentence case, and those do not start on the listed pages.
        entry = self.contents.get(_norm(s)) if _is_caps_heading(s) else None
        pages: PageRange | None = None
        if _is_caps_heading(s):
            if entry:
                title, _, level = entry
                pages = self.page_ranges[_norm(s)]
                self.seen_contents_heading = True
            else:
                title = _pretty(s, self.text)
                level = 2 if self.seen_contents_heading and not _NUMBERED_HEADING.match(s) else 1
            if not self.seen_contents_heading and title != "Contents" and level == 1:
                self._push(1, FRONT_MATTER, None, line.span)
                level = 2
            self._push(level, title, pages, line.span)
            return True
        if _STEP_HEADING.match(s) and len(s.split()) <= 16 and not s.endswith("."):
            parent = max((lvl for lvl, *_ in self.stack), default=0)
            same = [lvl for lvl, t, *_ in self.stack if _STEP_HEADING.match(t)]
            self._push(same[-1] if same else parent + 1, s, None, line.span)
            return True
        return False

    def page_of(self, offset: int) -> int | None:
        return _page_of(self.page_starts, offset)

    # -- pieces ----------------------------------------------------------------------------------
    def pieces(self) -> list[Piece]:
        out: list[Piece] = []
        lines = self.lines
        i = 0
        while i < len(lines):
            line = lines[i]
            s = line.stripped
            if line.start < self.body_start or not s:
                i += 1
                continue
            prev_blank = i == 0 or not lines[i - 1].stripped
            next_blank = i + 1 >= len(lines) or not lines[i + 1].stripped
            if self.page_starts and i > 0 and self.page_of(line.start) != self.page_of(lines[i - 1].start):
                prev_blank = True
            if _FIGURE.match(s):
                i = self._figure(i, out)
            elif _TABLE.match(s):
                i = self._table(i, out)
            elif _BOX.match(s):
                i = self._box(i, out)
            elif self._heading(line, prev_blank, next_blank):
                i += 1
            else:
                i = self._block(i, out)
        return out

    def _block(self, i: int, out: list[Piece], *, kind: ChunkKind | None = None, label: str = "",
               context: list[tuple[int, int]] | None = None, stop: int | None = None) -> int:
        """One paragraph, or one list item with its sub-items."""
        lines = self.lines
        first = lines[i]
        is_item = bool(_BULLET.match(first.text))
        indent = len(first.text) - len(first.text.lstrip())
        j = i + 1
        while j < len(lines) and (stop is None or j < stop):
            nxt = lines[j]
            if not nxt.stripped:
                break
            bullet = _BULLET.match(nxt.text)
            if bullet and (not is_item or len(bullet.group(1)) <= indent):
                break
            if self.page_starts and self.page_of(nxt.start) != self.page_of(first.start):
                break
            if _FIGURE.match(nxt.stripped) or _TABLE.match(nxt.stripped) or _BOX.match(nxt.stripped):
                break
            j += 1
        start, end = first.span[0], lines[j - 1].span[1]
        section = self.section()
        if section.path and section.path[-1] == "References" and is_item:
            piece_kind: ChunkKind = "reference"
        else:
            piece_kind = kind or ("list" if is_item else "text")
        out.append(
            Piece(start, end, piece_kind, section, label=label,
                  context=list(context) if context is not None else ([section.heading] if section.heading else []),
                  atomic=piece_kind == "reference", page=self.page_of(start))
        )
        return j

    def _until_source(self, i: int, limit: int = 40) -> int:
        """Index of the 'Source:' line that closes a figure or table (or the last line scanned)."""
        j = i + 1
        while j < len(self.lines) and j < i + limit:
            s = self.lines[j].stripped
            if _SOURCE_LINE.match(s):
                return j
            if j > i + 1 and (_FIGURE.match(s) or _TABLE.match(s) or _BOX.match(s)):
                return j - 1
            j += 1
        return min(j, len(self.lines) - 1)

    def _figure(self, i: int, out: list[Piece]) -> int:
        end_line = self._until_source(i)
        number = _FIGURE.match(self.lines[i].stripped).group(1)  # type: ignore[union-attr]
        start, end = self.lines[i].span[0], self.lines[end_line].span[1]
        out.append(Piece(start, end, "figure", self.section(), label=f"Figure {number}", atomic=True,
                         page=self.page_of(start)))
        return end_line + 1

    def _table(self, i: int, out: list[Piece]) -> int:
        lines = self.lines
        number = _TABLE.match(lines[i].stripped).group(1)  # type: ignore[union-attr]
        label = f"Table {number}"
        end_line = self._until_source(i)
        body = [k for k in range(i + 1, end_line + 1) if lines[k].stripped]
        title = next((k for k in body if "\t" not in lines[k].text and not _SOURCE_LINE.match(lines[k].stripped)), None)
        rows = [k for k in body if "\t" in lines[k].text]
        source = next((k for k in body if _SOURCE_LINE.match(lines[k].stripped)), None)
        section = self.section()
        if not rows:
            out.append(Piece(lines[i].span[0], lines[end_line].span[1], "text", section, label=label, atomic=True,
                             page=self.page_of(lines[i].span[0])))
            return end_line + 1
        header, data = rows[0], rows[1:]
        frame = [lines[i].span] + ([lines[title].span] if title is not None else []) + self._mention(i, label)
        source_span = [lines[source].span] if source is not None else []
        cells = [self._cells(lines[k]) for k in rows]
        column_oriented = len(data) < len(cells[0]) and any(len(self._cell_text(c[0]).split()) > 4 for c in cells[1:])
        if column_oriented:
            # Each cell is its own chunk, carrying its column header and the column's other cells.
            for col, head in enumerate(cells[0]):
                column = [row[col] for row in cells[1:] if col < len(row)]
                for r, cell in enumerate(column, start=1):
                    others = [c for c in column if c != cell]
                    out.append(Piece(cell[0], cell[1], "table_row", section, label=label,
                                     detail=f"{self._cell_text(head)} column, row {r}",
                                     context=frame + [head] + others + source_span, atomic=True,
                                     page=self.page_of(cell[0])))
        else:
            for k in data:
                first_cell = self._cell_text(self._cells(lines[k])[0])
                out.append(Piece(lines[k].span[0], lines[k].span[1], "table_row", section, label=label,
                                 detail=f"{first_cell} row", context=frame + [lines[header].span] + source_span,
                                 atomic=True, page=self.page_of(lines[k].start)))
        return end_line + 1

    def _mention(self, i: int, label: str) -> list[tuple[int, int]]:
        """The body sentence that introduces a table ("... (table 3.1)"): it says what the rows are."""
        window_start = self.lines[max(0, i - 40)].start
        before = self.text[window_start : self.lines[i].start]
        for s, e in reversed(split_sentences(before, window_start)):
            if label.lower() in self.text[s:e].lower():
                return [(s, e)]
        return []

    def _cells(self, line: Line) -> list[tuple[int, int]]:
        cells, pos = [], line.start
        for part in line.text.split("\t"):
            lead = len(part) - len(part.lstrip())
            if part.strip():
                cells.append((pos + lead, pos + len(part.rstrip())))
            pos += len(part) + 1
        return cells

    def _cell_text(self, span: tuple[int, int]) -> str:
        return self.text[span[0] : span[1]]

    def _box(self, i: int, out: list[Piece]) -> int:
        lines = self.lines
        m = _BOX.match(lines[i].stripped)
        assert m is not None
        label = f"Box {m.group(1)}"
        key = lines[i].stripped.split(":")[0].strip()
        hint = self.box_ends.get(key)
        stop = len(lines)
        for k in range(i + 1, len(lines)):
            s = lines[k].stripped
            prev_blank = not lines[k - 1].stripped
            next_blank = k + 1 >= len(lines) or not lines[k + 1].stripped
            if hint and hint in lines[k].text:
                stop = k + 1
                break
            if _FIGURE.match(s) or _TABLE.match(s) or _BOX.match(s) or (
                prev_blank and next_blank and (_is_caps_heading(s) or _MD_HEADING.match(s))
            ):
                stop = k
                break
        else:
            if hint:
                raise ValueError(f"layout hint for {key!r} does not match the text: {hint!r}")
        k = i + 1
        context = [lines[i].span]
        while k < stop:
            if not lines[k].stripped:
                k += 1
                continue
            k = self._block(k, out, kind="box", label=label, context=context, stop=stop)
        return stop


def _group_sentences(text: str, start: int, end: int, budget: int, count: TokenCounter) -> list[tuple[int, int]]:
    """Split an over-long span at sentence (then word) boundaries into spans within ``budget``."""
    units = split_sentences(text[start:end], start) or [(start, end)]
    fine: list[tuple[int, int]] = []
    for s, e in units:
        if count(text[s:e]) <= budget:
            fine.append((s, e))
            continue
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[s:e])]
        a = 0
        while a < len(words):
            b = a + 1
            while b < len(words) and count(text[s + words[a][0] : s + words[b][1]]) <= budget:
                b += 1
            fine.append((s + words[a][0], s + words[b - 1][1]))
            a = b
    groups: list[tuple[int, int]] = []
    for s, e in fine:
        if groups and count(text[groups[-1][0] : e]) <= budget:
            groups[-1] = (groups[-1][0], e)
        else:
            groups.append((s, e))
    return groups


def _context_text(text: str, spans: Sequence[tuple[int, int]]) -> str:
    return "\n".join(text[s:e] for s, e in spans)


def _page_of(page_starts: Sequence[int] | None, offset: int) -> int | None:
    """The PDF page (1-based) holding ``offset``, or None for a text without page breaks."""
    if not page_starts:
        return None
    return bisect.bisect_right(page_starts, offset)


def _pages(first: int, last: int | None) -> str:
    if last is None:
        return f"from p. {first}"
    return f"p. {first}" if last <= first else f"pp. {first}–{last}"


def _locator(piece: Piece, part: str, page: int | None, page_end: int | None, *, printed: bool) -> str:
    """'Table 2.1, Targets row · 2. The future is here, pp. 12–17' (pages of the section, from the contents
    list) or 'Figure 1 · pp. 3–4, Results' (the PDF pages the chunk itself is on)."""
    where = piece.section.leaf
    if page is not None and printed:
        where = f"{where}, {_pages(page, page_end)}" if where else _pages(page, page_end)
    elif page is not None:
        where = _pages(page, page_end) + (f", {where}" if where else "")
    head = piece.label + (f", {piece.detail}" if piece.detail else "") + part
    return f"{head} · {where}" if head and where else (head or where or "whole document")


def _chunk_pages(section: Section, page_starts: Sequence[int] | None, start: int,
                 end: int) -> tuple[int | None, int | None]:
    if page_starts:
        first = _page_of(page_starts, start)
        last = _page_of(page_starts, max(start, end - 1))
        return first, last
    return section.page, section.page_end


def chunk_id(source_id: str, start: int, end: int, text: str, context: str) -> str:
    """Content hash: the same text at the same place of the same source always has the same id."""
    digest = hashlib.sha256(f"{source_id}\x00{start}\x00{end}\x00{context}\x00{text}".encode()).hexdigest()
    return digest[:32]


def pack(pieces: list[Piece], text: str, *, source_id: str, title: str, budget: int,
         count: TokenCounter, page_starts: Sequence[int] | None = None) -> list[Chunk]:
    """Pack consecutive pieces of one section into chunks of at most ``budget`` word pieces.

    With ``page_starts`` (a PDF) a chunk carries the pages its own text is on; without, the pages of the
    smallest section the contents list gives pages for (the text has no page breaks to be more precise).
    """
    groups: list[tuple[list[Piece], tuple[int, int] | None]] = []
    for piece in pieces:
        ctx = _context_text(text, piece.context)
        prefix = count(ctx) if ctx else 0
        if count(text[piece.start : piece.end]) + prefix > budget:
            for s, e in _group_sentences(text, piece.start, piece.end, budget - prefix, count):
                groups.append(([Piece(s, e, piece.kind, piece.section, piece.label, piece.detail,
                                      piece.context, True, piece.page)], None))
            continue
        last = groups[-1][0] if groups else None
        if (
            last
            and not piece.atomic
            and not last[-1].atomic
            and last[-1].section == piece.section
            and last[-1].label == piece.label
            and last[-1].page == piece.page
            and count(text[last[0].start : piece.end]) + prefix <= budget
        ):
            last.append(piece)
        else:
            groups.append(([piece], None))

    chunks: list[Chunk] = []
    parts: dict[str, int] = {}
    for members, _ in groups:
        if members[0].kind == "box":
            parts[members[0].label] = parts.get(members[0].label, 0) + 1
    seen: dict[str, int] = {}
    previous_marker: str | None = None
    for seq, (members, _) in enumerate(groups):
        head = members[0]
        start, end = head.start, members[-1].end
        kinds = {m.kind for m in members}
        kind: ChunkKind = head.kind if len(kinds) == 1 else "text"
        part = ""
        if kind == "box" and parts.get(head.label, 1) > 1:
            seen[head.label] = seen.get(head.label, 0) + 1
            part = f" (part {seen[head.label]} of {parts[head.label]})"
        context = _context_text(text, head.context)
        body = text[start:end]
        cites, previous_marker = find_citations(body, previous_marker)
        page, page_end = _chunk_pages(head.section, page_starts, start, end)
        chunks.append(
            Chunk(
                id=chunk_id(source_id, start, end, body, context),
                source_id=source_id,
                title=title,
                section=head.section.name or title,
                kind=kind,
                locator=_locator(head, part, page, page_end, printed=not page_starts),
                start=start,
                end=end,
                text=body,
                context=context,
                context_spans=list(head.context),
                cites=cites,
                page=page,
                page_end=page_end,
                seq=seq,
            )
        )
    return chunks


def chunk_text(
    text: str,
    *,
    source_id: str,
    title: str,
    count: TokenCounter,
    budget: int,
    page_starts: Sequence[int] | None = None,
    box_ends: dict[str, str] | None = None,
    body_start: int = 0,
) -> list[Chunk]:
    """Chunk a source's text; for PDFs ``page_starts`` holds the offset where each page starts, page 1 first."""
    parser = StructuredParser(text, page_starts=page_starts, box_ends=box_ends, body_start=body_start)
    return pack(parser.pieces(), text, source_id=source_id, title=title, budget=budget, count=count,
                page_starts=page_starts)
