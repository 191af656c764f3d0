"""Claim checks: a deterministic, explainable stance classifier over retrieved evidence.

1. Retrieve passages for the claim; split them into sentences (a table row into its cells' sentences).
2. Break the claim and each sentence into clauses (polarity.py). Each clause gets a polarity *signal* from its cue
   words: quantities (rose/fell, higher/lower), valence (improve/undermine, 'at the expense of'),
   attitudes (support/oppose) or 'mixed'. A negator within three words flips a cue ('virtually no
   growth', 'rather than higher output'); a quantity on something bad flips it ('increased inequality');
   'the idea that X is not credible' and 'this does not mean X' flip X. A clause with a negator but no
   cue denies what follows ('little sign of the intended shift'); a sentence with no cue simply asserts.
3. A claim signal meets an evidence signal when their clauses share at least two content words, one of
   them among the words the cue governs; same sign supports, opposite sign contradicts, weighted by the
   square of the overlap. A sentence that grants one side and takes the other across a 'but' or
   'whilst' ('improvement in the measured metrics but ... at the expense of wider outcomes') is mixed.
   A claim's figure given differently by a matching sentence contradicts it; a count, in digits or words ('five
   criteria'), is compared only with a count of the same thing ('This should include three criteria').
4. Verdict: a contradicted part contradicts the claim unless another part is supported, which makes it mixed
   (any counter-evidence contradicts an absolute claim: 'never', 'no', 'without any', 'on its own'); evidence of
   comparable weight on both
   sides, or mixed evidence, makes it mixed; a claim about things the sources never name has not enough
   evidence. Every rule that fired is listed in ``ClaimCheck.signals``.
Calibrated on the claim items of evals/datasets/gold-v1.jsonl (22 of 23 right; settings.stance); no claim text is coded here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from assistant.answering import version_of
from assistant.drafting.evidence import Evidence, Ledger, clean
from assistant.errors import QuestionError
from assistant.schemas import Citation, ClaimCheck, Verdict
from assistant.settings import StanceSettings
from assistant.text import polarity, stance
from assistant.text.acronyms import abbreviate
from assistant.text.markdown import plain_excerpt
from assistant.text.numbers import (
    count_clash,
    counts,
    counts_the_same,
    figures,
    numbers,
    same_share,
    share_clash,
    shares,
    worded_shares,
    worded_shares_agree,
)
from assistant.text.polarity import (
    Signal,
    absolute_word,
    clause_terms,
    instructs,
    is_cue,
    patterns,
    reports_view,
    signals,
    states_intent,
)
from assistant.text.questions import without_attribution
from assistant.text.sentences import refers_back, split_sentences
from assistant.text.words import content_lemmas, same_sense, stem, stemmed_list
from assistant.types import Passage, Unit

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


@dataclass
class EvidenceSentence:
    passage: Passage
    unit: Unit
    signals: list[Signal]
    label: frozenset[str]  # a table row's label ("Targets"), shared by all its cells
    context: frozenset[str]  # the label, and the passage's words when the sentence says 'these', 'it' ...
    contrast: bool
    numbers: set[str]
    qualified: bool = False  # the next sentence of its passage opens with a contrast ('But few would argue ...')
    previous: str = ""  # the sentence before it in its passage
    following: str = ""  # the sentence after it


@dataclass
class Tally:
    """What the evidence says about one clause of the claim."""

    support: float = 0.0
    contradict: float = 0.0
    mixed: float = 0.0
    notes: list[str] = field(default_factory=list)

    def status(self, dominance: float) -> str | None:
        top = max(self.support, self.contradict)
        if self.mixed and self.mixed * 2 >= top:
            return "mixed"
        if self.support and self.contradict:
            if self.support >= dominance * self.contradict:
                return "supported"
            if self.contradict >= dominance * self.support:
                return "contradicted"
            return "mixed"
        return "supported" if self.support else "contradicted" if self.contradict else None


# -- evidence sentences ---------------------------------------------------------------------------
def evidence_sentences(passages: list[Passage], short: dict[str, str] | None = None) -> list[EvidenceSentence]:
    """Every sentence of the passages with its signals; a table row's cells are split into their sentences."""
    out: list[EvidenceSentence] = []
    for passage in passages:
        chunk = passage.chunk
        if chunk.kind == "reference":
            continue
        spans: list[tuple[int, int]] = []
        label: frozenset[str] = frozenset()
        if chunk.kind == "table_row":
            offset = 0
            for i, cell in enumerate(chunk.text.split("\t")):
                if i == 0:
                    label = frozenset(content_lemmas(cell))
                else:
                    spans += split_sentences(cell, chunk.start + offset)
                offset += len(cell) + 1
        else:
            spans = split_sentences(chunk.text, chunk.start)
        around = clause_terms(chunk.display_text)
        first = len(out)
        for s, e in spans:
            text = chunk.text[s - chunk.start : e - chunk.start]
            context = label | (around if refers_back(text) else frozenset())
            out.append(EvidenceSentence(passage, Unit(s, e, text), signals(text, short), label, context,
                                        bool(patterns().contrast.search(text)), numbers(text, years=False)))
        for before, after in zip(out[first:], out[first + 1:], strict=False):
            before.qualified = bool(patterns().opens_contrast.match(after.unit.text.lstrip("-*• ")))
            after.previous, before.following = before.unit.text, after.unit.text
    return out


