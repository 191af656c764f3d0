"""Sentence spans with offsets, list items, and sentences that lean on the one before.

Why our own splitter: the usual libraries either need data downloads (nltk's punkt) or split the
report's list items and "eg"/"et al" abbreviations wrongly; we need exact character offsets back.
"""

from __future__ import annotations

import re
from functools import cache

from assistant.text.lexicon import entries, word_set

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) then white space,
# when the next character starts a new sentence.
_END = re.compile(r"[.!?][\"'”’)\]*]*(?=\s+[\"'“‘(\[*]*[A-Z0-9£])")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# A citation marker as answers write them ("[3]", "[1, 5]"): ours alone. A source's own bracketed reference numbers
# are dropped when its sentence is shown in an answer, so they can never pass as, or merge with, our markers.
MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_BOLD_LABEL = re.compile(r"^\s*(?:[-*•]\s+)?\*\*[^*]{1,60}\*\*\s*$")
_LAST_WORD = re.compile(r"(\w+)\W*$")
_HAS_WORD = re.compile(r"\w")
_WEB = ("http://", "https://", "www.")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _line_spans(text: str) -> list[tuple[int, int]]:
    """Break at blank lines, list items and table rows: each is its own unit of sense."""
    units: list[tuple[int, int]] = []
    pos = 0
    current: int | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        starts_unit = not stripped or _BULLET.match(line) or "\t" in line
        if starts_unit and current is not None:
            units.append((current, pos))
            current = None
        if stripped:
            if current is None:
                current = pos
            if "\t" in line:
                units.append((current, pos + len(line)))
                current = None
        pos += len(line)
    if current is not None:
        units.append((current, pos))
    return units


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, shifted by ``offset``."""
    abbreviations = word_set("words", "abbreviations")
    spans: list[tuple[int, int]] = []
    for unit_start, unit_end in _line_spans(text):
        start = unit_start
        for match in _END.finditer(text, unit_start, unit_end):
            word = _LAST_WORD.search(text[start : match.start() + 1])
            if word and word.group(1).lower() in abbreviations:
                continue
            spans.append((start, match.end()))
            start = match.end()
        spans.append((start, unit_end))
    spans = _join_bold_labels(text, spans)
    result = []
    for s, e in spans:
        s, e = _strip_span(text, s, e)
        if e - s >= 2 and _HAS_WORD.search(text[s:e]):
            result.append((s + offset, e + offset))
    return result


def _join_bold_labels(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A short bold lead ("- **Bias 1: Short-termism.**") belongs with the sentence after it."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _BOLD_LABEL.match(text[out[-1][0] : out[-1][1]]) and len(text[out[-1][0] : out[-1][1]].split()) <= 8 \
                and "\n" not in text[out[-1][1] : s]:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def strip_markers(sentence: str) -> str:
    """``sentence`` without citation markers ("[3]", "[1, 5]")."""
    return MARKER.sub("", sentence).strip()


def strip_bullet(sentence: str) -> str:
    """Drop a leading list marker and markdown emphasis so a list item reads as a sentence."""
    return _BULLET.sub("", sentence).replace("**", "").strip()


def without_addresses(text: str) -> str:
    """``text`` without web and email addresses ('<http://www.ippr.org/...>'): an address alone says nothing.

    Token by token, not one regular expression: a pattern for 'text@host.tld' backtracks quadratically over a long
    run of letters with no '@' (a 5 MB token in an upload)."""
    def address(token: str) -> bool:
        bare = token.strip("<>()[],;")
        local, at, host = bare.partition("@")
        return bare.lower().startswith(_WEB) or bool(at and local and "." in host.strip("."))

    return " ".join(" " if address(token) else token for token in text.split(" "))


def is_list_item(text: str) -> bool:
    """A bullet of a list ('- ...', '* ...', '• ...')."""
    return text.lstrip().startswith(("-", "*", "•"))


def is_bullet_line(line: str) -> bool:
    """A line written as a bullet ('- Consultation closes …'), not one opening with a sign ('-£115m') or bold."""
    return bool(re.match(r"\s*[-*•]\s", line))


@cache
def _opener() -> re.Pattern[str]:
    return re.compile(rf"^\W*(?:{'|'.join(entries('anaphora', 'openers'))})\b")


@cache
def _in_sentence() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(entries('anaphora', 'in_sentence'))})\b", re.I)


@cache
def _pronoun() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(entries('anaphora', 'pronouns'))})\b", re.I)


def leans_back(sentence: str) -> bool:
    """Does the sentence open by pointing back ('This has led...', 'These include...')?"""
    return bool(_opener().match(sentence))


def refers_back(sentence: str) -> bool:
    """Does the sentence point back anywhere ('... of these reforms ...')?"""
    return bool(_in_sentence().search(sentence))


def has_pronoun(text: str) -> bool:
    """Does a (short) question carry a pronoun that needs the conversation ('What about it?')."""
    return bool(_pronoun().search(text))


def clip(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word boundary with "…" when shortened
    (a title is never cut mid-word: "…local autho" becomes "…local…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: max(1, limit - 1)]
    if not text[len(head)].isspace() and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:–-") + "…"


# A key-fact line: 'Funding: within DHSC's existing capital budget', '• Aimed at: residents of …' (a short label, a
# colon, its value), in a proposal or a briefing written as lines rather than sentences.
# A table row whose first cell is a label ('| Headroom | -£85m a year |').
_LABEL_ROW = r"[ \t]*\|[ \t]*[A-Z][^|\n]{0,60}\|"
_KEY_FACT_LINE = re.compile(rf"[ \t]*(?:[-•*][ \t]*)?[A-Z][^:\n.()]{{0,60}}:[ \t]*\S|{_LABEL_ROW}[ \t]*\S")


def is_key_fact_line(line: str) -> bool:
    """Does ``line`` open with a short label and a colon ('Headroom: nil', '- For: the 12,000 households …'), or is it
    a table row whose first cell is the label ('| Headroom | -£85m a year |')?"""
    return bool(_KEY_FACT_LINE.match(line))


def as_label_line(row: str) -> str:
    """A Markdown table row read as a key-fact line, every offset kept: '| Target | 35,000 more |' ->
    '  Target : 35,000 more  '; other text as it is."""
    if not re.match(_LABEL_ROW, row):
        return row
    first = row.index("|")
    second = row.index("|", first + 1)
    return (row[:first] + " " + row[first + 1:second] + ":" + row[second + 1:]).replace("|", " ")


_HEADING_LINE = re.compile(r"[ \t]*[A-Z][A-Za-z'’&/ -]{0,40}[ \t]*")


def is_heading(line: str) -> bool:
    """Is ``line`` a section heading ('Costs', 'The ask'): a few capitalised words with no full stop?"""
    return bool(_HEADING_LINE.fullmatch(line)) and len(line.split()) <= 5 and not line.rstrip().endswith((".", ","))


# What opens an answer on the line after its heading or question: its number ('A2. ', '3.1 ') and a bullet ('- ').
_ANSWER_OPENER = re.compile(r"[ \t]*(?:A\d+[.)][ \t]*|\d{1,2}\.\d{1,2}\.?[ \t]+)?(?:[-•*][ \t]+)?")


def headed_answers(text: str, heading: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of the answers to the lines ``heading`` matches at their start: the rest of the line when the heading runs
    on ('Preferred option: weekend opening …'), otherwise the next line after its number and bullet ('Q1. What is the
    proposal?' then 'A1. The replacement of …'). A first line that opens with the heading's words without a separator
    (':', ' - ', '|') is a title, not a heading."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    out: list[tuple[int, int]] = []
    for i, (start, end) in enumerate(lines):
        head = heading.match(text, start, end)
        if head is None or (i == 0 and not head.group(0).strip(" \t|").endswith((":", "-", "–", "|"))):
            continue
        if text[head.end():end].strip(" \t|"):
            out.append((head.end(), end))
        elif i + 1 < len(lines):
            nxt, nxt_end = lines[i + 1]
            opener = _ANSWER_OPENER.match(text, nxt, nxt_end)
            out.append((opener.end() if opener else nxt, nxt_end))
    return out


def structured_lines(paragraph: str) -> list[str]:
    """A paragraph as its reader sees it: key-fact lines, bullets and headings each on their own, other lines
    joined (a wrapped paragraph)."""
    out: list[str] = []
    after_heading = False  # the line before is a heading: what follows starts a line of its own
    for line in paragraph.splitlines():
        if not line.strip():
            continue
        # a table or spreadsheet row ('| Target | …', 'Row 3.01 | Proposal | …') keeps its line
        starts = is_key_fact_line(line) or bool(_BULLET.match(line)) or is_heading(line) or line.lstrip().startswith("|") \
            or line.count("|") >= 2
        if out and not starts and not after_heading:
            out[-1] += " " + line.strip()
        else:
            out.append(line.strip())
        after_heading = is_heading(line)
    return [" ".join(x.split()) for x in out]
