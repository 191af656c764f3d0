"""Shared rendering: answers, citations, drafts. Every text from a document or a user is escaped first.

Streamlit's Markdown understands HTML-like tags, LaTeX (``$``), emoji shortcodes and colour directives
(``:red[...]``); a passage from an uploaded document could use any of them. ``escape`` backslash-escapes
every ASCII punctuation character (CommonMark allows this for all of them), so text shows exactly as
written, and only markup this module adds around escaped text is ever interpreted.
"""

from __future__ import annotations

import re
import string
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

import streamlit as st
from pydantic import BaseModel

from assistant import Answer, Assistant, Citation
from assistant.answering import CATALOGUE_LEAD, USER_DOCUMENTS_DIFFER, USER_DOCUMENTS_LEAD
from assistant.export import (
    Block,
    Layout,
    answer_blocks,
    reference_groups,
    reference_text,
)
from assistant.schemas import RemovedSentence
from assistant.text.markdown import LINE_MARK, plain_excerpt, unbold

_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")
_STREAM_SECONDS = 1.2  # how long an embedded answer takes to appear word by word, at most


def escape(text: str) -> str:
    """``text`` escaped for st.markdown: shown verbatim, never interpreted (newlines become spaces)."""
    return _PUNCT.sub(r"\\\1", " ".join(text.split()))


def escape_lines(text: str) -> str:
    """Like ``escape``, keeping line breaks (as Markdown hard breaks)."""
    lines = [escape(line) for line in text.splitlines()]
    return "  \n".join(line for line in lines if line)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is a plain http(s) address, percent-encoded so it cannot break out of a Markdown link."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%~-._")


def link(url: str | None, label: str | None = None) -> str:
    """A Markdown link to a safe URL (label escaped), or the escaped text when the URL is not safe."""
    target = safe_url(url)
    shown = escape(label or url or "")
    return f"[{shown}]({target})" if target else shown


def quote_span(passage: str, quote_text: str) -> tuple[int, int] | None:
    """Where ``quote_text`` sits in ``passage`` (exactly, or ignoring differences of white space)."""
    at = passage.find(quote_text)
    if at >= 0:
        return at, at + len(quote_text)
    words = quote_text.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), passage)
    return (m.start(), m.end()) if m else None


def shown(text: str) -> str:
    """Source text as a reader sees it: the report's own Markdown bold markers (``**``) dropped."""
    return unbold(text)


def _pieces(body: str, a: int, b: int) -> str:
    """One line of source text, escaped, with body[a:b] bold on a highlight (a == b: nothing highlighted)."""
    parts = [(body[:a], False), (body[a:b], True), (body[b:], False)]
    out = ""
    prev = ""
    for raw, marked in parts:
        text = escape(raw)
        if not text:
            prev = prev or raw
            continue
        if out and (prev[-1:].isspace() or raw[:1].isspace()):
            out += " "
        out += f":orange-background[**{text}**]" if marked else text
        prev = raw
    return out


def highlighted(passage: str, quote_text: str) -> str:
    """The passage as Markdown, with the quoted sentence bold on a highlight; both escaped.

    The source's own Markdown is shown as a reader expects it, never as syntax: headings ("# ") as bold
    lines, list items ("- ") with a "•", bold markers dropped; blank lines part paragraphs.
    """
    passage = shown(passage)
    quote = shown(quote_text)
    m = LINE_MARK.match(quote)
    span = quote_span(passage, quote[m.end():] if m else quote) if quote.strip() else None
    s, e = span if span else (0, 0)
    paragraphs: list[list[str]] = [[]]
    pos = 0
    for raw in passage.splitlines(keepends=True):
        start = pos
        pos += len(raw)
        line = raw.rstrip("\r\n")
        mark = LINE_MARK.match(line)
        body_at = start + (mark.end() if mark else 0)
        body = line[mark.end():] if mark else line
        if not body.strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        a = min(max(s - body_at, 0), len(body))
        b = min(max(e - body_at, 0), len(body))
        text = _pieces(body, a, b)
        if mark and mark.group("heading") and a == b:
            text = f"**{text}**"
        elif mark and mark.group("item"):
            text = "• " + text
        paragraphs[-1].append(text)
    return "\n\n".join("  \n".join(lines) for lines in paragraphs if lines)


