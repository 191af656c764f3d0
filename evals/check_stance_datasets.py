#!/usr/bin/env python3
"""Validate the stance datasets: the citation-verifier set and the held-out claim set.

Usage:
    python3 evals/check_stance_datasets.py [VERIFIER.jsonl [CLAIMS.jsonl]] [--corpus DIR]
    python3 evals/check_stance_datasets.py --tune-claims CLAIMS.jsonl  (a tune set of claims only)
    python3 evals/check_stance_datasets.py --tune-verifier VERIFIER.jsonl  (a tune file of verifier sentences)
    python3 evals/check_stance_datasets.py --heldout-verifier VERIFIER.jsonl  (the second held-out verifier file)

Defaults: evals/datasets/verifier-v1.jsonl and evals/datasets/claims-v2.jsonl.
`check_verifier(path)` and `check_claims(path)` return lists of problems (empty = valid);
the __main__ entry point prints them and exits 1 if there are any. Stdlib only.

Verifier items (one chat-model sentence citing one passage)
------------------------------------------------------------
- keys exactly VERIFIER_KEYS, all strings; ids "ver-NNN", unique;
- passage_quote is an exact, case-sensitive substring of its source (the whole report, or an
  evidence note's body after the front matter, as `check_dataset.load_sources` reads it),
  20-400 characters, no surrounding whitespace;
- sentence ends with a citation marker (" [1]." style) and, marker removed, is not the
  passage_quote itself (case, spacing and punctuation ignored); sentences are unique;
- label is "faithful" or one of ERROR_LABELS; conflict is "" for faithful items and, for errors,
  a non-empty exact substring of passage_quote;
- numbers: a faithful or number_misbound sentence states only numbers that are in its
  passage_quote; a number_changed sentence states at least one number that is not;
- split is "heldout" exactly when the id's number mod 5 is 0 or 1, else "tune";
- at least MIN_FAITHFUL faithful items, MIN_PER_ERROR of each error label, MIN_VERIFIER in all,
  and every label's heldout share within HELDOUT_SHARE.

Claim items (held-out claim checker set)
----------------------------------------
- the claim keys of gold-v1 plus "split" == "heldout"; ids "v2-claim-NNN", unique; category "claim";
- every v1 claim rule (exact gold quotes, key facts inside them, verdicts, no copied runs of words),
  by calling check_dataset's own item check on the item without "split";
- mixed claims carry at least two key facts (one for each side); claims are unique;
- at least MIN_CLAIM_VERDICTS of each verdict and MIN_CLAIMS in all.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

try:  # imported as part of the evals package (pytest, python -m)
    from evals.check_dataset import (
        DEFAULT_CORPUS,
        REPORT_ID,
        REQUIRED_KEYS,
        VERDICTS,
        _check_item,
        corpus_option,
        load_sources,
        read_jsonl,
    )
except ImportError:  # run as a script: python3 evals/check_stance_datasets.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from check_dataset import (  # type: ignore[no-redef]
        DEFAULT_CORPUS,
        REPORT_ID,
        REQUIRED_KEYS,
        VERDICTS,
        _check_item,
        corpus_option,
        load_sources,
        read_jsonl,
    )

DATASETS = Path(__file__).resolve().parent / "datasets"
VERIFIER_PATH = DATASETS / "verifier-v1.jsonl"
CLAIMS_PATH = DATASETS / "claims-v2.jsonl"

# ---- verifier set ----
VERIFIER_KEYS = {"id", "question", "source_id", "passage_quote", "sentence", "label",
                 "conflict", "split", "notes"}
ERROR_LABELS = ("reversed_comparison", "opposite_verb", "number_misbound", "wrong_entity",
                "reversed_contrast", "quantifier", "hedge", "wrong_actor", "number_changed")
LABELS = ("faithful",) + ERROR_LABELS
MIN_FAITHFUL = 90
MIN_PER_ERROR = 16
MIN_VERIFIER = 216
# A tune file of verifier sentences (verifier-tune-v2: written to tune on, never held out).
VERIFIER_TUNE_PATH = DATASETS / "verifier-tune-v2.jsonl"
MIN_TUNE_FAITHFUL = 50
MIN_TUNE_PER_ERROR = 10
MIN_TUNE_VERIFIER = 140
# A second held-out verifier file (verifier-heldout-v3: written after verifier-v1's held-out misses had been read).
VERIFIER_HELDOUT_PATH = DATASETS / "verifier-heldout-v3.jsonl"
MIN_HELDOUT_FAITHFUL = 50
MIN_HELDOUT_PER_ERROR = 10
MIN_HELDOUT_VERIFIER = 140
PASSAGE_MIN_CHARS = 20
PASSAGE_MAX_CHARS = 400
HELDOUT_SHARE = (0.30, 0.50)
SPLITS = ("tune", "heldout")
MARKER_END = re.compile(r"\s\[\d+\]\.$")
MARKER = re.compile(r"\s*\[\d+\]")

# ---- claim set ----
CLAIM_KEYS = set(REQUIRED_KEYS) | {"split"}
MIN_CLAIM_VERDICTS = {"supported": 10, "contradicted": 10, "mixed": 10, "not enough evidence": 8}
MIN_CLAIMS = 55
# A tune set of claims (written to tune the claim checker on; never the held-out set).
TUNE_CLAIM_VERDICTS = {"supported": 8, "contradicted": 8, "mixed": 8, "not enough evidence": 6}
MIN_TUNE_CLAIMS = 40

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_REFERENCE = re.compile(r"\b(?:figure|table|box|chapter|step)s?\s+\d+(?:\.\d+)?", re.IGNORECASE)
_NUM_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
              "ten", "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred"}


def heldout_by_rule(number: int) -> bool:
    """The split rule: an item is held out when its id number mod 5 is 0 or 1 (40 %)."""
    return number % 5 in (0, 1)


def _numbers(text: str, words: bool = False) -> set[str]:
    """Numbers a text states; references such as 'figure 1.6' or 'table 2.1' are not numbers."""
    text = _REFERENCE.sub(" ", text)
    found = set(_NUM.findall(text))
    if words:
        found |= {w for w in re.findall(r"[a-z]+", text.lower()) if w in _NUM_WORDS}
    return found


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _load(path, corpus_dir) -> tuple[dict, list[tuple[int, dict]], list[str]]:  # type: ignore[no-untyped-def]
    """The corpus sources, the dataset's (line, item) pairs, and the problems found reading either."""
    sources, problems = _sources(corpus_dir)
    try:
        items, line_problems = read_jsonl(Path(path))
    except OSError as e:
        return sources, [], problems + [f"cannot read {path}: {e}"]
    return sources, items, problems + line_problems


