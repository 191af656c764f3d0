"""Reading a spending proposal: the twelve facts a mission test needs, each with the proposal's own words.

A proposal states (or leaves out) what it costs and over how long, whether that is capital or resource,
its running costs, how it is paid for, its effect on fiscal headroom, what it buys and for whom, and what
it expects to achieve by when. ``read_proposal`` returns those as ``ProposalFacts``: every fact is a
``ProposalFact(value, words)`` whose ``words`` are an exact substring of the text, and a fact the text does
not state is None, never guessed. Numbers, dates and durations come from the text toolkit
(assistant/text/quantities.py); the cue words (funding, headroom, running costs, outcomes) are data in
lexicon.toml's [proposal] section.

The reader works sentence by sentence. Each sentence gets roles from its cues (cost, funding, headroom,
running costs, outcome, evaluation), and each amount of money a role from the words around it, so that
'£350m a year' in a running-costs sentence is never read as the cost per year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from assistant.schemas import ProposalFact, ProposalFacts
from assistant.text.lexicon import alternation, entries, phrases, word_set
from assistant.text.numbers import has_digit
from assistant.text.quantities import (
    Amount,
    DateMention,
    Duration,
    amounts,
    counts,
    dates,
    durations,
    number_word,
    unit_amounts,
)
from assistant.text.sentences import as_label_line, headed_answers, is_heading, is_key_fact_line, split_sentences

# The old compatibility field: fiscal headroom as the proposal states it is available ('within headroom of £1bn').
_HEADROOM_AVAILABLE = re.compile(
    r"headroom (?:of |is |at )?(?P<h>£\s?\d+(?:[.,]\d+)*\s?(?:bn|billion|m|million|k|thousand)?\b)"
    r"|(?P<h2>£\s?\d+(?:[.,]\d+)*\s?(?:bn|billion|m|million|k|thousand)?\b) (?:of )?(?:fiscal )?headroom", re.I)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?=which\b|while\b|and\s+(?:has|is|will|would|there))|\s+\band\b\s+(?=has|is\b)")
_WORD = re.compile(r"[A-Za-z0-9£][\w£'’&-]*")


# -- cue patterns (lexicon.toml [proposal]) ----------------------------------------------------------
@cache
def cue(name: str) -> re.Pattern[str]:
    """The [proposal] list ``name`` as one whole-word, case-insensitive pattern."""
    return re.compile(rf"(?<!\w)(?:{alternation(entries('proposal', name))})(?!\w)", re.IGNORECASE)


@cache
def _negator() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{phrases(entries('negation', 'strict'))}|\w+n't)\b[^.;,]{{0,25}}$", re.IGNORECASE)


def negated(text: str, start: int) -> bool:
    """Is the cue at ``start`` denied by a negator a few words before it ('No new borrowing', 'has not yet')?"""
    return bool(_negator().search(text[max(0, start - 30):start]))


def _sentence_start(text: str, start: int) -> int:
    return max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1


# -- sentences and their roles ----------------------------------------------------------------------
@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    title: bool = False
    roles: frozenset[str] = frozenset()

    def has(self, role: str) -> bool:
        return role in self.roles

    def unlabelled(self) -> Sentence:
        """The sentence with its key-fact labels ('Who benefits:') blanked to spaces, offsets kept: a label names a
        field of the proposal, not what it spends on ('benefits' is not the benefits bill)."""
        if is_heading(self.text):
            return replace(self, text=" " * len(self.text))  # 'Benefits', 'The ask': a section's name, not its content
        text = cue("serve_labels").sub(lambda m: " " * len(m.group(0)) if m.group(0).rstrip().endswith(":") else m.group(0),
                                       self.text)
        return self if text == self.text else replace(self, text=text)


@dataclass(frozen=True)
class Money:
    """An amount of the proposal with the role its words give it (cost, running, headroom, component, saving, funding)."""

    amount: Amount
    role: str
    sentence: Sentence


@dataclass
class Reading:
    """Everything read from one proposal: the facts, and the signals the mission test rates them with."""

    text: str
    facts: ProposalFacts
    sentences: list[Sentence]
    running_payer: ProposalFact | None = None  # running costs met by someone named, no amount given
    running_deferred: ProposalFact | None = None  # running costs left to later ('the next spending review')
    fiscal_rule: ProposalFact | None = None  # borrowing said to fit the fiscal rules ('under the investment rule')
    certified: ProposalFact | None = None  # savings someone independent has confirmed ('OBR-certified')
    running_change: ProposalFact | None = None  # a change in running costs, not their level ('Running costs fall by £2m a year')
    outcome_sentences: list[Sentence] = field(default_factory=list)
    funding_sources: frozenset[str] = frozenset()  # what a 'mixed' funding mixes: 'savings', 'existing_limit', …


def _title_end(text: str) -> int:
    """End of a heading line (no full stop, followed by a blank line or more lines), or 0 when there is none."""
    first = text.lstrip()
    offset = len(text) - len(first)
    line_end = first.find("\n")
    if line_end <= 0:
        return 0
    line = first[:line_end].strip()
    if not line or line[-1] in ".!?;:" or len(line.split()) > 20:
        return 0
    return offset + line_end


# A key-fact line ('Funding: within DHSC's existing capital budget', '• Aimed at: residents of …') and a section heading
# ('Costs', 'The ask') end where their line ends, full stop or not: a proposal's lines are its structure. (The shared
# splitter joins lines, as a wrapped PDF paragraph needs.)
_HEADING_NUMBER = re.compile(r"\s*(?:(?:box|slide|section|part|annex)\s+)?[A-Z]?\d{1,2}(?:\.\d{1,2})*[.)]?\s*(?:[-–:]\s*)?", re.I)


def _is_heading(line: str) -> bool:
    """A section heading, numbered or not ('Costs', '5. Outcomes', 'BOX 8 - Outcomes sought, with dates')."""
    number = _HEADING_NUMBER.match(line)
    rest = line[number.end():] if number and number.end() and re.match(r"\s*[A-Z]", line[number.end():]) else line
    return is_heading(rest) or (rest != line and is_heading(rest.replace(",", "")))


def _blocks(text: str, start: int) -> list[tuple[int, int]]:
    """Spans of ``text`` from ``start`` to split into sentences: each key-fact line and each heading on its own."""
    out: list[tuple[int, int]] = []
    pos, current = start, start
    for line in text[start:].splitlines(keepends=True):
        body = line.rstrip("\r\n")
        alone = is_key_fact_line(body) or _is_heading(body) or body.count("|") >= 2  # a table or spreadsheet row
        if alone:
            if current < pos:
                out.append((current, pos))
            out.append((pos, pos + len(body)))
            current = pos + len(line)
        pos += len(line)
    if current < len(text):
        out.append((current, len(text)))
    return out


# A numbered paragraph's number ('4.3 ', '1.1 ') before a capitalised sentence: a council report's or costing note's
# numbering, not part of what the sentence says.
_PARAGRAPH_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2}\.?|[.)])[ \t]+(?=[A-Z])")


def sentences(text: str) -> list[Sentence]:
    """The proposal's sentences with their roles; a first line without a full stop is its title."""
    title_end = _title_end(text)
    out = []
    spans = ([(0, title_end)] if title_end else []) + [
        span for b_start, b_end in _blocks(text, title_end) for span in split_sentences(text[b_start:b_end], b_start)]
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        s, chunk = s + lead, chunk.strip()
        number = _PARAGRAPH_NUMBER.match(chunk)  # '4.3 From 2029-30 the hubs will cost …': the sentence starts at 'From'
        if number and number.end() < len(chunk):
            s, chunk = s + number.end(), chunk[number.end():]
        if not chunk:
            continue
        chunk = as_label_line(chunk)  # '| Target | 35,000 more … |' reads as 'Target: 35,000 more …', offsets kept
        out.append(Sentence(s, s + len(chunk), chunk, title=bool(title_end) and s < title_end, roles=_roles(chunk)))
    return out


def _roles(sentence: str) -> frozenset[str]:
    roles = set()
    if cue("running_costs").search(sentence) or cue("running_zero").search(sentence):
        roles.add("running")
    if re.search(r"\bheadroom\b", sentence, re.I):
        roles.add("headroom")
    if any(not negated(sentence, m.start()) for name in ("borrowing", "savings", "reprioritisation", "existing_limit",
                                                        "other_funding")
           for m in cue(name).finditer(sentence)) and cue("funding_verbs").search(sentence):
        roles.add("funding")
    if cue("outcome_strong").search(sentence):
        roles.add("outcome")
    elif cue("outcome_will").search(sentence):
        roles.add("weak outcome")
    if cue("evaluation").search(sentence):
        roles.add("evaluation")
    return frozenset(roles)


def _clause(sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """The clause of ``sentence`` around [start, end) (offsets in the proposal), bounded by ; : and 'which'."""
    rel_s, rel_e = start - sentence.start, end - sentence.start
    bounds = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(sentence.text)] + [len(sentence.text)]
    lo = max(b for b in bounds if b <= rel_s)
    hi = min(b for b in [*bounds, len(sentence.text)] if b >= rel_e)
    return sentence.start + lo, sentence.start + hi


# -- money ------------------------------------------------------------------------------------------
def _money(text: str, sents: list[Sentence]) -> list[Money]:
    out: list[Money] = []
    for sent in sents:
        if sent.title:
            continue
        previous_cost = False
        said = text[sent.start:sent.end]
        # '£55m' as written, or '55' after a stated unit ('2026-27 (£m) | 55', 'Costing (£bn, resource DEL) 0.35 in …')
        for a in sorted(amounts(said) + unit_amounts(said), key=lambda a: a.start):
            a = Amount(a.start + sent.start, a.end + sent.start, a.text, a.pounds, a.per_year, a.per_unit,
                       a.unit_end + sent.start)
            role = _money_role(text, sent, a, previous_cost)
            previous_cost = previous_cost or role == "cost"
            out.append(Money(a, role, sent))
    return out


