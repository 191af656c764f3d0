"""The environment fails clearly: a read-only data folder still answers, a full disk changes nothing.

Real mounts, real Chroma, real embeddings: a read-only bind mount (root ignores permission bits, not a read-only
mount) and a small tmpfs. Each test skips, saying why, where mounting is not permitted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import MODELS_DIR

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import DataFolderReadOnlyError, DiskFullError
from assistant.settings import PROJECT_ROOT

QUESTION = "What is the mission test?"


def _mount(*args: str) -> None:
    """Run mount, or skip the test saying why it cannot."""
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only folder or a small disk needs root")
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount {' '.join(args)} is not permitted here: {done.stderr.strip() or done.returncode}")


def _unmount(target: Path) -> None:
    if subprocess.run(["umount", str(target)], capture_output=True, check=False).returncode != 0:
        # Chroma keeps the SQLite file of a folder it opened: detach the mount, it goes when that closes.
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def _generations(assistant: Assistant) -> set[str]:
    prefix = f"{assistant.settings.collection}-g"
    return {c.name.split("-")[-2] for c in assistant.store.client.list_collections() if c.name.startswith(prefix)}


@pytest.fixture
def read_only_data(tmp_path: Path, indexed_data_dir: Path) -> Iterator[tuple[Path, Path]]:
    """(read-only data folder, its writable source): the corpus index and the model export, bind-mounted read-only."""
    source = tmp_path / "source"
    shutil.copytree(indexed_data_dir / "chroma", source / "chroma")
    shutil.copytree(MODELS_DIR, source / "models")
    target = tmp_path / "read-only"
    target.mkdir()
    _mount("--bind", str(source), str(target))
    try:
        _mount("-o", "remount,bind,ro", str(target))
        yield target, source
    finally:
        _unmount(target)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 20 MB tmpfs: room for the corpus index and little more."""
    target = tmp_path / "small-disk"
    target.mkdir()
    _mount("-t", "tmpfs", "-o", "size=20m", "tmpfs", str(target))
    try:
        yield target
    finally:
        _unmount(target)


def test_read_only_folder_answers_and_refuses_to_ingest(
    read_only_data: tuple[Path, Path], make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    folder, source = read_only_data
    before = _snapshot(source)
    settings = make_settings(data_dir=folder, models_dir=None)  # the model export is read from the folder too
    embeddings = MiniLMEmbeddings(settings.model_cache_dir)
    assert embeddings.onnx_path.parent == folder / "models"

    assistant = Assistant.load(settings, embeddings=embeddings)
    assert assistant.store.read_only
    answer = assistant.ask(QUESTION)
    assert not answer.refused and answer.citations

    note = tmp_path / "note.txt"
    note.write_text("A council note on mission budgets and their ten-year settlements.")
    with pytest.raises(DataFolderReadOnlyError, match=r"read-only, so documents cannot be added") as raised:
        assistant.ingest([note])
    assert str(folder) in str(raised.value) and "answers still work" in str(raised.value)
    assert assistant.ask(QUESTION).citations  # still answering after the refusal
    assert _snapshot(source) == before  # nothing was written, not even the ingest lock


def test_cli_ingest_on_a_read_only_folder_says_why(read_only_data: tuple[Path, Path], tmp_path: Path) -> None:
    folder, _ = read_only_data
    note = tmp_path / "note.txt"
    note.write_text("A council note on mission budgets.")
    env = {**os.environ, "MISSION_DESK_DATA_DIR": str(folder)}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(note)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode != 0
    assert f"the data folder {folder} is read-only" in done.stderr
    assert "Traceback" not in done.stderr


def test_full_disk_changes_nothing_and_recovers(
    small_disk: Path, indexed_data_dir: Path, embeddings: MiniLMEmbeddings, make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    data = small_disk / "data"
    shutil.copytree(indexed_data_dir / "chroma", data / "chroma")
    settings = make_settings(data_dir=data)
    assistant = Assistant.load(settings, embeddings=embeddings)
    active = assistant.store.active_generation()

    # Leave ~300 KB: room to copy the document in, not to write a new generation of the whole index.
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * max(0, shutil.disk_usage(small_disk).free - 300_000))
    note = tmp_path / "council-note.txt"
    note.write_text("Kestrel valley council funds its mission for river restoration through a ten-year settlement. " * 20)
    with pytest.raises(DiskFullError, match=r"disk full: the index was not changed \(\d+ MB free in .*\); free some"):
        assistant.ingest([note])

    assert assistant.store.active_generation() == active
    assert not (settings.user_documents_dir / note.name).exists()  # the copy left with the failed run
    assert assistant.ask(QUESTION).citations  # the previous generation answers throughout

    filler.unlink()
    report = assistant.ingest([note])
    assert report.changed and not report.skipped
    assert assistant.store.active_generation() != active
    assert any(s.record.file == note.name for s in assistant.store.sources())
    # The half-written generation is gone (dropped at once when the disk allowed it, else by this ingest).
    assert _generations(assistant) == {active, assistant.store.active_generation()}
    assert assistant.ask(QUESTION).citations