def _where(lineno: int, item: dict) -> str:
    return f"line {lineno}" + (f" ({item['id']})" if isinstance(item.get("id"), str) else "")


def _sources(corpus_dir) -> tuple[dict[str, str], list[str]]:
    corpus = Path(corpus_dir) if corpus_dir else DEFAULT_CORPUS
    sources = load_sources(corpus)
    return sources, ([] if REPORT_ID in sources else [f"report {REPORT_ID}.txt not found in {corpus}"])


def _check_verifier_item(item: dict, where: str, sources: dict[str, str], prefix: str = "ver",
                         file_split: str = "tune") -> list[str]:
    """One verifier item. ``prefix`` 'ver': verifier-v1 (split by the id rule); any other ('vt2', 'vh3'): a later
    file whose every item has ``file_split``."""
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    if set(item) != VERIFIER_KEYS:
        bad(f"wrong keys (missing={sorted(VERIFIER_KEYS - set(item))}, "
            f"extra={sorted(set(item) - VERIFIER_KEYS)})")
        return problems
    for key in sorted(VERIFIER_KEYS):
        if not isinstance(item[key], str):
            bad(f"{key} must be a string")
    if problems:
        return problems
    for key in ("question", "sentence", "source_id", "passage_quote"):
        if not item[key].strip():
            bad(f"{key} must not be empty")

    m = re.fullmatch(rf"{prefix}-(\d{{3}})", item["id"])
    if not m:
        bad(f"id {item['id']!r} does not match '{prefix}-NNN'")
    split = item["split"]
    if split not in SPLITS:
        bad(f"split must be one of {SPLITS}, got {split!r}")
    elif prefix != "ver":
        if split != file_split:
            bad(f"split must be {file_split!r} in this file, got {split!r}")
    elif m:
        want = "heldout" if heldout_by_rule(int(m.group(1))) else "tune"
        if split != want:
            bad(f"split {split!r} breaks the rule (id number mod 5 in {{0, 1}} -> heldout): want {want!r}")

    sid, quote = item["source_id"], item["passage_quote"]
    if sid not in sources:
        bad(f"unknown source_id {sid!r}")
    elif quote not in sources[sid]:
        bad(f"passage_quote not found verbatim in {sid}: {quote!r}")
    if not PASSAGE_MIN_CHARS <= len(quote) <= PASSAGE_MAX_CHARS:
        bad(f"passage_quote length {len(quote)} outside {PASSAGE_MIN_CHARS}-{PASSAGE_MAX_CHARS} chars")
    if quote != quote.strip():
        bad("passage_quote has leading/trailing whitespace")

    sentence = item["sentence"]
    if not MARKER_END.search(sentence):
        bad("sentence must end with a citation marker like ' [1].'")
    bare = MARKER.sub("", sentence)
    if _norm(bare) == _norm(quote):
        bad("sentence only repeats passage_quote")

    label, conflict = item["label"], item["conflict"]
    if label not in LABELS:
        bad(f"label must be one of {LABELS}, got {label!r}")
    elif label == "faithful":
        if conflict != "":
            bad("faithful items must have conflict \"\"")
    else:
        if not conflict.strip():
            bad(f"{label} item needs the conflicting words of passage_quote in conflict")
        elif conflict not in quote:
            bad(f"conflict {conflict!r} is not inside passage_quote")

    if label in ("faithful", "number_misbound"):
        extra = _numbers(bare) - _numbers(quote)
        if extra:
            bad(f"{label} sentence states numbers not in passage_quote: {sorted(extra)}")
    elif label == "number_changed":
        if not _numbers(bare, words=True) - _numbers(quote, words=True):
            bad("number_changed sentence states no number that is absent from passage_quote")
    return problems