def _money_role(text: str, sent: Sentence, a: Amount, previous_cost: bool) -> str:
    c_start, c_end = _clause(sent, a.start, a.end)
    before, after = text[c_start:a.start], text[a.end:c_end]
    if is_key_fact_line(sent.text) and c_start <= sent.start + sent.text.index(":") + 1 < a.start:
        before = sent.text[:sent.text.index(":")] + " " + before  # 'Running costs: £3.5m a year': the label says what it is
    near_before = text[max(sent.start, a.start - 25):a.start]
    if cue("running_costs").search(before) or cue("running_costs").match(after.lstrip(" a-z")) or \
            (not a.per_unit and re.match(rf"\s*(?:a year\s+)?(?:{alternation(entries('proposal', 'running_after_amount'))})\b",
                                         after, re.I)):  # 'Each place will cost £50,000 a year to run' is a unit cost
        if re.search(rf"(?:{alternation(entries('proposal', 'running_change'))})\s*$", before, re.I):
            return "running change"  # 'Running costs fall by £2m a year': a change, not their level
        return "running"
    if a.per_year and not previous_cost and re.match(rf"\s*(?:{alternation(entries('proposal', 'running_opening'))})\b",
                                                     sent.text, re.I):
        return "running"  # 'From year six the posts will be funded … at around £110m a year'

    if _near_headroom(text, sent, a) and not cue("cost_words").search(near_before):
        return "headroom"
    if _BUDGET_BEFORE.search(text[sent.start:a.start]):
        return "budget"  # 'within the £9.9bn police grant', 'The core schools budget is £65.3bn': what it sits in
    if re.search(r"\bof which\s*$", before, re.I) or re.match(r"\s*of it\b", after, re.I) or \
            (previous_cost and re.match(r"\s*(?:is\s+|of\s+)?(?:capital|resource)\b", after, re.I)) or \
            (previous_cost and re.search(r"\b(?:capital|resource)\s+(?:costs?\s+)?of\s*$", before, re.I)):
        return "component"
    if a.per_year and not previous_cost and re.match(rf"\s*(?:{alternation(entries('proposal', 'running_after'))})\b", text[a.unit_end:c_end], re.I):
        return "running"
    if a.per_year and not previous_cost and re.match(r"\s*from\s+(?:(?:19|20)\d\d(?:[-–/]\d\d)?(?![\d/–-])|year\s+\w+)(?!\s*(?:to|until|[-–])\s)",
                                                     text[a.unit_end:sent.end], re.I) and \
            cue("running_payer").search(text[a.unit_end:sent.end]):
        return "running"  # 'Staffing: £310m a year from 2030-31, to be met from the elective recovery fund'
    if a.per_unit:
        return "unit"
    if cue("cost_words").search(near_before):
        return "cost"
    if cue("saving_amount").search(before):
        return "saving"
    verb = cue("funding_verbs").search(text[max(sent.start, a.start - 20):a.start])
    if verb and not verb.group(0).endswith(":"):  # 'Financing: CDEL of £120m' labels the cost, not a source's share
        return "funding"
    return "cost"


_BUDGET_BEFORE = re.compile(r"(?:\bwithin\s+(?:the|its|our|their)|\bthe\s+(?:[\w-]+\s+){0,3}(?:budget|grant|settlement|"
                            r"allocation|baseline)\s+(?:is|was|stands at|totals?))\s*$", re.I)


def _near_headroom(text: str, sent: Sentence, a: Amount) -> bool:
    """Is the amount the headroom's: a few words after it ('reduces fiscal headroom by £2bn', 'within headroom of
    £1bn') or just before it ('£1bn of headroom')?"""
    # The sentence as read ('| Headroom | -£85m' reads 'Headroom : -£85m'), at the amount's offsets.
    after_headroom = re.search(r"\bheadroom\b:?(?:\s+[\w-]+){0,6}?\s*:?\s+[-−]?$", sent.text[:a.start - sent.start], re.I)
    before_headroom = re.match(r"\s+(?:[\w-]+\s+){0,2}?(?:of\s+|in\s+|to\s+)?(?:the\s+)?(?:fiscal\s+)?headroom\b",
                               sent.text[a.end - sent.start:], re.I)
    return bool(after_headroom or before_headroom)


FactValue = float | int | str | list[float] | list[str]


def _fact(text: str, value: FactValue, start: int, end: int) -> ProposalFact:
    """A fact and its exact words; a text value reads on one line even where the proposal's words wrap."""
    if isinstance(value, str):
        value = " ".join(value.split())
    return ProposalFact(value=value, words=text[start:end])


def _costs(text: str, money: list[Money], durs: list[Duration]) -> tuple[ProposalFact | None, ProposalFact | None, Money | None]:
    costs = [m for m in money if m.role == "cost"] or [m for m in money if m.role == "funding"]
    total = per_year = None
    anchor: Money | None = None
    ramp = _ramp(text, costs)
    if ramp is not None:
        last = ramp[-1].amount.unit_end  # the last amount with its year: '… and £210m in 2027-28'
        when = re.match(_WHEN, text[last:ramp[-1].sentence.end], re.I)
        per_year = _fact(text, [ramp[0].amount.pounds, ramp[-1].amount.pounds], ramp[0].amount.start,
                         last + (when.end() if when else 0))
        anchor = Money(ramp[0].amount, "ramp", ramp[0].sentence)
    for m in costs:
        if ramp is not None and m in ramp:
            continue
        if m.amount.per_year and per_year is None:
            per_year = _fact(text, m.amount.pounds, m.amount.start, m.amount.unit_end)
            anchor = anchor or m
        elif not m.amount.per_year and total is None:
            end = m.amount.end
            tail = next((d for d in durs if d.kind == "span" and 0 <= d.start - m.amount.end <= 20
                         and re.fullmatch(r"[\sa-z]*", text[m.amount.end:d.start])), None)
            if tail is not None:
                end = tail.end
            total = _fact(text, m.amount.pounds, m.amount.start, end)
            anchor = anchor or m
    return total, per_year, anchor


_RISING = r"(?:rising|increasing|growing|climbing|ramping up|going up|falling|decreasing|tapering)"
_WHEN = (r"(?:\s+(?:a year\s+)?(?:in|by|for)\s+(?:the\s+)?(?:[\w-]+\s+)?(?:year\s+(?:\d+|[a-z]+)|\d{4}(?:\s?[-–/]\s?\d{2})?"
         r"|year))?")


_LABEL_WHEN = r"(?:year\s+\d+|(?:19|20)\d\d(?:\s?[-–/]\s?\d\d)?)\s*[:–-]?\s*"  # a year before its amount: 'year 2 £18m'
_ROW_LABEL = r"[ \t]*(?:row\s+[\d.]+\s*\|\s*)?"  # a spreadsheet row's own label ('Row 4.11 |')
_STATED_UNIT = r"(?:\(\s*£[^)]{1,30}\)\s*)?[|:]?\s*"  # the unit its figures are in, then the cell edge ('(£m) | ')


def _ramp(text: str, costs: list[Money]) -> list[Money] | None:
    """Amounts that step up or down year by year ('rising from £150m in 2025-26 to £250m in 2027-28',
    '£100m in 2025-26, £200m in 2026-27 and £300m in 2027-28'), first to last; None when there are none."""
    for i, m in enumerate(costs):
        run = [m]
        for nxt in costs[i + 1:]:
            between = text[run[-1].amount.end:nxt.amount.start]
            if nxt.sentence is not m.sentence:
                # a spreadsheet's rows, one year each: '2026-27 (£m) | 55' then 'Row 4.11 | 2027-28 (£m) | 78'
                if re.fullmatch(rf"[ \t|]*\n{_ROW_LABEL}{_LABEL_WHEN}{_STATED_UNIT}", between, re.I) and re.search(
                        rf"{_LABEL_WHEN}{_STATED_UNIT}$", text[m.sentence.start:m.amount.start], re.I):
                    run.append(nxt)
                    continue
                break
            if re.match(r"\s*(?:in total|in all|altogether|overall)\b", text[nxt.amount.end:], re.I) or \
                    re.search(r"\ba total of\s*$", between, re.I):
                break  # '£0.7bn in 2026-27, …, £1.4bn in 2028-29, £3.3bn in total': the sum is no step of the ramp
            if re.fullmatch(rf"{_WHEN}\s*(?:\([^()]{{1,40}}\))?\s*(?:,\s*)?(?:{_RISING}\s+)?(?:to|up to|then|and|,)\s*",
                            between, re.I) or \
                    re.fullmatch(rf"\s*[;,]?\s*(?:and\s+)?{_LABEL_WHEN}", between, re.I):  # "year 1 £12m; year 2 £18m"
                run.append(nxt)
            else:
                break
        if len(run) < 2:
            continue
        lead = text[max(m.sentence.start, m.amount.start - 25):m.amount.start]
        between = text[m.amount.end:run[-1].amount.start]
        # '£100m in 2025-26, £200m in 2026-27 and £300m a year'; 'year 1 £12m; year 2 £18m; year 3 £24m'
        dated = all(_dated(text, r.amount.end) for r in run[:-1]) or bool(re.search(rf"{_LABEL_WHEN}{_STATED_UNIT}$", lead, re.I))
        stepped = bool(re.search(rf"{_RISING}\s+(?:from\s+)?$|\bfrom\s+$", lead, re.I) or re.search(_RISING, between, re.I))
        if (stepped or dated) and run[0].amount.pounds != run[-1].amount.pounds:
            return run
    return None


