#!/usr/bin/env python3
"""Validate a Mission Desk gold evaluation dataset (JSONL).

Usage:
    python3 evals/check_dataset.py evals/datasets/gold-v1.jsonl [--corpus DIR]

`check(path)` returns a list of human-readable problems (empty list = valid).
The __main__ entry point prints them and exits 1 if there are any.

Rules enforced
--------------
1. Every gold quote is an exact, case-sensitive substring of its source:
   the whole report file for "smarter-state-2023", or the body after the
   YAML front matter for an evidence note (corpus/evidence/<source_id>.md).
2. Every key fact is 1-6 words and occurs (case-insensitively) in at least
   one of the item's gold quotes.
3. ids are unique and follow "<category>-NNN"; every record has exactly the
   required keys with the right types; refusal items (expect_refusal true)
   have empty gold / key_facts; non-refusal, non-claim items have >=1 gold
   and >=1 key fact; claim items have a verdict (gold may be empty only for
   "not enough evidence"); non-claim items have verdict null; follow_up items
   have history, others do not; multi_passage items have >=2 distinct quotes.
4. Questions do not copy their gold text: a question may not share a run of
   COPY_RUN or more consecutive words with any of its gold quotes.
Also: minimum counts per category and overall size.

v2 (held-out) datasets
----------------------
A file is checked as v2 when its name says so (e.g. gold-v2.jsonl) or when any
of its items carries a v2 key (list_items, uncovered, split). Rules 1, 2 and 4
and the generic parts of rule 3 still apply; in addition:
5. Every item has the v1 keys plus "list_items" (list of strings),
   "uncovered" (string) and "split" (always "heldout").
6. ids are "v2-<category>-NNN", numbered 001, 002, ... within each category;
   categories and minimum counts are V2_MIN_COUNTS, total >= V2_MIN_TOTAL.
7. Each list item is 1-6 words, unique, and occurs (case-insensitively) in
   one of the item's gold quotes; "list" items need >= 2 list items; refusal
   items have none. Other answerable categories may carry list items when
   their question asks for a list (e.g. a list question wrapped in markup).
8. "uncovered" is a non-empty phrase (at most UNCOVERED_MAX_WORDS words)
   exactly for category "partial", and "" for every other category (a wholly
   uncovered question is a refusal item instead). Partial items are
   answerable: expect_refusal false, with gold and key facts for the covered
   part.
9. expect_refusal is true exactly for category "refusal"; verdict is null
   (v2 has no claim category).

Tune sets in the v2 format (a file name holding "tune", e.g. gold-tune-v3.jsonl)
follow rules 5-9 with split "tune", ids "t3-<category>-NNN" ("t4-" for gold-tune-v4) and the smaller
minimum counts TUNE_MIN_COUNTS (total >= TUNE_MIN_TOTAL): items written to tune
the composer on, beside gold-v1, so gold-v2 stays held out.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

REPORT_ID = "smarter-state-2023"
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"

REQUIRED_KEYS = {
    "id", "category", "question", "history", "gold", "key_facts",
    "expect_refusal", "verdict", "notes",
}
MIN_COUNTS = {
    "prose": 20,
    "number": 12,
    "table_row": 10,
    "figure": 6,
    "box": 4,
    "multi_passage": 5,
    "follow_up": 5,
    "refusal": 10,
    "adversarial": 6,
    "claim": 12,
}
MIN_TOTAL = 90
VERDICTS = {"supported", "contradicted", "mixed", "not enough evidence"}
QUOTE_MIN_CHARS = 10
QUOTE_MAX_CHARS = 250
KEY_FACT_MAX_WORDS = 6
COPY_RUN = 8  # consecutive shared words between question and a gold quote

# ---- v2 (held-out) datasets ----
V2_EXTRA_KEYS = {"list_items", "uncovered", "split"}
V2_REQUIRED_KEYS = REQUIRED_KEYS | V2_EXTRA_KEYS
V2_MIN_COUNTS = {
    "list": 15,
    "partial": 10,
    "vague": 8,
    "markup": 8,
    "follow_up": 8,
    "table_column": 8,
    "box": 6,
    "prose": 10,
    "number": 6,
    "refusal": 6,
}
V2_MIN_TOTAL = 85
V2_ID_PREFIX = "v2-"
V2_SPLIT = "heldout"
TUNE_MIN_COUNTS = {category: max(3, minimum // 2) for category, minimum in V2_MIN_COUNTS.items()}
TUNE_MIN_TOTAL = 50
TUNE_ID_PREFIX = "t3-"  # gold-tune-v3; a later tune file's ids carry its own number (tune_id_prefix)
TUNE_SPLIT = "tune"
_TUNE_NAME = re.compile(r"tune", re.IGNORECASE)
LIST_ITEM_MAX_WORDS = 6
UNCOVERED_MAX_WORDS = 12
_V2_NAME = re.compile(r"(?<![a-z0-9])v2(?![0-9])", re.IGNORECASE)


def strip_front_matter(text: str) -> str:
    """Return the body of a note: everything after the second '---' line.

    If the note has no front matter (first line is not '---'), the whole text
    is returned.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return text
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[i + 1:])
    return ""  # unterminated front matter: no usable body


