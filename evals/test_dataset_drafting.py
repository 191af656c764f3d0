"""Fast check that the drafting dataset is valid (no model, no index; stdlib only)."""
from __future__ import annotations

import json
from pathlib import Path

from evals.check_drafting_dataset import DEFAULT_DATASET, check


def test_drafting_dataset_has_no_problems() -> None:
    assert check(DEFAULT_DATASET) == []


def test_checker_catches_a_bad_record(tmp_path: Path) -> None:
    lines = DEFAULT_DATASET.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    stated = next(k for k, v in rec["facts"].items() if v is not None)
    rec["facts"][stated]["words"] = "words that are not in the proposal"
    rec["questions_expected"].append(f"What about {rec['facts']['years']['words']}?")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(rec), *lines[1:], lines[1]]) + "\n", encoding="utf-8")
    problems = check(bad)
    assert any("not found verbatim" in p for p in problems)
    assert any("asks about stated fact" in p for p in problems)
    assert any("appears 2 times" in p for p in problems)