def _dated(text: str, at: int) -> bool:
    m = re.match(_WHEN, text[at:], re.I)
    return bool(m and m.group(0))


def _years(text: str, sents: list[Sentence], durs: list[Duration], anchor: Money | None) -> ProposalFact | None:
    """How long the spending runs: the duration stated with its cost ('£1.2bn over three years', 'a ten-year fund of
    £1bn', 'a one-off grant of £310m in 2025-26'), else a programme length stated elsewhere ('a ten-year
    programme'); never an evaluation's, an outcome's or the running costs'."""
    if anchor is not None:
        in_cost = [d for d in durs if anchor.sentence.start <= d.start < anchor.sentence.end]
        spans = [d for d in in_cost if d.kind == "span"]
        others = [d for d in in_cost if d.kind not in ("span", "single")]
        one_off = [d for d in in_cost if d.kind == "single"] if anchor.role == "cost" and not anchor.amount.per_year else []
        for d in spans or others or one_off[:1]:
            if _phase(text, d):
                continue
            return _fact(text, d.years, d.start, d.end)
    for kinds in (("adjective",), ("span", "range"), ("bare",)):
        for d in durs:
            sent = next((x for x in sents if x.start <= d.start < x.end), None)
            roles = ("evaluation", "outcome", "running") + (("headroom", "funding") if d.kind != "span" else ())
            if sent is None or d.kind not in kinds or sent.title or _phase(text, d) or any(sent.has(r) for r in roles):
                continue
            if d.kind == "adjective" and not re.match(r"[\s-]*(?:long\s+)?[A-Za-z]", text[d.end:d.end + 20]):
                continue  # 'a ten-year' must qualify something ('ten-year programme')
            return _fact(text, d.years, d.start, d.end)
    return None


def _phase(text: str, d: Duration) -> bool:
    """Is the duration a first phase of the spending, not its length ('capital of £300m in the first two years')?"""
    return bool(re.search(r"\bfirst\s+\w+\s+(?:years?|months?)$", d.text, re.I)) or \
        bool(re.search(r"\b(?:the\s+)?first\s+$", text[max(0, d.start - 12):d.start], re.I)) or \
        bool(re.search(r"\b(?:in|during|over|within)\s+the\s+first\s+$", text[max(0, d.start - 25):d.start], re.I))


# -- capital or resource ----------------------------------------------------------------------------
_SPEND_FIELD = re.compile(r"\b(?:capital\s*(?:/|or|and/or)\s*resource|resource\s*(?:/|or|and/or)\s*capital)\b(?=\s*(?:\?|:|\n|$))",
                          re.I)


def _spend_type(text: str, sents: list[Sentence], money: list[Money]) -> ProposalFact | None:
    cost_sentences = {id(m.sentence) for m in money if m.role in ("cost", "component")}
    limit = re.compile(rf"^[\s-]*(?:[A-Za-z'’]+\s+){{0,1}}(?:{alternation(entries('proposal', 'limit_nouns'))})\b", re.I)

    def found(sent: Sentence) -> list[tuple[str, re.Match[str]]]:
        hits = []
        field = [(f.start(), f.end()) for f in _SPEND_FIELD.finditer(sent.text)]  # 'Capital / resource': a form's field
        for kind in ("capital", "resource"):
            for m in cue(kind).finditer(sent.text):
                if any(a <= m.start() < b for a, b in field):
                    continue
                # 'resource DEL' names a limit, except as the figures' own unit: 'Costing (£bn, resource DEL)'
                if not limit.match(sent.text[m.end():]) or re.search(r"\(\s*£[^()]*$", sent.text[:m.start()]):
                    hits.append((kind, m))
        return sorted(hits, key=lambda h: h[1].start())

    ordered = [s for s in sents if id(s) in cost_sentences] + \
              [s for s in sents if id(s) not in cost_sentences and not s.title and not s.has("running")
               and not cue("deferred").search(s.text)]
    for sent in ordered:
        hits = found(sent)
        if not hits:
            continue
        kinds = {k for k, _ in hits}
        value = "both" if len(kinds) == 2 else hits[0][0]
        first, last = hits[0][1], hits[-1][1]
        start, end = sent.start + first.start(), sent.start + last.end()
        if value == "both":
            amount_before = list(re.finditer(r"£\s?\d[\d.,]*\s?(?:bn|billion|m|million)?", sent.text[:first.start()]))
            if amount_before and first.start() - amount_before[-1].end() < 15:
                start = sent.start + amount_before[-1].start()
        else:
            noun = re.match(r"[\s-]*(?:grant|fund|funding|spending|investment|budget|expenditure)\b", sent.text[last.end():], re.I)
            lead = re.search(r"\b(?:all|of|entirely|wholly)\s+$", sent.text[:first.start()], re.I)
            end = sent.start + last.end() + (noun.end() if noun else 0)
            start = sent.start + (lead.start() if lead else first.start())
        return _fact(text, value, start, end)
    return None


# -- running costs ----------------------------------------------------------------------------------
def _running(text: str, sents: list[Sentence], money: list[Money], years: ProposalFact | None
             ) -> tuple[ProposalFact | None, ProposalFact | None, ProposalFact | None, ProposalFact | None]:
    """(running costs, from when, who pays when no amount is given, deferred) as the proposal states them."""
    value = start_from = payer = deferred = None
    running_money = {id(m.sentence) for m in money if m.role == "running"}
    for sent in sents:
        if not sent.has("running") and id(sent) not in running_money:
            continue
        zero = cue("running_zero").search(sent.text)
        if zero and value is None:
            tail = re.match(r"[^,.;]{0,30}?(?:to the Exchequer|after year \d+|after the programme ends)", sent.text[zero.end():])
            end = zero.end() + (tail.end() if tail else 0)
            lead = re.search(r"\b(?:there (?:are|will be|is)\s+)$", sent.text[:zero.start()], re.I)
            value = _fact(text, 0.0, sent.start + (lead.start() if lead else zero.start()), sent.start + end)
            continue
        amount = next((m for m in money if m.role == "running" and m.sentence is sent), None)
        if amount is not None and value is None:
            label = cue("running_costs").search(sent.text)
            start = min(sent.start + label.start(), amount.amount.start) if label else amount.amount.start
            end = max(amount.amount.unit_end, sent.start + (label.end() if label else 0))
            after = re.match(rf"\s*(?:{alternation(entries('proposal', 'running_after'))})\b[^,.;]*", text[end:sent.end], re.I)
            if label is None and after:
                end += after.end()  # 'Licences will cost £60m a year after 2030-31'
            value = _fact(text, amount.amount.pounds, start, end)
            start_from = _running_from(text, sent, years)
        elif amount is None and value is None:
            if cue("running_payer").search(sent.text) and payer is None:
                payer = _fact(text, "named", sent.start, sent.end)
            if cue("deferred").search(sent.text) and deferred is None:
                deferred = _fact(text, "deferred", sent.start, sent.end)
    if value is None and deferred is None:
        for sent in sents:  # 'Staffing … will require additional resource spending, which will be set out at the next spending review'
            if cue("deferred").search(sent.text) and not sent.has("funding") and re.search(r"\bcosts?\b|\bspending\b", sent.text, re.I):
                deferred = _fact(text, "deferred", sent.start, sent.end)
                break
    return value, start_from, payer, deferred


def _next_period(value: str) -> str:
    """The financial or calendar year after ``value``: '2030-31' -> '2031-32', '2030' -> '2031'."""
    year = int(value[:4]) + 1
    return f"{year}-{(year + 1) % 100:02d}" if len(value) == 7 and value[4] == "-" and len(value.split("-")[1]) == 2 \
        and int(value[5:]) == (int(value[:4]) + 1) % 100 else str(year) if len(value) == 4 else value


def _running_from(text: str, sent: Sentence, years: ProposalFact | None) -> ProposalFact | None:
    m = re.search(r"\bfrom (?:year |the )?(?P<n>\d+|[a-z]+)(?:st|nd|rd|th)?(?: year)?\b(?![-–/]\d)", sent.text, re.I)
    n = number_word(m.group("n")) if m else None
    if m and n is not None and 1 <= n < 100 and (m.group("n").isdigit() or "year" in m.group(0).lower()):
        return _fact(text, n, sent.start + m.start(), sent.start + m.end())
    m = re.search(r"\bafter year (?P<n>\d+)\b", sent.text, re.I)
    if m:
        return _fact(text, int(m.group("n")) + 1, sent.start + m.start(), sent.start + m.end())
    for d in dates(sent.text):
        lead = re.search(r"\b(from|in|starting|after)\s+$", sent.text[:d.start], re.I)
        if lead:
            value = _next_period(d.value) if lead.group(1).lower() == "after" else d.value
            fiscal_end = re.fullmatch(r"((?:19|20)\d\d)-03", str(d.value))
            if lead.group(1).lower() == "after" and fiscal_end:  # 'After March 2029': the financial year 2029-30
                year = int(fiscal_end.group(1))
                value = f"{year}-{(year + 1) % 100:02d}"
            return _fact(text, value, sent.start + lead.start(), sent.start + d.end)
    m = re.search(r"\b(?:after|once) the (?:programme|scheme|fund|grant) ends\b", sent.text, re.I)
    if m and years is not None and isinstance(years.value, int):
        return _fact(text, years.value + 1, sent.start + m.start(), sent.start + m.end())
    return None