def _match(
    claim: Signal, sentence: EvidenceSentence, evidence: Signal, cfg: StanceSettings
) -> tuple[float, set[str]]:
    """How strongly a claim cue and an evidence cue are about the same thing (0 when they are not)."""
    placing = stemmed_list("words", "placing")
    if (claim.kind == "attitude") != (evidence.kind == "attitude") and evidence.kind != "mixed":
        return 0.0, set()  # who favours what is a different question from what happened
    plain = {"implicit", "negation", "mixed", "contrasted"}
    same_figure = bool(claim.numbers) and claim.numbers <= evidence.numbers
    # A plain claim giving a figure ('stood at 39 per cent') meets a sentence giving a figure for the same thing
    # ('fell to 29 per cent'): whether the figures agree is weighed in _weigh.
    # A share in words ('roughly a quarter') is a figure too: it meets the sentence's '18 per cent'.
    figures_meet = bool(claim.numbers or worded_shares(claim.clause)) and bool(evidence.numbers) and (
        stance.same_measure(claim.clause, sentence.unit.text))
    if (evidence.kind == "implicit" and claim.kind not in ("implicit", "negation")) or (
        claim.kind == "implicit" and evidence.kind not in plain and not (same_figure or figures_meet)
    ):
        # A plain statement neither rises nor falls: it confirms or denies only a plain one, or gives its figure.
        return 0.0, set()
    # A plain claim that counts something ('the test has three criteria') is about that count: a plain sentence
    # bears on it only if it counts the same thing ('This should include three criteria') or gives its figure.
    claim_counts = [c for c in counts(claim.clause) if c.things]
    counted = claim.kind == evidence.kind == "implicit" and counts_the_same(claim.clause, evidence.clause)
    if claim.kind == evidence.kind == "implicit" and claim_counts and not (counted or same_figure):
        return 0.0, set()
    if {claim.kind, evidence.kind} == {"quantity", "valence"}:
        # 'Outsourcing improved services' against 'more outsourcing' or 'rising demand': a quantity says something is
        # good or bad only of a measure whose good direction is known ('productivity increased'; a quantity on a
        # bad thing is already a valence: polarity.bad_objects). Of funding, demand or numbers it says neither.
        quantity = claim if claim.kind == "quantity" else evidence
        if not quantity.local & stemmed_list("measures", "higher_is_better"):
            return 0.0, set()
    shared = set(claim.terms & evidence.terms)
    if claim.kind == evidence.kind != "implicit" and _head(claim.cue) == _head(evidence.cue):
        shared.add(f"'{_head(claim.cue)}'")  # the same predicate ('undermine' ... 'undermines') is some common ground
    around = sorted((claim.terms & sentence.context) - shared)
    if around:
        shared.add(around[0])  # a row label or the passage's topic counts once
    # The same predicate counts half a word, or a whole one in a table row the claim names by its label: the row
    # is about the claim's subject, so 'Targets drive improvement' and the Targets row's 'Can drive improvement in
    # the measured metrics' say the same of the same thing.
    named_row = _names_row(sentence, claim)
    strength = sum(0.5 if t in placing or (t.startswith("'") and not named_row) else 1.0 for t in shared)
    if strength < cfg.min_shared:
        return 0.0, shared
    if evidence.kind != "mixed" and not (shared & (claim.local | evidence.local | {f"'{_head(claim.cue)}'"})) - placing:
        return 0.0, shared
    specific = claim.terms - placing
    # A sentence counting what the claim counts holds the claim's number word in kind, whatever its value (the
    # value is compared in _weigh): 'three criteria' covers the 'five' of 'five criteria'.
    covered = shared | ({stem(c.number.lower()) for c in claim_counts} if counted else set())
    if evidence.kind == "implicit" and len(covered & specific) < cfg.implicit_cover * len(specific):
        return 0.0, shared  # two plain statements agree only if one restates most of the other
    weight = strength**2  # two sentences sharing five words say far more about each other than two sharing two
    if {claim.kind, evidence.kind} == {"quantity", "valence"}:
        weight /= 2  # 'reduced' against 'undermined' is a looser match than 'fell' against 'rose'
    return weight, shared


def _names_row(sentence: EvidenceSentence, claim: Signal) -> bool:
    """Is ``sentence`` a cell of a table row the claim names by its label ('Targets ...': the Targets row)?"""
    return bool(sentence.label) and sentence.label <= claim.terms


def _head(cue: str) -> str:
    return stem(cue.split()[0]) if cue and cue[0].isalpha() else cue


