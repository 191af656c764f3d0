"""Amounts, durations, dates and counts as a spending proposal writes them, with their offsets.

numbers.py reads figures for comparing sentences; this module reads what a proposal commits: '£1.2bn over
three years', '£350m a year', 'a further twelve months', 'by March 2027', '2,000 acute hospital beds'. Each
reader returns spans into the text, so whoever uses a value can quote the proposal's own words for it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from assistant.text.lexicon import alternation, entries, phrases, word_set
from assistant.text.numbers import MONEY, SCALE  # the one money pattern

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTH_ABBR = {m[:3]: i for m, i in _MONTHS.items()}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_N = rf"(?:\d+|{_NUMBER_WORD})"
_MONTH = r"(?:" + "|".join(_MONTHS) + r"|" + "|".join(m.capitalize() for m in _MONTHS) + r")"
_FY = r"(?:19|20)\d{2}\s?[-–/]\s?\d{2}(?!\d)"

_SPAN_DURATION = re.compile(
    rf"\b(?:over|for|across|during|within|lasting)\s+(?:the\s+)?(?:next\s+|first\s+|coming\s+)?(?:a\s+)?"
    rf"(?:further\s+|additional\s+)?(?P<n>{_N})\s+(?P<unit>years?|months?)\b", re.I)
_ADJ_DURATION = re.compile(rf"\b(?P<n>{_N})[- ](?P<unit>year|month)(?![- ]olds?\b)(?=[\s,.;:)]|-long\b)", re.I)
_BARE_DURATION = re.compile(rf"\b(?P<n>{_N})\s+(?P<unit>years?|months?)\b(?![- ]olds?\b)", re.I)
_FY_RANGE = re.compile(rf"(?P<a>{_FY})\s*(?:to|until|through|and|–|-)\s*(?P<b>{_FY})", re.I)
_MONTH_RANGE = re.compile(rf"\b(?P<m1>{_MONTH})\s+(?P<y1>(?:19|20)\d{{2}})\s*(?:to|until|through|–|-)\s*"
                          rf"(?P<m2>{_MONTH})\s+(?P<y2>(?:19|20)\d{{2}})\b", re.I)
_SINGLE_FY = re.compile(rf"\bin\s+(?:the\s+)?(?P<a>{_FY})", re.I)
# A year said to be the only one: 'in the summer of 2026 only', 'during 2026 only' (a calendar year alone is a date).
_ONLY_YEAR = re.compile(r"\b(?:in|during|for)\s+(?:the\s+)?(?:(?:summer|spring|autumn|winter)\s+(?:term\s+)?of\s+)?"
                        r"(?P<a>(?:19|20)\d\d)(?:\s+financial\s+year)?\s+only\b", re.I)
_ONE_OFF = re.compile(r"\bone[- ]off\b", re.I)
_MONTH_DATE = re.compile(rf"\b(?:(?:the\s+)?end\s+of\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?P<m>{_MONTH})\s+(?P<y>(?:19|20)\d{{2}})\b", re.I)  # '31 March 2027': the day is part of it
_FY_DATE = re.compile(rf"\b(?P<a>{_FY})", re.I)
_YEAR_DATE = re.compile(r"(?<![\d,.£-])\b(?P<y>(?:19|20)\d{2})\b(?!\d|[.,]\d|\s?(?:bn|m)\b)")
_COUNT = re.compile(
    rf"(?<![\w£.,/-])(?P<n>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{_NUMBER_WORD})"
    rf"(?:\s(?P<scale>million|billion|thousand))?(?![\w£]|[.,]\d|-[A-Za-z])", re.I)
_PERCENT_AFTER = re.compile(r"^\s?(?:%|per\s?cent\b|percent\b|percentage points?\b)", re.I)
_TIME_AFTER = re.compile(r"^[- ]?(?:years?|months?|weeks?|days?|hours?|minutes?)\b", re.I)
_AGE_AFTER = re.compile(r"^(?:-?\s*(?:to|and)\s+\d+)?[- ]?(?:year[- ]olds?|years? old)\b", re.I)
_AGE_BEFORE = re.compile(r"\b(?:aged|ages?|age of|under-?|over-?)\s*(?:\d+\s*(?:to|-|–|and)\s*)?$", re.I)


@dataclass(frozen=True)
class Amount:
    """An amount of money: '£350m a year' -> 3.5e8, per_year. ``text`` is the amount alone ('£350m')."""

    start: int
    end: int
    text: str
    pounds: float
    per_year: bool
    per_unit: bool
    unit_end: int  # end of the amount with its 'a year' / 'per pupil'


@dataclass(frozen=True)
class Duration:
    """How long something runs: 'over three years' -> 3; kind is span, adjective, bare, range or single."""

    start: int
    end: int
    text: str
    years: int
    kind: str


@dataclass(frozen=True)
class DateMention:
    """A date: 'March 2027' -> '2027-03', '2028-29' -> '2028-29', '2030' -> '2030'."""

    start: int
    end: int
    text: str
    value: str

    @property
    def year(self) -> int:
        return int(self.value[:4])


@dataclass(frozen=True)
class Count:
    """A number of things or people: '2,000' -> 2000, '1.1 million' -> 1.1e6, 'two' -> 2."""

    start: int
    end: int
    text: str
    value: float


def number_word(word: str) -> int | None:
    """'three' -> 3, 'twelve' -> 12, 'fifty' -> 50, '12' -> 12; None for anything else."""
    w = word.lower().strip()
    if w.isdigit():
        return int(w)
    return _UNITS.get(w, _TENS.get(w))


def _figure(raw: str) -> float | None:
    w = raw.lower().replace(",", "")
    try:
        return float(w)
    except ValueError:
        n = number_word(w)
        return float(n) if n is not None else None


@cache
def _per_year() -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{alternation(entries('proposal', 'per_year'))})\b", re.I)


@cache
def _per_year_before() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(entries('proposal', 'per_year_before'))})\s*$", re.I)


@cache
def _per_unit_before() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(entries('proposal', 'per_unit_before'))})\s*$", re.I)


@cache
def _per_unit() -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{alternation(entries('proposal', 'per_unit'))})\b", re.I)


def amounts(text: str) -> list[Amount]:
    """Every amount of money in ``text`` ('£1.2bn', 'GBP 2bn', '£300 million', '320 million pounds'), with 'a year'
    or 'per pupil' read after it, or 'an annual cost of' / 'each place will cost' before it."""
    out = []
    for m in MONEY.finditer(text):
        figure, scale = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        value = float(figure.replace(",", "")) * SCALE.get((scale or "").lower(), 1.0)
        rest = text[m.end():m.end() + 40]
        before = text[max(0, m.start() - 60):m.start()]
        year = _per_year().match(rest)
        unit = None if year else _per_unit().match(rest)
        tail = year or unit
        unit_end = m.end() + (tail.end() if tail else 0)
        per_unit = bool(unit) or bool(_per_unit_before().search(before))
        per_year = not per_unit and (bool(year) or bool(_per_year_before().search(before)))
        out.append(Amount(m.start(), m.end(), m.group(0), value, per_year, per_unit, unit_end))
    return out


# A stated unit for the bare figures after it: a heading, label or column saying '(£m)', '(£bn, resource DEL)',
# '(£m a year)', '(£000s, cash)'. Written by costing notes, spreadsheet returns and Green Book tables.
_UNIT_HEAD = re.compile(r"\(\s*£\s?(?P<unit>bn|billion|m|million|k|000s?|thousands?)\b(?P<rest>[^)]*)\)", re.I)
_UNIT_SCALE = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "000": 1e3, "000s": 1e3, "thousand": 1e3,
               "thousands": 1e3}
_BARE_FIGURE = re.compile(r"(?<![\w£.,/:-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w%£/-]|[.,]\d|\s?(?:per cent|percent))")


def unit_amounts(text: str) -> list[Amount]:
    """Bare figures in a stated unit: after '(£m)' in ``text``, '55' is £55m. Years, financial
    years and figures with a unit of their own (per cent, £) are not amounts. 'a year' in the unit's words
    ('(£m a year)'), or an 'Annual' label before it, makes every figure a yearly one.

    Hand-written because no library reads a costing table's units: pandas and the like need a table, and the
    proposal's lines are prose as often as cells."""
    head = _UNIT_HEAD.search(text)
    if head is None:
        return []
    scale = _UNIT_SCALE[head.group("unit").lower()]
    yearly = bool(re.search(r"\b(?:a|per) year\b|\bannual", head.group("rest"), re.I)) or bool(
        re.search(r"\bannual\b|\ba year\b", text[max(0, head.start() - 40):head.start()], re.I))
    taken = [(d.start, d.end) for d in dates(text)] + [(a.start, a.end) for a in amounts(text)]
    out = []
    for m in _BARE_FIGURE.finditer(text, head.end()):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = float(m.group(0).replace(",", "")) * scale
        rest = text[m.end():m.end() + 40]
        year = _per_year().match(rest)
        unit_end = m.end() + (year.end() if year else 0)
        out.append(Amount(m.start(), m.end(), m.group(0), value, yearly or bool(year), False, unit_end))
    return out