# -- funding and headroom ---------------------------------------------------------------------------
_FUNDING_ORDER = ("borrowing", "savings", "reprioritisation", "existing_limit", "other_funding")
_FUNDING_VALUE = {"borrowing": "new borrowing", "savings": "savings", "reprioritisation": "reprioritisation",
                  "existing_limit": "existing departmental limit", "other_funding": "other"}


def _funding_sources(text: str, sents: list[Sentence]) -> tuple[ProposalFact | None, frozenset[str]]:
    """How it is paid for, and the kinds of source it names (_FUNDING_ORDER)."""
    for sent in sents:
        if sent.title or sent.has("running"):
            continue
        verb = cue("funding_verbs").search(sent.text)
        hits: list[tuple[str, re.Match[str]]] = []
        # 'Savings … cover the cost from 2027-28; until then DHSC will meet the gap from within its existing limit': two
        # sources, one bridging to the other.
        bridged = re.search(r"\buntil\b", sent.text, re.I) is not None
        for name in _FUNDING_ORDER:
            for m in cue(name).finditer(sent.text):
                if negated(sent.text, m.start()) or _unticked(sent.text, m.start()):
                    continue
                if name == "existing_limit" and re.search(
                        rf"(?:{alternation(entries('proposal', 'outside_limit'))})\s+(?:[\w'’]+\s+){{0,3}}$",
                        sent.text[:m.start()], re.I):
                    continue
                if name == "savings" and not re.search(r"\b(?:from|by|through|with|out of|using|and)\s+(?:[\w'’-]+\s+){0,3}$",
                                                       sent.text[:m.start()], re.I) \
                        and not bridged and not cue("funding_verbs").search(sent.text, m.end()):
                    continue  # 'savings of £40m a year' is an outcome; 'Savings … are expected to cover the cost' pays
                if name == "other_funding" and not verb and not _NEW_MONEY.search(m.group(0)):
                    continue  # 'a levy' may be anything; 'new money at the Spending Review' is how it is paid for
                if name == "reprioritisation" and any(n == "savings" and (0 <= m.start() - h.end() <= 12 or (
                        m.group(0).lower().startswith("by ") and not re.search(r"[,;.]", sent.text[h.end():m.start()])))
                        for n, h in hits):
                    continue  # 'savings made by closing two institutions', 'savings already banked … by ending the contract':
                    # how the savings are made, not a second source
                hits.append((name, m))
        if not hits or not (verb or any(n in ("reprioritisation", "existing_limit", "borrowing") or _NEW_MONEY.search(h.group(0))
                                        for n, h in hits)):
            continue
        kinds = {n for n, _ in hits}
        value = "mixed" if len(kinds) >= 2 and bridged else _funding_kind(kinds)
        hits.sort(key=lambda h: h[1].start())
        start = min([h[1].start() for h in hits] + ([verb.start()] if verb and verb.start() < hits[0][1].start() else []))
        end = max(h[1].end() for h in hits)
        end += _phrase_tail(sent.text[end:])
        if re.search(r"\b(?:from|in|of|on|by|within)$", sent.text[:end]):
            rest = re.match(r"[^,.;]*", sent.text[end:])
            end += rest.end() if rest else 0
        return _fact(text, value, sent.start + start, sent.start + end), frozenset(kinds)
    return None, frozenset()


_NEW_MONEY = re.compile(r"\bmoney\b", re.I)


def _unticked(text: str, at: int) -> bool:
    """Are the words at ``at`` an option a form leaves unticked ('[ ] Existing DfE allocation  [X] New funding …')?"""
    box = text.rfind("[", 0, at)
    return box >= 0 and bool(re.match(r"\[\s?\]", text[box:])) and "]" not in text[box + 3:at]


def _funding_kind(kinds: set[str]) -> str:
    if len(kinds - {"existing_limit"}) >= 2:  # two sources beyond the department's own limit: 'the precept and savings'
        return "mixed"
    if "borrowing" in kinds and kinds - {"borrowing"} - {"existing_limit"}:
        return "mixed"
    if "borrowing" in kinds and "existing_limit" in kinds:
        return "mixed"
    if "other_funding" in kinds and "existing_limit" in kinds:  # 'half from MoJ's budget, half as match funding'
        return "mixed"
    if {"savings", "reprioritisation"} <= kinds:
        return "mixed"
    for name in ("borrowing", "reprioritisation", "savings", "existing_limit", "other_funding"):
        if name in kinds:
            return _FUNDING_VALUE[name]
    return "other"


def _phrase_tail(rest: str) -> int:
    """How far a funding phrase runs on: 'savings' + ' in Universal Credit', up to the clause's end."""
    m = re.match(r"(?:\s+(?:in|from|on|within|under|of)\s+[^,.;]*?)(?=\s+(?:as|and (?:has|have|is|are|will|would|could|can)|"
                 r"with|which|so|but|because|while)\b|[,.;]|$)", rest)
    return m.end() if m else 0


def _headroom(text: str, sents: list[Sentence], money: list[Money]) -> ProposalFact | None:
    for i, sent in enumerate(sents):
        if not sent.has("headroom"):
            continue
        zero = cue("headroom_zero").search(sent.text)
        answer = cue("headroom_nil_answer").match(sents[i + 1].text.lstrip()) if i + 1 < len(sents) and _is_heading(
            sent.text) else None
        if zero is None and answer is not None:  # a heading answered on its next line: 'Effect on fiscal headroom' / 'Nil: …'
            nxt = sents[i + 1]
            end = nxt.start + len(nxt.text) - len(nxt.text.lstrip()) + answer.end()
            return _fact(text, 0.0, sent.start, end)
        if zero:
            lead = re.search(r"\b(?:has|have|will have|would have|with|there is|there will be)\s+$", sent.text[:zero.start()], re.I)
            start = zero.start() if lead is None or zero.group(0).lower().startswith("no") else zero.start()
            return _fact(text, 0.0, sent.start + start, sent.start + zero.end())
        amount = next((m for m in money if m.sentence is sent and m.role == "headroom"), None)
        head = re.search(r"\bheadroom\b", sent.text, re.I)
        if amount is None or head is None:
            continue
        verb_zone_start = max(0, head.start() - 40)
        down = [m for m in cue("headroom_down").finditer(sent.text, verb_zone_start, head.start())]
        up = [m for m in cue("headroom_up").finditer(sent.text, verb_zone_start, head.start())]
        after_verbs = re.search(r"\bheadroom\s+(?:(?:would|will)\s+)?(?:falls?|is reduced|reduces|drops?)\b", sent.text, re.I)
        minus = text[amount.amount.start - 1:amount.amount.start] in ("-", "−")  # 'Headroom: -£115m'
        sign = -1.0 if (down and (not up or down[-1].start() > up[-1].start())) or after_verbs or minus else (
            1.0 if up else -1.0)
        verb = (down or up or [head])[-1]
        start = min(sent.start + min(verb.start(), head.start()), amount.amount.start)
        return _fact(text, sign * amount.amount.pounds, start, amount.amount.unit_end)
    return None


# -- what it buys, for whom, and what it expects ----------------------------------------------------
@cache
def _np_stop() -> re.Pattern[str]:
    return re.compile(rf"[,.](?!\d)|[;:()£|\n]|\s(?:{alternation(entries('proposal', 'np_stops'))})\s|\s(?:bringing|allowing|giving|delivered|"
                      r"allocated|prioritising|linked|reaching|drawn|at a (?:total )?cost|costing|worth)\b", re.I)


def _np_end(text: str, start: int, limit: int, stop: re.Pattern[str] | None = None) -> int:
    m = (stop or _np_stop()).search(text, start, limit)
    end = m.start() if m else limit
    return start + len(text[start:end].rstrip(" -–"))


def _scale(text: str, sents: list[Sentence], outcome_sents: list[Sentence]) -> ProposalFact | None:
    skip = word_set("proposal", "scale_skip")
    says = cue("proposal_says")
    for sent in sorted(sents, key=lambda s: not (says.search(s.text) or _LABELLED.match(s.text))):
        if sent.title or sent.has("running"):
            continue
        # An outcome's or evaluation's sentence may say what is bought first ('wants to add 2,500 virtual ward beds so
        # that more patients can be looked after at home, with remote monitoring'): its counts before the cue only.
        until = len(sent.text)
        if sent in outcome_sents or sent.has("evaluation"):
            names = ("evaluation",) + (("outcome_strong", "outcome_will") if sent in outcome_sents else ())
            until = min((m.start() for name in names for m in cue(name).finditer(sent.text)), default=0)
        blocks = sorted([d.start for d in durations(sent.text)] + [d.start for d in dates(sent.text)]
                        + [a.start for a in amounts(sent.text)])
        for c in counts(sent.text):
            if c.end > until:
                break
            before = sent.text[:c.start]
            words_before = re.findall(r"[A-Za-z]+", before)[-2:]
            clause = re.split(r"[,;:](?!\d)", before)[-1]
            if any(w.lower() in skip for w in words_before) or cue("scale_skip_clause").search(clause) \
                    or _state_before().search(before):
                continue
            start = sent.start + c.start
            limit = min([b for b in blocks if b > c.end] + [len(sent.text)])
            label = _ENDS_WITH_LABEL.search(before)
            if label is not None and _names_what_is_bought(label.group("label")):
                # a key-facts line: 'New places: 6,000', 'hubs: 45; staff: 380 caseworkers …'
                end = _np_end(text, sent.start + c.end, sent.start + limit)
                while (nxt := _NEXT_LABEL.match(text, end)) and _names_what_is_bought(nxt.group("label")) \
                        and nxt.end() <= sent.end:
                    end = _np_end(text, nxt.end(), sent.end)
                start = sent.start + label.start("label")
                return _fact(text, text[start:end], start, end)
            end = _np_end(text, sent.start + c.end, sent.start + limit)
            if _not_bought(before, text[sent.start + c.end:sent.end]):
                continue
            if not re.search(r"[A-Za-z]{3}", text[sent.start + c.end:end]):
                by = re.search(r"\bby\s+$", before)
                if by is None:
                    continue
                lead = max(before.rfind(","), before.rfind(";")) + 1
                grows = list(cue("growth_verbs").finditer(before, lead))
                if grows:
                    lead = grows[-1].end()
                start = sent.start + lead + (len(before[lead:]) - len(before[lead:].lstrip()))
                return _fact(text, text[start:sent.start + c.end], start, sent.start + c.end)
            passive = _PASSIVE_RUN.match(text, end, sent.end) if _passive().match(text, end, sent.end) else None
            if passive:  # '400 coaches would be recruited by the councils' leaving care teams': what is bought, and how
                end = passive.end()
            verb = _scale_verb(before)
            if verb is not None:  # 'rebuild … entrances and add car parks at 12 hospital sites'
                start = sent.start + verb
                more = _scale_more().match(text, end, sent.end)
                end = more.end() if more else end
                return _fact(text, text[start:end], start, end)
            loc = re.search(r"(?:^|[\s,])(?:[A-Z][\w-]*\s+){1,4}(?:in|across)\s+$", before)
            if loc:
                left = before[:loc.end()]
                lead_word = re.search(r"(?:[A-Z][\w-]*\s+){1,4}(?:in|across)\s+$", left)
                if lead_word:
                    start = sent.start + lead_word.start()
            collective = _COLLECTIVE.search(before)  # 'a network of 1,200 link workers'
            if collective:
                start = sent.start + collective.start()
            more = _scale_list_more().match(text, end, sent.end)  # ', one in every primary care network', ', colleges and youth centres'
            if more:
                end = more.end()
            return _fact(text, text[start:end], start, end)
    return None