# -- the check ------------------------------------------------------------------------------------
def check_claim(ev: Evidence, claim: str) -> ClaimCheck:
    """Verdict, supporting and contradicting quotes, and an explanation for ``claim``."""
    claim = clean(claim, ev.settings.max_question_chars)
    if not claim:
        raise QuestionError("the claim is empty: write the claim to check")
    cfg = ev.settings.stance
    ledger = ev.ledger()
    retrieved, _ = ev.retrieve(claim, k=cfg.retrieve_k)
    # The verdict rests on the report and its evidence; the user's own documents are shown apart, never counted
    # (issue 13: an upload saying "five criteria" must not make "the mission test has five criteria" supported).
    passages = [p for p in retrieved if p.chunk.origin != "user document"]
    held = {p.chunk.id for p in passages}
    passages += [p for p in ev.rows_named(claim) if p.chunk.id not in held]  # 'Targets ...': Table 2.1's Targets row
    users = [p for p in retrieved if p.chunk.origin == "user document"]
    short = ev.acronyms
    claim_signals = signals(claim, short)
    notes: list[str] = [f"claim clause: “{s.clause}” ({_sign(s.sign)} via '{s.cue}')" for s in claim_signals]
    unknown = _unknown(ev, claim)
    # Numbers the sources never give are for the number check to judge, not a reason to give up.
    names = [w for w in ev.unknown_names(claim, catalogue_only=True) if w[0].isalpha()]
    if unknown:
        notes.append(f"the sources never use: {', '.join(unknown)}")
    if names or _named(claim, unknown) or len(unknown) >= cfg.unknown_share * max(1, len(clause_terms(claim))):
        # A claim about things the sources never name cannot be settled by them, however close the rest is.
        notes.append("too much of the claim is about things the sources do not mention")
        check = _result(ev, ledger, claim, "not enough evidence", [], [], notes)
        check.your_documents = _your_documents(ledger, claim, users, short, cfg)
        return check
    weighed = weigh(claim, passages, short, cfg)
    notes += weighed.notes
    sides, sentences, verdict = weighed.sides, weighed.sentences, weighed.verdict
    if verdict is None:
        verdict = _without_cues(ev, claim, sentences, sides, notes)
    covers: dict[tuple[str, int], float] = {}
    about: dict[tuple[str, int], float] = {}  # as covers, a table cell's row label counted: how much it is about
    halves: set[tuple[str, int]] = set()  # sentences granting a part of the claim and doubting the rest
    conflicts = _disagreements(claim, sentences, sides, cfg, covers, about, halves)
    verdict = _with_disagreements(verdict, conflicts, sides, notes, covers | about, cfg, halves)
    by_key = {(s.passage.chunk.id, s.unit.start): s for s in sentences}
    supporting = _side(ledger, by_key, sides, "support", verdict, cfg, covers)
    contradicting = _side(ledger, by_key, sides, "contradict", verdict, cfg, covers)
    if verdict != "not enough evidence" and not supporting and not contradicting:
        verdict = "not enough evidence"
    unstated = _unstated_figures(claim, passages) if verdict in ("supported", "mixed") else []
    if unstated:
        # 'would amount to about £1.5 billion a year': a figure none of the passages about the claim gives cannot be
        # backed by their giving the rest, and none gives another figure for it (that would have contradicted it).
        notes.append(f"no passage about the claim gives {', '.join(unstated)}: what the claim rests on is not in them")
        verdict, supporting, contradicting = "not enough evidence", [], []
    check = _result(ev, ledger, claim, verdict, supporting, contradicting, notes)
    check.reason = _reason(check, conflicts, by_key, unstated)
    check.source_figures = _source_figures(claim, check.contradicting)
    check.your_documents = _your_documents(ledger, claim, users, short, cfg)
    return check


def _unstated_figures(claim: str, passages: list[Passage]) -> list[str]:
    """The claim's figures (as the claim words them, years aside) that none of ``passages`` gives."""
    given = {f for p in passages for f in numbers(p.chunk.display_text, words=True)}
    missing = numbers(claim, years=False) - given
    return [claim[f.start:f.end] for f in figures(claim) if f.value in missing and not f.is_year]


def _your_documents(
    ledger: Ledger, claim: str, passages: list[Passage], short: dict[str, str], cfg: StanceSettings
) -> list[Citation]:
    """The user's documents' sentences that bear on the claim (weighed as the catalogue's are, for or against), to
    show apart from the verdict: at most ``max_per_side`` of each side."""
    if not passages:
        return []
    weighed = weigh(claim, passages, short, cfg)
    by_key = {(s.passage.chunk.id, s.unit.start): s for s in weighed.sentences}
    shown: list[Citation] = []
    for side in ("support", "contradict"):
        for cite in _side(ledger, by_key, weighed.sides, side, "mixed", cfg):
            if all(c.chunk_id != cite.chunk_id or c.start != cite.start for c in shown):
                shown.append(cite)
    return shown


