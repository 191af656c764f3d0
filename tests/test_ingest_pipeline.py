"""Idempotent, atomic ingestion on a real Chroma in tmp_path with the real model: re-ingest is a no-op, an
edit replaces only that file's chunks, a removed document's chunks go, and `kill -9` mid-ingest loses nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fixtures.make_pdfs import small_corpus

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.schemas import Chunk
from assistant.settings import PROJECT_ROOT
from assistant.store import IndexStore
from ingest.chunking import chunk_id
from ingest.pipeline import user_source_id

NOTES = ["morris-2023", "deci-1999", "tallack-2020"]
COUNCIL = """# Council budget 2024

## Parks

The parks budget rose by a tenth, paying for two new playgrounds in the east of the town.

## Libraries

The central library now opens on Sundays from ten until two.

## Roads

Pothole repairs will be finished by the end of October.
"""


def _by_source(chunks: list[Chunk]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for chunk in chunks:
        out.setdefault(chunk.source_id, set()).add(chunk.id)
    return out


@pytest.fixture
def settings(tmp_path: Path, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(corpus_dir=small_corpus(tmp_path / "corpus", NOTES))


@pytest.fixture
def indexed(settings: Settings, embeddings: MiniLMEmbeddings, tmp_path: Path) -> Assistant:
    """Three evidence notes plus one three-section user document, indexed once."""
    council = tmp_path / "council-budget.md"
    council.write_text(COUNCIL, encoding="utf-8")
    assistant = Assistant(settings, embeddings=embeddings)
    report = assistant.ingest([council])
    assert report.changed and report.added == report.chunks_total > 0 and not report.skipped
    return assistant


def test_reingest_is_a_noop(indexed: Assistant) -> None:
    generation = indexed.store.active_generation()
    before = [c.id for c in indexed.store.chunks()]
    report = indexed.ingest()
    assert not report.changed
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == report.chunks_total == len(before)
    assert indexed.store.active_generation() == generation
    assert [c.id for c in indexed.store.chunks()] == before


def test_editing_one_file_replaces_only_its_chunks(indexed: Assistant) -> None:
    before = _by_source(indexed.store.chunks())
    note = indexed.settings.corpus_dir / "evidence" / "morris-2023.md"
    note.write_text(note.read_text(encoding="utf-8").replace("29 per cent", "31 per cent"), encoding="utf-8")

    report = indexed.ingest()

    after = _by_source(indexed.store.chunks())
    assert report.changed and report.updated > 0 and report.added == 0
    assert report.removed == len(before["morris-2023"] - after["morris-2023"]) > 0
    assert report.updated == len(after["morris-2023"] - before["morris-2023"])
    for source_id in before.keys() - {"morris-2023"}:
        assert after[source_id] == before[source_id], source_id
    text = next(s.text for s in indexed.store.sources() if s.record.id == "morris-2023")
    assert "31 per cent" in text and "29 per cent" not in text
    answer = indexed.ask("What share of people were satisfied with the NHS overall in 2022?")
    assert "31 per cent" in answer.answer and "29 per cent" not in answer.answer


def test_editing_the_end_of_a_document_keeps_its_earlier_chunks(indexed: Assistant) -> None:
    council_id = user_source_id(Path("council-budget.md"))
    before = {c.text: c.id for c in indexed.store.chunks() if c.source_id == council_id}
    path = indexed.settings.user_documents_dir / "council-budget.md"
    path.write_text(COUNCIL.replace("end of October", "end of November"), encoding="utf-8")

    report = indexed.ingest()

    after = {c.text: c.id for c in indexed.store.chunks() if c.source_id == council_id}
    assert (report.updated, report.removed) == (1, 1)
    kept = [text for text in before if "October" not in text]
    assert kept and all(after[text] == before[text] for text in kept)


def test_removing_a_user_document_removes_its_chunks(indexed: Assistant) -> None:
    council_id = user_source_id(Path("council-budget.md"))
    before = _by_source(indexed.store.chunks())
    generation = indexed.store.active_generation()

    report = indexed.remove_source(council_id)

    after = _by_source(indexed.store.chunks())
    assert council_id not in after
    assert report.removed == len(before[council_id]) and report.added == report.updated == 0
    assert after == {k: v for k, v in before.items() if k != council_id}
    assert council_id not in {s.record.id for s in indexed.sources()}
    assert not (indexed.settings.user_documents_dir / "council-budget.md").exists()
    assert indexed.store.active_generation() != generation
    with pytest.raises(KeyError):
        indexed.remove_source("morris-2023")  # corpus sources are not user documents


def test_deleting_a_user_file_from_its_folder_drops_it_on_next_ingest(indexed: Assistant) -> None:
    council_id = user_source_id(Path("council-budget.md"))
    before = _by_source(indexed.store.chunks())
    (indexed.settings.user_documents_dir / "council-budget.md").unlink()
    report = indexed.ingest()
    assert report.removed == len(before[council_id]) >= 3
    assert council_id not in _by_source(indexed.store.chunks())


def test_chunk_ids_are_content_hashes(
    indexed: Assistant, tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings
) -> None:
    chunks = indexed.store.chunks()
    for chunk in chunks:
        assert chunk.id == chunk_id(chunk.source_id, chunk.start, chunk.end, chunk.text, chunk.context)
    assert len({c.id for c in chunks}) == len(chunks)

    # The same files indexed into a separate, fresh data folder give the very same ids.
    council = tmp_path / "elsewhere" / "council-budget.md"
    council.parent.mkdir()
    council.write_text(COUNCIL, encoding="utf-8")
    other = Assistant(make_settings(corpus_dir=indexed.settings.corpus_dir, data_dir=tmp_path / "data-2"),
                      embeddings=embeddings)
    other.ingest([council])
    assert {c.id for c in other.store.chunks()} == {c.id for c in chunks}


def test_unfinished_generation_is_ignored_then_cleaned_up(indexed: Assistant, tmp_path: Path) -> None:
    """What a crash between writing a generation and switching to it leaves behind is never read."""
    store = indexed.store
    active = store.active_generation()
    assert active is not None
    chunks = store.chunks()
    vectors = store.chunk_vectors()
    crashed = store.new_generation()
    store.write_chunks(crashed, chunks[:2], np.vstack([vectors[c.id] for c in chunks[:2]]))

    assert store.active_generation() == active
    reloaded = Assistant.load(indexed.settings, embeddings=indexed.embeddings, build_if_missing=False)
    assert len(reloaded.store.chunks()) == len(chunks)

    extra = tmp_path / "extra.md"
    extra.write_text("# Extra\n\nThe town hall clock was restored in 2019.\n", encoding="utf-8")
    reloaded.ingest([extra])
    names = [c if isinstance(c, str) else c.name for c in store.client.list_collections()]
    assert not any(crashed in name for name in names)
    generations = {name.split("-")[-2] for name in names if re.match(rf"{store.prefix}-g\d+-", name)}
    # The current generation and the one before it (which a running app may still be reading) remain.
    assert generations == {store.active_generation(), active}


# -- kill -9 in the middle of `python -m assistant ingest` -------------------------------------------------

PROGRESS = re.compile(r"embedding:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")


def _user_docs(folder: Path, n_docs: int = 6, n_sentences: int = 40) -> list[Path]:
    """Enough distinct text that embedding it takes several seconds on this machine."""
    folder.mkdir()
    paths = []
    for d in range(n_docs):
        body = "\n\n".join(
            f"District {d} survey item {i}: the ward {i * 7 + d} team recorded {i + d * 3} new cycle racks "
            f"and {2 * i + 1} repaired street lamps in week {i % 52 + 1}." for i in range(n_sentences)
        )
        path = folder / f"district-{d}.md"
        path.write_text(f"# District {d} survey\n\n{body}\n", encoding="utf-8")
        paths.append(path)
    return paths


def _wait_until_embedding(proc: subprocess.Popen[bytes], stderr: Path, timeout: float = 180) -> tuple[int, int]:
    """Block until the ingest's progress bar shows it part-way through embedding."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ingest ended before it could be killed:\n{stderr.read_text()[-2000:]}")
        for done, total in PROGRESS.findall(stderr.read_text(errors="replace")):
            if 0 < int(done) < int(total):
                return int(done), int(total)
        time.sleep(0.05)
    raise AssertionError(f"ingest never reached embedding:\n{stderr.read_text()[-2000:]}")


