"""Nothing silently lost (issue 13, items 5, 6 and 10): folders keep their shape, hidden files and links are
reported, re-uploads ask, ids are unique and stable for any name, removal removes exactly one document; API
parameters are checked; a new index snapshot is built without stopping the questions.

Real Chroma, the real model, real files, over a small corpus of three real evidence notes.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.make_pdfs import small_corpus

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import QuestionError
from assistant.settings import PROJECT_ROOT
from ingest.pipeline import user_source_id

NOTES = ["morris-2023", "deci-1999"]


@pytest.fixture
def library(make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings, tmp_path: Path) -> Assistant:
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", NOTES))
    return Assistant.load(settings, embeddings=embeddings)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _user_ids(a: Assistant) -> dict[str, str]:
    """Indexed user documents: id -> path in the library."""
    return {s.record.id: s.record.file or "" for s in a.store.sources() if s.record.kind == "user document"}


# -- ids --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("one", "other"),
    [("a b.md", "a-b.md"), ("Notes.TXT", "notes.txt"), ("Σημείωμα.md", "Записка.md"), ("报告.md", "报告二.md"),
     ("batch0/summary.txt", "batch1/summary.txt")],
)
def test_ids_are_unique_for_names_a_slug_would_merge(one: str, other: str) -> None:
    assert user_source_id(one) != user_source_id(other)


def test_ids_are_stable_and_readable() -> None:
    assert user_source_id("Council budget.md") == user_source_id("Council budget.md")
    assert user_source_id("Council budget.md").startswith("user-council-budget-md-")
    assert user_source_id("Σημείωμα.md").startswith("user-σημείωμα-md-")  # letters kept, not "document"


# -- folders, hidden files, links ---------------------------------------------------------------------------
def test_same_named_files_in_sub_folders_are_two_documents(library: Assistant, tmp_path: Path) -> None:
    """Before: folders were flattened, so batch1/summary.txt overwrote batch0/summary.txt without a word."""
    drop = tmp_path / "drop"
    _write(drop / "batch0" / "summary.txt", "The canal survey counted fourteen herons by the lock gates.\n")
    _write(drop / "batch1" / "summary.txt", "The ferry survey counted nine sailings a day in summer.\n")

    report = library.ingest([drop])

    assert not report.skipped, report.skipped
    ids = _user_ids(library)
    assert sorted(ids.values()) == ["drop/batch0/summary.txt", "drop/batch1/summary.txt"]
    herons = library.ask("How many herons did the canal survey count by the lock gates?")
    assert herons.citations[0].label == "Your document: drop/batch0/summary.txt", herons.citations[0]
    ferries = library.ask("How many sailings a day did the ferry survey count in summer?")
    assert ferries.citations[0].label == "Your document: drop/batch1/summary.txt", ferries.citations[0]


def test_hidden_files_and_folders_are_reported_not_silently_passed_over(library: Assistant, tmp_path: Path) -> None:
    """Before: dot-files were copied but never indexed, and the page said 'already indexed: nothing changed'."""
    drop = tmp_path / "drop"
    _write(drop / ".draft.md", "# Draft\n\nA hidden draft about canal locks.\n")
    _write(drop / ".cache" / "old.md", "# Old\n\nAn old note about ferries.\n")
    _write(drop / "visible.md", "# Visible\n\nThe visible note about bridges.\n")
    alone = _write(tmp_path / ".alone.md", "# Alone\n\nA hidden file added on its own.\n")

    report = library.ingest([drop, alone])

    reasons = {Path(e.path).name: e.reason for e in report.skipped}
    assert set(reasons) == {".draft.md", ".cache", ".alone.md"}, reasons
    assert "hidden file" in reasons[".draft.md"] and "rename it" in reasons[".draft.md"]
    assert "hidden folder" in reasons[".cache"]
    assert list(_user_ids(library).values()) == ["drop/visible.md"]
    copied = [p.name for p in library.settings.user_documents_dir.rglob("*")]
    assert not any(name.startswith(".") for name in copied), copied


def test_symbolic_links_are_not_followed_unless_asked(library: Assistant, tmp_path: Path) -> None:
    """Before: a CLI user could index /etc/passwd (or anything readable) through a link."""
    secret = _write(tmp_path / "elsewhere" / "secret.txt", "The private ledger lists the vault combination.\n")
    drop = tmp_path / "drop"
    _write(drop / "real.md", "# Real\n\nThe real note about tramlines.\n")
    (drop / "linked.txt").symlink_to(secret)
    (drop / "linked-folder").symlink_to(secret.parent, target_is_directory=True)
    top_link = tmp_path / "top-link.txt"
    top_link.symlink_to(secret)

    report = library.ingest([drop, top_link])

    reasons = {Path(e.path).name: e.reason for e in report.skipped}
    assert set(reasons) == {"linked.txt", "linked-folder", "top-link.txt"}, reasons
    assert all("symbolic link" in r and "--follow-links" in r for r in reasons.values())
    assert list(_user_ids(library).values()) == ["drop/real.md"]

    followed = library.ingest([top_link], follow_links=True)
    assert not followed.skipped and "top-link.txt" in _user_ids(library).values()


# -- re-uploads --------------------------------------------------------------------------------------------
def test_a_different_file_under_a_taken_name_needs_replace(library: Assistant, tmp_path: Path) -> None:
    """Before: re-uploading a name replaced the earlier version without a word."""
    memo = _write(tmp_path / "v1" / "memo.md", "# Memo\n\nThe ferry leaves every hour from the north quay.\n")
    library.ingest([memo])
    again = library.ingest([memo])  # the same bytes again: nothing to ask, nothing changed
    assert not again.skipped and not again.changed

    newer = _write(tmp_path / "v2" / "memo.md", "# Memo\n\nThe ferry leaves every two hours from the south quay.\n")
    refused = library.ingest([newer])
    (error,) = refused.skipped
    assert "already in your library" in error.reason and "--replace" in error.reason
    stored = library.settings.user_documents_dir / "memo.md"
    assert "north quay" in stored.read_text() and not refused.changed

    replaced = library.ingest([newer], replace=True)
    assert replaced.changed and not replaced.skipped
    assert "south quay" in stored.read_text()
    answer = library.ask("From which quay does the ferry leave?")
    assert "south quay" in answer.citations[0].quote and "north" not in " ".join(c.quote for c in answer.citations)
    assert not list(library.settings.user_documents_dir.glob(".*")), "no backup or partial copy is left behind"


def test_a_refused_replacement_keeps_the_earlier_version(library: Assistant, tmp_path: Path) -> None:
    memo = _write(tmp_path / "v1" / "memo.md", "# Memo\n\nThe tram depot opens at six in the morning.\n")
    library.ingest([memo])
    spoof = _write(tmp_path / "v2" / "memo.md", "---\nid: morris-2023\n---\n# Memo\n\nThe depot never opens.\n")

    report = library.ingest([spoof], replace=True)

    (error,) = report.skipped
    assert "earlier version is kept" in error.reason, error
    assert "six in the morning" in (library.settings.user_documents_dir / "memo.md").read_text()
    assert user_source_id("memo.md") in _user_ids(library)
    assert not list(library.settings.user_documents_dir.glob(".*"))


def test_the_cli_asks_for_replace(library: Assistant, tmp_path: Path) -> None:
    memo = _write(tmp_path / "v1" / "memo.md", "# Memo\n\nThe lido opens in May.\n")
    library.ingest([memo])
    newer = _write(tmp_path / "v2" / "memo.md", "# Memo\n\nThe lido opens in June.\n")
    env = {"MISSION_DESK_DATA_DIR": str(library.settings.data_dir),
           "MISSION_DESK_MODELS_DIR": str(library.settings.model_cache_dir),
           "MISSION_DESK_CORPUS_DIR": str(library.settings.corpus_dir), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                              cwd=PROJECT_ROOT, timeout=300, check=False)

    refused = cli("ingest", "--strict", str(newer))
    assert refused.returncode == 1 and "--replace" in refused.stdout, refused
    replaced = cli("ingest", "--strict", "--replace", str(newer))
    assert replaced.returncode == 0, replaced
    assert "June" in (library.settings.user_documents_dir / "memo.md").read_text()


# -- removal ----------------------------------------------------------------------------------------------
def test_removal_removes_exactly_the_named_document(library: Assistant, tmp_path: Path) -> None:
    """Before: 'Notes.TXT' and 'notes.txt' shared an id and remove_source deleted the wrong twin."""
    upper = _write(tmp_path / "Notes.TXT", "The upper-case notes describe the harbour wall.\n")
    lower = _write(tmp_path / "notes.txt", "The lower-case notes describe the lighthouse.\n")
    drop = tmp_path / "drop"
    _write(drop / "a" / "summary.txt", "Folder a's summary describes the pier.\n")
    _write(drop / "b" / "summary.txt", "Folder b's summary describes the slipway.\n")
    library.ingest([upper, lower, drop])
    assert len(_user_ids(library)) == 4

    library.remove_source(user_source_id("Notes.TXT"))
    assert sorted(_user_ids(library).values()) == ["drop/a/summary.txt", "drop/b/summary.txt", "notes.txt"]
    with pytest.raises(KeyError, match="2 user documents are named 'summary.txt'"):
        library.remove_source("summary.txt")  # ambiguous: the error lists both ids instead of guessing
    library.remove_source("drop/a/summary.txt")
    library.remove_source("notes.txt")  # a path in the library is exact
    assert list(_user_ids(library).values()) == ["drop/b/summary.txt"]
    assert not (library.settings.user_documents_dir / "drop" / "a").exists(), "emptied sub-folders go too"


# -- API parameters ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [-5, 0, 10**6, True, "3", 2.5])
def test_k_is_validated(library: Assistant, k: object) -> None:
    with pytest.raises(QuestionError, match="k .* whole number from 1 to 30"):
        library.ask("What share of people were satisfied with the NHS?", k=k)  # type: ignore[arg-type]


def test_source_ids_must_be_a_list(library: Assistant) -> None:
    with pytest.raises(QuestionError, match="source_ids must be a list"):
        library.ask("What share of people were satisfied with the NHS?", source_ids="morris-2023")


# -- snapshots ----------------------------------------------------------------------------------------------
def test_questions_keep_their_snapshot_while_a_new_one_is_built(library: Assistant, tmp_path: Path) -> None:
    """Before: the snapshot rebuild held the lock every question needs (a slow build blocked every asker).

    The build is held open on purpose (the one substituted part: a wrapper that waits, then builds for real).
    """
    old = library.retriever
    other = Assistant(library.settings, embeddings=library.embeddings)
    other.ingest([_write(tmp_path / "bridges.md", "# Bridges\n\nThe swing bridge opens twice a day.\n")])
    release, building = threading.Event(), threading.Event()
    build = library._new_retriever

    def slow_build(generation: str | None = None):  # noqa: ANN202
        building.set()
        release.wait(60)
        return build(generation)

    library._new_retriever = slow_build  # type: ignore[method-assign]
    library._checked_at = 0.0
    built: list[object] = []
    builder = threading.Thread(target=lambda: built.append(library.retriever))
    builder.start()
    try:
        assert building.wait(30)
        library._checked_at = 0.0  # the next question also sees the pointer has moved
        assert library.retriever is old  # answered from the previous snapshot at once, not blocked
        answer = library.ask("What share of people were satisfied with the NHS in 2022?")
        assert not answer.refused
    finally:
        release.set()
        builder.join(60)
    assert built and built[0] is not old and built[0].generation == other.store.active_generation()