def _disagreements(
    claim: str, sentences: list[EvidenceSentence], sides: dict[tuple[str, int], dict[str, float]], cfg: StanceSettings,
    covers: dict[tuple[str, int], float], about: dict[tuple[str, int], float], halves: set[tuple[str, int]],
) -> dict[tuple[str, int], stance.Conflict]:
    """Sentences about the claim's topic that the stance engine finds say something else ('fell', not 'rose';
    'limited evidence it can drive excellence'): each moves to the contradicting side, weighted by how
    much of the claim it is about."""
    found: dict[tuple[str, int], stance.Conflict] = {}
    said = without_attribution(claim)  # how much of what the claim says a sentence holds, not who it credits
    for sentence in sentences:
        text = sentence.unit.text
        chunk = sentence.passage.chunk
        # A table cell is about its row's label too ('Can drive improvement ...' in the Targets row is about targets).
        label = chunk.text.split("\t", 1)[0] + ": " if chunk.kind == "table_row" and "\t" in chunk.text else ""
        if sentence.previous and stance.gives_respectively(text):
            # 'The effect sizes were d = -0.40, -0.36 and -0.28 respectively.' binds its figures to the items of the
            # sentence before: the two are read together (issue 11: a number given to the wrong item).
            text = f"{sentence.previous} {text}"
        cover = stance.align(said, [text])[2]
        covers[(sentence.passage.chunk.id, sentence.unit.start)] = cover
        if label:
            about[(sentence.passage.chunk.id, sentence.unit.start)] = stance.align(said, [label + text])[2]
        if cover < cfg.stance_cover:
            continue
        conflict = stance.compare(claim, text, " ".join((sentence.passage.chunk.title, sentence.passage.chunk.context)))
        if conflict is None or not (conflict.kind in _CLAIM_CONFLICTS or (
                conflict.kind in _SWAPS and cover >= cfg.swap_cover) or _overstates(conflict)):
            continue
        if conflict.kind == "negation" and not conflict.passage:
            continue  # the claim denies something this sentence merely does not deny: the polarity rules weigh that
        key = (sentence.passage.chunk.id, sentence.unit.start)
        found[key] = conflict
        if conflict.kind == "doubt" and stance.grants_beside_doubt(said, text):
            # 'Some evidence it can drive providers from poor to good - but limited evidence it can drive excellence'
            # against a claim stating both: half of it is backed, so the sentence stands on both sides.
            halves.add(key)
            sides[key]["contradict"] = max(sides[key]["contradict"], sides[key]["support"], cfg.stance_weight * cover)
            continue
        sides[key]["support"] = 0.0
        sides[key]["contradict"] = max(sides[key]["contradict"], cfg.stance_weight * cover)
    return found


# A claim is checked against every retrieved sentence, so a name or body absent from one sentence says nothing.
# A claim that drops a source's hedge ('rewards undermine' for 'tend to undermine') states its gist; one the source
# doubts ('limited evidence it can drive excellence') does not.
_CLAIM_CONFLICTS = frozenset(("opposite", "negation", "doubt", "quantifier", "order", "number_misbound"))
# Not 'antonym', 'comparison' or 'role': they read a sentence as a restatement of the claim (a word standing where
# another stood), which the verifier's cited sentence is and a retrieved sentence about the same topic need not be.
# ... unless the sentence restates the claim but for that name (``swap_cover`` of its words): 'Ofsted should create
# the PIE category' against 'HMT should create a new category of spending - PIE'.
_SWAPS = frozenset(("name",))
# A sentence close in meaning to the claim (StanceSettings.restatement_cosine) restates it, so these count too.
_CLOSE_CONFLICTS = frozenset(("actor", "role", "antonym", "comparison"))


def _overstates(conflict: stance.Conflict) -> bool:
    """A claim that hardens what the source hedges ('robust proof' where it finds 'some evidence'; the booster is the
    conflict's claim words) goes beyond it: a claim merely dropping the hedge ('rewards undermine') states its gist."""
    return conflict.kind == "hedge" and bool(conflict.claim)


def _with_disagreements(
    verdict: Verdict, conflicts: dict[tuple[str, int], stance.Conflict],
    sides: dict[tuple[str, int], dict[str, float]], notes: list[str], covers: dict[tuple[str, int], float],
    cfg: StanceSettings, halves: set[tuple[str, int]],
) -> Verdict:
    if not conflicts:
        return verdict
    if set(conflicts) <= halves:
        notes.append("contradicts in part: " + "; ".join(c.reason for c in conflicts.values()))
        notes.append("the passage backs one part of the claim and doubts the other")
        return "mixed"
    for conflict in conflicts.values():
        notes.append(f"contradicts: {conflict.reason}")
    if any(c.kind == "number_misbound" for c in conflicts.values()):
        return "contradicted"  # the claim's figure belongs to something else: sentences agreeing on the rest do not save it
    # A sentence backing the claim counts against a disagreement only when it is as much about the claim as the
    # closest disagreeing sentence: 'productivity grew' does not outweigh 'grew faster than the private sector'
    # for 'grew more slowly than the private sector'.
    closest = max(covers.get(k, 0.0) for k in conflicts)
    backing = [k for k, w in sides.items() if k not in conflicts and w["support"] > w["contradict"]
               and covers.get(k, 0.0) >= closest - cfg.backing_margin]
    if verdict == "mixed" and not backing:
        return "contradicted"
    if verdict == "supported" and max((covers.get(k, 0.0) for k in backing), default=0.0) >= closest + cfg.restates_margin:
        # The backing sentence restates the claim ('Over the last decade crime outcomes, NHS waiting times ... got
        # worse') where the disagreeing one shares only part of it (waiting times that fell in another decade).
        notes.append("a passage restating the claim outweighs one about only part of it")
        return verdict
    if verdict in ("supported", "not enough evidence"):
        return "mixed" if backing else "contradicted"
    return verdict


