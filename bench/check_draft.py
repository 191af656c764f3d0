"""Draft-check benchmark: seconds to check a two-page draft, beside checking its sentences one claim at a time.

Run: .venv/bin/python bench/check_draft.py   (draft: tests/fixtures/draft-2-pages.md, about 700 words)
The one-at-a-time baseline is `Assistant.check` on each checkable sentence, as a script without the draft check
would do it; both give the same verdicts (tests/test_check_draft.py). Cold = a fresh `python -m assistant check
--file` process, index opening included. The goal is <= 5 s for a two-page draft on this 2-core machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402

DRAFT = ROOT / "tests" / "fixtures" / "draft-2-pages.md"
RUNS = 5


def timed(run: object) -> float:
    began = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - began


def main() -> None:
    models = ROOT / ".mission-desk" / "models"
    text = DRAFT.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), models_dir=models)
        assistant = Assistant.load(settings)
        result = assistant.check_draft(text)  # warm caches as a running server would be
        claims = [s.sentence for s in result.sentences if s.verdict != "not checked"]
        draft = [timed(lambda: assistant.check_draft(text)) for _ in range(RUNS)]
        one_by_one = [timed(lambda: [assistant.check(c) for c in claims]) for _ in range(RUNS)]
        env_cmd = [sys.executable, "-m", "assistant", "check", "--file", str(DRAFT)]
        env = {"MISSION_DESK_DATA_DIR": tmp, "MISSION_DESK_MODELS_DIR": str(models), "HF_HUB_OFFLINE": "1",
               "PATH": "/usr/bin:/bin"}
        cold = [timed(lambda: subprocess.run(env_cmd, check=True, cwd=ROOT, capture_output=True, env=env))
                for _ in range(3)]
    words = len(text.split())
    print(f"draft: {DRAFT.relative_to(ROOT)}  {words} words, {len(result.sentences)} units, {len(claims)} checked")
    print(f"verdicts: {', '.join(f'{n} {v}' for v, n in result.counts.items())}")
    print(f"check_draft (warm):      median {statistics.median(draft):.2f} s of {RUNS}  (goal <= 5 s)")
    print(f"one claim at a time:     median {statistics.median(one_by_one):.2f} s of {RUNS}")
    print(f"draft / one at a time:   {statistics.median(draft) / statistics.median(one_by_one):.2f}x")
    print(f"per checked sentence:    {statistics.median(draft) / len(claims) * 1000:.0f} ms")
    print(f"cold CLI, process start to report: median {statistics.median(cold):.2f} s of 3")


if __name__ == "__main__":
    main()
