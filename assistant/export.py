"""Markdown and DOCX for answers, drafts and claim checks, each ending in a numbered References section.

Every exportable object is first laid out as a ``Layout`` (headings, paragraphs and bullets with their
[n] markers, plus the references); Markdown and DOCX render that one layout, so both always carry the
same citations. A briefing note must fit on two pages: its layout is trimmed to a line budget before
rendering (quotes in the references shortened first, then the last evidence items dropped).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import singledispatch
from pathlib import Path
from typing import Literal

from assistant.schemas import (
    Answer,
    BriefingNote,
    Citation,
    ClaimCheck,
    DraftCheck,
    Metric,
    MetricsDraft,
    MissionTestAssessment,
    Statement,
)

BlockKind = Literal["h1", "h2", "para", "bullet"]
# The two-page budget, for A4 with 2 cm margins and 10 pt text: ~100 characters a line, ~58 lines a page,
# less the space headings and paragraph gaps take. Checked against LibreOffice's page count in the tests.
CHARS_PER_LINE = 100
PAGE_LINES = 54
BRIEFING_PAGES = 2
SHORT_QUOTE = 110


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    refs: tuple[int, ...] = ()
    label: str = ""  # a lead shown in bold before the text (a draft check's verdict)


@dataclass(frozen=True)
class Layout:
    title: str
    blocks: list[Block]
    references: list[Citation]
    quote_limit: int | None = None  # shorten quotes in the references to this many characters
    notes: list[str] = field(default_factory=list)


# -- source text as a reader sees it --------------------------------------------------------------
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
# A Markdown heading ("# ") or list marker ("- ", "* ", "+ ", "• ") at the start of a line of source text.
LINE_MARK = re.compile(r"^[ \t]*(?:(?P<heading>#{1,6})|(?P<item>[-*+•]))[ \t]+")
ANSWER_ITEM = re.compile(r"^[ \t]*[-*•][ \t]+")


def unbold(text: str) -> str:
    """Source text without its own Markdown bold markers (``**``)."""
    return _BOLD.sub(r"\1", text)


def plain_excerpt(text: str) -> str:
    """An excerpt of source text on one line, without Markdown syntax: bold markers and the heading or list
    marker at the start of each line dropped (a list item after the first line keeps a "•")."""
    lines: list[str] = []
    for line in unbold(text).splitlines():
        m = LINE_MARK.match(line)
        body = line[m.end():] if m else line
        if not body.strip():
            continue
        lines.append("• " + body if m and m.group("item") and lines else body)
    return " ".join(" ".join(lines).split())


def excerpt(c: Citation, limit: int | None = None) -> str:
    """A citation's excerpt introduced honestly: a verbatim quote in quotation marks; a sentence of one of our
    evidence notes as our summary of the work (not its words), with what the note was written from."""
    text = plain_excerpt(c.quote)
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if c.origin == "evidence note":
        basis = f" (note written from: {c.basis.rstrip('. ')})" if c.basis else ""
        return f"{c.label}: {text}{basis}"
    return f"“{text}”"


def answer_blocks(text: str) -> list[tuple[BlockKind, str]]:
    """An answer's Markdown as paragraphs and bullets: blank lines part paragraphs, "- " lines are list items."""
    out: list[tuple[BlockKind, str]] = []
    for para in re.split(r"\n[ \t]*\n", text.strip()):
        run: list[str] = []
        for line in para.splitlines():
            if not line.strip():
                continue
            if ANSWER_ITEM.match(line):
                if run:
                    out.append(("para", " ".join(run)))
                    run = []
                out.append(("bullet", " ".join(ANSWER_ITEM.sub("", line).split())))
            else:
                run.append(" ".join(line.split()))
        if run:
            out.append(("para", " ".join(run)))
    return out


# -- layouts --------------------------------------------------------------------------------------
def _statement(s: Statement, kind: BlockKind = "bullet") -> Block:
    text = f"Gap: {s.text}" if s.gap else s.text
    return Block(kind, text, tuple(c.n for c in s.citations))


def _section(title: str, statements: list[Statement], empty: str = "Nothing in the sources.") -> list[Block]:
    body = [_statement(s) for s in statements] or [Block("para", f"Gap: {empty}")]
    return [Block("h2", title), *body]


def _common(draft: MetricsDraft | MissionTestAssessment | BriefingNote | ClaimCheck) -> list[Block]:
    out: list[Block] = []
    if draft.narrative:
        out += [Block("h2", "Summary written by the model (verified)"), *(_statement(s, "para") for s in draft.narrative)]
    if draft.gaps:
        out += [Block("h2", "Evidence gaps"),
                *(Block("bullet", f"{g.field}: {g.reason} (searched: “{g.query}”)") for g in draft.gaps)]
    return out


