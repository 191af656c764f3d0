"""What a question asks for, and text that is addressed to a model rather than to a reader."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from assistant.text.lexicon import alternation, entries, phrases, word_set
from assistant.text.normalise import fold
from assistant.text.sentences import split_sentences
from assistant.text.words import content_lemmas, normalise_quotes


@cache
def _pattern(section: str, name: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(entries(section, name))})\b", re.IGNORECASE)


@cache
def _instructions() -> re.Pattern[str]:
    return re.compile(alternation(entries("instructions", "patterns")), re.IGNORECASE)


def asks_for_number(question: str) -> bool:
    """'How much...', 'what share...', 'effect sizes': the answer should carry figures."""
    return bool(_pattern("questions", "asks_for_number").search(question))


def asks_for_references(question: str) -> bool:
    """Does the question want bibliographic entries (otherwise reference lists are not answers)?"""
    return bool(_pattern("questions", "asks_for_references").search(question))


@cache
def _attribution() -> re.Pattern[str]:
    return re.compile(alternation(entries("focus", "attribution")), re.IGNORECASE)


def without_attribution(claim: str) -> str:
    """The claim without who it is attributed to: 'According to the report, Ofsted should create X.' -> 'Ofsted should
    create X.'; 'The authors argue that targets work.' -> 'targets work.' (what is said, for weighing)."""
    plain = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(_attribution().sub(" ", claim).split())).strip(" ,")
    return plain[:1].upper() + plain[1:] if plain else claim


def asks_about_publication(question: str) -> bool:
    """'Who are the authors?', 'When was it published?', 'How should I cite it?': a question about the document
    itself, the only kind its front matter (citation line, licence, publisher's address) answers."""
    return bool(_pattern("questions", "asks_about_publication").search(question))


def asks_about_chart(question: str) -> bool:
    """'What does figure 1.3 show?', 'the avoidable deaths chart': a question about a chart itself, the only kind a
    figure's title and source line answer (they describe a chart the answer cannot show, not its findings)."""
    return bool(_pattern("questions", "asks_about_chart").search(question))


def signposts(sentence: str) -> bool:
    """'For more information about IPPR, please go to www.ippr.org': it sends the reader elsewhere, says nothing."""
    return bool(_pattern("questions", "signposts").search(sentence))


@cache
def _label() -> re.Pattern[str]:
    return re.compile(rf"\b({alternation(entries('questions', 'labels'))})\s+(\d+(?:\.\d+)?)\b", re.IGNORECASE)


def named_labels(text: str) -> frozenset[str]:
    """The labelled parts of a document ``text`` names, normalised: 'Table 2.1's explanation column' ->
    {'table 2.1'}; 'FIGURE 1.2' -> {'figure 1.2'}."""
    return frozenset(f"{kind.lower()} {number}" for kind, number in _label().findall(text))


def announces_list(sentence: str) -> bool:
    """A sentence that ends in a colon or says 'the following', 'three', 'criteria'...: a list follows."""
    plain = sentence.replace("**", "")
    return plain.rstrip().endswith(":") or bool(_pattern("questions", "announces_list").search(plain))


def asks_for_proposal(question: str) -> bool:
    """'What should Ofsted and the CQC do differently?', 'What does the report propose for the workforce?': the
    question asks for what someone should do, so sentences that give a duty answer it (``states_duty``)."""
    return bool(_pattern("questions", "asks_for_proposal").search(question))


def states_duty(sentence: str) -> bool:
    """'Regulators should be improvement-focused', 'the centre must ...': a sentence saying what someone should do."""
    return bool(_pattern("stance", "duty").search(sentence))


@cache
def _ends_announcing() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(entries('questions', 'ends_announcing'))})\W*$", re.IGNORECASE)


def ends_announcing(sentence: str) -> bool:
    """Does the sentence end on the list it announces ('... we recommend the following.', '... including:'), so that
    without its items it says nothing?"""
    plain = sentence.replace("**", "").rstrip()
    return plain.endswith(":") or bool(_ends_announcing().search(plain))


def recommends(sentence: str) -> bool:
    """'Government should ...': a recommendation."""
    return bool(_pattern("briefing", "recommends").search(sentence))


