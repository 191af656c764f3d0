"""Shared fixtures: real embeddings, a real Chroma index of the real corpus, isolated data folders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.settings import PROJECT_ROOT

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# One ONNX export of the packaged model serves every test (exporting takes ~10 s).
MODELS_DIR = PROJECT_ROOT / ".mission-desk" / "models"


@pytest.fixture(autouse=True)
def _no_stray_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read a developer's MISSION_DESK_* variables."""
    for key in list(os.environ):
        if key.startswith("MISSION_DESK_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def embeddings() -> MiniLMEmbeddings:
    return MiniLMEmbeddings(MODELS_DIR)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings with a fresh data folder under tmp_path; pass overrides as keywords."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "models_dir": MODELS_DIR}
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory, embeddings: MiniLMEmbeddings) -> Assistant:
    """One Assistant over the real corpus, indexed once for the whole session (read-only use)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-index"), models_dir=MODELS_DIR)
    return Assistant.load(settings, embeddings=embeddings)


@pytest.fixture(scope="module")
def indexed_data_dir(tmp_path_factory: pytest.TempPathFactory, embeddings: MiniLMEmbeddings) -> Path:
    """A data folder holding the corpus index, built once per test module (for apps and servers to read)."""
    data = tmp_path_factory.mktemp("indexed-data")
    Assistant.load(Settings(data_dir=data, models_dir=MODELS_DIR), embeddings=embeddings)
    return data


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server started by a test; kill it if it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def streamlit_server(app: Path, *, cwd: Path, env: dict[str, str], log_path: Path, host: str = "127.0.0.1",
                     port: int | None = None) -> Iterator[str]:
    """`streamlit run app` headless on ``host`` and a free port (or ``port``); yields its address once
    /_stcore/health answers, and stops it afterwards. Fails the test with the server's log if it does not start."""
    port = port or free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(streamlit), "run", str(app), "--server.headless", "true", "--server.port", str(port),
             "--server.address", host, "--browser.gatherUsageStats", "false",
             # No file watcher: a test server never reloads, and under load its inotify queue overflowed
             # ("filesystem events were lost") and stalled a sign-in test's upload past its wait.
             "--server.fileWatcherType", "none"],
            cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://{host}:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.5)
            yield url
        finally:
            stop_process(proc)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium; missing is a failure on CI (make test installs it) and a skip elsewhere."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = "Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium, or run `make test`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[object]:
    """Headless Chromium driven by Playwright, for one test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()
