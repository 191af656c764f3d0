"""python -m assistant: a thin command line over the Assistant facade."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import MissionDeskError

if TYPE_CHECKING:
    from assistant.schemas import IngestReport


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
    report = assistant.ingest(
        [Path(p) for p in args.paths], progress=_progress_bar(), replace=args.replace, follow_links=args.follow_links,
        user=args.user,
    )
    return _print_report(report, args)


def _print_report(report: IngestReport, args: argparse.Namespace) -> int:
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
    return 1 if report.skipped and getattr(args, "strict", False) else 0


def cmd_remove(args: argparse.Namespace) -> int:
    from assistant import Assistant

    assistant = Assistant.load(build_if_missing=False)
    try:
        name = assistant.library_path(args.document, user=args.user)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    report = assistant.remove_source(args.document, user=args.user)
    if not args.json:
        print(f"removed {name}")
    return _print_report(report, args)


def cmd_share(args: argparse.Namespace) -> int:
    from assistant import Assistant

    assistant = Assistant.load(build_if_missing=False)
    try:
        name = assistant.share(args.document, shared=args.command == "share", user=args.user)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    print(f"{name} is now {'shared with the team' if args.command == 'share' else 'private to you'}")
    return 0


def cmd_fetch_evidence(args: argparse.Namespace) -> int:
    from assistant import Assistant
    from ingest.fetch import main_lines

    results, report = Assistant.load().fetch_evidence(args.only or None)
    print("\n".join(main_lines(results)))
    print(f"index: {report.chunks_total} chunks, {report.added} added" + ("" if report.changed else " (unchanged)"))
    return 1 if args.strict and any(not r.ok for r in results) else 0


def cmd_health(args: argparse.Namespace) -> int:
    from assistant.health import main as health_main

    return health_main(["--once"])


def cmd_sources(args: argparse.Namespace) -> int:
    from assistant import Assistant

    statuses = Assistant.load().sources(user=args.user)
    if args.json:
        print(json.dumps([{**s.record.model_dump(), "indexed": s.indexed, "chunks": s.chunks, "owner": s.owner,
                            "shared": s.shared} for s in statuses], indent=2))
        return 0
    for s in statuses:
        mark = f"{s.chunks:4d} chunks" if s.indexed else "  not indexed"
        access = "" if not s.owner else f" [{'shared' if s.shared else 'private'}, {s.owner}]"
        print(f"{s.record.id:36} {s.record.kind:15} {mark}  {s.record.citation[:90]}{access}")
    return 0


def _print_answer(answer) -> None:  # type: ignore[no-untyped-def]
    print(answer.answer)
    shown = answer.citations or answer.closest
    if answer.refused and answer.closest:
        print("\nClosest material:")
    elif shown:
        print("\nSources:")
    for c in shown:
        # The label says whose words these are: the source's, our summary of a work, or the user's own document.
        print(f"[{c.n}] {c.title} — {c.locator}\n    {c.label}: “{' '.join(c.quote.split())}”")
    for r in answer.removed:
        print(f"(removed: {r.sentence[:80]} — {r.reason})")


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant import Assistant

    answer = Assistant.load().ask(args.question, k=args.k, user=args.user)
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
            answer = assistant.ask(question, history, user=args.user)
        except MissionDeskError as exc:
            print(f"error: {exc}")
            continue
        _print_answer(answer)
        history.append((question, answer.answer))
    return 0


def _emit(result, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """Print a draft or claim check as JSON or Markdown (the default), and write DOCX if asked."""
    from assistant.export import to_docx, to_markdown

    if args.docx:
        print(f"wrote {to_docx(result, Path(args.docx))}", file=sys.stderr)
    if args.json:
        print(result.model_dump_json(indent=2))
    elif args.markdown or not args.docx:
        print(to_markdown(result))
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from assistant import Assistant

    assistant = Assistant.load()
    if args.kind == "metrics":
        return _emit(assistant.draft_metrics(args.mission, user=args.user), args)
    if args.kind == "mission-test":
        return _emit(assistant.draft_mission_test(args.proposal, file=Path(args.file) if args.file else None,
                                                  user=args.user), args)
    return _emit(assistant.draft_briefing(args.council, args.topic, marking=args.marking, date=args.date, to=args.to,
                                          sender=args.sender, user=args.user), args)


def cmd_check(args: argparse.Namespace) -> int:
    given = [name for name, value in (("a claim", args.claim), ("--file", args.file), ("--text", args.text))
             if value is not None]
    if len(given) != 1:
        args.parser.error("give exactly one of: a claim, --file PATH or --text TEXT (--text - reads standard input)"
                          + (f"; got {' and '.join(given)}" if given else ""))
    from assistant import Assistant

    assistant = Assistant.load()
    if args.claim is not None:
        return _emit(assistant.check(args.claim, user=args.user), args)
    if args.file is not None:
        return _emit(assistant.check_draft(file=Path(args.file), user=args.user), args)
    text = sys.stdin.read() if args.text == "-" else args.text
    return _emit(assistant.check_draft(text, user=args.user), args)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the pydantic model as JSON")
    p.add_argument("--markdown", action="store_true", help="print Markdown (the default)")
    p.add_argument("--docx", metavar="PATH", help="also write a Word document with numbered references")


def _add_drafting(sub) -> None:  # type: ignore[no-untyped-def]
    draft = sub.add_parser("draft", help="draft mission metrics, a mission-test assessment or a briefing note")
    kinds = draft.add_subparsers(dest="kind", required=True)
    p = kinds.add_parser("metrics", help="core, output and input metrics for a mission", parents=[AS_USER])
    p.add_argument("--mission", required=True, help="one of the report's missions, or a mission statement")
    _output_options(p)
    p = kinds.add_parser("mission-test", help="assess a spending proposal against the mission test", parents=[AS_USER])
    p.add_argument("--proposal", help="the proposal as text")
    p.add_argument("--file", help="a proposal document (.pdf, .md, .txt, .html)")
    _output_options(p)
    p = kinds.add_parser("briefing", help="a two-page briefing note for a mission council", parents=[AS_USER])
    p.add_argument("--council", required=True, help="the mission council: one of the report's missions")
    p.add_argument("--topic", required=True)
    p.add_argument("--marking", help="security marking (default: settings, OFFICIAL)")
    p.add_argument("--date", help="the note's date, YYYY-MM-DD (default: today)")
    p.add_argument("--to", help="who the note is for (default: the council's chair)")
    p.add_argument("--from", dest="sender", help="who the note is from (default: the mission council secretariat)")
    _output_options(p)
    draft.set_defaults(func=cmd_draft)
    p = sub.add_parser("check", help="check a claim, or a whole draft sentence by sentence, against the sources", parents=[AS_USER])
    p.add_argument("claim", nargs="?", help="one claim to check")
    p.add_argument("--file", metavar="PATH", help="check a whole draft: .docx, .pdf, .md or .txt")
    p.add_argument("--text", metavar="TEXT", help="check a whole draft given as text; '-' reads it from standard input")
    _output_options(p)
    p.set_defaults(func=cmd_check, parser=p)


# Every command acts as one user: --user (default: settings.default_user, the single-user owner) sees the catalogue,
# their own documents and those shared with the team, and owns what they add.
AS_USER = argparse.ArgumentParser(add_help=False)
AS_USER.add_argument("--user", help="act as this user (default: MISSION_DESK_DEFAULT_USER, 'local')")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index corpus/ and user documents (and add PATHs)", parents=[AS_USER])
    p.add_argument("paths", nargs="*", help="files or folders to add as user documents")
    p.add_argument("--json", action="store_true")
    p.add_argument("--strict", action="store_true", help="exit 1 if any file was skipped")
    p.add_argument("--replace", action="store_true",
                   help="a file named like a document already in the library replaces it (without this it is refused)")
    p.add_argument("--follow-links", action="store_true",
                   help="follow symbolic links (without this they are reported and skipped)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("remove", help="remove one of your documents from the library and the index", parents=[AS_USER])
    p.add_argument("document", help="its id (see `sources`), its path in the library, or its file name if unique")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_remove)

    for name, help_text in (("share", "share one of your documents with the team"),
                            ("unshare", "make one of your shared documents private again")):
        p = sub.add_parser(name, help=help_text, parents=[AS_USER])
        p.add_argument("document", help="its id (see `sources`), its path in your library, or its file name if unique")
        p.set_defaults(func=cmd_share)

    p = sub.add_parser("fetch-evidence", help="download the works the evidence notes summarise and index them beside "
                       "the notes (honours http_proxy/https_proxy)")
    p.add_argument("--only", action="append", metavar="ID", help="fetch only this catalogue id (repeatable)")
    p.add_argument("--strict", action="store_true", help="exit 1 if any work could not be fetched")
    p.set_defaults(func=cmd_fetch_evidence)

    sub.add_parser("health", help="print the readiness report as JSON; exit 0 when ready, 1 when not").set_defaults(
        func=cmd_health)

    p = sub.add_parser("sources", help="list the catalogue with what is indexed", parents=[AS_USER])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("ask", help="answer one question with citations", parents=[AS_USER])
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    p.add_argument("-k", type=int, default=None, help="passages to retrieve")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="a terminal chat with history", parents=[AS_USER])
    p.set_defaults(func=cmd_chat)

    # The evals are a separate program (python -m evals) that uses this package, never the other way round:
    # `eval` hands its arguments over to it.
    sub.add_parser("eval", help="run the gold set and baselines, write evals/results/ (see python -m evals --help)",
                   add_help=False)
    _add_drafting(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:
        return subprocess.call([sys.executable, "-m", "evals", *argv[1:]])
    args = build_parser().parse_args(argv)
    args.user = getattr(args, "user", None)
    try:
        return int(args.func(args))
    except (MissionDeskError, ImportError) as exc:  # ImportError: a configured chat model's package is missing
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
