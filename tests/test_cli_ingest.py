"""`python -m assistant ingest` and `python -m assistant sources`, run as a user runs them, on the real corpus."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures.make_pdfs import write_corrupt_pdf, write_pdf

from assistant import Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.settings import PROJECT_ROOT
from assistant.store import IndexStore
from ingest.catalogue import Catalogue
from ingest.pipeline import user_source_id

SUMMARY = re.compile(
    r"^(\d+) files, (\d+) chunks: (\d+) added, (\d+) updated, (\d+) removed, (\d+) unchanged in ([\d.]+) s(.*)$",
    re.MULTILINE,
)
MODELS = PROJECT_ROOT / ".mission-desk" / "models"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Summary:
    files: int
    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float
    note: str


def _summary(out: str) -> Summary:
    m = SUMMARY.search(out)
    assert m, out
    *numbers, seconds, note = m.groups()
    return Summary(*map(int, numbers), float(seconds), note.strip())


@dataclass(frozen=True)
class Workspace:
    data_dir: Path
    good: Path
    corrupt: Path

    def run(self, *args: str) -> Run:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MISSION_DESK_")}
        env.update(MISSION_DESK_DATA_DIR=str(self.data_dir), MISSION_DESK_MODELS_DIR=str(MODELS), HF_HUB_OFFLINE="1")
        done = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=900)
        return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("cli")
    good = write_pdf(folder / "harbour.pdf", [["Harbour review"], ["The ferry timetable doubled to twelve crossings."]])
    return Workspace(folder / "data", good, write_corrupt_pdf(folder / "broken.pdf"))


@pytest.fixture(scope="module")
def first_ingest(workspace: Workspace) -> Run:
    """The first ingest of a fresh data folder: the whole corpus plus one good and one corrupt file."""
    return workspace.run("ingest", str(workspace.good), str(workspace.corrupt))


@pytest.mark.slow
def test_ingest_prints_a_summary_and_the_skipped_files(
    first_ingest: Run, workspace: Workspace, embeddings: MiniLMEmbeddings
) -> None:
    assert first_ingest.code == 0, first_ingest.err[-2000:]
    summary = _summary(first_ingest.out)
    catalogue = Catalogue.load(PROJECT_ROOT / "corpus")
    assert summary.files == len(catalogue.records) + 1 == 13
    assert summary.added == summary.chunks > 100
    assert (summary.updated, summary.removed, summary.unchanged) == (0, 0, 0)
    assert summary.seconds > 0 and summary.note == ""
    skipped = [line for line in first_ingest.out.splitlines() if line.startswith("skipped ")]
    assert skipped == [f"skipped {workspace.corrupt}: " + skipped[0].split(": ", 1)[1]]
    assert "corrupt or unreadable PDF" in skipped[0]
    assert "embedding" in first_ingest.err and "100%" in first_ingest.err  # the progress bar

    store = IndexStore(Settings(data_dir=workspace.data_dir, models_dir=MODELS), embeddings)
    chunks = store.chunks()
    assert len(chunks) == summary.chunks
    assert user_source_id(workspace.good.name) in {c.source_id for c in chunks}


@pytest.mark.slow
def test_second_ingest_says_up_to_date_and_strict_flags_skips(first_ingest: Run, workspace: Workspace) -> None:
    again = workspace.run("ingest", "--strict", str(workspace.corrupt))
    summary = _summary(again.out)
    assert summary.note == "(index already up to date)"
    assert (summary.added, summary.updated, summary.removed) == (0, 0, 0)
    assert summary.unchanged == summary.chunks == _summary(first_ingest.out).chunks
    assert f"skipped {workspace.corrupt}: corrupt or unreadable PDF" in again.out
    assert again.code == 1  # --strict: a skipped file fails the run


@pytest.mark.slow
def test_sources_lists_the_catalogue_with_chunk_counts(
    first_ingest: Run, workspace: Workspace, embeddings: MiniLMEmbeddings
) -> None:
    listed = workspace.run("sources")
    assert listed.code == 0, listed.err[-2000:]
    store = IndexStore(Settings(data_dir=workspace.data_dir, models_dir=MODELS), embeddings)
    counts = {s.record.id: s.chunks for s in store.sources()}
    lines = listed.out.splitlines()
    catalogue = Catalogue.load(PROJECT_ROOT / "corpus")
    assert len(catalogue.records) == 12
    for record in catalogue.records:
        (line,) = [line for line in lines if line.split()[0] == record.id]
        assert re.search(rf"\b{counts[record.id]} chunks\b", line), line
        assert counts[record.id] > 0
        assert record.citation[:40] in line
    assert any(line.split()[0] == user_source_id(workspace.good.name) for line in lines)