def _fy_start(text: str) -> int:
    return int(text.strip()[:4])


def _month(name: str) -> int:
    return _MONTHS.get(name.lower(), _MONTH_ABBR.get(name.lower()[:3], 1))


def durations(text: str) -> list[Duration]:
    """How long the text says things run, in whole years (months round up), in order of appearance.

    'over three years', 'for a further twelve months' (span); 'ten-year' (adjective); 'three years' (bare);
    '2025-26 to 2027-28' and 'April 2025 to March 2026' (range); 'in 2025-26' (single financial year).
    """
    found: list[Duration] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, years: int, kind: str) -> None:
        if years >= 1 and not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            found.append(Duration(start, end, text[start:end], years, kind))

    def whole_years(n: str, unit: str) -> int:
        value = number_word(n) or 0
        return math.ceil(value / 12) if unit.lower().startswith("month") else value

    for m in _FY_RANGE.finditer(text):
        add(m.start(), m.end(), _fy_start(m.group("b")) - _fy_start(m.group("a")) + 1, "range")
    for m in _MONTH_RANGE.finditer(text):
        months = (int(m.group("y2")) - int(m.group("y1"))) * 12 + _month(m.group("m2")) - _month(m.group("m1")) + 1
        add(m.start(), m.end(), math.ceil(months / 12), "range")
    for pattern, kind in ((_SPAN_DURATION, "span"), (_ADJ_DURATION, "adjective"), (_BARE_DURATION, "bare")):
        for m in pattern.finditer(text):
            add(m.start(), m.end(), whole_years(m.group("n"), m.group("unit")), kind)
    for m in _SINGLE_FY.finditer(text):
        add(m.start("a"), m.end(), 1, "single")
    for m in _ONLY_YEAR.finditer(text):
        add(m.start(), m.end(), 1, "single")
    for m in _ONE_OFF.finditer(text):  # 'a one-off £500m top-up'; 'a one-off grant in 2026-27' is read by its year
        if not any(d.kind == "single" and 0 <= d.start - m.end() <= 40 for d in found):
            add(m.start(), m.end(), 1, "single")
    return sorted(found, key=lambda d: d.start)