@singledispatch
def layout(obj: object) -> Layout:
    """The exportable layout of an Answer, a draft or a claim check."""
    raise TypeError(f"cannot export {type(obj).__name__}")


@layout.register
def _(answer: Answer) -> Layout:
    blocks = [Block("h2", "Question"), Block("para", answer.question), Block("h2", "Answer")]
    # The answer's markers stay in its text; they are the same [n] as the references. Its paragraphs and
    # "- " list items stay paragraphs and bullets.
    blocks += [Block(kind, text) for kind, text in answer_blocks(answer.answer)]
    if answer.refused and answer.closest:
        blocks += [Block("h2", "Closest material"), *(Block("bullet", excerpt(c), (c.n,)) for c in answer.closest)]
    for r in answer.removed:
        blocks.append(Block("bullet", f"Removed by the citation verifier: {r.sentence} ({r.reason})"))
    refs = answer.citations or answer.closest
    title = re.sub(r"\s+", " ", answer.question)[:90]
    return Layout(title, blocks, refs)


def _metric(m: Metric) -> list[Block]:
    return [
        Block("h2", f"{m.tier.capitalize()} metric: {m.name}"),
        _labelled("Definition", m.definition),
        _labelled("Why it matters", m.why_it_matters),
        _labelled("Likely data source", m.data_source),
        Block("bullet", f"Direction of good: {m.direction} ({m.direction_basis})"),
    ]


def _labelled(label: str, s: Statement) -> Block:
    return Block("bullet", f"{label}: {'Gap: ' if s.gap else ''}{s.text}", tuple(c.n for c in s.citations))


@layout.register
def _(draft: MetricsDraft) -> Layout:
    blocks: list[Block] = [Block("para", f"Mission: {draft.mission}")]
    if draft.goal:
        blocks.append(_statement(draft.goal, "para"))
    blocks += _common(draft)
    for m in [*draft.core, *draft.output, *draft.input]:
        blocks += _metric(m)
    if draft.evidence:
        blocks += _section("What the sources say about this mission", draft.evidence)
    return Layout(f"Mission framework: {draft.mission}", blocks, draft.references())


@layout.register
def _(draft: MissionTestAssessment) -> Layout:
    f = draft.facts
    facts = [
        f"Cost: {f.cost or 'unknown (not in the proposal)'}",
        f"Years: {f.years or 'unknown (not in the proposal)'}",
        f"Fiscal headroom: {f.fiscal_headroom or 'unknown (not in the proposal)'}",
        f"What it buys: {f.scale or 'not stated'}",
    ]
    blocks = [Block("h2", "Proposal"), Block("para", draft.proposal), *(Block("bullet", x) for x in facts)]
    blocks += _common(draft)
    for c in draft.criteria:
        blocks += [
            Block("h2", f"{c.criterion.capitalize()}: {c.rating}"),
            _labelled("The test", c.question),
            Block("bullet", f"Finding: {c.finding}", tuple(x.n for x in c.evidence)),
            *(Block("bullet", f"Reason: {r}") for r in c.reasons),
        ]
    blocks.append(Block("h2", "Missions and core metrics affected"))
    blocks += [Block("bullet", f"{i.mission}: {i.core_metric.text} Why: {i.basis}.", tuple(x.n for x in i.core_metric.citations))
               for i in draft.missions] or [Block("para", "Gap: no mission matched.")]
    p = draft.prevention
    blocks += [Block("h2", f"Fit with the pivot to prevention: {p.fit}"), _statement(p.shift), Block("bullet", f"Why: {p.reason}.")]
    blocks += [Block("h2", f"Prevention investment expenditure (PIE): {draft.pie.could_count}"),
               Block("bullet", f"{draft.pie.reason}.", tuple(x.n for x in draft.pie.evidence))]
    blocks += [Block("h2", "Questions for the sponsoring department"), *(Block("bullet", q) for q in draft.questions)]
    return Layout(f"Mission test: {draft.proposal[:80]}", blocks, draft.references())


@layout.register
def _(note: BriefingNote) -> Layout:
    blocks = [Block("h2", "Purpose"), Block("para", note.purpose)]
    blocks += _section("Summary", note.summary)
    blocks += _section("Recommendations", note.recommendations)
    blocks += _section("Background", note.background)
    blocks += _section("Evidence", note.evidence)
    blocks += _section("Options", note.options)
    blocks += _section("Risks", note.risks)
    blocks += _section("Next steps", note.next_steps)
    if note.narrative and note.mode == "llm":
        blocks.append(Block("para", "Summary bullets written by a language model and checked by the citation verifier."))
    return fit_pages(Layout(note.title, blocks, note.references()), BRIEFING_PAGES)


