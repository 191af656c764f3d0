"""python -m assistant: a thin command line over the Assistant facade."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import MissionDeskError


def _progress_bar():  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    bar = tqdm(total=0, unit="text", desc="embedding", file=sys.stderr)

    def update(done: int, total: int, stage: str) -> None:
        bar.total = total
        bar.set_description(stage)
        bar.n = done
        bar.refresh()
        if stage == "done":
            bar.close()

    return update


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant import Assistant

    assistant = Assistant()
    report = assistant.ingest([Path(p) for p in args.paths], progress=_progress_bar())
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(
            f"{report.files} files, {report.chunks_total} chunks: {report.added} added, {report.updated} updated, "
            f"{report.removed} removed, {report.unchanged} unchanged in {report.seconds:.1f} s"
            + ("" if report.changed else " (index already up to date)")
        )
        for skipped in report.skipped:
            print(f"skipped {skipped.path}: {skipped.reason}")
    return 1 if report.skipped and args.strict else 0


def cmd_sources(args: argparse.Namespace) -> int:
    from assistant import Assistant

    statuses = Assistant.load().sources()
    if args.json:
        print(json.dumps([{**s.record.model_dump(), "indexed": s.indexed, "chunks": s.chunks} for s in statuses], indent=2))
        return 0
    for s in statuses:
        mark = f"{s.chunks:4d} chunks" if s.indexed else "  not indexed"
        print(f"{s.record.id:36} {s.record.kind:15} {mark}  {s.record.citation[:90]}")
    return 0


def _print_answer(answer) -> None:  # type: ignore[no-untyped-def]
    print(answer.answer)
    shown = answer.citations or answer.closest
    if answer.refused and answer.closest:
        print("\nClosest material:")
    elif shown:
        print("\nSources:")
    for c in shown:
        print(f"[{c.n}] {c.title} — {c.locator}\n    “{' '.join(c.quote.split())}”")
    for r in answer.removed:
        print(f"(removed: {r.sentence[:80]} — {r.reason})")


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant import Assistant

    answer = Assistant.load().ask(args.question, k=args.k)
    if args.json:
        print(answer.model_dump_json(indent=2))
    else:
        _print_answer(answer)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant import Assistant

    assistant = Assistant.load()
    history: list[tuple[str, str]] = []
    print("Mission Desk chat — ask about The smarter state and its evidence. Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = assistant.ask(question, history)
        except MissionDeskError as exc:
            print(f"error: {exc}")
            continue
        _print_answer(answer)
        history.append((question, answer.answer))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index corpus/ and user documents (and add PATHs)")
    p.add_argument("paths", nargs="*", help="files or folders to add as user documents")
    p.add_argument("--json", action="store_true")
    p.add_argument("--strict", action="store_true", help="exit 1 if any file was skipped")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("sources", help="list the catalogue with what is indexed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("ask", help="answer one question with citations")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    p.add_argument("-k", type=int, default=None, help="passages to retrieve")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="a terminal chat with history")
    p.set_defaults(func=cmd_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except MissionDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
