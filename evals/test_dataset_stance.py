"""The verifier and claim-checker datasets are valid (fast: no index, no model)."""

from __future__ import annotations

import json

from evals.check_stance_datasets import (
    CLAIMS_PATH,
    VERIFIER_PATH,
    check_claims,
    check_heldout_verifier,
    check_tune_claims,
    check_tune_verifier,
    check_verifier,
)


def test_verifier_dataset_has_no_problems():
    assert check_verifier(VERIFIER_PATH) == []


def test_later_verifier_files_have_no_problems():
    assert check_tune_verifier() == []
    assert check_heldout_verifier() == []


def test_claims_dataset_has_no_problems():
    assert check_claims(CLAIMS_PATH) == []


def test_tune_claim_sets_have_no_problems():
    datasets = CLAIMS_PATH.parent
    assert check_tune_claims(datasets / "claims-tune-v3.jsonl") == []
    assert check_tune_claims(datasets / "claims-tune-v4.jsonl") == []
    assert check_tune_claims(datasets / "claims-tune-v5.jsonl") == []


def _rewrite(src, dst, change):
    lines = src.read_text(encoding="utf-8").splitlines()
    item = json.loads(lines[0])
    change(item)
    lines[0] = json.dumps(item, ensure_ascii=False)
    dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dst


def test_verifier_check_catches_a_paraphrased_quote_and_a_wrong_split(tmp_path):
    def change(item):
        item["passage_quote"] = item["passage_quote"].replace(" ", "  ", 1)
        item["split"] = "tune" if item["split"] == "heldout" else "heldout"

    problems = check_verifier(_rewrite(VERIFIER_PATH, tmp_path / "v.jsonl", change))
    assert any("not found verbatim" in p for p in problems)
    assert any("breaks the rule" in p for p in problems)


def test_claims_check_catches_a_missing_split(tmp_path):
    problems = check_claims(_rewrite(CLAIMS_PATH, tmp_path / "c.jsonl", lambda item: item.pop("split")))
    assert any("wrong keys" in p for p in problems)