@pytest.mark.slow
def test_kill_9_during_ingest_leaves_the_previous_index_usable(
    indexed: Assistant, tmp_path: Path, embeddings: MiniLMEmbeddings
) -> None:
    settings = indexed.settings
    old_generation = indexed.store.active_generation()
    old_ids = sorted(c.id for c in indexed.store.chunks())
    docs = _user_docs(tmp_path / "batch")
    env = {
        **os.environ,
        "MISSION_DESK_DATA_DIR": str(settings.data_dir),
        "MISSION_DESK_CORPUS_DIR": str(settings.corpus_dir),
        "MISSION_DESK_MODELS_DIR": str(settings.model_cache_dir),
        "HF_HUB_OFFLINE": "1",
    }
    stderr = tmp_path / "ingest.stderr"
    with stderr.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", *map(str, docs)], cwd=PROJECT_ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            _wait_until_embedding(proc, stderr)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    # The previous index is intact and still answers, cited.
    store = IndexStore(settings, embeddings)
    assert store.active_generation() == old_generation
    assert sorted(c.id for c in store.chunks()) == old_ids
    survivor = Assistant.load(settings, embeddings=embeddings, build_if_missing=False)
    answer = survivor.ask("What share of people were satisfied with the NHS in 2022?")
    assert not answer.refused and answer.citations
    assert any(c.source_id == "morris-2023" and "29 per cent" in c.quote for c in answer.citations), answer

    # The next run finishes the job: every new document indexed once, nothing duplicated.
    report = survivor.ingest(docs)
    assert report.changed and not report.skipped
    assert report.unchanged == len(old_ids)
    chunks = survivor.store.chunks()
    assert len({c.id for c in chunks}) == len(chunks) == report.chunks_total == len(old_ids) + report.added
    assert {user_source_id(p.name) for p in docs} <= {c.source_id for c in chunks}
    assert sorted(p.name for p in settings.user_documents_dir.iterdir()) == sorted(
        ["council-budget.md", *(p.name for p in docs)]
    )
    answer = survivor.ask("How many repaired street lamps did district 3 record in week 5?")
    assert any(c.source_id == user_source_id(docs[3].name) for c in answer.citations), answer