def _reason(check: ClaimCheck, conflicts: dict[tuple[str, int], stance.Conflict],
            by_key: dict[tuple[str, int], EvidenceSentence], unstated: list[str]) -> str:
    """One plain line naming the decisive passage (or, for ``unstated`` figures, the figures no passage gives)."""
    def marker(c: Citation) -> str:
        return f"[{c.n}]"

    against = {c.quote: c for c in check.contradicting}
    for key, conflict in conflicts.items():
        cited = against.get(by_key[key].unit.text) if key in by_key else None
        if cited is not None and check.verdict in ("contradicted", "mixed"):
            lead = "Partly supported, but " if check.verdict == "mixed" and check.supporting else ""
            said = conflict.reason.replace("the sentence", "the claim")  # the engine's words for a cited sentence
            return f"{lead}{said} {marker(cited)}.".replace("  ", " ")
    if check.verdict == "supported" and check.supporting:
        return f"The sources say so: “{_short(plain_excerpt(check.supporting[0].quote), 160)}” {marker(check.supporting[0])}."
    if check.verdict == "contradicted" and check.contradicting:
        return (f"The sources say otherwise: “{_short(plain_excerpt(check.contradicting[0].quote), 160)}” "
                f"{marker(check.contradicting[0])}.")
    if check.verdict == "mixed" and check.supporting and check.contradicting:
        return (f"The sources support part of it {marker(check.supporting[0])} and qualify or contradict the rest "
                f"{marker(check.contradicting[0])}.")
    if unstated:
        return f"No passage about it gives {', '.join(unstated)}, the figure the claim rests on."
    return "No passage states or denies this claim."


_FIGURE_PHRASE = re.compile(r"£?\d[\d,.]*\s?(?:per cent|%|percentage points|points|bn|billion|m\b|million)?", re.I)


def _source_figures(claim: str, contradicting: list[Citation]) -> list[str]:
    """Where the claim states a figure and a contradicting passage gives another: the passage's figures as worded."""
    claimed = numbers(claim, years=False, words=True)
    worded = worded_shares(claim)
    if not claimed and not worded:
        return []
    out: list[str] = []
    mine = counts(claim)
    for c in contradicting:
        for count in counts(c.quote):
            # The source's count of what the claim counts, as worded ('three criteria' against 'five criteria').
            if count.value not in claimed and any(count.things & m.things for m in mine) and count.text not in out:
                out.append(count.text)
        for m in _FIGURE_PHRASE.finditer(c.quote):
            phrase = m.group(0).strip().rstrip(".,")
            value = numbers(phrase, years=False)
            agrees = any(same_share(w, x) for w in worded for x in shares(phrase))  # 'about half' is '51 per cent'
            if value and not value & claimed and not agrees and phrase not in out:
                out.append(phrase)
    return out


@dataclass
class Weighing:
    """What the evidence sentences say about a claim: the verdict (None when no cue met), each sentence's
    weight on each side, and the rules that fired."""

    verdict: Verdict | None
    sides: dict[tuple[str, int], dict[str, float]]
    sentences: list[EvidenceSentence]
    notes: list[str]


def weigh(claim: str, passages: list[Passage], acronyms: dict[str, str], cfg: StanceSettings) -> Weighing:
    """The stance rules over given passages, with no index: testable on hand-made passages."""
    claim_signals = signals(claim, acronyms)
    tallies = [Tally() for _ in claim_signals]
    sides: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sentences = _same_lever(evidence_sentences(passages, acronyms), claim_signals)
    said = without_attribution(claim)
    for sentence in sentences:
        if reports_view(sentence.unit.text):
            continue  # 'NPM claimed, public servants would not drive ...': a view the source reports, not its own
        if cfg.about_cover and _about(said, sentence) < cfg.about_cover:
            continue  # filler sharing a word or two with the claim ('mission', 'money') says nothing about it
        _weigh(claim_signals, sentence, tallies, sides, claim, cfg)
    notes = [note for tally in tallies for note in tally.notes]
    verdict = _verdict(claim, claim_signals, tallies, notes, cfg)
    return Weighing(verdict, sides, sentences, notes)


def _about(said: str, sentence: EvidenceSentence) -> float:
    """The share of the claim's topic words a sentence holds, its table row's label counted."""
    label = sentence.passage.chunk.text.split("\t", 1)[0] if sentence.label else ""
    return stance.align(said, [f"{label} {sentence.unit.text}"])[2]