def check_verifier(path=VERIFIER_PATH, corpus_dir=None, *, prefix="ver", file_split="tune",
                   min_faithful=MIN_FAITHFUL, min_per_error=MIN_PER_ERROR, min_total=MIN_VERIFIER) -> list[str]:
    """Return the problems found in the verifier JSONL dataset at `path` (a tune file: ``check_tune_verifier``)."""
    sources, items, problems = _load(path, corpus_dir)
    ids: Counter = Counter()
    sentences: Counter = Counter()
    labels: Counter = Counter()
    heldout: Counter = Counter()
    for lineno, item in items:
        where = _where(lineno, item)
        problems.extend(_check_verifier_item(item, where, sources, prefix, file_split))
        if isinstance(item.get("id"), str):
            ids[item["id"]] += 1
        if isinstance(item.get("sentence"), str):
            sentences[" ".join(item["sentence"].split())] += 1
        label = item.get("label")
        if label in LABELS:
            labels[label] += 1
            heldout[label] += item.get("split") == "heldout"
    problems += [f"duplicate id {i!r} ({c} times)" for i, c in ids.items() if c > 1]
    problems += [f"duplicate sentence {s!r}" for s, c in sentences.items() if c > 1]
    if labels["faithful"] < min_faithful:
        problems.append(f"label 'faithful' has {labels['faithful']} items, need >= {min_faithful}")
    for label in ERROR_LABELS:
        if labels[label] < min_per_error:
            problems.append(f"label {label!r} has {labels[label]} items, need >= {min_per_error}")
    lo, hi = HELDOUT_SHARE
    for label in LABELS if prefix == "ver" else ():
        if labels[label] and not lo <= heldout[label] / labels[label] <= hi:
            problems.append(f"label {label!r}: {heldout[label]}/{labels[label]} heldout, "
                            f"outside {lo:.0%}-{hi:.0%}")
    if len(items) < min_total:
        problems.append(f"dataset has {len(items)} items, need >= {min_total}")
    return problems


def check_tune_verifier(path=VERIFIER_TUNE_PATH, corpus_dir=None) -> list[str]:
    """The problems of a tune file of verifier sentences (ids "vt2-NNN", every item split "tune")."""
    return check_verifier(path, corpus_dir, prefix="vt2", min_faithful=MIN_TUNE_FAITHFUL,
                          min_per_error=MIN_TUNE_PER_ERROR, min_total=MIN_TUNE_VERIFIER)


def check_heldout_verifier(path=VERIFIER_HELDOUT_PATH, corpus_dir=None) -> list[str]:
    """The problems of the second held-out verifier file (ids "vh3-NNN", every item split "heldout")."""
    return check_verifier(path, corpus_dir, prefix="vh3", file_split="heldout", min_faithful=MIN_HELDOUT_FAITHFUL,
                          min_per_error=MIN_HELDOUT_PER_ERROR, min_total=MIN_HELDOUT_VERIFIER)


