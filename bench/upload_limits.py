"""Upload limits benchmark: what one hostile or oversized upload costs the next process load and the ingest.

Run: .venv/bin/python bench/upload_limits.py
Prints, measured in this one run (no fixed timings, so it holds on any machine):
- process load (a fresh Assistant building its retrieval snapshot) with and without a document holding one
  5 MB unbroken token, as a ratio and as added seconds (goal: <= 2 s added);
- the ingest of that document, and the refusal time of a 19 MB text under the default budget;
- embedding throughput, from which the default ``ingest.max_chunks`` budget was set.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant  # noqa: E402
from assistant.embeddings import MiniLMEmbeddings  # noqa: E402
from assistant.settings import PROJECT_ROOT, IngestSettings, Settings  # noqa: E402

TOKEN_CHARS = 5_000_000


def _load_seconds(settings: Settings, embeddings: MiniLMEmbeddings, runs: int = 3) -> float:
    """Median time for a new Assistant (as a new process would) to read the index and build its snapshot."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        Assistant.load(settings, embeddings=embeddings, build_if_missing=False)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    models = PROJECT_ROOT / ".mission-desk" / "models"
    embeddings = MiniLMEmbeddings(models)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # The budget is raised for this document only so that its effect on loading can be measured at all.
        settings = Settings(
            data_dir=root / "data", models_dir=models, ingest=IngestSettings(max_text_chars=TOKEN_CHARS * 2)
        )
        assistant = Assistant.load(settings, embeddings=embeddings)
        before = _load_seconds(settings, embeddings)

        token_doc = root / "token.txt"
        token_doc.write_text("A note with one very long token.\n\n" + "x" * TOKEN_CHARS + "\n\nThe end of the note.\n")
        began = time.perf_counter()
        report = assistant.ingest([token_doc])
        token_ingest = time.perf_counter() - began
        after = _load_seconds(settings, embeddings)

        big = root / "big.txt"
        paragraph = "The canal trust counted boats, locks and herons along the towpath in each season. "
        big.write_text((paragraph * 12 + "\n\n") * (19_000_000 // (len(paragraph) * 12 + 2)))
        default = Settings(data_dir=root / "data", models_dir=models)
        began = time.perf_counter()
        refused = Assistant(default, embeddings=embeddings).ingest([big])
        refusal = time.perf_counter() - began

        prose = root / "prose.txt"
        prose.write_text("\n\n".join(f"Section {i}. " + paragraph * 10 for i in range(300)))
        began = time.perf_counter()
        prose_report = Assistant(default, embeddings=embeddings).ingest([prose])
        prose_seconds = time.perf_counter() - began

    print(f"5 MB-token document: indexed={not report.skipped}, ingest {token_ingest:.1f} s")
    print(f"process load without it: {before:.2f} s   with it: {after:.2f} s")
    print(f"ratio with/without: {after / before:.2f}   added: {after - before:+.2f} s (goal <= 2 s)")
    reason = refused.skipped[0].reason if refused.skipped else "accepted"
    print(f"19 MB text under the default budget: {refusal:.2f} s -> {reason}")
    chunks = prose_report.added
    print(f"embedding throughput: {chunks} chunks in {prose_seconds:.1f} s = {chunks / prose_seconds:.1f} chunks/s; "
          f"the default max_chunks={IngestSettings().max_chunks} would take about "
          f"{IngestSettings().max_chunks / (chunks / prose_seconds) / 60:.1f} min")


if __name__ == "__main__":
    main()
