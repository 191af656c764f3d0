"""The one number parser: figures, money, percentages, years and ranges as written in a text, and counts (a
number, in digits or words, and the thing it counts: 'three criteria', '5 missions')."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant.text.lexicon import alternation, entries, nested, number, phrases, word_set
from assistant.text.words import stem, stopwords

# A figure as written: '0.7', '1,000', '£1.2bn', '£350m', '29', '2010'. Not part of a word ('G7') or a
# longer figure ('1.2.3').
_FIGURE = re.compile(r"(?<![\w.])£?\d+(?:[.,]\d+)*(?:\s?(?:bn|m|k|billion|million)\b)?", re.I)
# A scale written out is the same figure as its short form: '£13 million' and '£13m' are both '13m'.
_SCALE_SHORT = {"billion": "bn", "million": "m"}
# An amount of money: '£1.2bn', '£ 300 million', 'GBP 2bn' (groups 1-2), or '320 million pounds' (groups 3-4).
MONEY = re.compile(r"(?:£\s?|\bGBP\s?)(\d+(?:[.,]\d+)*)(?:\s?(bn|billion|m|million|k|thousand)\b)?"
                   r"|(?<![\w£.,])(\d+(?:[.,]\d+)*)\s?(bn|billion|m|million|thousand)?\s+pounds\b", re.I)
SCALE = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "thousand": 1e3}

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
    out: list[Figure] = []
    for m in _FIGURE.finditer(text):
        raw = m.group(0)
        value = raw.replace(",", "").replace(" ", "").lstrip("£")
        scale = re.search(r"[a-z]+$", value, re.I)
        if scale:
            value = value[: scale.start()] + _SCALE_SHORT.get(scale.group(0).lower(), scale.group(0).lower())
        is_year = len(value) == 4 and value.isdigit() and value[:2] in ("19", "20")
        # The second half of a span of years is a year too: '2010-19', '2017/18'.
        is_year = is_year or (len(value) == 2 and value.isdigit() and bool(out) and out[-1].is_year
                              and text[out[-1].end:m.start()] in ("-", "–", "/"))
        out.append(Figure(value, m.start(), m.end(), is_year, raw.startswith("£")))
    return out


def numbers(text: str, *, years: bool = True, words: bool = False) -> set[str]:
    """The figures of ``text``, normalised ('1,000' -> '1000', '£2bn' -> '2bn'); without years if asked.

    Years date a claim rather than state it, so the stance rules leave them out; the verifier keeps them.
    With ``words``, a count written in words counts too ('five criteria' -> '5'), so that it is compared
    like a digit; a number word that counts nothing ('no one', 'one of the', 'two thirds') does not.
    """
    found = {f.value for f in figures(text) if years or not f.is_year}
    if words:
        found |= {c.value for c in counts(text) if c.spelled}
    return found


def states_date(text: str) -> bool:
    """Does ``text`` give a year ('in 2008', 'the 1980s', '2017/18'): the date a 'when did ...' question asks for?"""
    return any(f.is_year for f in figures(text))


def _in_full(year: str, before: int) -> int:
    """A year as written, in full: the second half of a span takes the century of its first ('2017/18' -> 2018)."""
    return int(year) if len(year) == 4 else before // 100 * 100 + int(year)


def years(text: str) -> list[int]:
    """The years ``text`` gives, in full: 'between 2010 and 2019' -> [2010, 2019]; '2017/18' -> [2017, 2018]."""
    out: list[int] = []
    for f in figures(text):
        if f.is_year:  # a two-digit year is a year only after a four-digit one (figures)
            out.append(_in_full(f.value, out[-1] if out else 0))
    return out


_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*(?:to|and|-|–|/)\s*((?:19|20)?\d\d)\b")


def gives_year_since(text: str, since: int) -> bool:
    """Does ``text`` speak of ``since``: the year itself, or a span of years written over it ('from 2000 to 2019',
    '2000-19' for 'since 2010')? A later year alone ('fell to 29 per cent in 2022'), or two unrelated years ('the
    Climate Change Act 2008 ... net-zero by 2050'), says nothing of how things moved since."""
    return since in years(text) or any(
        int(m.group(1)) <= since <= _in_full(m.group(2), int(m.group(1))) for m in _SPAN.finditer(text))


@cache
def _counts_pattern(name: str) -> re.Pattern[str]:
    return re.compile(alternation(entries("counts", name)), re.IGNORECASE)


def gives_value(kind: str, text: str) -> bool:
    """Does ``text`` give a value of the kind a question asks for (questions.asks_for_value): an amount of money
    ('money'), a year ('date'), a frequency ('frequency': 'twice a year', 'weekly'; lexicon [counts] frequency) or a
    span of time ('duration': 'three years', 'within six weeks', '2010-19'; [counts] duration)?"""
    if kind == "money":
        return bool(money(text))
    if kind == "date":
        return states_date(text)
    return bool(_counts_pattern(kind).search(text))


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
    """'three' -> 3, 'twenty-five' -> 25, '12' -> 12; None for anything else."""
    w = word.lower()
    if w.isdigit():
        return int(w)
    units, tens = _number_words()
    if w in units:
        return units[w]
    ten, _, unit = w.partition("-")
    if ten in tens and (not unit or 0 < units.get(unit, 0) < 10):
        return tens[ten] + (units[unit] if unit else 0)
    return None


# -- counts: a number and the thing it counts -------------------------------------------------------
@dataclass(frozen=True)
class Count:
    """A number that counts something: 'three criteria', '5 missions', 'two of the five success factors'.

    ``value`` is normalised like a figure ('3'); ``words`` are the stems of what it counts (empty for 'five of
    them'); ``text`` is the count as written ('three criteria'); ``number`` the number as written ('three');
    ``spelled`` when the number is a word.
    """

    value: str
    words: frozenset[str]
    start: int
    end: int
    text: str
    number: str
    spelled: bool

    @property
    def things(self) -> frozenset[str]:
        """What it counts, without unit words: 'five-year caps' counts caps; 'ten years' counts no thing."""
        return self.words - _unit_stems()


@cache
def _unit_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in entries("stance", "unit_words"))


