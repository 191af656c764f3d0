"""The one number parser: figures, money, percentages, years and ranges as written in a text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A figure as written: '0.7', '1,000', '£1.2bn', '£350m', '29', '2010'. Not part of a word ('G7') or a
# longer figure ('1.2.3').
_FIGURE = re.compile(r"(?<![\w.])£?\d+(?:[.,]\d+)*(?:\s?(?:bn|m|k)\b)?")
# An amount of money: '£1.2bn', '£ 300 million', 'GBP 2bn' (groups 1-2), or '320 million pounds' (groups 3-4).
MONEY = re.compile(r"(?:£\s?|\bGBP\s?)(\d+(?:[.,]\d+)*)(?:\s?(bn|billion|m|million|k|thousand)\b)?"
                   r"|(?<![\w£.,])(\d+(?:[.,]\d+)*)\s?(bn|billion|m|million|thousand)?\s+pounds\b", re.I)
SCALE = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "thousand": 1e3}

_WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split())}


@dataclass(frozen=True)
class Figure:
    """One figure of a text: its normalised form ('1000', '1.2bn'), offsets, and whether it is a year."""

    value: str
    start: int
    end: int
    is_year: bool
    is_money: bool


def figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in order."""
    out = []
    for m in _FIGURE.finditer(text):
        raw = m.group(0)
        value = raw.replace(",", "").replace(" ", "").lstrip("£")
        is_year = len(value) == 4 and value.isdigit() and value[:2] in ("19", "20")
        out.append(Figure(value, m.start(), m.end(), is_year, raw.startswith("£")))
    return out


def numbers(text: str, *, years: bool = True) -> set[str]:
    """The figures of ``text``, normalised ('1,000' -> '1000', '£2bn' -> '2bn'); without years if asked.

    Years date a claim rather than state it, so the stance rules leave them out; the verifier keeps them.
    """
    return {f.value for f in figures(text) if years or not f.is_year}


def has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def money(text: str) -> list[tuple[str, float]]:
    """Amounts of money as written and in pounds: '£1.2bn' -> ('£1.2bn', 1.2e9)."""
    out = []
    for m in MONEY.finditer(text):
        figure, scale = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        out.append((m.group(0).strip(), float(figure.replace(",", "")) * SCALE.get((scale or "").lower(), 1.0)))
    return out


def pounds(amount: str | None) -> float | None:
    """'£2bn' -> 2e9; None when there is no amount."""
    if not amount:
        return None
    m = re.search(r"(\d+(?:[.,]\d+)*)\s?(bn|billion|m|million|k|thousand)?", amount, re.I)
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * SCALE.get((m.group(2) or "").lower(), 1.0)


def pounds_text(value: float) -> str:
    """Pounds as a reader writes them, the inverse of ``pounds``: 1.2e9 -> '£1.2bn', 3.5e8 -> '£350m',
    -2e9 -> '−£2bn', 9500 -> '£9,500'."""
    v = abs(value)
    text = f"£{v / 1e9:,.3g}bn" if v >= 1e9 else f"£{v / 1e6:,.4g}m" if v >= 1e6 else f"£{v:,.0f}"
    return ("−" if value < 0 else "") + text


def word_number(word: str) -> int | None:
    """'three' -> 3, '12' -> 12; None for anything else."""
    w = word.lower()
    return int(w) if w.isdigit() else _WORD_NUMBERS.get(w)