def dates(text: str) -> list[DateMention]:
    """The dates of ``text``: 'March 2027' -> '2027-03', '2028-29' -> '2028-29', '2035' -> '2035'."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for m in _MONTH_DATE.finditer(text):
        found.append(DateMention(m.start(), m.end(), m.group(0), f"{m.group('y')}-{_month(m.group('m')):02d}"))
        taken.append((m.start(), m.end()))
    for m in _FY_DATE.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            raw = re.sub(r"\s", "", m.group("a"))
            found.append(DateMention(m.start(), m.end(), m.group(0), f"{raw[:4]}-{raw[-2:]}"))
            taken.append((m.start(), m.end()))
    for m in _YEAR_DATE.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            found.append(DateMention(m.start(), m.end(), m.group(0), m.group("y")))
    return sorted(found, key=lambda d: d.start)


@cache
def _labels() -> frozenset[str]:
    return word_set("proposal", "number_labels")


def counts(text: str) -> list[Count]:
    """Numbers of things or people ('2,000 acute hospital beds', 'two production lines', '1.1 million patients').

    Not counts: money, percentages, years and financial years, durations ('4-hour', 'three years'), ages
    ('aged 10 to 24', '18- to 21-year-olds') and labels ('year 4', 'level 3', 'years 5 and 6'), nor 'one'.
    """
    date_spans = [(d.start, d.end) for d in dates(text)]
    money_spans = [(a.start, a.end) for a in amounts(text)]
    out: list[Count] = []
    label_run = False  # the previous number was a label: 'years 5 and 6' makes 6 one too
    last_end = -10
    for m in _COUNT.finditer(text):
        raw, start, end = m.group("n"), m.start(), m.end()
        between = text[last_end:start]
        continuing = label_run and re.fullmatch(r"\s*(?:,|and|or|to|-|–)\s*", between or "") is not None
        last_end = end
        before = text[max(0, start - 30):start]
        prev_word = re.search(r"([A-Za-z]+)\W{0,2}$", before)
        is_label = continuing or bool(prev_word and prev_word.group(1).lower() in _labels())
        label_run = is_label
        value = _figure(raw)
        if value is None or is_label or raw.lower() in ("one", "zero"):
            continue
        after = text[end:end + 30]
        if any(s <= start < e for s, e in date_spans + money_spans):
            continue
        if _PERCENT_AFTER.match(after) or _TIME_AFTER.match(text[m.end("n"):m.end("n") + 12]):
            continue
        if _AGE_AFTER.match(after) or _AGE_BEFORE.search(before):
            continue
        out.append(Count(start, end, m.group(0), value * SCALE.get((m.group("scale") or "").lower(), 1.0)))
    return out


@cache
def _measured() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{phrases(word_set('proposal', 'quantity_words'))})\b", re.I)


def quantified(text: str) -> bool:
    """Does ``text`` say how much ('a 15 per cent fall', '90,000 fewer', 'halve'), not only by when ('by 2030')?"""
    plain = text
    for d in reversed(dates(text)):
        plain = plain[:d.start] + " " + plain[d.end:]
    words = re.findall(r"[a-z]+", plain.lower())
    return bool(re.search(r"\d", plain)) or bool(_measured().search(plain)) or any(number_word(w) for w in words)
