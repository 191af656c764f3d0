"""Readiness probe: `python -m assistant.health` answers GET /healthz as a load balancer sees it (real processes,
a real Chroma index, a real `chroma run`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MODELS_DIR, free_port, stop_process

from assistant import Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.health import health
from assistant.store import IndexStore

CHROMA = Path(sys.executable).parent / "chroma"


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MISSION_DESK_")}
    env.update({"HF_HUB_OFFLINE": "1", "MISSION_DESK_MODELS_DIR": str(MODELS_DIR)}, **values)
    return env


def _get(url: str, timeout: float = 10) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _wait_for_port(proc: subprocess.Popen, port: int, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the process exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # answered (404 for /): it is up
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _probe(env: dict[str, str]) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant.health", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(proc, port)
        yield port
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def ready_probe(indexed_data_dir: Path) -> Iterator[int]:
    """The probe over an embedded index that is built."""
    yield from _probe(_env(MISSION_DESK_DATA_DIR=str(indexed_data_dir)))


def test_ready_embedded_index_answers_200_with_its_generation(
    ready_probe: int, indexed_data_dir: Path, embeddings: MiniLMEmbeddings
) -> None:
    store = IndexStore(Settings(data_dir=indexed_data_dir, models_dir=MODELS_DIR), embeddings)
    status, report = _get(f"http://127.0.0.1:{ready_probe}/healthz")
    assert status == 200, report
    assert report["status"] == "ok" and report["reasons"] == []
    assert report["generation"] == store.active_generation()
    assert report["chunks"] == len(store.chunks()) > 0
    assert report["chroma"] == {"mode": "embedded", "address": str(indexed_data_dir / "chroma"), "reachable": True}
    assert report["data_folder"] == "writable"
    assert report["model"] == {"present": True, "onnx_cached": True}
    assert _get(f"http://127.0.0.1:{ready_probe}/healthz")[0] == 200, "the probe answers again from its open index"


def test_other_paths_are_not_found(ready_probe: int) -> None:
    assert _get(f"http://127.0.0.1:{ready_probe}/")[0] == 404


def test_chroma_server_that_does_not_answer_is_503_quickly(tmp_path: Path) -> None:
    dead = free_port()  # nothing listens here
    env = _env(MISSION_DESK_DATA_DIR=str(tmp_path / "data"), MISSION_DESK_CHROMA_HOST="127.0.0.1",
               MISSION_DESK_CHROMA_PORT=str(dead))
    for port in _probe(env):
        started = time.monotonic()
        status, report = _get(f"http://127.0.0.1:{port}/healthz")
        elapsed = time.monotonic() - started
        assert status == 503, report
        assert report["status"] == "unavailable"
        assert report["chroma"] == {"mode": "server", "address": f"127.0.0.1:{dead}", "reachable": False}
        assert report["reasons"] == [f"the Chroma server at 127.0.0.1:{dead} does not answer: [Errno 111] Connection refused"]
        assert report["generation"] is None
        assert elapsed < 3, f"a probe of a dead server took {elapsed:.1f} s"


def test_once_exits_1_and_says_no_index_is_built_without_creating_one(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    done = subprocess.run([sys.executable, "-m", "assistant.health", "--once"], env=_env(MISSION_DESK_DATA_DIR=str(data)),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "unavailable" and report["data_folder"] == "missing"
    assert report["reasons"] == [
        f"no index has been built yet ({data / 'chroma'} does not exist): run `python -m assistant ingest`"
    ]
    assert not data.exists(), "a probe writes nothing"


@pytest.mark.slow
def test_a_chroma_server_holding_the_index_is_ready(tmp_path: Path, embeddings: MiniLMEmbeddings) -> None:
    """Server mode end to end: down -> unavailable; `chroma run` up but empty -> unavailable (no index);
    after an ingest -> ok with that generation."""
    from fixtures.make_pdfs import small_corpus

    from assistant import Assistant

    port = free_port()
    settings = Settings(data_dir=tmp_path / "data", models_dir=MODELS_DIR, chroma_host="127.0.0.1",
                        chroma_port=port, collection="team",
                        corpus_dir=small_corpus(tmp_path / "corpus", ["morris-2023", "deci-1999"]))
    assert health(settings)["chroma"]["reachable"] is False
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp_path / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (report := health(settings))["chroma"]["reachable"]:
            assert proc.poll() is None and time.monotonic() < deadline, report
            time.sleep(0.3)
        assert report["status"] == "unavailable" and report["generation"] is None
        assert report["reasons"] == ["no index has been built yet: run `python -m assistant ingest`"]

        assistant = Assistant.load(settings, embeddings=embeddings)
        report = health(settings)
        assert report["status"] == "ok", report
        assert report["generation"] == assistant.store.active_generation()
        assert report["chunks"] == len(assistant.store.chunks()) > 0
    finally:
        stop_process(proc, timeout=20)
        log.close()