def short_title(title: str) -> str:
    """A title without its subtitle, for labels ("The smarter state: Between…" -> "The smarter state")."""
    head = title.split(":")[0].strip()
    return head if 3 <= len(head) <= 80 else title[:80]


def citation_label(c: Citation) -> str:
    if c.origin == "user document":  # an upload is named by its file name, whatever its text says it is
        return escape(f"[{c.n}] {c.locator} — {c.label}")
    title = short_title(c.title)
    # Evidence notes are located by their own title: don't say it twice.
    same = title.lower() in c.locator.lower() or c.locator.lower() in c.title.lower()
    label = f"[{c.n}] {c.locator}" if same else f"[{c.n}] {c.locator} — {title}"
    if c.origin == "evidence note":
        label += " · evidence note (our summary)"
    return escape(label)


def excerpt_markdown(c: Citation) -> str:
    """How an excerpt is introduced: a verbatim quote as a quote; a sentence of one of our evidence notes as our
    summary of the work, not its words, with what the note was written from."""
    text = escape(plain_excerpt(c.quote))
    if c.origin == "evidence note":
        basis = f"  \n*Note written from: {escape(c.basis)}*" if c.basis else ""
        return f"**{escape(c.label)}:** {text}{basis}"
    return f"**{escape(c.label)}:** “{text}”"


_MARKER = re.compile(r"\\\[(\d+(?:\\,\s*\d+)*)\\\]")
_RAW_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _markers(escaped: str) -> str:
    return _MARKER.sub(lambda m: ":blue[**\\[" + re.sub(r"\s+", "", m.group(1)) + "\\]**]", escaped)


SECTION_LINES = (USER_DOCUMENTS_LEAD, USER_DOCUMENTS_DIFFER, CATALOGUE_LEAD)


def answer_markdown(text: str) -> str:
    """An answer's Markdown, escaped, keeping its structure: paragraphs (blank lines) and "- " list items as
    real bullets, with its [n] markers picked out so each is easy to match to its source."""
    out: list[str] = []
    for kind, block in answer_blocks(text):
        if block.strip() in SECTION_LINES:
            # Where the user's own documents start (or the report's resume): a label, not a sentence of the answer.
            colour = "orange" if block.strip() == USER_DOCUMENTS_DIFFER else "gray"
            out.append(f":{colour}[**{escape(block)}**]")
            continue
        item = _markers(escape(block))
        if kind == "bullet":
            if out and out[-1].startswith("- "):
                out[-1] += "\n- " + item
            else:
                out.append("- " + item)
        else:
            out.append(item)
    return "\n\n".join(out)


def cited_numbers(text: str) -> list[int]:
    """The [n] an answer's text cites, in order of first use."""
    found: list[int] = []
    for m in _RAW_MARKER.finditer(text):
        for n in (int(x) for x in m.group(1).split(",")):
            if n not in found:
                found.append(n)
    return found


def shown_citations(answer: Answer) -> list[Citation]:
    """What an answer's sources list shows: the citations its text cites (all of them if it has no markers);
    for a refusal, the closest material."""
    if answer.refused:
        return list(answer.closest)
    numbers = set(cited_numbers(answer.answer))
    return [c for c in answer.citations if c.n in numbers] if numbers else list(answer.citations)


def render_citation(c: Citation, a: Assistant, *, expanded: bool = False) -> None:
    """One citation: source, locator, the excerpt highlighted inside its passage, address, evidence."""
    icon = ":material/summarize:" if c.origin == "evidence note" else ":material/format_quote:"
    with st.expander(citation_label(c), expanded=expanded, icon=icon):
        render_citation_body(c, a)