def _weigh(
    claim_signals: list[Signal], sentence: EvidenceSentence, tallies: list[Tally],
    sides: dict[tuple[str, int], dict[str, float]], claim: str, cfg: StanceSettings,
) -> None:
    """Add what one evidence sentence says about each clause of the claim to the tallies."""
    key = (sentence.passage.chunk.id, sentence.unit.start)
    where = f"“{_short(sentence.unit.text)}” ({sentence.passage.chunk.locator.split(' · ')[0]})"
    modal, intent = patterns().modal, patterns().intent
    hedged = bool(modal.search(claim))
    # A claim's figures, counts in words among them ('five criteria' -> 5). A count is compared only with a count
    # of the same thing ('three criteria', not the '10 year test' or 'Number 10' beside it); a figure that counts
    # nothing ('29 per cent') with every figure of the sentence, as before.
    claim_numbers = numbers(claim, years=False, words=True)
    claim_counts = [c for c in counts(claim) if c.things]
    uncounted = numbers(claim, years=False) - {c.value for c in claim_counts if not c.spelled}
    clash = count_clash(claim, sentence.unit.text) or share_clash(claim, sentence.unit.text)
    best: dict[int, tuple[float, set[str], int]] = {}
    for ci, c in enumerate(claim_signals):
        # Only the sentence's best match per claim clause counts, so a cue-rich sentence is not counted twice.
        scored = [(*_match(c, sentence, e, cfg), ei) for ei, e in enumerate(sentence.signals)]
        scored = [m for m in scored if m[0]]
        if scored:
            # Of equal weight, the match on more of the claim's own words (not a shared predicate) wins.
            best[ci] = max(scored, key=lambda m: (m[0], sum(not t.startswith("'") for t in m[1]), -m[2]))
    matched = {ei for _, _, ei in best.values()}
    for ci, (weight, shared, ei) in best.items():
        c, e = claim_signals[ci], sentence.signals[ei]
        if modal.search(e.clause) and not hedged:
            weight /= 2  # 'can be achieved' is weaker evidence about what did happen
        if e.sign == 0:
            tallies[ci].mixed += weight
            sides[key]["support"] += weight / 2
            sides[key]["contradict"] += weight / 2
            tallies[ci].notes.append(f"mixed: {where} says '{e.cue}'")
            continue
        target = "support" if c.sign * e.sign > 0 else "contradict"
        if target == "support" and not (intent.search(claim) or hedged or claim_counts) and (
            states_intent(e.clause) or instructs(sentence.unit.text)
        ):
            # 'stated an aim to shift NHS care' does not back 'governments have shifted NHS spending'. A claim counting
            # the parts of what is proposed ('The mission test has three criteria') is backed by the proposal itself
            # ('This should include three criteria').
            continue
        if c.kind == "implicit" and e.kind in ("quantity", "valence"):
            target = "support"  # matched on the very figure: 'fell to 29 per cent' states the level a plain claim gives
        if target == "support" and _figure_unbacked(c.clause, f"{sentence.unit.text} {sentence.following}"):
            # 'would save the NHS around £5 billion a year' is not backed by 'the reluctance to invest to save': a
            # sentence giving no figure cannot confirm the clause's, only what surrounds it. (With the sentence after:
            # 'all reduced motivation. The effect sizes were d = -0.40, -0.36 ...' gives its figures next.)
            continue
        numbers_differ = bool(uncounted and sentence.numbers and not uncounted & sentence.numbers and (
            stance.same_measure(claim, sentence.unit.text))) or clash is not None
        if numbers_differ:
            target = "contradict"  # the same thing, measured differently: the figure is wrong
        elif (claim_numbers and claim_numbers <= numbers(sentence.unit.text, years=False, words=True)) or (
                worded_shares_agree(claim, sentence.unit.text)):
            weight *= 2  # the very figure the claim gives: the strongest kind of agreement
        setattr(tallies[ci], target, getattr(tallies[ci], target) + weight)
        sides[key][target] += weight
        tallies[ci].notes.append(
            f"{target}s ({weight:.1f}): claim '{c.cue}' vs '{e.cue}' in {where}, sharing {', '.join(sorted(shared))}"
            + (f"; the claim says {clash[0].text}, the source {clash[1].text}" if clash is not None
               else f"; the claim says {', '.join(sorted(uncounted))}, the source {', '.join(sorted(sentence.numbers))}"
               if numbers_differ else "")
        )
        if not numbers_differ and target == "support" and not hedged and modal.search(e.clause) and (
            patterns().absolute.search(sentence.unit.text)
        ):
            # 'This does not mean targets and incentives can never work': it can work sometimes, which grants a
            # plain 'targets work' only in part.
            tallies[ci].mixed += weight
            sides[key]["contradict"] += weight / 2
            tallies[ci].notes.append(f"mixed: {where} says it can happen, not that it does")
        elif not numbers_differ and target == "support" and sentence.qualified and not hedged:
            # 'This would usually be considered a success. But few would argue ...': the next sentence takes back
            # what this one grants.
            tallies[ci].mixed += weight
            sides[key]["contradict"] += weight / 2
            tallies[ci].notes.append(f"mixed: the sentence after {where} qualifies it ('but', 'however')")
        elif not numbers_differ and _concedes(c, sentence, ei, matched):
            # "X improved, but at the expense of Y": the sentence grants one side and takes the other.
            tallies[ci].mixed += weight
            sides[key]["support" if target == "contradict" else "contradict"] += weight / 2
            tallies[ci].notes.append(f"mixed: {where} concedes both ways")


def _bare_figures(text: str) -> set[str]:
    """The figures of ``text`` that count no thing (money, shares, rates), years left out: a count of things ('three
    criteria') is compared with counts of the same thing instead."""
    return numbers(text, years=False) - {c.value for c in counts(text) if c.things}


def _figure_unbacked(clause: str, passage: str) -> bool:
    """Does the claim clause give a figure (money, a share, a number that counts nothing) where the evidence gives
    none? (A sentence giving other figures is no backing either: _weigh finds them different.)"""
    if not _bare_figures(clause) and not worded_shares(clause):
        return False
    return not numbers(passage, years=False, words=True) and not shares(passage)


