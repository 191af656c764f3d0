"""Calibrate Settings.answer.refusal_threshold on a gold dataset.

The Assistant refuses when the best candidate score of the retrieved passages (Assistant.relevance,
the same number Assistant.ask compares) is below the threshold, or when the question names something
no source mentions. This script computes that score for every non-claim item, prints the
distribution for answerable and must-refuse items, and the threshold that maximises refusal accuracy
while still answering at least ``--min-kept`` of the answerable items.

    python evals/calibrate.py [--dataset evals/datasets/gold-v1.jsonl] [--min-kept 0.97]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evals import metrics as m
from evals.runner import DEFAULT_DATASET, GoldItem, eval_settings, load_dataset

NEVER = -1.0  # score given to questions refused for unknown names: no threshold answers them


@dataclass(frozen=True)
class Scored:
    item: GoldItem
    score: float
    unknown: tuple[str, ...]

    @property
    def effective(self) -> float:
        return NEVER if self.unknown else self.score


def score_items(assistant, items: Sequence[GoldItem]) -> list[Scored]:  # type: ignore[no-untyped-def]
    """The best candidate score (and any unknown names) of each non-claim item, as ``ask`` sees it."""
    from assistant.conversation import rewrite

    out = []
    for item in items:
        if item.is_claim:
            continue
        question = rewrite(" ".join(item.question.split()), item.history) if item.history else item.question
        passages, vector = assistant.retrieve(question)
        score = float(assistant.relevance(passages, question, vector))
        out.append(Scored(item, round(score, 4), tuple(assistant.retriever.unknown_names(question))))
    return out


@dataclass(frozen=True)
class Calibration:
    scored: list[Scored]
    best: m.ThresholdChoice
    unconstrained: m.ThresholdChoice
    current: m.ThresholdChoice


def calibrate(scored: list[Scored], current: float, min_kept: float) -> Calibration:
    answerable = [s.effective for s in scored if not s.item.expect_refusal]
    refuse = [s.effective for s in scored if s.item.expect_refusal]
    best = m.best_threshold(answerable, refuse, min_kept)
    unconstrained = m.best_threshold(answerable, refuse, 0.0)
    kept = sum(a >= current for a in answerable)
    caught = sum(r < current for r in refuse)
    now = m.ThresholdChoice(
        current, (kept + caught) / len(scored), kept / max(1, len(answerable)), caught / max(1, len(refuse))
    )
    return Calibration(scored, best, unconstrained, now)


def report(cal: Calibration) -> str:
    """The distribution, item by item near the cut, and the recommendation."""
    lines = ["Best candidate score per item (u = refused for unknown names whatever the threshold):", ""]
    ordered = sorted(cal.scored, key=lambda s: s.score)
    for s in ordered:
        tag = "REFUSE" if s.item.expect_refusal else "answer"
        flag = f" u:{','.join(s.unknown)}" if s.unknown else ""
        lines.append(f"  {s.score:6.3f}  {tag}  {s.item.id:18} {s.item.question[:70]}{flag}")
    lines += ["", "Histogram (bucket: answerable / must-refuse):"]
    for low in [x / 20 for x in range(0, 30)]:
        a = sum(low <= s.score < low + 0.05 for s in cal.scored if not s.item.expect_refusal)
        r = sum(low <= s.score < low + 0.05 for s in cal.scored if s.item.expect_refusal)
        if a or r:
            lines.append(f"  [{low:.2f}, {low + 0.05:.2f})  {'#' * a}{' ' * max(0, 30 - a)} {a:3d} / {r:2d} {'x' * r}")
    for label, c in (("current", cal.current), ("recommended", cal.best), ("max accuracy, any recall", cal.unconstrained)):
        lines.append(
            f"{label:>26}: threshold {c.threshold:.3f}  accuracy {c.accuracy:.3f}  "
            f"answerable answered {c.answerable_kept:.3f}  must-refuse refused {c.refusals_caught:.3f}  gap {c.margin:.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--min-kept", type=float, default=0.97, help="share of answerable items that must be answered")
    args = parser.parse_args(argv)
    from assistant import Assistant

    with tempfile.TemporaryDirectory(prefix="mission-desk-calibrate-") as tmp:
        settings = eval_settings(None, Path(tmp), "embedded", None)
        assistant = Assistant.load(settings)
        cal = calibrate(score_items(assistant, load_dataset(args.dataset)), settings.answer.refusal_threshold, args.min_kept)
    print(report(cal))
    return 0


if __name__ == "__main__":
    sys.exit(main())
