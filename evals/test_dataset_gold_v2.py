"""gold-v2 (held-out) and gold-tune-v3 (the composer's tune set) validate: quotes verbatim, key facts and list items
inside gold quotes, the v2 keys, ids and per-category minimums. Standard library only: no index, no model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.check_dataset import TUNE_MIN_COUNTS, TUNE_MIN_TOTAL, V2_MIN_COUNTS, V2_MIN_TOTAL, check

GOLD_V2 = Path(__file__).resolve().parent / "datasets" / "gold-v2.jsonl"


def _items() -> list[dict]:
    return [json.loads(line) for line in GOLD_V2.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gold_v2_has_no_problems():
    assert check(GOLD_V2) == []


def test_gold_v2_is_held_out_and_meets_minimums():
    items = _items()
    assert len(items) >= V2_MIN_TOTAL
    assert all(it["split"] == "heldout" for it in items)
    counts = Counter(it["category"] for it in items)
    for cat, minimum in V2_MIN_COUNTS.items():
        assert counts[cat] >= minimum, cat


def test_gold_v2_partial_and_list_items_are_well_formed():
    for it in _items():
        assert bool(it["uncovered"]) == (it["category"] == "partial"), it["id"]
        if it["category"] == "partial":
            assert not it["expect_refusal"] and it["gold"] and it["key_facts"], it["id"]
        if it["category"] == "list":
            assert len(it["list_items"]) >= 2, it["id"]


def test_v2_rules_catch_a_bad_item(tmp_path):
    items = _items()
    items[0] = dict(items[0], list_items=["not in any quote"], split="train")
    path = tmp_path / "gold-v2.jsonl"
    path.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items), encoding="utf-8")
    problems = check(path)
    assert any("list item 'not in any quote'" in p for p in problems)
    assert any("split must be 'heldout'" in p for p in problems)


GOLD_TUNE_V3 = Path(__file__).resolve().parent / "datasets" / "gold-tune-v3.jsonl"
GOLD_TUNE_V4 = Path(__file__).resolve().parent / "datasets" / "gold-tune-v4.jsonl"


@pytest.mark.parametrize("path", [GOLD_TUNE_V3, GOLD_TUNE_V4], ids=["tune-v3", "tune-v4"])
def test_gold_tune_sets_have_no_problems_and_are_tune_sets(path: Path) -> None:
    """The composer's tune sets in the v2 format: split 'tune', ids 't3-' / 't4-<category>-NNN', their own minimums."""
    assert check(path) == []
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(items) >= TUNE_MIN_TOTAL and all(it["split"] == "tune" for it in items)
    counts = Counter(it["category"] for it in items)
    assert all(counts[cat] >= minimum for cat, minimum in TUNE_MIN_COUNTS.items()), counts
