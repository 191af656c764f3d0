"""Answer benchmark: embedded-mode ask latency beside retrieval-only latency, and cold start.

Run: .venv/bin/python bench/answer.py   (questions: the answerable items of evals/datasets/gold-v1.jsonl)
Cold start = a fresh `python` process importing the package, opening the index and answering one question.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402

COLD = """
import time, sys
from assistant import Assistant, Settings
from pathlib import Path
a = Assistant.load(Settings(data_dir=Path(sys.argv[1]), models_dir=Path(sys.argv[2])), build_if_missing=False)
a.ask("What three criteria make up the mission test?")
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    models = ROOT / ".mission-desk" / "models"
    items = [json.loads(line) for line in (ROOT / "evals/datasets/gold-v1.jsonl").open()]
    questions = [i["question"] for i in items if not i["history"] and i["category"] != "claim"]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), models_dir=models)
        assistant = Assistant.load(settings)
        for q in questions[:5]:
            assistant.ask(q)  # warm caches as a running server would be
        ask_times, retrieve_times = [], []
        for q in questions:
            began = time.perf_counter()
            assistant.retrieve(q)
            retrieve_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            assistant.ask(q)
            ask_times.append(time.perf_counter() - began)
        cold = []
        for _ in range(3):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", COLD, tmp, str(models)], check=True, cwd=ROOT, capture_output=True)
            cold.append(time.perf_counter() - began)
    print(f"questions: {len(questions)} (gold-v1, answerable and refusal items without history)")
    print(f"retrieval only: p50 {statistics.median(retrieve_times) * 1000:6.1f} ms   p95 {percentile(retrieve_times, 0.95) * 1000:6.1f} ms")
    print(f"ask (embedded): p50 {statistics.median(ask_times) * 1000:6.1f} ms   p95 {percentile(ask_times, 0.95) * 1000:6.1f} ms   (goal p50 <= 150, p95 <= 300)")
    print(f"ask / retrieval at p50: {statistics.median(ask_times) / statistics.median(retrieve_times):.2f}x")
    print(f"cold start, process start to first answer: median {statistics.median(cold):.2f} s of 3 (goal <= 5 s)")


if __name__ == "__main__":
    main()