def _concedes(claim: Signal, sentence: EvidenceSentence, ei: int, matched: set[int]) -> bool:
    """Does the sentence also say the opposite of its matched clause, across a 'but' or 'whilst', about the claim's topic?"""
    if not sentence.contrast:
        return False
    e = sentence.signals[ei]
    for i, other in enumerate(sentence.signals):
        if i == ei or i in matched or other.sign * e.sign >= 0:
            continue
        first, last = sorted((e, other), key=lambda sig: sig.position)
        between = [sig for sig in sentence.signals if first.position < sig.position <= last.position]
        across = patterns().concessive.match(first.clause) or any(patterns().opens_contrast.match(sig.clause) for sig in between)
        same_predicate = _head(other.cue) == _head(claim.cue)
        if across and ((claim.terms & other.terms) - stemmed_list("words", "placing") or same_predicate
                       or _names_row(sentence, claim)):  # a row the claim names is about the claim's subject
            return True
    return False


def _same_lever(sentences: list[EvidenceSentence], claim_signals: list[Signal]) -> list[EvidenceSentence]:
    """When the claim names a table row ('Regulation'), the table's other rows are about other levers."""
    terms = frozenset().union(*(s.terms for s in claim_signals)) if claim_signals else frozenset()
    named = {s.label for s in sentences if s.label and s.label <= terms}
    if not named:
        return sentences
    return [s for s in sentences if not s.label or s.label in named]


def _verdict(
    claim: str, claim_signals: list[Signal], tallies: list[Tally], notes: list[str], cfg: StanceSettings
) -> Verdict | None:
    statuses = [t.status(cfg.dominance) for t in tallies]
    if not any(statuses):
        return None
    contradicted = any(t.contradict for t in tallies)
    absolute = absolute_word(claim)
    if absolute and contradicted and any(s == "contradicted" or s == "mixed" for s in statuses):
        notes.append("absolute claim ('" + absolute.group(0) + "'): any counter-evidence contradicts it")
        return "contradicted"
    if "contradicted" in statuses:
        if any(s == "supported" for s in statuses):
            notes.append("one part of the claim is supported and another contradicted")
            return "mixed"
        return "contradicted"
    if "mixed" in statuses:
        return "mixed"
    return "supported"


def _without_cues(
    ev: Evidence, claim: str, sentences: list[EvidenceSentence], sides: dict[tuple[str, int], dict[str, float]],
    notes: list[str],
) -> Verdict:
    """No polarity met: a close restatement supports the claim; anything else is not enough evidence."""
    pool, _ = ev.units(claim, k=ev.settings.stance.retrieve_k)
    said = abbreviate(without_attribution(claim), ev.acronyms)  # 'the Prime Minister' is the passages' 'PM'
    wanted = same_sense(content_lemmas(said))  # 'money moved' restates 'spending shifted'
    rare = wanted & same_sense(ev.specific(said))
    best, best_key, best_cover, best_cand = 0.0, None, 0.0, None
    for cand in pool:
        if cand.passage.chunk.origin == "user document":
            continue  # the verdict rests on the catalogue (issue 13): the user's documents are shown apart
        # A restatement restates in one clause: 'improve services' in one and 'outsourcing' in the clause across the
        # 'but' ('... but they are more sceptical about ... outsourcing') is no restatement of 'outsourcing improved
        # services' (issue 11).
        # Nor is one that leaves out what few passages name ('outsourcing'; half of such words at least): it restates
        # only the common words around it.
        text = abbreviate(cand.unit.text, ev.acronyms)
        held = [same_sense(content_lemmas(s.clause)) for s in signals(text)] or [same_sense(content_lemmas(text))]
        held = [words for words in held if 2 * len(rare & words) >= len(rare)]
        cover = max((len(wanted & words) for words in held), default=0) / len(wanted) if wanted else 0.0
        # ... or it is as close in meaning as a restatement in other words ('State employment makes up 18% of jobs' for
        # 'Public sector employment is around 18 per cent of total employment'), checked by the stance engine below.
        close = cover >= ev.settings.stance.restatement_cover or cand.cosine >= ev.settings.stance.restatement_cosine
        if cand.score >= ev.floor and close and cand.score > best:
            best, best_key, best_cover, best_cand = cand.score, (cand.passage.chunk.id, cand.unit.start), cover, cand
    if best_key is None or best_cand is None:
        notes.append("no passage states or denies the claim")
        return "not enough evidence"
    if best_key not in {(s.passage.chunk.id, s.unit.start) for s in sentences}:
        # The restating unit came from the wider pool (a table row the claim's retrieval ranked lower), or is a whole
        # row whose cells are the evidence sentences: its sentences are weighed too, the first standing for it.
        unit = best_cand.unit
        inside = [s for s in evidence_sentences([best_cand.passage], ev.acronyms)
                  if s.unit.start >= unit.start and s.unit.end <= unit.end]
        if not inside:
            notes.append("no passage states or denies the claim")
            return "not enough evidence"
        weighed = {(s.passage.chunk.id, s.unit.start) for s in sentences}
        sentences += [s for s in inside if (s.passage.chunk.id, s.unit.start) not in weighed]
        best_key = (inside[0].passage.chunk.id, inside[0].unit.start)
    if best_cover < ev.settings.stance.restatement_cover:
        # Close in meaning, not in words: the stance engine says whether it says the same thing (not a name it lacks:
        # a claim's attribution, 'IPPR', 'Dibb', is seldom in the sentence itself).
        conflict = stance.compare(said, best_cand.unit.text, " ".join((best_cand.passage.chunk.title,
                                                                       best_cand.passage.chunk.context)))
        if conflict is not None and (conflict.kind in _CLAIM_CONFLICTS | _CLOSE_CONFLICTS or _overstates(conflict)):
            sides[best_key]["contradict"] += 1
            notes.append(f"contradicts: a passage close in meaning says otherwise ({conflict.reason})")
            return "contradicted"
    clash = share_clash(claim, best_cand.unit.text)
    figures = _bare_figures(claim)
    theirs = numbers(best_cand.unit.text, years=False)
    if clash is not None or (figures and theirs and not figures & theirs):
        # A restatement giving another figure for the same thing ('roughly a quarter of jobs' where it says 'around 18
        # per cent of total employment') contradicts the claim.
        sides[best_key]["contradict"] += 1
        said_figure = clash[1].text if clash is not None else ", ".join(sorted(theirs))
        notes.append(f"contradicts: a passage restates the claim ({best_cover:.0%} of its words) with another figure ({said_figure})")
        return "contradicted"
    if (figures or worded_shares(claim)) and not theirs and not shares(best_cand.unit.text):
        notes.append("a passage restates the claim but gives none of its figures")
        return "not enough evidence"
    sides[best_key]["support"] += 1
    notes.append(f"supports: a passage restates the claim ({best_cover:.0%} of its words), with no opposite cue")
    return "supported"


