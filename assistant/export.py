"""Markdown and DOCX for answers, drafts and claim checks, each ending in a numbered References section.

Every exportable object is first laid out as a ``Layout`` (headings, paragraphs and bullets with their
[n] markers, plus the references); Markdown and DOCX render that one layout, so both always carry the
same citations, and the app shows that same layout on screen (ui/render.py ``render_layout``), so a
download carries exactly what the reader saw. A briefing note must fit on two pages: the drafting layer
chooses and tightens what goes in; here quotes in the references are shortened if needed, and a layout
that still runs over says so in a note, on screen and in the document. Nothing is ever dropped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date
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
from assistant.text.markdown import plain_excerpt, unbold
from assistant.text.numbers import pounds_text
from assistant.text.sentences import clip, is_bullet_line, split_sentences, strip_bullet, structured_lines

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
    label: str = ""  # a lead shown in bold before the text (a draft check's verdict, "To:")
    badge: str = ""  # a rating after a heading ("Affordability: green"), coloured on screen


@dataclass(frozen=True)
class Layout:
    title: str
    blocks: list[Block]
    references: list[Citation]
    quote_limit: int | None = None  # shorten quotes in the references to this many characters
    notes: list[str] = field(default_factory=list)
    marking: str = ""  # a security marking, shown above and below the document ("OFFICIAL")


def heading_text(b: Block) -> str:
    """A heading as every renderer writes it: its text, then its rating if it has one."""
    return f"{b.text}: {b.badge}" if b.badge else b.text


# -- source text as a reader sees it: the text toolkit's (assistant/text/markdown.py) -----------------------
ANSWER_ITEM = re.compile(r"^[ \t]*[-*•][ \t]+")


def excerpt(c: Citation, limit: int | None = None) -> str:
    """A citation's excerpt introduced honestly: a verbatim quote in quotation marks; a sentence of one of our
    evidence notes as our summary of the work (not its words), with what the note was written from; a quote of
    a user's upload as "Your document: <file name>", never as the report's."""
    text = plain_excerpt(c.quote)
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if c.origin == "evidence note":
        basis = f" (note written from: {c.basis.rstrip('. ')})" if c.basis else ""
        return f"{c.label}: {text}{basis}"
    if c.origin == "user document":
        return f"{c.label}: “{text}”"
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


def proposal_title(proposal: str, limit: int = 80) -> str:
    """A proposal's name: its first line when that reads as a heading (short, no full stop), else its first
    sentence; either way cut at a word boundary, never mid-word."""
    first = next((line.strip() for line in proposal.splitlines() if line.strip()), "")
    if not first or first.endswith((".", "?", "!")) or len(first) > 2 * limit:
        spans = split_sentences(first or proposal)
        first = (first or proposal)[spans[0][0]:spans[0][1]].rstrip(".") if spans else first
    return clip(first, limit)


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
                *(Block("bullet", f"{g.field}: {g.reason} (searched: “{clip(g.query, 120)}”)") for g in draft.gaps)]
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
    title = clip(answer.question, 90)
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
    if draft.report_mission is None and draft.nearest_basis:
        blocks.append(Block("para", draft.nearest_basis, label="Nearest report mission:"))
    if draft.goal:
        blocks.append(_statement(draft.goal, "para"))
    blocks += _common(draft)
    for m in [*draft.core, *draft.output, *draft.input]:
        blocks += _metric(m)
    if draft.evidence:
        blocks += _section("What the sources say about this mission", draft.evidence)
    return Layout(f"Mission framework: {draft.mission}", blocks, draft.references())


# How each proposal fact is named in a mission test, in the order PROPOSAL_FACT_KEYS gives them.
FACT_LABELS = {
    "total_cost": "Total cost", "cost_per_year": "Cost per year", "spend_type": "Capital or resource",
    "years": "Years", "running_costs": "Running costs a year", "running_costs_from": "Running costs from",
    "funding": "Funding", "headroom_effect": "Effect on fiscal headroom", "scale": "Scale",
    "serves": "Who it serves", "outcomes": "Expected outcomes", "outcome_dates": "Outcome dates",
}


def _shown_fact(key: str, value: object) -> str:
    """A stated fact as an adviser reads it: 'year 4', not '4'; 'none' or '£2bn less', not '0' or '-2000000000'."""
    if key == "running_costs_from" and isinstance(value, int) and not isinstance(value, bool):
        return f"year {value}"
    if key == "headroom_effect" and isinstance(value, int | float) and not isinstance(value, bool):
        return "none" if value == 0 else f"{pounds_text(abs(value))} {'less' if value < 0 else 'more'}"
    return _fact_value(value)


def _fact_value(value: object) -> str:
    if isinstance(value, list):
        return " to ".join(_fact_value(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return pounds_text(value) if abs(value) >= 1e6 else f"{value:g}"  # years and programme years stay numbers


@layout.register
def _(draft: MissionTestAssessment) -> Layout:
    verdict = draft.verdict.rstrip(".") + "." if draft.verdict else ""
    blocks = [Block("h2", "Verdict", badge=draft.overall), Block("para", verdict)] if verdict else []
    blocks += [Block("h2", "Proposal"), *(Block("bullet", strip_bullet(line)) if is_bullet_line(line) else Block("para", line)
                                          for p in re.split(r"\n\s*\n", draft.proposal)
                                          for line in structured_lines(p))]  # key-fact lines and list items stay lines
    blocks.append(Block("h2", "What the proposal states"))
    quoted_only = {"scale", "serves", "outcomes", "outcome_dates"}  # their words are the fact
    for key, fact in draft.facts.stated().items():
        if fact is None:
            continue
        shown = None if key in quoted_only else _shown_fact(key, fact.value)
        words = " ".join(fact.words.split())  # one line, as every rendering shows it
        blocks.append(Block("bullet", f"{FACT_LABELS.get(key, key)}: " + (f"{shown} (“{words}”)" if shown else f"“{words}”")))
    if draft.unstated:
        blocks.append(Block("bullet", "Not stated: " + ", ".join(FACT_LABELS.get(k, k).lower() for k in draft.unstated)
                            + " (each is asked about below)."))
    blocks += _common(draft)
    for c in draft.criteria:
        blocks += [
            Block("h2", c.criterion.capitalize(), badge=c.rating),
            _labelled("The test", c.question),
            Block("bullet", f"Finding: {c.finding}", tuple(x.n for x in c.evidence)),
            *(Block("bullet", f"Reason: {r}") for r in c.reasons),
        ]
    blocks.append(Block("h2", "Missions and core metrics affected"))
    blocks += [Block("bullet", f"{i.mission}: {i.core_metric.text} Why: {i.basis}.", tuple(x.n for x in i.core_metric.citations))
               for i in draft.missions] or [Block("para", "Gap: no mission matched.")]
    p = draft.prevention
    blocks += [Block("h2", "Fit with the pivot to prevention", badge=p.fit), _statement(p.shift), Block("bullet", f"Why: {p.reason}.")]
    blocks += [Block("h2", "Prevention investment expenditure (PIE)", badge=draft.pie.could_count),
               Block("bullet", f"{draft.pie.reason.rstrip('.')}.", tuple(x.n for x in draft.pie.evidence))]
    blocks += [Block("h2", "Questions for the sponsoring department"), *(Block("bullet", q) for q in draft.questions)]
    return Layout(f"Mission test: {proposal_title(draft.proposal)}", blocks, draft.references())


@layout.register
def _(note: BriefingNote) -> Layout:
    blocks = [Block("para", text, label=f"{label}:") for label, text in
              (("To", note.to), ("From", note.sender), ("Date", _long_date(note.date))) if text]
    if note.decision is not None:
        blocks += [Block("h2", "Decision required"), _statement(note.decision, "para")]
    blocks += [Block("h2", "Purpose"), Block("para", note.purpose)]
    blocks += _section("Summary", note.summary)
    blocks += _section("Recommendations", note.recommendations)
    blocks += _section("Background", note.background)
    blocks += _section("Evidence", note.evidence)
    blocks += _section("Options", note.options)
    blocks += _section("Risks", note.risks)
    blocks += _section("Next steps", note.next_steps)
    if note.narrative and note.mode == "llm":
        blocks.append(Block("para", "Summary bullets written by a language model and checked by the citation verifier."))
    return fit_pages(Layout(note.title, blocks, note.references(), marking=note.marking), BRIEFING_PAGES)


def _long_date(iso: str) -> str:
    """An ISO date as a briefing note writes it ("2026-11-30" -> "30 November 2026"); other text unchanged."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