def render_citation_body(c: Citation, a: Assistant) -> None:
    """What an opened citation shows: the excerpt inside its passage, the source, address and evidence."""
    st.markdown(excerpt_markdown(c))
    with st.container(border=True):
        st.markdown(highlighted(c.passage, c.quote))
    source = "Work summarised" if c.origin == "evidence note" else "Source"
    details = [f"**{source}:** {escape(c.citation or c.title)}", f"**Where:** {escape(c.locator)}"]
    if c.section:
        details.append(f"**Section:** {escape(c.section)}")
    if c.url:
        details.append(f"**Address:** {link(c.url)}")
    st.markdown("  \n".join(details))
    if c.evidence:
        st.markdown("**Evidence the report cites here:**")
        for source_id in c.evidence:
            record = a.catalogue.get(source_id)
            if record is None:
                st.markdown(f"- {escape(source_id)}")
                continue
            address = f" — {link(record.url)}" if record.url else ""
            st.markdown(f"- {escape(record.citation)}{address}")


def render_previews(citations: Sequence[Citation], key: str) -> None:
    """A row of small [n] buttons under an answer, each opening its excerpt in place (a popover)."""
    if not citations:
        return
    row = st.container(horizontal=True, horizontal_alignment="left", gap="xsmall", vertical_alignment="center",
                       key=f"{key}-previews")
    row.caption("Preview a source:", width="content")
    for c in citations:
        with row.popover(f"\\[{c.n}\\]", type="tertiary", key=f"{key}-preview-{c.n}"):
            st.markdown(f"**{citation_label(c)}**")
            st.markdown(excerpt_markdown(c))
            st.caption("The full passage is under Sources.")


def render_citations(citations: Sequence[Citation], a: Assistant, heading: str) -> None:
    if not citations:
        return
    st.markdown(f"**{escape(heading)}**")
    for c in citations:
        render_citation(c, a)


def stream_words(markdown: str) -> Iterator[str]:
    """Yield escaped Markdown word by word, so an embedded answer appears as it would from a model."""
    words = markdown.split(" ")
    delay = min(0.03, _STREAM_SECONDS / max(len(words), 1))
    for i, word in enumerate(words):
        yield word if i == 0 else " " + word
        time.sleep(delay)


def answer_meta(answer: Answer) -> str:
    """The provenance line shown under each answer: mode, model and prompt version."""
    seconds = answer.timings.get("total")
    took = f" · {seconds:.1f} s" if seconds is not None else ""
    model = answer.model or "none (extractive)"
    return f"mode: {answer.mode} · model: {model} · prompt: {answer.prompt_version}{took}"


def render_answer(answer: Answer, a: Assistant, *, key: str, stream: bool = False) -> None:
    """An answer with its citations (or, for a refusal, the closest material) and its downloads."""
    text = answer_markdown(answer.answer)
    if answer.refused:
        st.warning(text)
    elif stream:
        st.write_stream(stream_words(text))
    else:
        st.markdown(text)
    cited = shown_citations(answer)
    if answer.refused:
        render_citations(cited, a, "Closest material (it does not answer the question)")
    else:
        numbers = cited_numbers(answer.answer)
        by_n = {c.n: c for c in cited}
        render_previews([by_n[n] for n in numbers if n in by_n], key)
        render_citations(cited, a, "Sources")
    if answer.removed:
        with st.expander(f"{len(answer.removed)} sentence(s) removed by the citation check"):
            for r in answer.removed:
                st.markdown(f"- {escape(r.sentence)} — *{escape(r.reason)}*")
    st.caption(escape(answer_meta(answer)))
    downloads(answer, key=key, stem="mission-desk-answer")


def downloads(obj: BaseModel, *, key: str, stem: str, json: bool = False) -> None:
    """Markdown and DOCX (and optionally JSON) downloads of an answer or a draft, with references."""
    from assistant.export import to_markdown

    row = st.container(horizontal=True)
    row.download_button(
        "Download Markdown", to_markdown(obj), file_name=f"{stem}.md", mime="text/markdown",
        key=f"{key}-md", on_click="ignore", icon=":material/download:",
    )
    row.download_button(
        "Download DOCX", _deferred(docx_bytes, obj), file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key=f"{key}-docx", on_click="ignore", icon=":material/description:",
    )
    if json:
        row.download_button(
            "Download JSON", obj.model_dump_json(indent=2), file_name=f"{stem}.json", mime="application/json",
            key=f"{key}-json", on_click="ignore", icon=":material/data_object:",
        )