def _side(
    ledger: Ledger, by_key: dict[tuple[str, int], EvidenceSentence], sides: dict[tuple[str, int], dict[str, float]],
    side: str, verdict: Verdict, cfg: StanceSettings, covers: dict[tuple[str, int], float] | None = None,
) -> list[Citation]:
    if verdict == "not enough evidence":
        return []
    other = "contradict" if side == "support" else "support"
    strongest = max((w[side] for w in sides.values()), default=0.0)
    ranked = sorted(
        (k for k, w in sides.items()
         if w[side] >= cfg.min_side_share * strongest > 0 and (w[side] >= w[other] or verdict == "mixed")),
        key=lambda k: (-sides[k][side], k),
    )
    # The strongest passage on a side is shown; others only when they are about the claim (``shown_cover`` of its
    # topic words), not filler sharing a word or two with it (issue 11: evidence relevance).
    ranked = ranked[:1] + [k for k in ranked[1:] if covers is None or covers.get(k, 0.0) >= cfg.shown_cover]
    out = []
    for key in ranked[: cfg.max_per_side]:
        sentence = by_key[key]
        out.append(ledger.cite(sentence.passage, sentence.unit, round(sides[key][side], 2)))
    return out


def _result(
    ev: Evidence, ledger: Ledger, claim: str, verdict: Verdict,
    supporting: list[Citation], contradicting: list[Citation], notes: list[str],
) -> ClaimCheck:
    check = ClaimCheck(
        claim=claim, verdict=verdict, supporting=supporting, contradicting=contradicting,
        explanation=_explain(verdict, supporting, contradicting), signals=notes,
        prompt_version=version_of("stance", ev.settings, ev.settings.stance, polarity, check_claim, weigh, _weigh,
                                  _match, _verdict, _side),
    )
    if ev.llm is not None and (supporting or contradicting):
        prose = ev.narrate(check, ledger, "check_claim", {"claim": claim, "verdict": verdict})
        kept = [s.text for s in prose if not s.gap]
        if kept:
            check.explanation = " ".join(kept)
    return check


def _explain(verdict: Verdict, supporting: list[Citation], contradicting: list[Citation]) -> str:
    def first(cs: list[Citation]) -> str:
        c = cs[0]
        return f"{c.title}, {c.locator.split(' · ')[0]}: “{_short(plain_excerpt(c.quote), 160)}” [{c.n}]"

    if verdict == "not enough evidence":
        return "The sources neither state nor deny this claim."
    parts = {
        "supported": "The sources support the claim.",
        "contradicted": "The sources contradict the claim.",
        "mixed": "The evidence is mixed: the sources support part of the claim and qualify or contradict the rest.",
    }
    text = [parts[verdict]]
    if supporting:
        text.append(f"For it: {first(supporting)}.")
    if contradicting:
        text.append(f"Against it: {first(contradicting)}.")
    return " ".join(text)


def _unknown(ev: Evidence, claim: str) -> list[str]:
    """Content words of the claim that no indexed passage uses, in any form."""
    vocabulary = ev.vocabulary
    out = []
    share_words = {w.lower() for s in shares(claim) for w in re.findall(r"[A-Za-z]+", s.text)}  # 'a quarter' is a figure
    for word in _WORD.findall(claim):
        lemmas = content_lemmas(word)
        if lemmas and all(w not in vocabulary for w in lemmas) and not is_cue(word) and word.lower() not in share_words:
            out.append(word)
    return out


_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)[\"'“‘(]*([A-Za-z][\w'’-]*)")


def _named(claim: str, unknown: list[str]) -> bool:
    """Is any word the sources never use a name (capitalised where a sentence does not start)? 'Putting more money
    into ...' opens a sentence with a capital; 'Finland' in mid-sentence names something."""
    openers = {m.group(1) for m in _SENTENCE_START.finditer(claim.strip())}
    return any(w[0].isupper() and w not in openers for w in unknown)


def _sign(sign: int) -> str:
    return {1: "positive", -1: "negative", 0: "mixed"}[sign]


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