@layout.register
def _(check: ClaimCheck) -> Layout:
    blocks = [
        Block("h2", "Claim"), Block("para", check.claim),
        # The plain reason naming the decisive passage leads; the rules that fired stay in --json ('signals'): they mean
        # nothing to an adviser (issue 11).
        Block("h2", "Verdict", badge=check.verdict), Block("para", check.reason or check.explanation),
        Block("h2", "Supporting passages"),
        *([Block("bullet", f"{c.title}, {c.locator}: {excerpt(c)}", (c.n,)) for c in check.supporting]
          or [Block("para", "None found.")]),
        Block("h2", "Contradicting passages"),
        *([Block("bullet", f"{c.title}, {c.locator}: {excerpt(c)}", (c.n,)) for c in check.contradicting]
          or [Block("para", "None found.")]),
        *([Block("h2", "Your documents (shown, not counted in the verdict)"),
           *(Block("bullet", f"{c.locator}: {excerpt(c)}", (c.n,)) for c in check.your_documents)]
          if check.your_documents else []),
    ]
    if check.narrative:
        blocks += [Block("h2", "Explanation written by the model (verified)"), *(_statement(s, "para") for s in check.narrative)]
    return Layout(f"Claim check: {clip(check.claim, 80)}", blocks, check.references())


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
    return Layout(f"Draft check: {clip(check.title, 80)}", blocks, check.references())


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
    return heading_text(b) + (" " + "".join(f"[{n}]" for n in b.refs) if b.refs else "")