def test_a_document_claiming_a_taken_id_is_skipped_and_the_rest_goes_in(indexed: Assistant, tmp_path: Path) -> None:
    impostor = tmp_path / "impostor.md"
    impostor.write_text("---\nid: morris-2023\n---\n# Not Morris\n\nA different text under a taken id.\n")
    fine = tmp_path / "fine.md"
    fine.write_text("# Fine\n\nThe town hall clock was restored in 2019.\n")
    morris = {c.id for c in indexed.store.chunks() if c.source_id == "morris-2023"}

    report = indexed.ingest([impostor, fine])

    (skipped,) = report.skipped
    assert Path(skipped.path).name == "impostor.md" and "source id 'morris-2023' is already used" in skipped.reason
    chunks = indexed.store.chunks()
    assert {c.id for c in chunks if c.source_id == "morris-2023"} == morris
    assert user_source_id(fine.name) in {c.source_id for c in chunks}
    # The refused upload leaves the library with its error (issue 13: it must not fail every later ingest with
    # advice the user cannot follow); the user's own file is untouched.
    assert not (indexed.settings.user_documents_dir / "impostor.md").exists() and impostor.exists()
    assert indexed.ingest().skipped == []  # later runs still work


def test_a_front_matter_id_names_the_source_and_removes_it(indexed: Assistant, tmp_path: Path) -> None:
    note = tmp_path / "bridge.md"
    note.write_text("---\nid: bridge-note\ntitle: Bridge repair note\n---\n# Bridge\n\nThe bridge was shut.\n")
    indexed.ingest([note])
    listed = {s.record.id: s for s in indexed.sources()}
    assert listed["bridge-note"].record.title == "Bridge repair note" and listed["bridge-note"].chunks == 1
    indexed.remove_source("bridge-note")
    assert "bridge-note" not in {c.source_id for c in indexed.store.chunks()}


def test_two_uploads_at_once_both_land(make_settings, embeddings, tmp_path: Path) -> None:
    """Two users adding documents at the same moment: ingests queue, neither loses the other's document."""
    from concurrent.futures import ThreadPoolExecutor

    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", NOTES[:1]))
    assistant = Assistant.load(settings, embeddings=embeddings)
    docs = []
    for name, text in (("ferries", "The ferry timetable was cut in winter."), ("libraries", "Library hours rose.")):
        doc = tmp_path / f"{name}.md"
        doc.write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
        docs.append(doc)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda d: assistant.ingest([d]), docs))
    assert all(not r.skipped for r in reports)
    indexed = {c.source_id for c in assistant.store.chunks()}
    assert {user_source_id("ferries.md"), user_source_id("libraries.md")} <= indexed


def test_a_running_assistant_keeps_answering_while_another_process_reingests(
    make_settings, embeddings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app keeps serving while the CLI (or a teammate on the shared server) ingests, then sees the new index."""
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", NOTES), generation_check_seconds=3600)
    serving = Assistant.load(settings, embeddings=embeddings)
    assert not serving.ask("What share of people were satisfied with the NHS in 2022?").refused
    other = Assistant(settings, embeddings=embeddings)  # a second process over the same data folder
    doc = tmp_path / "ferries.md"
    doc.write_text("# Ferries\n\nThe island ferry timetable was cut to two sailings a day in winter.\n", encoding="utf-8")
    assert other.ingest([doc]).changed
    # Until it looks at the pointer again, the serving assistant answers from its snapshot, whose collections remain.
    assert not serving.ask("What share of people were satisfied with the NHS in 2022?").refused
    # Once it does (every second by default), it moves to the new generation.
    serving.settings = serving.settings.model_copy(update={"generation_check_seconds": 1e-9})
    answer = serving.ask("How many sailings a day does the island ferry make in winter?")
    assert not answer.refused and answer.citations[0].source_id == user_source_id("ferries.md")
