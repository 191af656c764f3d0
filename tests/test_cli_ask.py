"""The `python -m assistant ask` contract, run as a user runs it: a fresh process over an existing index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import MODELS_DIR

from assistant import Answer
from assistant.settings import PROJECT_ROOT

QUESTION = "What three criteria make up the mission test?"


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MISSION_DESK_DATA_DIR": str(data), "MISSION_DESK_MODELS_DIR": str(MODELS_DIR)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )


def test_ask_json_prints_a_grounded_answer_citing_step_2(indexed_data_dir: Path) -> None:
    done = run_cli(indexed_data_dir, "ask", QUESTION, "--json")
    assert done.returncode == 0, done.stderr
    answer = Answer.model_validate_json(done.stdout)
    assert not answer.refused and answer.mode == "embedded"
    assert "Affordability" in answer.answer
    assert any("Step 2" in c.section and "Affordability" in c.quote for c in answer.citations)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", json.loads(done.stdout)["answer"])}
    assert markers == {c.n for c in answer.citations}


def test_ask_prints_a_readable_answer_with_numbered_sources(indexed_data_dir: Path) -> None:
    done = run_cli(indexed_data_dir, "ask", QUESTION)
    assert done.returncode == 0, done.stderr
    assert "Sources:" in done.stdout and "[1] The smarter state" in done.stdout


def test_ask_over_long_question_is_a_clear_error(indexed_data_dir: Path) -> None:
    done = run_cli(indexed_data_dir, "ask", "x" * 50_000)
    assert done.returncode == 2
    assert "50,000 characters" in done.stderr and "Traceback" not in done.stderr
