"""`python -m evals` (also `python -m assistant eval`): run the gold sets, print metrics beside the baselines.

Without --dataset it runs gold-v1 (tuned) and gold-v2 (held out) in one run and writes one report; the same
run scores the citation verifier (verifier-v1) and the claim checker (gold-v1's claims, claims-v2) unless
--no-stance, the drafting set (drafting-v1) unless --no-drafting, and the adversarial documents
(adversarial-docs-v1, on their own index) unless --no-adversarial.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from evals.adversarial import adversarial_markdown, adversarial_thresholds, run_adversarial
from evals.drafting import GATED_SCOPES as DRAFTING_GATED_SCOPES
from evals.drafting import drafting_markdown, drafting_thresholds, run_drafting
from evals.report import print_table, write
from evals.runner import (
    DATASETS,
    STANCE_SCOPES,
    below_thresholds,
    eval_settings,
    load_thresholds,
    run,
    stance_thresholds,
    thresholds_for,
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals", description="Mission Desk citation evals")
    p.add_argument("--dataset", type=Path, default=None, help="one JSONL gold set (default: gold-v1 and gold-v2 in one run)")
    p.add_argument("--mode", choices=["embedded", "llm"], default="embedded")
    p.add_argument("--k", type=int, default=None, help="passages to retrieve (default: the setting)")
    p.add_argument("--no-baselines", action="store_true", help="skip the naive dense and BM25 baselines")
    p.add_argument("--judge", action="store_true", help="also judge citations with the configured chat model")
    p.add_argument("--no-stance", action="store_true",
                   help="skip the citation-verifier set (verifier-v1) and the claim-checker sets (claims v1, v2)")
    p.add_argument("--no-drafting", action="store_true", help="skip the drafting set (drafting-v1)")
    p.add_argument("--only-drafting", action="store_true",
                   help="run only the drafting set (no gold sets, baselines or stance sets): quick, while drafting")
    p.add_argument("--no-adversarial", action="store_true",
                   help="skip the adversarial-document set (adversarial-docs-v1, on its own index)")
    p.add_argument("--only-adversarial", action="store_true",
                   help="run only the adversarial-document set (injection and spoofing documents): about a minute")
    p.add_argument("--no-write", action="store_true", help="print only; write nothing under evals/results/")
    p.add_argument("--check", action="store_true", help="exit 1 if the embedded mode misses evals/thresholds.toml")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    bars: dict[str, tqdm] = {}

    def progress(system: str, done: int, total: int) -> None:
        if system not in bars:
            bars[system] = tqdm(total=total, desc=system, unit="item", file=sys.stderr, leave=False)
        bars[system].update(done - bars[system].n)

    if args.only_drafting:
        return _only_drafting(args.mode)
    if args.only_adversarial:
        return _only_adversarial(args.check)
    report = run(args.dataset or DATASETS, mode=args.mode, k=args.k, baselines=not args.no_baselines,
                 judge=args.judge, progress=progress, stance=not args.no_stance, drafting=not args.no_drafting,
                 adversarial=not args.no_adversarial)
    for bar in bars.values():
        bar.close()
    print_table(report)
    if not args.no_write:
        print("wrote " + ", ".join(str(p) for p in write(report)))
    problems: list[str] = []
    if args.mode == "embedded":
        thresholds = load_thresholds()
        for part in report.datasets:
            gate = thresholds_for(thresholds, part.key)
            problems += [f"{part.label}: {p}" for p in below_thresholds(part.systems[0].metrics, gate)]
        if report.stance:
            for scope, label in STANCE_SCOPES.items():
                gate = stance_thresholds(thresholds, scope)
                problems += [f"{label}: {p}" for p in below_thresholds(report.stance.metrics.get(scope, {}), gate)]
        if report.drafting:
            for scope in DRAFTING_GATED_SCOPES:
                gate = drafting_thresholds(thresholds, scope)
                problems += [f"drafting {scope}: {p}" for p in below_thresholds(report.drafting.metrics[scope], gate)]
    if report.adversarial:  # always the embedded mode, whatever --mode says
        gate = adversarial_thresholds(load_thresholds())
        problems += [f"adversarial: {p}" for p in below_thresholds(report.adversarial.metrics, gate)]
    for problem in problems:
        print(f"below the gate: {problem}", file=sys.stderr)
    return 1 if problems and args.check else 0


def _only_drafting(mode: str) -> int:
    """The drafting set alone on a fresh index, its section of the report printed (nothing written)."""
    import tempfile

    from assistant import Assistant
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory(prefix="mission-desk-eval-") as tmp:
        config = eval_settings(Settings(), Path(tmp) / "index", mode, None)  # type: ignore[arg-type]
        report = run_drafting(Assistant.load(config))
    print("\n".join(drafting_markdown(report, load_thresholds())))
    return 0


def _only_adversarial(check: bool) -> int:
    """The adversarial-document set alone (its own fresh index), its section printed (nothing written)."""
    thresholds = load_thresholds()
    report = run_adversarial()
    print("\n".join(adversarial_markdown(report, thresholds)))
    problems = below_thresholds(report.metrics, adversarial_thresholds(thresholds))
    for problem in problems:
        print(f"below the gate: adversarial: {problem}", file=sys.stderr)
    return 1 if problems and check else 0


if __name__ == "__main__":
    sys.exit(main())