def docx_bytes(obj: BaseModel) -> bytes:
    """The Word export of an answer or draft, as the bytes a download serves."""
    from assistant.export import to_docx

    with tempfile.TemporaryDirectory(prefix="mission-desk-docx-") as tmp:
        return to_docx(obj, Path(tmp) / "export.docx").read_bytes()


def _deferred(make: Callable[[BaseModel], bytes], obj: BaseModel) -> Callable[[], bytes]:
    # A DOCX is built only when someone clicks, not on every rerun of a long chat.
    return lambda: make(obj)


# -- drafts: the export layout, shown as it downloads -------------------------------------------
# Ratings, verdicts and other fixed words from the schemas, coloured so they read at a glance.
BADGE_COLORS = {
    "green": "green", "supported": "green", "aligned": "green", "likely": "green",
    "amber": "orange", "mixed": "orange",
    "red": "red", "contradicted": "red", "runs against": "red", "unlikely": "red",
    "insufficient evidence": "gray", "not enough evidence": "gray", "unclear": "gray", "unknown": "gray",
}


def badge(value: str) -> str:
    """A fixed word from a schema as a coloured Markdown badge."""
    return f":{BADGE_COLORS.get(value.lower(), 'blue')}-badge[{escape(value)}]"


def block_markdown(b: Block) -> str:
    """One block's text as the screen shows it: the same words as the export, escaped, markers picked out."""
    markers = (" " + "".join(f":blue[**\\[{n}\\]**]" for n in b.refs)) if b.refs else ""
    lead = f"**{escape(b.label)}** " if b.label else ""
    return lead + _markers(escape(b.text)) + markers


def render_layout(doc: Layout, a: Assistant) -> None:
    """A draft exactly as its Markdown and DOCX downloads lay it out (``assistant.export.layout``): the same
    headings, paragraphs, bullets, [n] markers, references and notes, so the download is what was on screen.
    Ratings are coloured badges; each reference opens its passage in place."""
    if doc.marking:
        st.markdown(f"**{escape(doc.marking)}**")
    st.subheader(escape(doc.title))
    run: list[str] = []

    def flush() -> None:
        if run:
            st.markdown("\n".join(run))
            run.clear()

    for b in doc.blocks:
        if b.kind == "bullet":
            run.append("- " + block_markdown(b))
            continue
        flush()
        if b.kind in ("h1", "h2"):
            st.markdown(f"#### {escape(b.text)}" + (f": {badge(b.badge)}" if b.badge else ""))
        else:
            st.markdown(block_markdown(b))
    flush()
    groups = reference_groups(doc.references)
    if groups:
        st.markdown("#### References")
    for head, refs in groups:
        st.markdown(f"**{escape(head)}**")
        for c in refs:
            st.markdown(_markers(escape(reference_text(c, doc.quote_limit))))
            with st.expander(f"Open [{c.n}] in its passage", icon=":material/format_quote:"):
                render_citation_body(c, a)
    for note in doc.notes:
        st.warning(escape(note), icon=":material/report:")
    if doc.marking:
        st.markdown(f"**{escape(doc.marking)}**")


def render_draft(draft: BaseModel, a: Assistant) -> None:
    """A draft as it downloads (its export layout), then how it was made."""
    from assistant.export import layout

    render_layout(layout(draft), a)
    removed: list[RemovedSentence] = getattr(draft, "removed", [])
    if removed:
        with st.expander(f"{len(removed)} sentence(s) removed by the citation check"):
            for r in removed:
                st.markdown(f"- {escape(r.sentence)} — *{escape(r.reason)}*")
    mode, model, version = (getattr(draft, k, None) for k in ("mode", "model", "prompt_version"))
    if mode:
        st.caption(escape(f"mode: {mode} · model: {model or 'none (extractive)'} · prompt: {version or '—'}"))
