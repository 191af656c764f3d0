"""Server mode: a real `chroma run` on loopback, started by the test, holds the index a team shares."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import free_port, stop_process
from fixtures.make_pdfs import small_corpus, write_pdf

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from ingest.pipeline import user_source_id

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`chroma run` on 127.0.0.1 and a free port; yields the port once the server answers."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                client = chromadb.HttpClient(host="127.0.0.1", port=port,
                                             settings=ChromaSettings(anonymized_telemetry=False))
                client.heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        stop_process(proc, timeout=20)
        log.close()


def test_server_mode_ingests_and_answers_with_citations(
    chroma_server: int, tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings
) -> None:
    corpus = small_corpus(tmp_path / "corpus", ["morris-2023", "deci-1999"])
    settings = make_settings(corpus_dir=corpus, chroma_host="127.0.0.1", chroma_port=chroma_server,
                             collection="team")
    pdf = write_pdf(tmp_path / "harbour.pdf", [["Harbour review"], ["The ferry timetable doubled to twelve crossings."]])

    assistant = Assistant(settings, embeddings=embeddings)
    report = assistant.ingest([pdf])
    assert report.changed and report.added == report.chunks_total > 0 and not report.skipped

    answer = assistant.ask("What share of people were satisfied with the NHS in 2022?")
    assert not answer.refused and answer.citations
    assert any(c.source_id == "morris-2023" and "29 per cent" in c.quote for c in answer.citations), answer

    # The index lives on the server, not in a local folder.
    assert not (settings.data_dir / "chroma").exists()
    names = {c if isinstance(c, str) else c.name for c in assistant.store.client.list_collections()}
    generation = assistant.store.active_generation()
    assert {f"team-{generation}-chunks", f"team-{generation}-sentences", f"team-{generation}-sources"} <= names

    # A teammate's Assistant (its own data folder) reads the same index without ingesting anything.
    teammate = Assistant.load(
        make_settings(corpus_dir=corpus, chroma_host="127.0.0.1", chroma_port=chroma_server, collection="team",
                      data_dir=tmp_path / "teammate"),
        embeddings=embeddings,
        build_if_missing=False,
    )
    assert teammate.store.active_generation() == generation
    shared = teammate.ask("How many ferry crossings are there a day now?")
    assert any(c.source_id == user_source_id(pdf.name) and "p. 2" in c.locator for c in shared.citations), shared

    # Re-ingesting against the server is a no-op too.
    again = assistant.ingest()
    assert not again.changed and again.added == 0 and assistant.store.active_generation() == generation