@layout.register
def _(check: ClaimCheck) -> Layout:
    blocks = [
        Block("h2", "Claim"), Block("para", check.claim),
        Block("h2", f"Verdict: {check.verdict}"), Block("para", check.explanation),
        Block("h2", "Supporting passages"),
        *([Block("bullet", f"{c.title}, {c.locator}: {excerpt(c)}", (c.n,)) for c in check.supporting]
          or [Block("para", "None found.")]),
        Block("h2", "Contradicting passages"),
        *([Block("bullet", f"{c.title}, {c.locator}: {excerpt(c)}", (c.n,)) for c in check.contradicting]
          or [Block("para", "None found.")]),
        Block("h2", "How the verdict was reached"),
        *(Block("bullet", s) for s in check.signals[:12]),
    ]
    if check.narrative:
        blocks += [Block("h2", "Explanation written by the model (verified)"), *(_statement(s, "para") for s in check.narrative)]
    return Layout(f"Claim check: {check.claim[:80]}", blocks, check.references())


# How each verdict reads at a glance in a draft check (a sign and the words, so it survives black-and-white print).
VERDICT_MARKS = {
    "supported": "✔ supported",
    "contradicted": "✘ contradicted",
    "mixed": "◐ mixed",
    "not enough evidence": "⚠ not enough evidence",
    "not checked": "– not checked",
}


def draft_check_summary(check: DraftCheck) -> str:
    """One line: how many sentences were checked and how they came out."""
    counts = check.counts
    checked = sum(n for v, n in counts.items() if v != "not checked")
    verdicts = ", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICT_MARKS if v != "not checked")
    skipped = counts.get("not checked", 0)
    tail = f"; {skipped} line{'s' if skipped != 1 else ''} not checked (headings, questions, lead-ins, fragments)" \
        if skipped else ""
    return f"{checked} sentence{'s' if checked != 1 else ''} checked: {verdicts}{tail}."


@layout.register
def _(check: DraftCheck) -> Layout:
    blocks = [Block("para", draft_check_summary(check))]
    flagged = sum(1 for s in check.sentences if s.flagged)
    if flagged:
        blocks.append(Block("para", f"{flagged} sentence{'s' if flagged != 1 else ''} to look at before the draft goes "
                                    "(contradicted, mixed or without enough evidence): each says why."))
    for i, s in enumerate(check.sentences):
        if s.heading:
            if i or s.sentence != check.title:  # the draft's title is already the report's
                blocks.append(Block("h2", s.sentence))
            continue
        if s.verdict == "not checked":
            blocks.append(Block("para", f"({s.reason}): {s.sentence}", label=VERDICT_MARKS[s.verdict]))
            continue
        # The sentence carries the passages that decided its verdict; those on the other side follow it.
        lead, other = (s.contradicting, s.supporting) if s.verdict == "contradicted" else (s.supporting, s.contradicting)
        text = s.sentence + _markers(lead)
        if other:
            text += f" · {'for it' if other is s.supporting else 'against or qualifying it'}:{_markers(other)}"
        blocks.append(Block("para", text, label=VERDICT_MARKS[s.verdict] + ":"))
        if s.flagged and s.reason:
            blocks.append(Block("bullet", f"Why: {s.reason}"))
        if s.source_figures:
            blocks.append(Block("bullet", f"The sources' figure: {'; '.join(s.source_figures)}",
                                tuple(c.n for c in s.contradicting[:1])))
    return Layout(f"Draft check: {check.title[:80]}", blocks, check.references())


def _markers(citations: list[Citation]) -> str:
    return (" " + "".join(f"[{c.n}]" for c in citations)) if citations else ""


# -- fitting --------------------------------------------------------------------------------------
def reference_groups(refs: list[Citation]) -> list[tuple[str, list[Citation]]]:
    """References grouped under each source's full citation (and address), sources in order of first use."""
    groups: dict[str, list[Citation]] = {}
    for c in sorted(refs, key=lambda c: c.n):
        head = (c.citation or c.title).rstrip(". ") + "." + (f" {c.url}" if c.url else "")
        groups.setdefault(head, []).append(c)
    return list(groups.items())


def reference_text(c: Citation, quote_limit: int | None = None) -> str:
    """One numbered entry under its source: locator and excerpt (a quote, or our evidence note, so labelled)."""
    return f"[{c.n}] {c.locator}: {excerpt(c, quote_limit)}"


def _block_text(b: Block) -> str:
    return b.text + (" " + "".join(f"[{n}]" for n in b.refs) if b.refs else "")