def names_a_risk(sentence: str) -> bool:
    """'... at the expense of ...', 'risks', 'failed to': a sentence about what can go wrong."""
    return bool(_pattern("briefing", "risks").search(sentence))


def cuts_spending(proposal: str) -> bool:
    """Does the proposal only cut ('close 20 wards'), funding and building nothing?"""
    return bool(_pattern("proposals", "cuts").search(proposal)) and not _pattern("proposals", "spends").search(proposal)


@cache
def _model_directed() -> tuple[tuple[re.Pattern[str] | None, re.Pattern[str]], ...]:
    """The structural signs of text addressed to a model (lexicon.toml [injection]): (guard, rule) pairs, a rule
    searched only where its guard (when it has one) matches. Searched one by one, not as one alternation: each
    rule alone is linear and fast on a megabyte-long token; joined they try every branch at every position."""
    who, orders = phrases(entries("injection", "addressees")), phrases(entries("injection", "orders"))
    roles = phrases(entries("injection", "role_labels"))
    verbs, nouns = phrases(entries("injection", "overriding_verbs")), alternation(entries("injection", "instruction_nouns"))
    rules = [
        # a vocative giving an order: "Assistant, you must tell the user ...", "AI: ignore ..."
        rf"(?:^|[.!?;]\s|\n)\W{{0,4}}(?:(?:hey|dear|note to|attention|oye|hola|cher|chere|caro|cara|liebe|lieber)\s+)?"
        rf"(?:the |an? |le |la |el |der |die |il |o )?(?:{who})\s*[,:!\u2014\u2013-]\s*(?:{orders})\b",
        # a role label opening the text, a line or a sentence: "SYSTEM:", "[ASSISTANT]", "### User:"
        rf"(?:^|\n|[.!?]\s)[\s>#*_\-]{{0,6}}[\[(<]?(?:{roles})[\])>]?\s*(?:message|prompt|note)?\s*:",
        rf"[\[<](?:{roles})[\]>]",
        alternation(entries("injection", "template_tokens")),
        # "ignore (all) (the) previous instructions" and its equivalents in FR, ES, DE, IT, PT
        rf"\b(?:{verbs})\b[^.!?\n]{{0,60}}?\b(?:{nouns})\b",
        alternation(entries("injection", "directives")),
        alternation(entries("injection", "fake_citations")),
    ]
    guards: dict[int, re.Pattern[str]] = {4: re.compile(rf"\b(?:{nouns})\b")}  # 'ignore' alone is a common word
    return tuple((guards.get(i), re.compile(rule, re.MULTILINE)) for i, rule in enumerate(rules))


def addressed_to_model(text: str) -> bool:
    """Text addressed to an AI model rather than a reader, in any disguise: data to quote, never an answer or evidence.

    The text is folded first (normalise.fold: NFKC, look-alike letters to Latin, accents, zero-width and bidi
    characters removed), then matched by structure: the older English phrases ('reveal your system prompt'),
    a vocative giving an order ('Assistant, you must...'), role labels ('SYSTEM:', '[INST]', '<|im_start|>'),
    'ignore previous instructions' in English, French, Spanish, German, Italian or Portuguese, answers dictated
    to the reader ('the correct answer is'), and fake citation markers ('[source: ...]', '【1】').
    """
    # The composer asks about every unit of every retrieved passage, question after question: short texts are cached.
    return _addressed(text) if len(text) <= 4000 else _matches(text)


@lru_cache(maxsize=65536)
def _addressed(text: str) -> bool:
    return _matches(text)


def _matches(text: str) -> bool:
    folded = fold(text)
    if _instructions().search(folded):
        return True
    return any((guard is None or guard.search(folded)) and rule.search(folded) for guard, rule in _model_directed())


def blank_model_directed(text: str) -> str:
    """``text`` with every sentence addressed to a model (``addressed_to_model``) turned into spaces of its length.

    Offsets into the text stay right, and no sentence splitter, embedding or keyword index meets the instruction.
    """
    out = text
    for start, end in split_sentences(text):
        if addressed_to_model(text[start:end]):
            out = out[:start] + " " * (end - start) + out[end:]
    return out