def check_claims(path=CLAIMS_PATH, corpus_dir=None, *, split="heldout", version="v2",
                 minimums=None, min_total=MIN_CLAIMS) -> list[str]:
    """Return the problems found in the held-out claim JSONL dataset at `path`.

    A tune set of claims (``--tune-claims``) is checked by the same rules with its own split ("tune"),
    id prefix ("v3-claim-NNN") and minimum counts (TUNE_CLAIM_VERDICTS, MIN_TUNE_CLAIMS)."""
    minimums = MIN_CLAIM_VERDICTS if minimums is None else minimums
    sources, items, problems = _load(path, corpus_dir)
    ids: Counter = Counter()
    claims: Counter = Counter()
    verdicts: Counter = Counter()
    for lineno, item in items:
        where = _where(lineno, item)
        if set(item) != CLAIM_KEYS:
            problems.append(f"{where}: wrong keys (missing={sorted(CLAIM_KEYS - set(item))}, "
                            f"extra={sorted(set(item) - CLAIM_KEYS)})")
            continue
        m = re.fullmatch(rf"{version}-claim-(\d{{3}})", item["id"]) if isinstance(item["id"], str) else None
        if not m:
            problems.append(f"{where}: id {item['id']!r} does not match '{version}-claim-NNN'")
        if item["category"] != "claim":
            problems.append(f"{where}: category must be 'claim'")
        if item["split"] != split:
            problems.append(f"{where}: split must be {split!r}")
        # The v1 rules, on the item as v1 would hold it (no split, v1-style id).
        v1 = {k: v for k, v in item.items() if k != "split"}
        v1["id"] = f"claim-{m.group(1)}" if m else "claim-000"
        problems.extend(_check_item(v1, where, sources))
        ids[item["id"]] += 1
        if isinstance(item["question"], str):
            claims[" ".join(item["question"].lower().split())] += 1
        verdicts[item["verdict"]] += 1
        if item["verdict"] == "mixed" and isinstance(item["key_facts"], list) and len(item["key_facts"]) < 2:
            problems.append(f"{where}: a mixed claim needs key facts for both sides (>= 2)")
    problems += [f"duplicate id {i!r} ({c} times)" for i, c in ids.items() if c > 1]
    problems += [f"duplicate claim {q!r}" for q, c in claims.items() if c > 1]
    for verdict, minimum in minimums.items():
        if verdicts[verdict] < minimum:
            problems.append(f"verdict {verdict!r} has {verdicts[verdict]} claims, need >= {minimum}")
    unknown = set(verdicts) - set(VERDICTS)
    if unknown:
        problems.append(f"unknown verdicts {sorted(map(str, unknown))}")
    if len(items) < min_total:
        problems.append(f"dataset has {len(items)} claims, need >= {min_total}")
    return problems


def _summary(path: Path, key: str) -> str:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    counts: dict = {}
    for r in rows:
        c = counts.setdefault(r[key], Counter())
        c[r.get("split")] += 1
    parts = [f"{k}={sum(c.values())} (tune {c['tune']}, heldout {c['heldout']})" for k, c in counts.items()]
    return f"{len(rows)} items: " + ", ".join(parts)


def check_tune_claims(path, corpus_dir=None, version: str | None = None) -> list[str]:
    """The problems of a tune set of claims (ids "<version>-claim-NNN", split "tune"); the version is read from
    the file name ('claims-tune-v4.jsonl' -> 'v4') unless given."""
    named = re.search(r"-(v\d+)\.jsonl$", str(path))
    version = version or (named.group(1) if named else "v3")
    return check_claims(path, corpus_dir, split="tune", version=version, minimums=TUNE_CLAIM_VERDICTS,
                        min_total=MIN_TUNE_CLAIMS)


def main(argv: list[str]) -> int:
    args, corpus = corpus_option(argv)
    if args[:1] in (["--tune-verifier"], ["--heldout-verifier"]) and len(args) == 2:  # one later verifier file
        path = Path(args[1])
        problems = (check_tune_verifier if args[0] == "--tune-verifier" else check_heldout_verifier)(path, corpus)
        for p in problems:
            print(f"{path.name}: {p}")
        if problems:
            return 1
        print(f"OK verifier {path.name}: {_summary(path, 'label')}")
        return 0
    if args[:1] == ["--tune-claims"] and len(args) == 2:  # validate one tune claim file only
        path = Path(args[1])
        problems = check_tune_claims(path, corpus)
        for p in problems:
            print(f"{path.name}: {p}")
        if problems:
            return 1
        print(f"OK tune claims {path.name}: {_summary(path, 'verdict')}")
        return 0
    if len(args) > 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    verifier = Path(args[0]) if args else VERIFIER_PATH
    claims = Path(args[1]) if len(args) > 1 else CLAIMS_PATH
    status = 0
    for name, path, fn, key in (("verifier", verifier, check_verifier, "label"),
                                ("claims", claims, check_claims, "verdict")):
        problems = fn(path, corpus)
        for p in problems:
            print(f"{path.name}: {p}")
        if problems:
            print(f"{path.name}: {len(problems)} problem(s) found", file=sys.stderr)
            status = 1
        else:
            print(f"OK {name} {path.name}: {_summary(path, key)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
