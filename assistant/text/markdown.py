"""Source text as a reader sees it: the Markdown syntax of the corpus's own text (bold, italic, links, heading and
list markers) taken out, for every place an excerpt is shown (chat, exports, claim reasons)."""

from __future__ import annotations

import re

__all__ = ["LINE_MARK", "plain_excerpt", "unbold"]

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
# A Markdown heading ("# ") or list marker ("- ", "* ", "+ ", "• ") at the start of a line of source text.
LINE_MARK = re.compile(r"^[ \t]*(?:(?P<heading>#{1,6})|(?P<item>[-*+•]))[ \t]+")


_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")


def unbold(text: str) -> str:
    """Source text without its own Markdown emphasis and link syntax: ``**bold**`` and ``*italic*`` markers
    dropped, ``<https://…>`` shown as the bare address, ``[text](https://…)`` as "text (https://…)"."""
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = _LINK.sub(r"\1 (\2)", text)
    return _AUTOLINK.sub(r"\1", text)


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