@cache
def _state_before() -> re.Pattern[str]:
    """The end of the text before a count that gives a state of affairs ('the backlog stands at around ')."""
    return re.compile(rf"\b(?:{alternation(entries('proposal', 'scale_state_before'))})\s+"
                      rf"(?:(?:{phrases(entries('proposal', 'approximators'))})\s+)?$", re.I)


def _not_bought(before: str, after: str) -> bool:
    """Is a count not what the proposal buys: a section's number ('2 - What we propose', '3.2 The proposal is'), or the
    subject of a verb saying what happened ('150,000 patients waited over 12 hours', 'six London boroughs have warned')
    — the case for spending, not its scale?"""
    if not before.strip(" -•*\t") and re.match(r"\s*(?:[-–.)]|[A-Z])", after):
        return True
    words = re.findall(r"[\w'’-]+", re.split(r"[,;:.()](?!\d)", after, maxsplit=1)[0])[:6]
    verbs = cue("scale_subject_verbs")
    # the verb follows the counted noun ('patients waited'); 'are to be built' says what will be bought
    return any(verbs.fullmatch(w) and (i + 1 == len(words) or words[i + 1] != "to") for i, w in enumerate(words) if i >= 1)


_COLLECTIVE = re.compile(r"\b(?:an?|the)\s+(?:[\w-]+\s+)?(?:network|team|fleet|series|programme|total|cohort|recruitment|"
                         r"replacement|installation|creation|expansion|purchase|provision|roll-out|construction)\s+of\s+$", re.I)
# What an amount's phrase runs on with: an apposition giving its spread ('1,200 link workers, one in every primary care
# network in England') or the rest of a list ('150 youth hubs in jobcentres, colleges and youth centres').
_APPOSITION = r",\s+(?:one|two)\s+(?:in|per|for)\s+(?:every|each)\s+[^,.;]+?(?=\s+and\s|[,.;]|$)"
_LIST_REST = re.compile(r",\s+[\w-]+(?:\s+[\w-]+){0,2}\s+(?:and|or)\s+[\w-]+(?:\s+[\w-]+){0,2}(?=[,.;]|$)", re.I)
_SCALE_MORE = re.compile(rf"{_APPOSITION}|{_LIST_REST.pattern}", re.I)


@cache
def _scale_list_more() -> re.Pattern[str]:
    """_SCALE_MORE, or what each is made of, to the sentence's end ('14 teams, each joining district nurses, social workers
    and a GP lead'; verbs as data: [proposal] composition_verbs)."""
    made_of = rf",\s+each\s+(?:{phrases(entries('proposal', 'composition_verbs'))})\s+[^.;\n]+"
    return re.compile(rf"{_SCALE_MORE.pattern}|{made_of}", re.I)


@cache
def _scale_more() -> re.Pattern[str]:
    """What a scale's phrase runs on with: an apposition, the rest of a list, or a superlative saying which places ('the 40
    prisons with the highest assault rates'), up to the clause's end."""
    superlative = rf"\s+with\s+the\s+(?:{phrases(entries('proposal', 'superlatives'))})\b[^,.;:()]*"
    return re.compile(rf"(?:{_SCALE_MORE.pattern})?(?:{superlative})|{_scale_list_more().pattern}", re.I)


@cache
def _passive() -> re.Pattern[str]:
    """A buying verb in the passive right after what it buys ('… will be expanded', '… would be recruited')."""
    return re.compile(rf"\s+(?:will|would|are to|is to|shall)\s+(?:also\s+|then\s+)?be\s+(?:[a-z]+ly\s+)?"
                      rf"(?:{phrases(entries('proposal', 'scale_participles'))})\b", re.I)


# A passive's clause runs to its end: '… would be deployed on foot patrol in those 50 town centres at peak times'.
_PASSIVE_RUN = re.compile(r"[^.;:()]*?(?=,\s|[.;:()](?!\d)|$)", re.M)


# A key fact's label ('New places', 'hubs'): a line that opens with one, one that ends the text before a count, and
# the next one of a run ('hubs: 45; staff: 380 …'). The last two share _LABEL.
_LABEL = r"[A-Za-z][\w ’'-]{2,40}?"
_LABELLED = re.compile(r"\s*(?:[-•*]\s*)?[A-Z][\w ’'-]{2,40}:\s*\d")
_ENDS_WITH_LABEL = re.compile(rf"(?:^|[;—–-]\s*|\s)(?P<label>{_LABEL}):\s*$")
_NEXT_LABEL = re.compile(rf";\s*(?P<label>{_LABEL}):\s*\d[\d,]*")


def _names_what_is_bought(label: str) -> bool:
    """Does a key fact's label name what is bought, not the cost, funding or timing ('Total cost', 'Funding')?"""
    return not re.fullmatch(rf"(?:{alternation(entries('proposal', 'fact_labels'))})", label.strip(), re.I)


def _scale_verb(before: str) -> int | None:
    """Where what is bought starts when a count only says where ('… car parks at 12 hospital sites'): after the
    first buying verb of the clause, if the count follows 'at', 'across' or 'in'."""
    if not _where_before_count().search(before):
        return None
    lead = max([0] + [m.end() for m in re.finditer(r"[,;:](?!\d)", before)])
    passive = _passive().search(before, lead)
    if passive and re.search(r"[A-Za-z]{3}", before[lead:passive.start()]):  # 'Community nursing will be expanded in the 30 …'
        return lead + len(before[lead:]) - len(before[lead:].lstrip())
    verb = re.search(rf"\b(?:{alternation(entries('proposal', 'scale_verbs'))})\s+", before[lead:], re.I)
    if verb is None or not re.search(r"[A-Za-z]{3}", before[lead + verb.end():]):
        return None
    return lead + verb.end()


@cache
def _scale_head() -> re.Pattern[str]:
    """A heading, question or label over what a proposal buys, with its number ('BOX 2 - What will the money buy?', 'Q1.
    What is the proposal?', 'Option B (recommended) - '), up to where its answer starts (words as data: [proposal]
    scale_headings)."""
    number = r"(?:(?:box|slide|section|part|row|q)\s*)?(?:[A-Z]?\d+(?:\.\d+)*[.)]?[ \t]*(?:[-–:|][ \t]*)?)?"
    return re.compile(rf"[ \t|]*(?:[-•*][ \t]*)?{number}(?:{alternation(entries('proposal', 'scale_headings'))})"
                      r"(?:[ \t]*(?:[?:|.]|[ \t][-–])[ \t|]*|[ \t]*$)", re.I)


# An answer's name before what it is ('Parents into Work: 1,100 work coaches …'): a few capitalised words and a colon.
_ANSWER_NAME = re.compile(r"(?:[A-Z][\w'’&-]*\s+){0,2}(?:(?:[a-z]{1,4}|[A-Z][\w'’&-]*)\s+){0,2}[A-Z][\w'’&-]*:\s+")


@cache
def _answer_stop() -> re.Pattern[str]:
    """What bounds a headed answer: its sentence or clause, a comma not in a number, a dash before a purpose ('… - to
    check entitlements'), or a clause that says why or how ([proposal] answer_clause_stops)."""
    return re.compile(rf"[.;:()](?!\d)|\s[-–]\s+to\s|,(?!\d)|\s(?:{phrases(entries('proposal', 'answer_clause_stops'))})\s", re.I)


# … except a comma before where it goes ('…, in the 4,000 schools with the highest …'), which the answer runs on with.
_ANSWER_WHERE = re.compile(r",\s+(?:in|at|across|to)\s+(?:the|all|each|every|\d)", re.I)