def estimate_lines(doc: Layout) -> int:
    """Lines the layout takes at CHARS_PER_LINE, counting headings and gaps between paragraphs."""
    lines = 3  # title
    for b in doc.blocks:
        lines += math.ceil(len(b.label + _block_text(b)) / CHARS_PER_LINE) + (2 if b.kind in ("h1", "h2") else 0)
    lines += 3
    for head, refs in reference_groups(doc.references):
        lines += math.ceil(len(head) / CHARS_PER_LINE) + 1
        for c in refs:
            lines += math.ceil(len(reference_text(c, doc.quote_limit)) / (CHARS_PER_LINE - 6))
    return lines


def fit_pages(doc: Layout, pages: int, keep: tuple[str, ...] = ("Summary",)) -> Layout:
    """Trim a layout to ``pages``: shorten reference quotes, then drop the last items of the longest
    sections (never those named in ``keep``), then renumber the references that remain 1..n."""
    budget = pages * PAGE_LINES
    if estimate_lines(doc) <= budget:
        return doc
    doc = replace(doc, quote_limit=SHORT_QUOTE)
    dropped = 0
    while estimate_lines(doc) > budget:
        drop = _last_droppable(doc.blocks, keep)
        if drop is None:
            break
        dropped += 1
        blocks = doc.blocks[:drop] + doc.blocks[drop + 1:]
        kept = {n for b in blocks for n in b.refs}
        doc = replace(doc, blocks=blocks, references=[c for c in doc.references if c.n in kept])
    if dropped:
        doc = replace(_renumber(doc), notes=[*doc.notes, f"{dropped} item(s) left out to fit {pages} pages"])
    return doc


def _renumber(doc: Layout) -> Layout:
    order: dict[int, int] = {}
    for b in doc.blocks:
        for n in b.refs:
            order.setdefault(n, len(order) + 1)
    blocks = [replace(b, refs=tuple(order[n] for n in b.refs)) for b in doc.blocks]
    refs = sorted((c.model_copy(update={"n": order[c.n]}) for c in doc.references if c.n in order), key=lambda c: c.n)
    return replace(doc, blocks=blocks, references=refs)


def _last_droppable(blocks: list[Block], keep: tuple[str, ...]) -> int | None:
    """The last bullet of the longest section not in ``keep`` (sections keep at least one item)."""
    sections: list[list[int]] = []
    for i, b in enumerate(blocks):
        if b.kind in ("h1", "h2"):
            sections.append([] if b.text not in keep else [-1])
        elif b.kind == "bullet" and sections and sections[-1] != [-1]:
            sections[-1].append(i)
    longest = max((sec for sec in sections if sec != [-1]), key=len, default=[])
    return longest[-1] if len(longest) > 1 else None


# -- renderers ------------------------------------------------------------------------------------
def to_markdown(obj: object) -> str:
    """Markdown with [n] markers and a numbered References section."""
    doc = layout(obj)
    out = [f"# {doc.title}", ""]
    for b in doc.blocks:
        text = (f"**{b.label}** " if b.label else "") + _block_text(b)
        if b.kind != "bullet" and out[-1].startswith("- "):
            out.append("")  # a paragraph after a list is not a continuation of its last item
        out += ["", f"## {b.text}", ""] if b.kind == "h2" else [f"- {text}"] if b.kind == "bullet" else [text, ""]
    out += ["", "## References", ""]
    for head, refs in reference_groups(doc.references):
        out += [head, "", *(f"- {reference_text(c, doc.quote_limit)}" for c in refs), ""]
    if doc.notes:
        out += [f"_{note}_" for note in doc.notes]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def to_docx(obj: object, path: Path) -> Path:
    """A Word document with the same content as the Markdown, and the references numbered."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = layout(obj)
    word = Document()
    for section in word.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = Cm(2)
    normal = word.styles["Normal"]
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(2)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 11)):
        style = word.styles[name]
        style.font.size = Pt(size)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(2)
    word.add_heading(doc.title, level=0)
    for b in doc.blocks:
        text = _block_text(b)
        if b.kind in ("h1", "h2"):
            word.add_heading(b.text, level=1 if b.kind == "h1" else 2)
        elif b.label:
            paragraph = word.add_paragraph(style="List Bullet" if b.kind == "bullet" else None)
            paragraph.add_run(b.label).bold = True
            paragraph.add_run(" " + text)
            paragraph.paragraph_format.space_before = Pt(5)
        elif b.kind == "bullet":
            word.add_paragraph(text, style="List Bullet")
        else:
            word.add_paragraph(text)
    word.add_heading("References", level=2)
    for head, refs in reference_groups(doc.references):
        word.add_paragraph().add_run(head).bold = True
        for c in refs:
            paragraph = word.add_paragraph(reference_text(c, doc.quote_limit))
            paragraph.paragraph_format.left_indent = Cm(0.5)
            paragraph.paragraph_format.space_after = Pt(1)
    for note in doc.notes:
        word.add_paragraph().add_run(note).italic = True
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(path))
    return path
