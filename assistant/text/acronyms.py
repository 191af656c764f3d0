"""Acronyms the sources define: 'new public management (NPM)' -> {'new public management': 'NPM'}."""

from __future__ import annotations

import re
from collections.abc import Iterable

_DEFINITION = re.compile(r"((?:[A-Za-z][\w'’-]*\s+){1,6})\(([A-Z]{2,6})\)")


def find_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Every acronym defined in ``texts`` by the initials of the words before it; the first definition wins."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _DEFINITION.finditer(text):
            words, short = m.group(1).split(), m.group(2)
            n = len(short)
            if len(words) >= n and "".join(w[0] for w in words[-n:]).lower() == short.lower():
                found.setdefault(" ".join(words[-n:]).lower(), short)
    return found


def expand(text: str, acronyms: dict[str, str]) -> str:
    """``text`` with each defined acronym added beside its long form, and each long form beside its acronym."""
    lowered = text.lower()
    extra = []
    for long_form, short in acronyms.items():
        if long_form in lowered and short.lower() not in lowered:
            extra.append(short)
        elif re.search(rf"\b{re.escape(short)}\b", text) and long_form not in lowered:
            extra.append(long_form)
    return f"{text} {' '.join(extra)}" if extra else text


def abbreviate(text: str, acronyms: dict[str, str]) -> str:
    """``text`` with each defined long form replaced by its acronym, so 'new public management' ~ 'NPM'."""
    for phrase, short in acronyms.items():
        text = re.sub(rf"\b{re.escape(phrase)}\b", short, text, flags=re.I)
    return text