@cache
def _describes_named() -> re.Pattern[str]:
    """An answer that opens by describing what was already named ('The new places would be built …', 'These hubs will …'),
    not naming it ([proposal] named_before)."""
    return re.compile(rf"(?:{phrases(entries('proposal', 'named_before'))})\s+(?:[\w-]+\s+){{0,3}}?"
                      r"(?:would|will|are|is|can)\b", re.I)


def _scale_under_heading(text: str) -> ProposalFact | None:
    """What a proposal buys, as its answer to a heading that asks ('The ask', 'BOX 2 - What will the money buy?') or a
    label that names it ('Preferred option (Option 3 of 4): …'): the answer's first clause, after what says it is
    proposed ('DHSC asks ministers to agree …'), with an apposition, the rest of a list or which places it goes to."""
    says = cue("proposal_says")
    for at, line_end in headed_answers(text, _scale_head()):
        name = _ANSWER_NAME.match(text, at, line_end)
        at = name.end() if name else at
        said = says.search(text, at, line_end)
        if said is not None and not re.search(r"[,;.](?!\d)", text[at:said.start()]):
            to = re.match(r"\s+(?:to|that)\b", text[said.end():line_end])
            at = said.end() + (to.end() if to else 0)
            at += len(text[at:line_end]) - len(text[at:line_end].lstrip())
        if _describes_named().match(text, at, line_end):
            continue  # 'The new places would be built at …': about what was named before, not naming it
        end = at
        while (stop := _answer_stop().search(text, end, line_end)) is not None:
            where = _ANSWER_WHERE.match(text, stop.start(), line_end)
            if where is not None:
                end = where.end()
                continue
            more = _scale_more().match(text, stop.start(), line_end)
            end = more.end() if more is not None and more.end() > stop.start() else stop.start()
            break
        else:
            end = line_end
        end = at + len(text[at:end].rstrip(" -–"))
        if len(re.findall(r"[A-Za-z]{3,}", text[at:end])) >= 2:
            return _fact(text, text[at:end], at, end)
    return None


@cache
def _where_before_count() -> re.Pattern[str]:
    """The end of the text before a count that only says where ('… across the', '… to all', '… in those')."""
    return re.compile(rf"\b(?:{phrases(entries('proposal', 'scale_where'))})\s+"
                      rf"(?:(?:{phrases(entries('proposal', 'scale_where_determiners'))})\s+)?$", re.I)


def _bought(text: str, money: list[Money]) -> ProposalFact | None:
    """What the cost buys when no number of things is given: the noun phrase after the cost ('£60m of capital for a
    new reading room and digitisation suite at Kew')."""
    for m in money:
        if m.role != "cost":
            continue
        lead = re.match(rf"\s*(?:(?:of|in)\s+(?:capital|resource|funding)\s+)?(?:{alternation(entries('proposal', 'buys'))})\s+"
                        r"(?=(?:an?|the|new)\b)", text[m.amount.unit_end:m.sentence.end], re.I)
        if lead is None:
            continue
        start = m.amount.unit_end + lead.end()
        end = _np_end(text, start, m.sentence.end)
        if len(text[start:end].split()) >= 3:
            return _fact(text, text[start:end], start, end)
    return None


@cache
def _people() -> re.Pattern[str]:
    words = sorted(word_set("proposal", "people"), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in words)})\b", re.I)


_MODALS = {"will", "would", "can", "could", "should", "may", "might", "must", "to"}
_LEFT_STOPS = {"for", "to", "of", "the", "and", "with", "in", "on", "at", "among", "by", "is", "are", "be", "was", "were",
               "been", "that", "who", "which", "so", "this", "these", "its", "their", "say", "says", "said"} | _MODALS
_SERVES_STOP = re.compile(r"[,.](?!\d)|[;:()]|\s(?:so|which|while|will|would|can|could|may|might|should|must|and will|and is|and are|where|whose|with a focus)\s|(?<!subject|ntitled|ligible)\s(?:to)\s(?=[a-z]+\s)"
                          r"(?<!\d\sto\s)(?!(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)", re.I)


_COUNTED_GROUP = re.compile(r"(?:the\s+|some\s+|all\s+)?(?:(?:roughly|around|about|approximately|nearly|up to|over|more than)\s+)?"
                            r"\d[\d,.]*(?:\s+(?:million|thousand))?\s+[a-z-]+", re.I)
_SERVES_CLAUSE_STOP = re.compile(r"[.;:()]|,\s(?!or\b)", re.I)
_SERVES_MORE_STOP = re.compile(_SERVES_STOP.pattern + r"|\swho\s", re.I)
_SERVES_MORE = re.compile(r",\s+(?:including|particularly|especially|mainly|most of them|many of them)\b", re.I)


# Where a label's value ends: its sentence, or a clause that qualifies or picks some of them out ('…, with priority for
# …', '…, particularly those on …'); a list runs on ('… after a fall, stroke or other acute illness').
_LABEL_VALUE_STOP = re.compile(r"[.;|](?!\d)|,\s+(?:with|particularly|especially|including|mainly|mostly|where|which|while)\b")


# The rest of a list of verbs ('live, work or go out'): more words, each after a comma, the last after 'or' or 'and'.
_VERB_LIST = re.compile(r"(?:,\s+[a-z]+)+?,?\s+(?:or|and)\s+[a-z]+")


def _with_defining_clause(text: str, end: int) -> int:
    """Where a group named up to ``end`` ends with the 'who' or 'whose' clause that defines it ('young people aged 18
    to 24 who have been NEET for six months'); ``end`` when no such clause follows."""
    if re.match(r"\s+(?:who|whose)\s", text[end:]):
        return _np_end(text, end + 1, len(text), _SERVES_CLAUSE_STOP)
    return end


def _served_by(text: str, sents: list[Sentence], cue_name: str) -> list[ProposalFact]:
    """The people named after each match of the [proposal] list ``cue_name`` ('aimed at care leavers aged 18 to 25')."""
    served: list[ProposalFact] = []
    bare, openers = word_set("proposal", "bare_serve_verbs"), word_set("proposal", "verb_openers")
    for sent in [s for s in sents if not s.title]:
        for m in cue(cue_name).finditer(sent.text):
            opening = sent.text[:m.start()].rstrip(" \t-•*")  # a bullet before a label ('- For: …') opens the line
            if opening and m.group(0)[0].isupper() and not opening.endswith((":", ".")):
                continue  # a name, not a verb: 'Child Benefit', 'the Household Support Fund'
            before = re.findall(r"[A-Za-z]+", sent.text[:m.start()])
            if m.group(0).lower() in bare and (not before or before[-1].lower() not in openers):
                continue  # 'the gap between benefit support and rent': a noun here, not 'would benefit'
            rest = sent.text[m.end():]
            start = m.end() + len(rest) - len(rest.lstrip(" :–-"))
            if m.group(0).rstrip().endswith(":"):  # a label's value is its line's ('Beneficiaries: older people …, stroke …')
                end = min([x.start() for x in _LABEL_VALUE_STOP.finditer(sent.text, start)] + [len(sent.text.rstrip(" ."))])
            else:
                end = _np_end(sent.text, start, len(sent.text), _SERVES_STOP)
            if m.group(0).lower() in word_set("proposal", "give_verbs"):  # 'offers children … a free place at a club'
                given = re.search(r"\s(?:an?|the)\s", sent.text[start:end])
                end = start + given.start() if given else end
            more = _SERVES_MORE.match(sent.text, end)  # '…social tenants, including around 30,000 families with children'
            if more:  # ... up to a clause about them ('particularly frail older people who now wait many hours'), when
                # it names people ('including those now held in police custody suites' adds none)
                further = _np_end(sent.text, more.end(), len(sent.text), _SERVES_MORE_STOP)
                end = further if _people().search(sent.text[more.end():further]) else end
            listed = _LIST_REST.match(sent.text, end)  # 'identified speech, language or communication needs'
            if listed and not listed.group(0).lstrip(", ").lower().startswith(("one ", "two ")):  # not an apposition
                end = listed.end()
            if len(sent.text[start:end].split()) <= 2:  # a bare group: 'aimed at adults whose offending is linked to …'
                end = _with_defining_clause(sent.text, end)
            elif re.search(r"\b(?:who|whose)\s+[a-z]+$", sent.text[start:end]) and _VERB_LIST.match(sent.text, end):
                # a defining clause of several verbs: 'people who live, work or go out in the 15 city centres'
                end = min([x.start() for x in _LABEL_VALUE_STOP.finditer(sent.text, end + 1)] + [len(sent.text.rstrip(" ."))])
            phrase = sent.text[start:end]
            # 'benefiting the roughly 650,000 direct care workers': a number of them, first, says they are people too
            counted = cue_name == "serve_verbs" and bool(_COUNTED_GROUP.match(phrase))
            if (_people().search(phrase) or counted) and len(phrase.split()) <= 25:
                served.append(_fact(text, phrase, sent.start + start, sent.start + end))
    return served


# A heading, question or table cell naming who benefits, the people following it: '3. Beneficiaries. Adults with …',
# 'Q2. Who will benefit?' then 'A2. Hospital inpatients …', 'Who?' then the next line, '| Beneficiaries | Older … |',
# 'Row 4.08 | Client group | Lone parents …', '3. Who the hubs are for' then '3.1 Young people …' (words as data:
# [proposal] serves_headings).
@cache
def _serves_head() -> re.Pattern[str]:
    return re.compile(r"[ \t|]*(?:(?:row\s+)?(?:Q?\d+(?:\.\d+)?[.)]?|[A-Z]\d*[.)])[ \t]*(?:\|[ \t]*)?)?"
                      rf"(?:{alternation(entries('proposal', 'serves_headings'))})[ \t]*[.?:|]?[ \t|]*", re.I)