@cache
def _number_words() -> tuple[dict[str, int], dict[str, int]]:
    units = {w: i for i, w in enumerate(entries("counts", "units"))}
    tens = {w: 20 + 10 * i for i, w in enumerate(entries("counts", "tens"))}
    return units, tens


@cache
def _number_word_pattern() -> re.Pattern[str]:
    units, tens = _number_words()
    small = phrases(tuple(w for w, v in units.items() if 0 < v < 10))
    return re.compile(rf"\b(?:(?:{phrases(tuple(tens))})(?:-(?:{small}))?|(?:{phrases(tuple(units))}))\b", re.I)


# What may follow a number: a word (with its hyphens and apostrophes: 'p’s', 'ten-year'), a figure, or a mark.
_NEXT = re.compile(r"\s*([A-Za-z]+(?:['’][A-Za-z]+)*|\d[\d,.]*|[^\sA-Za-z\d])")
_MAX_COUNTED = 3  # words of the counted phrase kept ('five extra healthy years' is about 'extra healthy years')


def counts(text: str) -> list[Count]:
    """Every number of ``text`` that counts something, digits and words alike, in order.

    A number counts the run of content words right after it ('three criteria', '10-year test', 'five success
    factors'), or after 'of the' ('two of the five success factors'). Not counts: years, money, a number followed
    by a stop word ('29 per cent', 'the two.') or by a scale or fraction ('two million', 'three-quarters'), and
    'one' as a pronoun ('no one', 'the one', 'one of the most', 'one-size-fits-all').
    """
    return list(_counts(text))


@lru_cache(maxsize=4096)
def _counts(text: str) -> tuple[Count, ...]:
    # The claim checker asks for the counts of the same claim and sentences once per pair of clauses.
    found: list[tuple[int, int, str, bool]] = [
        (f.start, f.end, f.value, False) for f in figures(text)
        if not f.is_year and not f.is_money and f.value.replace(".", "").isdigit()
    ]
    found += [(m.start(), m.end(), str(word_number(m.group(0))), True) for m in _number_word_pattern().finditer(text)]
    out = []
    for start, end, value, spelled in sorted(found):
        counted = _counted(text, start, end, is_one=spelled and value == "1")
        if counted is not None:
            words, stop = counted
            out.append(Count(value, words, start, stop, text[start:stop], text[start:end], spelled))
    return tuple(out)


def _counted(text: str, start: int, end: int, *, is_one: bool) -> tuple[frozenset[str], int] | None:
    """The stems of what the number at [start, end) counts and where the count ends; None when it counts nothing."""
    stop = stopwords()
    if is_one:
        before = re.findall(r"[A-Za-z]+", text[max(0, start - 20):start])
        if (before and before[-1].lower() in word_set("counts", "one_after")) or text[end:end + 1] == "-":
            return None
    pos = end
    nxt = _NEXT.match(text, pos)
    if nxt and nxt.group(1).lower() == "of" and not is_one:
        # A partitive: 'two of the five success factors', 'five of them'.
        pos = nxt.end()
        nxt = _NEXT.match(text, pos)
        if not nxt or nxt.group(1).lower() not in word_set("counts", "partitive"):
            return None
        pos = nxt.end()
        if nxt.group(1).lower() in word_set("counts", "partitive_pronouns"):
            return frozenset(), pos
        nxt = _NEXT.match(text, pos)
        if nxt and (nxt.group(1)[0].isdigit() or _number_word_pattern().fullmatch(nxt.group(1))):
            pos = nxt.end()  # 'of the five success factors': the thing both numbers count follows
    words: list[str] = []
    while len(words) < _MAX_COUNTED:
        nxt = _NEXT.match(text, pos)
        if not nxt:
            break
        word = nxt.group(1)
        if word == "-" and not words and nxt.start() == pos:
            pos = nxt.end()  # 'ten-year', '10-year'
            continue
        lower = word.lower().replace("’", "'").removesuffix("'s")
        if not word[0].isalpha() or lower in stop or _number_word_pattern().fullmatch(word):
            break
        if not words and (lower in word_set("counts", "not_counted")
                          or (is_one and lower in word_set("counts", "one_before"))):
            return None
        words.append(stem(lower))
        pos = nxt.end()
        if text[pos:pos + 1] == "-" and words:
            pos += 1  # 'one-size-fits-all' parts, 'five-year caps'
    return (frozenset(words), pos) if words else None


