"""Author-year citations inside a passage: "(Van Ark 2022)", "Deci et al (1999)", "(ibid)"."""

from __future__ import annotations

import re

_NAME = r"(?:(?:[Vv]an|[Dd]e|[Vv]on|[Dd]er) )?[A-Z][A-Za-z'’\-]+"
_AUTHORS = rf"{_NAME}(?:(?:,\s*|\s+and\s+){_NAME})*(?:\s+et\s+al\.?)?"
PARENTHETICAL = re.compile(rf"\(({_AUTHORS}),?\s+(\d{{4}})\)")
NARRATIVE = re.compile(rf"\b({_AUTHORS})\s+\((\d{{4}})\)")
IBID = re.compile(r"\(ibid\)", re.IGNORECASE)


def find_citations(text: str, previous: str | None = None) -> tuple[list[str], str | None]:
    """Return the author-year markers in ``text`` (ibid resolved to the one before) and the last one."""
    found: list[tuple[int, str]] = []
    for pattern in (PARENTHETICAL, NARRATIVE):
        for m in pattern.finditer(text):
            found.append((m.start(), f"{' '.join(m.group(1).split())} {m.group(2)}"))
    for m in IBID.finditer(text):
        found.append((m.start(), "ibid"))
    found.sort()
    markers: list[str] = []
    for _, marker in found:
        if marker == "ibid":
            if previous is None:
                continue
            marker = previous
        previous = marker
        if marker not in markers:
            markers.append(marker)
    return markers, previous


def marker_key(marker: str) -> tuple[str, str]:
    """(first author surname, year) — how a marker is matched to a catalogue entry."""
    words = marker.replace(",", " ").split()
    return words[0].lower().replace("’", "'"), words[-1]
