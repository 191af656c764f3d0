"""One Chroma server for the team (issue 14, item 2): app processes with their own data folders share one library.

A real `chroma run` on loopback; two Assistants with separate data folders stand for two app processes (on two
machines) pointed at it. Before: B's ingest dropped A's document from the shared index, and each process kept its
own record of who owns and shares what.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fixtures.make_pdfs import small_corpus
from test_store_server import chroma_server  # noqa: F401 - the real `chroma run` fixture

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings

ANA, BEN = "ana@team.example", "ben@team.example"


def _doc(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
    return path


@pytest.fixture
def two_apps(
    chroma_server: int, tmp_path: Path, make_settings: Callable[..., Settings],  # noqa: F811
    embeddings: MiniLMEmbeddings,
) -> tuple[Assistant, Assistant]:
    corpus = small_corpus(tmp_path / "corpus", ["morris-2023"])
    common = {"corpus_dir": corpus, "chroma_host": "127.0.0.1", "chroma_port": chroma_server,
              "collection": f"team{tmp_path.name[-6:].replace('-', '')}", "generation_check_seconds": 1e-9}
    first = Assistant.load(make_settings(data_dir=tmp_path / "a", **common), embeddings=embeddings)
    second = Assistant.load(make_settings(data_dir=tmp_path / "b", **common), embeddings=embeddings)
    return first, second


def _user_docs(a: Assistant, user: str) -> set[str]:
    return {s.record.file or "" for s in a.sources(user=user) if s.record.kind == "user document"}


def test_each_app_s_uploads_survive_the_other_s_ingest_and_sharing_is_one_record(two_apps, tmp_path: Path) -> None:
    app_a, app_b = two_apps
    app_a.ingest([_doc(tmp_path / "in-a", "ferries.md", "The Eastbrook ferry sails nine times a day.")], user=ANA)
    app_b.ingest([_doc(tmp_path / "in-b", "trams.md", "The Westmoor tram runs every six minutes.")], user=BEN)

    # A's document is still in the shared index after B's ingest, and answerable through B's app.
    answer = app_b.ask("How often does the Eastbrook ferry sail?", user=ANA)
    assert not answer.refused and "nine times" in answer.answer, answer.answer
    assert _user_docs(app_b, ANA) == {d for d in _user_docs(app_a, ANA)} and len(_user_docs(app_a, ANA)) == 1

    # Private to Ana in either app until she shares it (the record of sharing lives in the server).
    assert app_a.ask("How often does the Eastbrook ferry sail?", user=BEN).refused
    app_a.share("ferries.md", user=ANA)
    assert "nine times" in app_b.ask("How often does the Eastbrook ferry sail?", user=BEN).answer

    # Its owner can remove it from the other app: it leaves the shared index.
    app_b.remove_source("ferries.md", user=ANA)
    assert app_a.ask("How often does the Eastbrook ferry sail?", user=ANA).refused
    assert "six minutes" in app_a.ask("How often does the Westmoor tram run?", user=BEN).answer


def test_two_ingests_against_one_server_at_once_both_land(two_apps, tmp_path: Path) -> None:
    app_a, app_b = two_apps
    jobs = [(app_a, _doc(tmp_path / "in-a", "lidos.md", "The Northgate lido opens in May."), ANA),
            (app_b, _doc(tmp_path / "in-b", "libraries.md", "The Southgate library opens on Sundays."), BEN)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda job: job[0].ingest([job[1]], user=job[2]), jobs))
    assert all(not r.skipped for r in reports)
    generation = app_a.store.active_generation()
    assert generation == app_b.store.active_generation()
    files = {s.record.file for s in app_a.store.sources(generation) if s.record.kind == "user document"}
    assert len(files) == 2, files
    assert "May" in app_b.ask("When does the Northgate lido open?", user=ANA).answer
    assert "Sundays" in app_a.ask("When does the Southgate library open?", user=BEN).answer


def test_a_restarting_server_is_ridden_out_from_the_snapshot_and_recovered(
    tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings
) -> None:
    """Questions keep being answered (from the snapshot each app holds) while the team's Chroma server is down; a
    process with no snapshot yet gets a clear 'unavailable, retrying' error; after the restart all works again."""
    import subprocess
    import sys
    import time

    import chromadb
    from conftest import free_port, stop_process

    from assistant.errors import IndexUnavailableError

    port, db = free_port(), tmp_path / "db"

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(db), "--host",
                                 "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                return proc
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)

    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", ["morris-2023"]), chroma_host="127.0.0.1",
                             chroma_port=port, collection="restart", generation_check_seconds=1e-9)
    server = start()
    try:
        app = Assistant.load(settings, embeddings=embeddings)
        question = "What share of people were satisfied with the NHS in 2022?"
        before = app.ask(question)
        assert not before.refused
        stop_process(server)

        during = app.ask(question)
        assert not during.refused and during.answer == before.answer
        with pytest.raises(IndexUnavailableError, match="unavailable.*retrying"):
            _ = Assistant(settings, embeddings=embeddings).retriever

        server = start()
        assert not app.ask(question).refused
        added = app.ingest([_doc(tmp_path / "in", "piers.md", "The Eastbrook pier reopened in April.")])
        assert added.changed and "April" in app.ask("When did the Eastbrook pier reopen?").answer
    finally:
        stop_process(server)
