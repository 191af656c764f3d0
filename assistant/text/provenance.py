"""Where data come from: the bodies and datasets a text names, and which of them it names as an origin.

Names are matched as whole words and with their capitals ('ONS', not 'responsibility' for 'OBR'); which
names count is the caller's data (the corpus profile). A name is an origin only where the words around it
say so ('Source: ONS', 'data from NHS England', 'DWP statistics'), so "bodies modelled on the OBR" is not
a data source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from assistant.text.lexicon import entries, phrases

# Words that may stand between a 'before' cue and the name: 'data from [the latest quarterly] ONS'.
_REACH = 3


@cache
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    return re.compile(rf"(?<![\w-])(?:{phrases(names)})(?![\w-])")


@cache
def _cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    before = re.compile(
        rf"(?:^|(?<=[\s(]))(?:{phrases(entries('provenance', 'before'))})(?:\s+[\w'’.-]+){{0,{_REACH}}}\s*$", re.I
    )
    after = re.compile(rf"^(?:['’]s)?\s+(?:{phrases(entries('provenance', 'after'))})\b", re.I)
    return before, after


def names_in(text: str, names: Iterable[str]) -> list[str]:
    """The names of ``names`` that ``text`` uses, as whole words with their capitals, in order of first use."""
    pattern = _name_pattern(tuple(sorted(set(names))))
    if pattern is None:
        return []
    out: list[str] = []
    for m in pattern.finditer(text):
        if m.group(0) not in out:
            out.append(m.group(0))
    return out


def origin_names(text: str, names: Iterable[str]) -> list[str]:
    """The names of ``names`` that ``text`` gives as where data come from ('Source: ONS', 'DWP statistics')."""
    pattern = _name_pattern(tuple(sorted(set(names))))
    if pattern is None:
        return []
    before, after = _cues()
    out: list[str] = []
    for m in pattern.finditer(text):
        if (before.search(text[: m.start()]) or after.match(text[m.end() :])) and m.group(0) not in out:
            out.append(m.group(0))
    return out