def block_lines(doc: Layout) -> list[str]:
    """The layout as the lines a reader sees, in order: title, marking, each block (label, text, markers),
    then the references under their sources and the notes, and the marking again at the foot. Markdown, DOCX and the screen all show exactly
    these lines; tests and the eval compare each rendering with them."""
    out = ([doc.marking] if doc.marking else []) + [doc.title]
    out += [(f"{b.label} " if b.label else "") + _block_text(b) for b in doc.blocks]
    out.append("References")
    for head, refs in reference_groups(doc.references):
        out += [head, *(reference_text(c, doc.quote_limit) for c in refs)]
    return out + list(doc.notes) + ([doc.marking] if doc.marking else [])


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


def fit_pages(doc: Layout, pages: int) -> Layout:
    """Fit a layout to ``pages`` without losing anything: shorten the quotes in the references (each keeps
    its locator and opens in full in the app); if it still runs over, say so in a note that the screen and
    the document both show. Choosing what goes in is the drafting layer's job, never this one's."""
    budget = pages * PAGE_LINES
    if estimate_lines(doc) <= budget:
        return doc
    doc = replace(doc, quote_limit=SHORT_QUOTE)
    lines = estimate_lines(doc)
    if lines > budget:
        doc = replace(doc, notes=[*doc.notes, f"This runs to about {math.ceil(lines / PAGE_LINES)} pages, over its "
                                              f"{pages}-page limit: shorten it before it is sent."])
    return doc


# -- renderers ------------------------------------------------------------------------------------
def to_markdown(obj: object) -> str:
    """Markdown with [n] markers and a numbered References section."""
    doc = layout(obj)
    out = ([f"**{doc.marking}**", ""] if doc.marking else []) + [f"# {doc.title}", ""]
    for b in doc.blocks:
        text = (f"**{b.label}** " if b.label else "") + _block_text(b)
        if b.kind != "bullet" and out[-1].startswith("- "):
            out.append("")  # a paragraph after a list is not a continuation of its last item
        out += ["", f"## {heading_text(b)}", ""] if b.kind == "h2" else [f"- {text}"] if b.kind == "bullet" else [text, ""]
    out += ["", "## References", ""]
    for head, refs in reference_groups(doc.references):
        out += [head, "", *(f"- {reference_text(c, doc.quote_limit)}" for c in refs), ""]
    if doc.notes:
        out += [f"_{note}_" for note in doc.notes]
    if doc.marking:
        out += ["", f"**{doc.marking}**"]
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
    if doc.marking:  # above and below every page, as a protective marking is
        for section in word.sections:
            for part in (section.header, section.footer):
                marking = part.paragraphs[0]
                marking.add_run(doc.marking).bold = True
                marking.alignment = 1  # centred
    word.add_heading(doc.title, level=0)
    for b in doc.blocks:
        text = _block_text(b)
        if b.kind in ("h1", "h2"):
            word.add_heading(heading_text(b), level=1 if b.kind == "h1" else 2)
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


# -- reading a download back (tests and the eval compare it with the layout) ----------------------------
_MD_LEAD = re.compile(r"^(?:#{1,6} |- )")


def markdown_lines(markdown: str) -> list[str]:
    """The lines a reader sees in a Markdown export: heading and list marks, bold and italic marks removed."""
    out = []
    for line in markdown.splitlines():
        line = _MD_LEAD.sub("", line.strip())
        line = unbold(line)
        if line.startswith("_") and line.endswith("_") and len(line) > 1:
            line = line[1:-1]
        if line:
            out.append(line)
    return out


def docx_lines(path: Path) -> list[str]:
    """The lines a reader sees in a DOCX export: the page header (its marking), every paragraph, the footer."""
    from docx import Document

    word = Document(str(path))
    section = word.sections[0]
    header = [p.text for p in section.header.paragraphs if p.text.strip()] if not section.header.is_linked_to_previous else []
    footer = [p.text for p in section.footer.paragraphs if p.text.strip()] if not section.footer.is_linked_to_previous else []
    return header + [p.text for p in word.paragraphs if p.text.strip()] + footer