def count_clash(claim: str, source: str) -> tuple[Count, Count] | None:
    """A count of ``claim`` that ``source`` gives differently for the same thing ('five criteria' where it says
    'three criteria'); None when the source never counts what the claim counts, or agrees. A unit ('year') is
    not a thing: 'five-year caps' and a 'ten-year review' count different things."""
    theirs = counts(source)
    for mine in counts(claim):
        same_thing = [t for t in theirs if mine.things & t.things]
        if same_thing and all(t.value != mine.value for t in same_thing):
            return mine, same_thing[0]
    return None


def counts_the_same(claim: str, source: str) -> bool:
    """Does ``source`` count something ``claim`` counts ('three criteria' and 'five criteria'), whatever the number?"""
    theirs = counts(source)
    return any(mine.things & t.things for mine in counts(claim) for t in theirs)


# -- shares: a part of a whole, as a figure or in words -------------------------------------------------
@dataclass(frozen=True)
class Share:
    """A share of a whole in per cent: '51 per cent' (``exact``), 'about half' or 'one in seven' (not exact)."""

    value: float
    exact: bool
    text: str


@cache
def _share_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    fractions = tuple(str(f) for f, _ in nested("proportions", "fractions"))
    units, tens = _number_words()
    small = phrases(tuple(w for w, v in units.items() if 0 < v < 20))
    numerator = rf"(?:(a|an|one|{small}|\d+)[\s-]+)?"
    return (
        re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:%|per\s?cent\b|percent\b)", re.I),
        re.compile(rf"\b{numerator}({phrases(fractions)})\b", re.I),
        re.compile(rf"\b({small}|\d+)\s+(?:in|out\s+of)\s+(?:every\s+)?({small}|{phrases(tuple(tens))}|\d+)\b", re.I),
    )


def shares(text: str) -> list[Share]:
    """The shares of a whole that ``text`` gives, as figures ('51 per cent', '18%') and in words ('about half',
    'a quarter', 'two thirds', 'one in seven'); not a part of a period ('the first half of the decade')."""
    percent, fraction, one_in = _share_patterns()
    out = [Share(float(m.group(1)), True, m.group(0)) for m in percent.finditer(text)]
    values = dict(nested("proportions", "fractions"))
    for m in fraction.finditer(text):
        before = re.findall(r"[A-Za-z]+", text[max(0, m.start() - 12):m.start()])
        if m.group(1) is None and before and before[-1].lower() in word_set("proportions", "not_shares"):
            continue
        top = 1 if m.group(1) is None or m.group(1).lower() in ("a", "an") else word_number(m.group(1))
        if top:
            out.append(Share(round(top * float(values[m.group(2).lower()]), 1), False, m.group(0)))
    for m in one_in.finditer(text):
        part, whole = word_number(m.group(1)), word_number(m.group(2))
        if part and whole and part < whole:
            out.append(Share(round(100 * part / whole, 1), False, m.group(0)))
    return out


def worded_shares(text: str) -> list[Share]:
    """The shares ``text`` gives in words ('about half', 'one in seven'), not as figures."""
    return [s for s in shares(text) if not s.exact]


def same_share(a: Share, b: Share) -> bool:
    """Do two shares name the same figure? Two figures must be equal; a share in words may stand
    ``[proportions] tolerance_percent`` of the larger from a figure ('about half' is 51 per cent)."""
    if a.exact and b.exact:
        return a.value == b.value
    return abs(a.value - b.value) <= max(1.0, number("proportions", "tolerance_percent") / 100 * max(a.value, b.value))


def share_clash(claim: str, source: str) -> tuple[Share, Share] | None:
    """A share the claim gives in words that ``source`` gives as another figure ('roughly a quarter' where the source
    says 'around 18 per cent'); None when the claim gives no share in words, the source none at all, or one agrees."""
    mine = worded_shares(claim)
    theirs = shares(source)
    if not mine or not theirs:
        return None
    for m in mine:
        if not any(same_share(m, t) for t in theirs):
            return m, theirs[0]
    return None


def worded_shares_agree(claim: str, source: str) -> bool:
    """Does ``source`` give, as a figure or in words, every share the claim gives in words?"""
    mine = worded_shares(claim)
    theirs = shares(source)
    return bool(mine) and all(any(same_share(m, t) for t in theirs) for m in mine)