_ANSWER_LEAD = re.compile(r"[ \t]*(?:A\d+[.)][ \t]*|\d{1,2}\.\d{1,2}\.?[ \t]+)?")


def _served_under_heading(text: str) -> ProposalFact | None:
    lines = [(m.start(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]
    for i, (start, line) in enumerate(lines):
        head = _serves_head().match(line)
        if head is None:
            continue
        if head.end() < len(line.rstrip(" |")):
            at, rest = start + head.end(), line[head.end():]  # on the heading's line: '3. Beneficiaries. Adults …'
        elif i + 1 < len(lines):
            lead = _ANSWER_LEAD.match(lines[i + 1][1])
            at, rest = lines[i + 1][0] + (lead.end() if lead else 0), lines[i + 1][1][lead.end() if lead else 0:]
        else:
            continue
        end = min([m.start() for m in re.finditer(r"[.;|](?!\d)|,\s+(?:particularly|especially|including)\b", rest)]
                  + [len(rest.rstrip())])
        phrase = rest[:end].strip()
        if phrase and _people().search(phrase) and len(phrase.split()) <= 30:
            s0 = at + rest.index(phrase)
            return _fact(text, phrase, s0, s0 + len(phrase))
    return None


def _served_for(text: str, sents: list[Sentence]) -> ProposalFact | None:
    """The people after 'for' in a sentence saying what the proposal does ('We propose a network of 150 youth hubs …,
    for young people aged 18 to 24 who have been NEET for six months or more')."""
    says = cue("proposal_says")
    for sent in sents:
        if sent.title or not says.search(sent.text):
            continue
        for m in re.finditer(r"\bfor\s+(?:the\s+|all\s+)?", sent.text):
            first = _people().match(sent.text, m.end()) or re.match(r"(?:[\w-]+\s+){0,2}?(?=(?:" + _people().pattern + "))",
                                                                    sent.text[m.end():])
            if not first:
                continue
            end = _with_defining_clause(sent.text, _np_end(sent.text, m.end(), len(sent.text), _SERVES_STOP))
            if _people().search(sent.text[m.end():end]):
                return _fact(text, sent.text[m.end():end], sent.start + m.end(), sent.start + end)
    return None


def _serves(text: str, sents: list[Sentence]) -> ProposalFact | None:
    usable = [s for s in sents if not s.title and not s.has("outcome") and not s.has("funding")
              and not s.has("headroom") and not s.has("running")]
    stated = _served_by(text, sents, "serve_labels")  # said outright: 'Who benefits: …', 'open to all Year 7 pupils'
    if stated:
        return stated[0]
    headed = _served_under_heading(text)  # 'Q2. Who will benefit?' and its answer
    if headed is not None:
        return headed
    receivers = [s for s in sents if not s.title and not s.has("funding") and not s.has("headroom") and not s.has("running")]
    eligible = _people_before(text, receivers, "eligible_verbs")  # said outright: 'Around 12,000 care leavers would be eligible'
    if eligible is not None:
        return eligible
    served = _served_by(text, sents, "serve_verbs")  # 'will serve around 1.1 million patients', 'reaches … households'
    if served:  # a phrase that counts the people is the most specific: 'reaches about 12 million children'
        return next((f for f in served if counts(f.words)), served[0])
    proposed = _served_for(text, sents)  # 'We propose a network of 150 youth hubs … for young people aged 18 to 24 …'
    if proposed is not None:
        return proposed
    described = _served_by(text, sents, "serve_adjectives")  # 'so that eligible families are enrolled automatically'
    if described:
        return described[0]
    received = _people_before(text, receivers, "receive_verbs")  # 'Around 90,000 people aged 65 and over will receive …'
    if received is not None:
        return received
    for sent in usable:  # the first people named: 'for women and for adults with substance misuse problems'
        for m in _people().finditer(sent.text):
            if _names_thing(sent.text, m):
                continue  # 'family hubs', 'child poverty': the word names a thing here
            start = _people_start(sent.text, m)
            end = _np_end(sent.text, m.end(), len(sent.text), _SERVES_STOP)
            return _fact(text, sent.text[start:end], sent.start + start, sent.start + end)
    for sent in usable:  # places: 'allocated to the 10 force areas with the highest rates of …'
        place = re.search(rf"\bthe\s+\d[\d,]*\s+(?:[\w-]+\s+){{0,3}}?(?:{'|'.join(word_set('proposal', 'places'))})\s+with\s+the\s+"
                          r"(?:highest|most|lowest|longest|greatest|worst)\b[^,.;]*", sent.text, re.I)
        if place:
            return _fact(text, place.group(0), sent.start + place.start(), sent.start + place.end())
    return None


def _people_before(text: str, sents: list[Sentence], cue_name: str) -> ProposalFact | None:
    """The people named before the first match of the [proposal] list ``cue_name`` that has people before it ('Around
    90,000 people aged 65 and over will receive reablement', 'Around 12,000 care leavers would be eligible')."""
    for sent in sents:
        receive = cue(cue_name).search(sent.text)
        if receive and _people().search(sent.text[:receive.start()]):
            phrase = sent.text[:receive.start()].rstrip()
            lead = max([0] + [b.end() for b in re.finditer(r"[,;](?!\d)", phrase)])
            start = lead + len(phrase[lead:]) - len(phrase[lead:].lstrip())
            if not _people().search(phrase[start:]):  # '…, roughly 2 million attendances a year, will benefit'
                first = next(m for m in _people().finditer(phrase) if not _names_thing(phrase, m))
                start = _people_start(phrase, first)
                end = _np_end(phrase, first.end(), len(phrase), _SERVES_STOP)
                return _fact(text, phrase[start:end], sent.start + start, sent.start + end)
            return _fact(text, phrase[start:], sent.start + start, sent.start + len(phrase))
    return None


def _names_thing(text: str, m: re.Match[str]) -> bool:
    """Does a people word name a thing here ('family hubs', 'child poverty'), or is it part of a name or a heading in
    capitals ('the Cabinet Member for Children', 'SOCIAL HOMES FOR FAMILIES')?"""
    word = m.group(0)
    if word[:1].isupper() and (word.isupper() or text[:m.start()].strip(" -•*\t\n")):
        return True
    return word.lower() in word_set("proposal", "people_modifiers") and \
        bool(re.match(r"\s+(?!(?:in|on|of|for|with|who|and|or|at|from|to|aged|under|over)\b)[a-z]+", text[m.end():]))


def _people_start(text: str, m: re.Match[str]) -> int:
    """Where the noun phrase of the people word ``m`` starts: up to four words back ('lone parents', 'Young people')."""
    tokens = list(re.finditer(r"[\w£'’,.-]+", text[:m.start()]))
    start = m.start()
    window = tokens[-4:]
    for j in range(len(window) - 1, -1, -1):
        w = window[j].group(0).lower()
        before_w = window[j - 1].group(0).lower() if j > 0 else ""
        if w.endswith((",", ":")) or w in _LEFT_STOPS or w.endswith("ing") or before_w in _MODALS:
            break
        start = window[j].start()
    return start


def _listed_outcomes(text: str, sents: list[Sentence]) -> list[Sentence]:
    """The items of a list headed as outcomes ('Targets:' then '- 20 per cent fewer first-time entrants …')."""
    heads = cue("outcome_heads")
    for i, sent in enumerate(sents):
        if heads.fullmatch(sent.text.strip()):
            items = []
            for item in sents[i + 1:]:
                if not re.match(r"[-•*–]\s", item.text):
                    break
                items.append(item)
            if items:
                return items
    return []


@cache
def _outcome_heading() -> re.Pattern[str]:
    """A heading line naming a proposal's outcomes ('OUTCOME', 'Slide 4 - What success looks like', 'BOX 8 - Outcomes
    sought, with dates', 'What will it achieve?'), or a table row's label cell ('Row 4.17 | Outcome metric |')."""
    number = r"(?:(?:slide|box|section|part|row)\s+)?(?:[A-Z]?\d+(?:\.\d+)*[.)]?\s*(?:[-–:|]\s*)?)?"
    return re.compile(rf"^[ \t|]*{number}(?:{alternation(entries('proposal', 'outcome_headings'))})\b[^\n|.]{{0,40}}?[?:.]?[ \t]*"
                      r"(?:\|[ \t]*|$)", re.I | re.M)


def _outcomes_under_heading(text: str, sents: list[Sentence]) -> list[Sentence]:
    """The sentences a heading names as outcomes give them (issue 12: 'OUTCOME' then '5. The share of A&E patients
    waiting more than 12 hours falls …'): the first one under it, or on its table row, that states a change with a
    figure and a change ('falls', 'fewer', 'a gain of'), is not a past finding ('an evaluation found …') and says nothing
    of funding. Bullets under it each count."""
    heading = _outcome_heading()
    for m in heading.finditer(text):
        line_end = text.find("\n", m.start())
        line_end = len(text) if line_end < 0 else line_end
        on_row = text[m.start():m.end()].rstrip().endswith("|")
        if on_row:  # 'Row 4.17 | Outcome metric | 35,000 more parents in work …': the row's next cell
            cell = text[m.end():line_end].rstrip(" |")
            if has_digit(cell) and cue("outcome_change").search(cell):
                return [Sentence(m.end(), m.end() + len(cell), cell, roles=_roles(cell))]
            continue
        if m.end() < line_end and text[m.end():line_end].strip():
            continue  # a sentence that opens with the word, not a heading
        region_end = text.find("\n\n", line_end + 1)
        region_end = len(text) if region_end < 0 else region_end
        under = [x for x in sents if m.end() <= x.start < region_end and not x.title and has_digit(x.text)
                 and cue("outcome_change").search(x.text) and not cue("past_finding").search(x.text)
                 and not x.has("funding") and not x.has("headroom") and not cue("not_outcome").search(x.text)]
        bullets = [x for x in under if re.match(r"[-•*–]\s", x.text)]
        if bullets:
            return bullets
        # one that says it is an outcome ('The evaluation projects a 3 percentage point rise …') before one that says
        # what is bought ('Pupils … would get more specialist teaching')
        said = [x for x in under if x.has("outcome")]
        if said or under:
            return (said or under)[:1]
    return []


def _outcomes(text: str, sents: list[Sentence]) -> tuple[ProposalFact | None, ProposalFact | None, list[Sentence]]:
    listed = _listed_outcomes(text, sents) or _outcomes_under_heading(text, sents)
    if listed:
        # after the item's bullet or number ('- 12% fewer …', '5. The share of …') and what says it is expected ('We aim
        # for', 'The evaluation projects'), without its trailing date
        spans = [(s.start + _outcome_start(s.text), s.start + _strip_trailing_dates(s.text, 0, len(s.text))) for s in listed]
        value = "; ".join(text[a:b] for a, b in spans)
        return _fact(text, value, *spans[0]), _outcome_dates(text, listed), listed
    sents = [s for s in sents if not cue("not_outcome").search(s.text)]
    strong = [s for s in sents if s.has("outcome") and not s.title and not s.has("funding") and not s.has("headroom")] or \
        [s for s in sents if s.has("outcome") and not s.title]  # 'DfE intends to fund this from savings' is a plan
    chosen = strong or [s for s in sents if s.has("weak outcome") and not s.title and not s.has("funding")
                        and not s.has("running") and not s.has("headroom")]
    phrases_: list[tuple[int, int]] = []
    kept: list[Sentence] = []  # the sentences an outcome was read from
    for sent in chosen:
        cue_m = (cue("outcome_strong") if sent.has("outcome") else cue("outcome_will")).search(sent.text)
        if cue_m is None:
            continue
        verb = cue_m.group(0).lower()
        if not sent.has("outcome") and verb.split()[-1] in word_set("proposal", "scale_verbs") and \
                any(c.start - cue_m.end() <= 12 for c in counts(sent.text) if c.start >= cue_m.end()):
            continue  # 'This bid would create 15,000 new childcare places': what it buys, not an outcome
        modal = verb.split()[0] in _OUTCOME_MODALS
        start = cue_m.start() if modal and not verb.endswith(("deliver", " see")) else cue_m.end()
        if modal and not verb.endswith(" see"):  # 'should see a fall of …': what is seen is the outcome
            start += len(verb.split()[0]) + 1
        body = sent.text[start:]
        # '…, the change would lift …', 'Analysis … indicates the measure could cut …': the outcome starts at its verb.
        lead = re.match(rf"[\s,]*(?:(?:by|in)\s+[^,]+,\s*)?(?:(?:{alternation(entries('proposal', 'self_refs'))})\s+)?"
                        r"(?:(?:the|this|these|its)\s+[\w-]+\s+(?=(?:would|will|could|should|may|might)\s))?"
                        r"(?:(?:would|will|could|should|may|might)\s+)?(?:to\s+)?(?:lead\s+to\s+)?", body, re.I)
        start += lead.end() if lead else 0
        aside = _ENABLING.match(sent.text, start)  # 'help low-paid workers, particularly in …, progress into …'
        if aside:
            start = aside.start("rest")
        end = len(sent.text)
        trail = re.compile(alternation(entries("proposal", "outcome_trail")), re.I).search(sent.text, start)
        if trail:
            end = trail.start()
        end = _first_aim_end(sent.text, start, end)
        end = _strip_trailing_dates(sent.text, start, end)
        if end - start >= 8:
            phrases_.append((sent.start + start, sent.start + end))
            kept.append(sent)
    if not phrases_:
        return None, None, []
    value = "; ".join(text[s:e] for s, e in phrases_)
    outcome = _fact(text, value, *phrases_[0])
    return outcome, _outcome_dates(text, kept), kept


def _outcome_start(sentence: str) -> int:
    """Where a listed or headed outcome starts: after its bullet or number, and after a cue saying it is expected
    when the cue opens the sentence ('We aim for exclusions to fall …', 'The evaluation projects a 3 point rise …')."""
    start = _ITEM_LEAD.match(sentence).end()  # type: ignore[union-attr]
    said = cue("outcome_strong").search(sentence, start)
    if said is not None and len(sentence[start:said.start()].split()) <= 6:
        start = said.end() + len(sentence[said.end():]) - len(sentence[said.end():].lstrip())
    return start


_OUTCOME_MODALS = ("will", "would", "should", "could")
_ITEM_LEAD = re.compile(r"\s*(?:[-•*–]|\d+[.)](?!\d))?\s*")
_ENABLING = re.compile(r"(?:help|helps|enable|enables|allow|allows|support|supports)\s+[^,.;]+,\s*(?:particularly|especially|"
                       r"notably|mainly|mostly|including)[^,.;]*,\s*(?P<rest>[a-z])", re.I)


def _first_aim_end(sentence: str, start: int, end: int) -> int:
    """Where the first of two aims ends when it closes with its date ('to end the use of police cells by December 2026
    and to restore a 2,500-place margin'): a second aim after a dated first is another outcome, not part of it."""
    for m in cue("second_aim").finditer(sentence, start, end):
        if any(abs(d.end - (m.start() - start)) <= 1 for d in dates(sentence[start:m.start()])):
            return m.start()
    return end


def _strip_trailing_dates(sentence: str, start: int, end: int) -> int:
    body = sentence[start:end].rstrip(" .")
    found = [d for d in dates(body)]
    while found:
        last = found[-1]
        tail = body[last.end:]
        if not re.fullmatch(r"\s*(?:respectively)?\s*", tail):
            break
        head = re.search(r"[\s,]*(?:(?:by|in|from|before|until)\s+(?:the\s+end\s+of\s+)?)?$", body[:last.start])
        cut = head.start() if head else last.start
        previous = re.search(r"(?:\s*(?:,|and|or)\s*)$", body[:cut])
        body = body[:previous.start() if previous and len(found) > 1 else cut]
        found = found[:-1] if previous and len(found) > 1 else []
    return start + len(body.rstrip(" ,"))


def _outcome_dates(text: str, chosen: list[Sentence]) -> ProposalFact | None:
    found: list[tuple[Sentence, DateMention]] = []
    for sent in chosen:
        for d in dates(sent.text):
            before = sent.text[max(0, d.start - 40):d.start]
            if cue("evaluation").search(before) or re.search(r"\b(?:from|since|between)\s+$", before, re.I):
                continue
            found.append((sent, d))
    if not found:
        return None
    values = list(dict.fromkeys(d.value for _, d in found))
    first_sent, first = found[0]
    same = [d for s, d in found if s is first_sent]
    start = first_sent.start + first.start
    lead = re.search(r"\b(?:by|in|before|until)\s+(?:the\s+end\s+of\s+)?$", first_sent.text[:first.start], re.I)
    if lead:
        start = first_sent.start + lead.start()
    end = first_sent.start + same[-1].end
    tail = re.match(r"\s+respectively", first_sent.text[same[-1].end:])
    if tail:
        end += tail.end()
    return _fact(text, values[0] if len(values) == 1 else values, start, end)


# -- the reader ---------------------------------------------------------------------------------------
def read(text: str) -> Reading:
    """Read a proposal: its twelve facts and the signals behind the mission test's ratings."""
    sents = sentences(text)
    money = _money(text, sents)
    durs = [d for d in durations(text)]
    total, per_year, anchor = _costs(text, money, durs)
    years = _years(text, sents, durs, anchor)
    running, running_from, payer, deferred = _running(text, sents, money, years)
    outcomes, outcome_dates, outcome_sents = _outcomes(text, sents)
    scale = _scale_under_heading(text) or _scale(text, sents, outcome_sents) or _bought(text, money)
    cost = total or per_year
    funding, sources = _funding_sources(text, sents)
    available = _HEADROOM_AVAILABLE.search(text)
    facts = ProposalFacts(
        cost=next((m.amount.text for m in money if cost is not None and m.amount.start == text.find(cost.words)), None),
        years=years.value if years is not None and isinstance(years.value, int) else None,
        fiscal_headroom=(available.group("h") or available.group("h2")).strip() if available else None,
        scale=scale.words if scale is not None else None,
        total_cost=total, cost_per_year=per_year, spend_type=_spend_type(text, sents, money), years_fact=years,
        running_costs=running, running_costs_from=running_from if running is not None and running.value else None,
        funding=funding, headroom_effect=_headroom(text, sents, money), scale_fact=scale,
        serves=_serves(text, sents), outcomes=outcomes, outcome_dates=outcome_dates,
    )
    change = next((m for m in money if m.role == "running change"), None)
    rule = cue("fiscal_rule").search(text)
    certified = cue("certified").search(text)
    return Reading(
        text=text, facts=facts, sentences=sents, running_payer=payer, running_deferred=deferred,
        fiscal_rule=_fact(text, "fiscal rule", rule.start(), rule.end()) if rule else None,
        certified=_fact(text, "certified", certified.start(), certified.end()) if certified else None,
        outcome_sentences=outcome_sents, funding_sources=sources,
        running_change=_fact(text, change.amount.pounds, change.sentence.start, change.amount.unit_end) if change else None,
    )


def read_proposal(text: str) -> ProposalFacts:
    """The facts a spending proposal states, each with its exact words; None for what it does not say."""
    return read(text).facts
