"""Follow-up questions: a deterministic rewrite that carries the earlier question's subject forward.

"What is the core metric for the first mission?" then "And for the second mission?" becomes
"What is the core metric for the second mission?". With a chat model configured, the LLM chain
condenses instead (prompts/condense.toml); this rewrite is the embedded mode's way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text.sentences import has_pronoun
from assistant.text.words import terms

History = Sequence[tuple[str, str]]
_LEAD = re.compile(r"^\s*(?:and|but|so|also|then|ok|okay)?\s*(?:what|how)?\s*(?:about)?\s*,?\s*", re.IGNORECASE)
_PREPOSITIONS = ("for", "in", "of", "on", "about", "under", "to", "from", "with")


def is_follow_up(question: str) -> bool:
    """Short questions that lean on the conversation: 'And for the other one?', 'What about it in 2019?'."""
    q = question.strip()
    if re.match(r"^(and|but|what about|how about|also|same for|then)\b", q, re.IGNORECASE):
        return True
    return len(terms(q)) <= 2 and has_pronoun(q)


def rewrite(question: str, history: History | None) -> str:
    """The question as it should be searched, given the earlier turns (user question, answer)."""
    return _rewrite(question, history)[0]


def new_subject(question: str, history: History | None) -> frozenset[str]:
    """The terms a follow-up adds to the earlier question when it is searched joined to it ('What about A&E?' after
    a question on NHS satisfaction -> {'a&e'}): what the answer must be about, though the earlier question's words
    outweigh it in every score. Empty for a question that is not a follow-up, or one rewritten into a whole question
    ('And for the second mission?' -> 'What is the core metric for the second mission?')."""
    return _rewrite(question, history)[1]


def _rewrite(question: str, history: History | None) -> tuple[str, frozenset[str]]:
    if not history or not is_follow_up(question):
        return question, frozenset()
    previous = history[-1][0]
    follow = _LEAD.sub("", question).strip().rstrip("?").strip()
    m = re.match(rf"^({'|'.join(_PREPOSITIONS)})\s+(.+)$", follow, re.IGNORECASE)
    if m:
        prep, obj = m.group(1).lower(), m.group(2)
        pattern = re.compile(rf"\b{prep}\s+(.+?)(\?|$)", re.IGNORECASE)
        found = list(pattern.finditer(previous))
        if found:
            last = found[-1]
            return previous[: last.start(1)] + obj + previous[last.end(1) :], frozenset()
    # No shared preposition: search the new words with the earlier question's subject.
    new_terms = [t for t in terms(follow) if t not in terms(previous)]
    if has_pronoun(follow) or not new_terms:
        return f"{previous.rstrip('?')} — {follow}?", frozenset()
    capitals = [w for w in re.findall(r"\b[A-Z][a-z]+\b", follow)]
    kept = previous
    if capitals:
        kept = re.sub(r"\b(?!What\b|How\b|Which\b|Who\b|Why\b|When\b|Where\b|Does\b|Is\b|Are\b|Do\b)[A-Z][a-z]+\b", "", previous)
    return f"{follow} — {' '.join(kept.split()).rstrip('?')}?", frozenset(new_terms)