def load_sources(corpus_dir: Path) -> dict[str, str]:
    sources: dict[str, str] = {}
    report = corpus_dir / f"{REPORT_ID}.txt"
    if report.exists():
        sources[REPORT_ID] = report.read_text(encoding="utf-8")
    for note in sorted((corpus_dir / "evidence").glob("*.md")):
        sources[note.stem] = strip_front_matter(note.read_text(encoding="utf-8"))
    return sources


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _shared_run(a: str, b: str) -> int:
    """Length of the longest run of consecutive words shared by a and b."""
    wa, wb = _words(a), _words(b)
    best = 0
    prev = [0] * (len(wb) + 1)
    for x in wa:
        cur = [0] * (len(wb) + 1)
        for j, y in enumerate(wb, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def _check_item(item: dict, where: str, sources: dict[str, str],
                required_keys: set = REQUIRED_KEYS, categories=MIN_COUNTS,
                id_prefix: str = "") -> list[str]:
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    keys = set(item)
    if keys != required_keys:
        missing = sorted(required_keys - keys)
        extra = sorted(keys - required_keys)
        bad(f"wrong keys (missing={missing}, extra={extra})")
        return problems

    cat = item["category"]
    if cat not in categories:
        bad(f"unknown category {cat!r}")
    if not isinstance(item["id"], str) or not re.fullmatch(
        rf"{re.escape(id_prefix)}{re.escape(str(cat))}-\d{{3}}", item["id"]
    ):
        bad(f"id {item['id']!r} does not match '{id_prefix}<category>-NNN' for category {cat!r}")

    q = item["question"]
    if not isinstance(q, str) or not q.strip():
        bad("question must be a non-empty string")
        q = ""
    if not isinstance(item["notes"], str):
        bad("notes must be a string")
    if not isinstance(item["expect_refusal"], bool):
        bad("expect_refusal must be a bool")

    # history
    hist = item["history"]
    if not isinstance(hist, list) or not all(
        isinstance(t, list) and len(t) == 2 and all(isinstance(s, str) and s.strip() for s in t)
        for t in hist
    ):
        bad("history must be a list of [user_question, assistant_answer] string pairs")
    elif cat == "follow_up" and not hist:
        bad("follow_up item needs a non-empty history")
    elif cat != "follow_up" and hist:
        bad("only follow_up items may carry history")

    # gold
    gold = item["gold"]
    quotes: list[str] = []
    if not isinstance(gold, list):
        bad("gold must be a list")
        gold = []
    seen_gold = set()
    for k, g in enumerate(gold):
        if not isinstance(g, dict) or set(g) != {"source_id", "quote"}:
            bad(f"gold[{k}] must be an object with exactly source_id and quote")
            continue
        sid, quote = g["source_id"], g["quote"]
        if not isinstance(sid, str) or not isinstance(quote, str):
            bad(f"gold[{k}] source_id and quote must be strings")
            continue
        if (sid, quote) in seen_gold:
            bad(f"gold[{k}] duplicates an earlier gold entry")
        seen_gold.add((sid, quote))
        if sid not in sources:
            bad(f"gold[{k}] unknown source_id {sid!r}")
        elif quote not in sources[sid]:
            bad(f"gold[{k}] quote not found verbatim in {sid}: {quote!r}")
        if not (QUOTE_MIN_CHARS <= len(quote) <= QUOTE_MAX_CHARS):
            bad(f"gold[{k}] quote length {len(quote)} outside "
                f"{QUOTE_MIN_CHARS}-{QUOTE_MAX_CHARS} chars")
        if quote != quote.strip():
            bad(f"gold[{k}] quote has leading/trailing whitespace")
        quotes.append(quote)
        if q:
            run = _shared_run(q, quote)
            if run >= COPY_RUN:
                bad(f"question copies {run} consecutive words from gold[{k}]; paraphrase it")

    # key facts
    facts = item["key_facts"]
    if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        bad("key_facts must be a list of strings")
        facts = []
    for f in facts:
        n = len(f.split())
        if not 1 <= n <= KEY_FACT_MAX_WORDS:
            bad(f"key fact {f!r} has {n} words (need 1-{KEY_FACT_MAX_WORDS})")
        if not any(f.lower() in qt.lower() for qt in quotes):
            bad(f"key fact {f!r} does not appear in any gold quote")
    if len({f.lower() for f in facts}) != len(facts):
        bad("duplicate key facts")

    # category-specific rules
    verdict = item["verdict"]
    refusal = item["expect_refusal"] is True
    if cat == "refusal" and not refusal:
        bad("refusal items must have expect_refusal true")
    if refusal:
        if gold or facts:
            bad("items expecting refusal must have empty gold and key_facts")
    if cat == "claim":
        if verdict not in VERDICTS:
            bad(f"claim verdict must be one of {sorted(VERDICTS)}, got {verdict!r}")
        if refusal:
            bad("claim items should not expect refusal (use the verdict)")
        if verdict in VERDICTS - {"not enough evidence"}:
            if not gold:
                bad(f"claim with verdict {verdict!r} needs gold passages")
            if not facts:
                bad(f"claim with verdict {verdict!r} needs key facts")
        if verdict == "not enough evidence" and facts and not gold:
            bad("key facts given without gold")
    else:
        if verdict is not None:
            bad("verdict must be null for non-claim items")
        if not refusal:
            if not gold:
                bad("non-refusal item needs at least one gold passage")
            if not facts:
                bad("non-refusal item needs at least one key fact")
    if cat == "multi_passage" and len(set(quotes)) < 2:
        bad("multi_passage items need at least two distinct gold passages")
    return problems


def tune_id_prefix(path: Path) -> str:
    """The id prefix of a tune file in the v2 format: 't4-' for gold-tune-v4.jsonl, 't3-' when the name has no number."""
    found = re.search(r"tune-v(\d+)", path.name)
    return f"t{found.group(1)}-" if found else TUNE_ID_PREFIX


def _check_item_v2(
    item: dict, where: str, sources: dict[str, str], *, tune: bool = False, tune_prefix: str = TUNE_ID_PREFIX
) -> list[str]:
    """Rules for a v2 (held-out) item, or a tune item in its format: the v1 rules plus rules 5-9."""
    problems = _check_item(item, where, sources, required_keys=V2_REQUIRED_KEYS,
                           categories=V2_MIN_COUNTS, id_prefix=tune_prefix if tune else V2_ID_PREFIX)
    if set(item) != V2_REQUIRED_KEYS:
        return problems  # wrong keys already reported

    def bad(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    cat = item["category"]
    refusal = item["expect_refusal"] is True
    quotes = [g["quote"] for g in item["gold"] if isinstance(g, dict)
              and isinstance(g.get("quote"), str)] if isinstance(item["gold"], list) else []

    split = TUNE_SPLIT if tune else V2_SPLIT
    if item["split"] != split:
        bad(f"split must be {split!r}, got {item['split']!r}")
    if refusal != (cat == "refusal"):
        bad("expect_refusal must be true exactly for category 'refusal'")

    # list_items
    li = item["list_items"]
    if not isinstance(li, list) or not all(isinstance(x, str) for x in li):
        bad("list_items must be a list of strings")
        li = []
    for x in li:
        n = len(x.split())
        if not 1 <= n <= LIST_ITEM_MAX_WORDS:
            bad(f"list item {x!r} has {n} words (need 1-{LIST_ITEM_MAX_WORDS})")
        if not any(x.lower() in qt.lower() for qt in quotes):
            bad(f"list item {x!r} does not appear in any gold quote")
    if len({x.lower() for x in li}) != len(li):
        bad("duplicate list items")
    if cat == "list" and len(li) < 2:
        bad("list items need at least two list_items (every item the sources list)")
    if refusal and li:
        bad("items expecting refusal must have empty list_items")

    # uncovered
    unc = item["uncovered"]
    if not isinstance(unc, str):
        bad("uncovered must be a string")
    elif cat == "partial":
        if not unc.strip():
            bad("partial items need a non-empty 'uncovered' phrase")
        elif unc != unc.strip():
            bad("uncovered has leading/trailing whitespace")
        elif len(unc.split()) > UNCOVERED_MAX_WORDS:
            bad(f"uncovered has {len(unc.split())} words (need <= {UNCOVERED_MAX_WORDS})")
    elif unc:
        bad("only partial items may have a non-empty 'uncovered'")
    return problems


def read_jsonl(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    """(line number, object) for each line of a JSONL file, and a problem for each line that is not a JSON
    object (blank, invalid). Raises OSError when the file cannot be read."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # trailing newline
    items: list[tuple[int, dict]] = []
    problems: list[str] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            problems.append(f"line {lineno}: blank line")
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {lineno}: invalid JSON ({e})")
            continue
        if not isinstance(item, dict):
            problems.append(f"line {lineno}: not a JSON object")
            continue
        items.append((lineno, item))
    return items, problems


def _is_v2(path: Path, items: list) -> bool:
    """A dataset is v2 when its file name says so or any item has a v2 key."""
    return bool(_V2_NAME.search(path.name)) or any(
        isinstance(it, dict) and V2_EXTRA_KEYS & set(it) for it in items
    )


def check(path, corpus_dir=None) -> list[str]:
    """Return a list of problems found in the JSONL dataset at `path`.

    v1 files are checked by rules 1-4; v2 (held-out) files also by rules 5-9.
    """
    path = Path(path)
    corpus_dir = Path(corpus_dir) if corpus_dir else DEFAULT_CORPUS
    problems: list[str] = []
    sources = load_sources(corpus_dir)
    if REPORT_ID not in sources:
        problems.append(f"report {REPORT_ID}.txt not found in {corpus_dir}")
    try:
        items, line_problems = read_jsonl(path)
    except OSError as e:
        return problems + [f"cannot read {path}: {e}"]
    problems += line_problems
    v2 = _is_v2(path, [item for _, item in items])
    tune = v2 and bool(_TUNE_NAME.search(path.name))
    min_counts = (TUNE_MIN_COUNTS if tune else V2_MIN_COUNTS) if v2 else MIN_COUNTS
    min_total = (TUNE_MIN_TOTAL if tune else V2_MIN_TOTAL) if v2 else MIN_TOTAL
    prefix = tune_id_prefix(path) if tune else V2_ID_PREFIX

    def check_item(item: dict, where: str, sources: dict[str, str]) -> list[str]:
        return _check_item_v2(item, where, sources, tune=tune, tune_prefix=prefix) if v2 else _check_item(
            item, where, sources)

    ids: Counter = Counter()
    cats: Counter = Counter()
    questions: Counter = Counter()
    n = len(items)
    for lineno, item in items:
        where = f"line {lineno}"
        if isinstance(item.get("id"), str):
            where = f"line {lineno} ({item['id']})"
            ids[item["id"]] += 1
        cats[item.get("category")] += 1
        if isinstance(item.get("question"), str) and isinstance(item.get("history"), list):
            hist_key = json.dumps(item["history"], ensure_ascii=False)
            questions[(" ".join(item["question"].lower().split()), hist_key)] += 1
        problems.extend(check_item(item, where, sources))

    for i, c in ids.items():
        if c > 1:
            problems.append(f"duplicate id {i!r} ({c} times)")
    for (qtext, _), c in questions.items():
        if c > 1:
            problems.append(f"duplicate question {qtext!r} ({c} times)")
    for cat, minimum in min_counts.items():
        if cats[cat] < minimum:
            problems.append(f"category {cat!r} has {cats[cat]} items, need >= {minimum}")
    if n < min_total:
        problems.append(f"dataset has {n} items, need >= {min_total}")
    if v2:
        # ids numbered 001, 002, ... within each category, with no gaps
        nums: dict = {}
        for i in ids:
            m = re.fullmatch(rf"{re.escape(prefix)}(.+)-(\d{{3}})", i)
            if m:
                nums.setdefault(m.group(1), []).append(int(m.group(2)))
        for cat, got in sorted(nums.items()):
            if sorted(set(got)) != list(range(1, len(set(got)) + 1)):
                problems.append(f"category {cat!r} ids are not numbered 001..{len(set(got)):03d} "
                                f"without gaps")
    return problems


def corpus_option(argv: list[str]) -> tuple[list[str], str | None]:
    """The command line's arguments without '--corpus DIR', and DIR (None when not given)."""
    args = argv[1:]
    corpus = None
    if "--corpus" in args:
        i = args.index("--corpus")
        corpus = args[i + 1] if i + 1 < len(args) else None
        del args[i:i + 2]
    return args, corpus


def main(argv: list[str]) -> int:
    args, corpus = corpus_option(argv)
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = check(args[0], corpus)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    items = [json.loads(line) for line in
             Path(args[0]).read_text(encoding="utf-8").splitlines() if line.strip()]
    counts = Counter(item["category"] for item in items)
    order = V2_MIN_COUNTS if _is_v2(Path(args[0]), items) else MIN_COUNTS
    summary = ", ".join(f"{c}={counts[c]}" for c in order)
    print(f"OK: {sum(counts.values())} items ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