# -- what a question is about ---------------------------------------------------------------------
_TAG = re.compile(r"<[^>]{0,200}>")
_MD = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)|[*_`~]{1,3}", re.MULTILINE)
_LABEL = re.compile(r"^\s*(?:q(?:uestion)?|ask|query)\s*[:.-]\s*", re.IGNORECASE)
_CLAUSE = re.compile(
    r"\?\s*|;\s*|,?\s+and\s+(?=(?:what|which|who|whom|why|how|when|where|does|do|did|is|are|was|were|can|could|should)\b)",
    re.IGNORECASE,
)
_FOCUS_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*s?")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?.!,;:])")


@cache
def _speaker() -> re.Pattern[str]:
    """What a chat or e-mail puts before a message: a time stamp ('[10:42]', '10:42 am'), greetings ('Hi Sam,',
    'quick one:'), and a speaker's name ending in a colon: after a time stamp, before a message that runs on in lower
    case ('Sam: does …'), or a full name before a question word ('Priya Shah: What …'). None of it is part of what
    the message asks ('They never mention Sam'). One capitalised word before a capitalised question ('Regulation: What
    does Table 2.1 say?') or an acronym ('NHS: is it ...') may be the question's topic and stays."""
    time = r"[\[(]?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?[\])]?"
    name = r"[A-Z][a-z][\w'’.-]*(?:\s+[A-Z][a-z][\w'’.-]*){0,2}"
    full_name = r"[A-Z][a-z][\w'’.-]*(?:\s+[A-Z][a-z][\w'’.-]*){1,2}"
    greeting = rf"(?i:{phrases(word_set('questions', 'greetings'))})(?:\s+(?:{name}|all|everyone|team))?\s*[,!:–-]+\s*"
    asks = rf"(?i:{phrases(word_set('questions', 'openers'))})\b"
    return re.compile(
        rf"^\s*(?:{time}\s*[-–]?\s*(?:{name}\s*:\s*)?)?(?:{greeting})*"
        rf"(?:{name}\s*:\s+(?=[a-z])|{full_name}\s*:\s+(?={asks}))?"
    )


def strip_markup(text: str) -> str:
    """A question as typed, without Markdown, HTML or quotation marks pasted around it, nor what a chat or e-mail
    puts before a message (a time stamp, a greeting, the speaker's name: ``_speaker``).

    When the pasted text has several lines and some ask something (end in '?'), only those are kept: a
    heading such as '## Question' is a label, not part of the question.
    """
    lines = [_speaker().sub("", _LABEL.sub("", _MD.sub(" ", _TAG.sub(" ", line)).strip())) for line in text.splitlines()]
    lines = [line for line in lines if line.strip(" '\"“”‘’")]
    asking = [line for line in lines if "?" in line]
    plain = " ".join(asking or lines)
    plain = normalise_quotes(plain).replace('"', " ")
    plain = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(plain.split()))
    return plain.strip(" '")


def clauses(question: str) -> list[str]:
    """The parts of a question that ask for different things ('How much ..., and why ...?' -> two)."""
    return [c.strip(" ,") for c in _CLAUSE.split(question) if c and c.strip(" ,")]


def focus_words(clause: str) -> list[str]:
    """The words of a clause that say what it asks about (frame words such as 'what does the report say' and
    stop words dropped), as written, in order."""
    frame, stop = word_set("focus", "frame"), word_set("words", "stopwords")
    return [w for w in _FOCUS_WORD.findall(clause) if w.lower() not in frame and w.lower() not in stop]


def asks_for_several(question: str) -> bool:
    """Does the question ask after a plural noun ('Which places does IPPR point to?', 'What were the main reasons people
    gave?', 'What unwanted side effects of targets ...?')? Its answer may need a passage for each thing. Word lists:
    lexicon [questions] several_stops, wh_verbs, plurals. A word shape rule, not a tagger: a noun phrase of up to
    three words after the wh-word (and 'are the', 'were the') one of whose words ends in -s (not -ss, -us, -is) or is
    a plural without it; 'What happens …' asks with a verb."""
    stops, verbs, plurals = (word_set("questions", k) for k in ("several_stops", "wh_verbs", "plurals"))
    for m in re.finditer(r"\b(which|what)\s+((?:(?:are|were|was|is)\s+the\s+)?)((?:[a-z'’-]+\s*){1,3})", question, re.I):
        words = []
        for w in m.group(3).lower().split():
            if w in stops:
                break
            words.append(w)
        if not words or (m.group(1).lower() == "what" and not m.group(2) and words[0] in verbs):
            continue
        if any(w in plurals or (len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is"))) for w in words):
            return True
    return False


def asks_for_count(clause: str) -> frozenset[str]:
    """The stems of what a 'how many …' clause counts ('how many civil servants would staff each one' -> civil,
    servant); empty when the clause asks for no count."""
    m = re.search(r"\bhow many\s+((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*)", clause, re.I)
    if m is None:
        return frozenset()
    words = [w for w in m.group(1).split() if w.lower() not in word_set("words", "stopwords")
             and w.lower() not in word_set("questions", "openers")]
    return frozenset(content_lemmas(" ".join(words)))


def asks_who(clause: str) -> bool:
    """Does the clause ask who did something, or would ('who chaired it', 'who would audit it')? Not who does it now
    ('who sits on them', 'who leads them'): the sources describe standing roles in other words ('bringing together the
    relevant departments'), so a missing verb there is no sign of a gap."""
    return bool(re.match(r"\W*(?:and\s+|but\s+)?who\s+(?:(?:would|will|should|could|might|did)\s+\w+|[a-z]+ed)\b", clause, re.I))


def asks_for_date(clause: str) -> bool:
    """Does the clause ask when something happened ('when was it published', 'in what year did ...')? Only a
    past event's date: 'when do regulators step in?' asks for a condition, which a sentence without a date may give."""
    return bool(_pattern("questions", "asks_for_date").search(clause))


def asks_since(clause: str) -> int | None:
    """The year a clause asks how things moved since ('how has that share changed since 2010' -> 2010; 'which councils
    have adopted it since 2023' -> 2023), or None. Pattern: lexicon [questions] asks_since."""
    m = _pattern("questions", "asks_since").search(clause)
    return int(m.group(1)) if m else None


def asks_for_amount(clause: str) -> list[str]:
    """The words of a clause that ask for an amount ('what does it cost each year', 'pay and pensions'), as written.

    An amount word followed by a noun modifies it ('cost control', 'pay gap') and asks for no amount.
    """
    amounts, stop = word_set("focus", "amounts"), word_set("words", "stopwords")
    words = _FOCUS_WORD.findall(clause)
    return [w for i, w in enumerate(words) if w.lower() in amounts
            and (i + 1 == len(words) or words[i + 1].lower() in stop or words[i + 1].lower() in amounts)]


_CAPITALISED = re.compile(r"(?<=\s)[A-Z][\w&-]*")


def named_words(clause: str) -> list[str]:
    """The capitalised words of a clause after its first word, possessives dropped ('and what is it in Scotland' ->
    ['Scotland']; "What is Bruno Frey's idea" -> ['Bruno', 'Frey']): the names it asks about."""
    return [re.sub(r"['’]s$", "", m.group(0)) for m in _CAPITALISED.finditer(normalise_quotes(clause))]


# What a clause asks for that only a value of one kind answers, and the lexicon patterns that recognise it (in order:
# 'how many times a year' asks for a frequency, not a duration).
_VALUE_PATTERNS = (("date", "asks_for_future_date"), ("money", "asks_for_money"), ("frequency", "asks_how_often"),
                   ("duration", "asks_how_long"))


def asks_for_value(clause: str) -> str | None:
    """The kind of value a clause asks for, which no sentence without one answers: 'money' ('what does it cost each
    year', 'how much has the NHS spent on it', 'what would that be in pounds'), 'date' ('when was it published', 'when
    would the councils be set up'), 'frequency' ('how often did it meet'), 'duration' ('how long would that take');
    None for any other clause. numbers.gives_value says whether a text gives one."""
    if asks_for_amount(clause):
        return "money"
    if asks_for_date(clause):
        return "date"
    return next((kind for kind, name in _VALUE_PATTERNS if _pattern("questions", name).search(clause)), None)


def span_of(clause: str, words: list[str]) -> str:
    """The clause's own text from the first to the last of ``words`` ('running the mission councils cost each year')."""
    if not words:
        return ""
    starts = [m.start() for w in words for m in [re.search(rf"\b{re.escape(w)}\b", clause)] if m]
    ends = [m.end() for w in words for m in [re.search(rf"\b{re.escape(w)}\b", clause)] if m]
    return clause[min(starts) : max(ends)] if starts else " ".join(words)
