"""fetch-evidence on a local HTTP server (127.0.0.1, never the outside network): each work is fetched or fails on
its own with a clear reason; copies are recorded with date and checksum, indexed beside their evidence notes and
cited as quotes; a later failure keeps the earlier copy and what is indexed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import MODELS_DIR, PROJECT_ROOT, free_port, streamlit_server
from fixtures.make_pdfs import small_corpus, write_pdf

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from ingest.catalogue import Catalogue
from ingest.fetch import FetchResult, fetch_evidence, load_works, main_lines, with_fetched_works

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
PDF_LINES = [
    "Unexpected tangible rewards had no reliable effect on free-choice behaviour in the pooled experiments.",
    "The authors searched the literature published between 1971 and 1997 for eligible laboratory studies.",
]
ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>Rebuilding the state</title></head>
<body><nav><a href="/login">Sign in</a></nav><article><h1>Rebuilding the state</h1>
<p>The civil service headcount in Whitehall grew by a quarter between 2016 and 2023.</p>
<p>Departments that publish their delivery plans quarterly met more of their milestones.</p>
</article></body></html>"""
SIGN_IN = """<html><head><title>Sign in</title></head><body><h1>Sign in to continue reading</h1>
<p>Subscribe or log in with your institution to read the full article.</p><form><input name="user"></form>
</body></html>"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Route:
    status: int
    content_type: str
    body: bytes
    delay: float = 0.0  # seconds before answering


class FixtureServer:
    """A ThreadingHTTPServer on 127.0.0.1 serving ``routes`` (changeable while it runs); other paths are 404."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str]] = []  # (path as requested, User-Agent)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                # A proxy is asked for the absolute address; a server for the path.
                path = re.sub(r"^https?://[^/]+", "", self.path)
                route = server.routes.get(path, Route(404, "text/plain", b"not here"))
                time.sleep(route.delay)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the developer's environment: every request goes to 127.0.0.1 directly."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FixtureServer]:
    pdf = write_pdf(tmp_path / "deci.pdf", [PDF_LINES], title="Deci et al 1999").read_bytes()
    fixture = FixtureServer({
        "/deci.pdf": Route(200, "application/pdf", pdf),
        "/morris": Route(200, "text/html; charset=utf-8", ARTICLE.encode()),
        "/tallack": Route(403, "text/html", b"<html><body>Forbidden</body></html>"),
        "/curtis": Route(200, "text/html; charset=utf-8", SIGN_IN.encode()),
        "/economist.png": Route(200, "image/png", PNG),
    })
    yield fixture
    fixture.close()


def _corpus(target: Path, addresses: dict[str, str]) -> Path:
    """The real evidence notes ``addresses`` names, their catalogue entries pointing at those addresses."""
    small_corpus(target, list(addresses))
    sources = target / "sources.toml"
    text = sources.read_text(encoding="utf-8")
    for note_id, url in addresses.items():
        text = re.sub(rf'(id = "{note_id}"\n(?:(?!\[\[source\]\]).*\n)*?)url = ".*"', rf'\1url = "{url}"', text)
    sources.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def settings(tmp_path: Path, make_settings: Callable[..., Settings], server: FixtureServer) -> Settings:
    closed = free_port()  # nothing listens there: connection refused
    addresses = {
        "deci-1999": f"{server.url}/deci.pdf",
        "morris-2023": f"{server.url}/morris",
        "tallack-2020": f"{server.url}/tallack",
        "curtis-2023": f"{server.url}/curtis",
        "economist-2023": f"{server.url}/economist.png",
        "patel-2023": f"http://127.0.0.1:{closed}/patel.pdf",
    }
    return make_settings(corpus_dir=_corpus(tmp_path / "corpus", addresses))


def _by_id(results: list[FetchResult]) -> dict[str, FetchResult]:
    return {r.id: r for r in results}


def test_each_work_is_fetched_or_fails_with_its_reason(settings: Settings, server: FixtureServer) -> None:
    catalogue = Catalogue.load(settings.corpus_dir)
    results = _by_id(fetch_evidence(settings, catalogue, timeout=5))
    assert set(results) == {"deci-1999", "morris-2023", "tallack-2020", "curtis-2023", "economist-2023", "patel-2023"}
    assert {i for i, r in results.items() if r.ok} == {"deci-1999", "morris-2023"}
    assert results["tallack-2020"].reason == "paywalled or login required (HTTP 403 Forbidden)"
    assert results["curtis-2023"].reason.startswith("paywalled or login required")
    assert results["economist-2023"].reason == "not a document (content type image/png)"
    assert results["patel-2023"].reason.startswith("unreachable (")

    pdf = settings.data_dir / "fetched" / "deci-1999.pdf"
    assert results["deci-1999"].file == "fetched/deci-1999.pdf"
    assert pdf.read_bytes() == server.routes["/deci.pdf"].body
    assert results["deci-1999"].sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert (settings.data_dir / "fetched" / "morris-2023.html").read_text(encoding="utf-8") == ARTICLE
    assert all(agent.startswith("MissionDesk/") for _, agent in server.requests)

    recorded = json.loads((settings.data_dir / "fetched" / "works.json").read_text(encoding="utf-8"))["works"]
    assert [w["id"] for w in recorded] == ["deci-1999", "morris-2023"]
    deci = recorded[0]
    assert deci["sha256"] == results["deci-1999"].sha256 and deci["content_type"] == "application/pdf"
    assert abs((datetime.now(UTC) - datetime.fromisoformat(deci["retrieved"])).total_seconds()) < 120

    lines = main_lines(list(results.values()))
    assert any(line.startswith("deci-1999") and "ok" in line and deci["sha256"][:12] in line for line in lines)
    assert any(line.startswith("economist-2023") and "not a document" in line for line in lines)


def test_only_the_works_asked_for(settings: Settings, server: FixtureServer) -> None:
    results = fetch_evidence(settings, Catalogue.load(settings.corpus_dir), ids=["morris-2023", "nobody-2020"])
    assert [(r.id, r.ok, r.reason) for r in results] == [("nobody-2020", False, "not in the catalogue"),
                                                        ("morris-2023", True, "")]
    assert [p for p, _ in server.requests] == ["/morris"]


def test_a_proxy_in_the_environment_is_honoured(
    settings: Settings, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address names a host that does not exist; only the proxy (the local server) can answer for it."""
    (settings.corpus_dir / "sources.toml").write_text(
        (settings.corpus_dir / "sources.toml").read_text(encoding="utf-8").replace(
            f"{server.url}/morris", "http://evidence.invalid/morris"), encoding="utf-8")
    monkeypatch.setenv("http_proxy", server.url)
    results = fetch_evidence(settings, Catalogue.load(settings.corpus_dir), ids=["morris-2023"], timeout=5)
    assert results[0].ok, results[0].reason
    assert server.requests[-1][0] == "http://evidence.invalid/morris"


@dataclass(frozen=True)
class Case:
    name: str
    route: Callable[[bytes], Route]  # given the fixture PDF's bytes
    ok: bool
    reason: str = ""  # the start of the reason when not ok
    suffix: str = ""  # the copy's suffix when ok


LATIN1 = "<html><body><p>Caf\u00e9 owners in Norwich reported longer opening hours in 2022.</p></body></html>"
CASES = [
    Case("pdf-served-as-octet-stream", lambda pdf: Route(200, "application/octet-stream", pdf), True, suffix=".pdf"),
    Case("html-called-a-pdf", lambda _: Route(200, "application/pdf", ARTICLE.encode()), False,
         "not a document (served as application/pdf but not a PDF)"),
    Case("html-without-text", lambda _: Route(200, "text/html", b"<html><body><img src=x></body></html>"), False,
         "not a document (an HTML page with no text)"),
    Case("latin-1-page", lambda _: Route(200, "text/html; charset=iso-8859-1", LATIN1.encode("latin-1")), True,
         suffix=".html"),
    Case("not-found", lambda _: Route(404, "text/html", b"gone"), False, "no document at the address (HTTP 404"),
    Case("server-error", lambda _: Route(500, "text/plain", b"oops"), False, "unreachable (HTTP 500"),
    Case("payment-required", lambda _: Route(402, "text/html", b"pay"), False,
         "paywalled or login required (HTTP 402"),
    Case("too-slow", lambda pdf: Route(200, "application/pdf", pdf, delay=3), False, "unreachable (timed out: no answer within 1 s)"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_one_address(case: Case, settings: Settings, server: FixtureServer) -> None:
    server.routes["/deci.pdf"] = case.route(server.routes["/deci.pdf"].body)
    (result,) = fetch_evidence(settings, Catalogue.load(settings.corpus_dir), ids=["deci-1999"], timeout=1)
    assert result.ok == case.ok, result.reason
    assert result.reason.startswith(case.reason), result.reason
    if not case.ok:
        assert not load_works(settings)
        return
    copy = settings.data_dir / "fetched" / f"deci-1999{case.suffix}"
    assert result.sha256 == hashlib.sha256(copy.read_bytes()).hexdigest()
    if case.suffix == ".html":  # kept as UTF-8, what the loader reads
        assert "Café owners in Norwich" in copy.read_text(encoding="utf-8")


def test_too_large_is_refused(settings: Settings, server: FixtureServer) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 100})
    (result,) = fetch_evidence(small, Catalogue.load(settings.corpus_dir), ids=["deci-1999"])
    assert not result.ok and result.reason.startswith("too large")
    assert not (settings.data_dir / "fetched" / "deci-1999.pdf").exists()


def test_fetched_work_is_cited_as_a_quote_beside_its_note_and_survives_a_failed_refetch(
    settings: Settings, server: FixtureServer, embeddings: MiniLMEmbeddings
) -> None:
    fetch_evidence(settings, Catalogue.load(settings.corpus_dir), ids=["deci-1999", "morris-2023"])
    # How the facade would load its catalogue: the works beside their notes, so citations carry their references.
    assistant = Assistant(settings, embeddings=embeddings,
                          catalogue=with_fetched_works(settings, Catalogue.load(settings.corpus_dir)))
    report = assistant.ingest()
    assert not report.skipped, report.skipped
    indexed = {s.record.id: s.record for s in assistant.store.sources()}
    assert {"deci-1999", "deci-1999-work", "morris-2023", "morris-2023-work"} <= indexed.keys()
    work = indexed["deci-1999-work"]
    assert work.kind == "fetched work" and work.file == "fetched/deci-1999.pdf"
    assert work.url == f"{server.url}/deci.pdf"
    assert re.search(r"\(retrieved \d{4}-\d\d-\d\d\)$", work.citation)
    assert indexed["deci-1999"].kind == "evidence note"  # the note stays
    # The plain catalogue (sources.toml only) indexes the same: discover() adds the recorded works either way.
    assert not Assistant(settings, embeddings=embeddings).ingest().changed

    answer = assistant.ask("What effect did unexpected tangible rewards have on free-choice behaviour?")
    quoted = [c for c in answer.citations if c.source_id == "deci-1999-work"]
    assert quoted and all(c.origin == "quote" for c in quoted), answer.citations
    assert any("Unexpected tangible rewards" in c.quote for c in quoted)
    assert quoted[0].url == work.url and quoted[0].citation == work.citation and quoted[0].label == "Quote"
    note = assistant.ask("What did positive verbal feedback do to free-choice behaviour?")
    assert any(c.source_id == "deci-1999" and c.origin == "evidence note" for c in note.citations), note.citations

    # The server now fails for every work: the earlier copies, their record and the index all stay.
    chunks_before = sorted(c.id for c in assistant.store.chunks())
    copy_before = (settings.data_dir / "fetched" / "deci-1999.pdf").read_bytes()
    server.routes["/deci.pdf"] = Route(503, "text/plain", b"down")
    server.routes["/morris"] = Route(200, "image/png", PNG)
    failed = _by_id(fetch_evidence(settings, assistant.catalogue, ids=["deci-1999", "morris-2023"]))
    assert failed["deci-1999"].reason == "unreachable (HTTP 503 Service Unavailable)"
    assert failed["morris-2023"].reason == "not a document (content type image/png)"
    assert (settings.data_dir / "fetched" / "deci-1999.pdf").read_bytes() == copy_before
    works = load_works(settings)
    assert works["deci-1999"].last_failure == failed["deci-1999"].reason
    assert works["deci-1999"].sha256 == hashlib.sha256(copy_before).hexdigest()
    again = assistant.ingest()
    assert not again.changed and not again.skipped
    assert sorted(c.id for c in assistant.store.chunks()) == chunks_before


def test_the_library_page_fetches_the_cited_works(
    tmp_path: Path, make_settings: Callable[..., Settings], server: FixtureServer, embeddings: MiniLMEmbeddings,
    browser,  # type: ignore[no-untyped-def]
) -> None:
    """Issue 14: the Evidence library offers the same fetch as the CLI, in a real browser on a real server: each work
    fetched or failing with its reason, then indexed and answerable."""
    addresses = {"deci-1999": f"{server.url}/deci.pdf", "tallack-2020": f"{server.url}/tallack"}
    settings = make_settings(corpus_dir=_corpus(tmp_path / "corpus", addresses))
    Assistant.load(settings, embeddings=embeddings)  # the small corpus indexed before the server starts
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MISSION_DESK_") and k.lower() not in PROXY_VARIABLES}
    env.update(MISSION_DESK_DATA_DIR=str(settings.data_dir), MISSION_DESK_CORPUS_DIR=str(settings.corpus_dir),
               MISSION_DESK_MODELS_DIR=str(MODELS_DIR), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    with streamlit_server(PROJECT_ROOT / "app.py", cwd=PROJECT_ROOT, env=env, log_path=tmp_path / "streamlit.log") as url:
        page = browser.new_page()
        page.goto(f"{url}/library")
        page.get_by_role("button", name="Fetch the cited works").click()
        page.get_by_text("index:", exact=False).first.wait_for(timeout=180_000)
        shown = page.inner_text("body")
        page.close()
    assert re.search(r"deci-1999\s+ok", shown), shown[-1500:]
    assert re.search(r"tallack-2020\s+FAILED\s+paywalled or login required", shown), shown[-1500:]
    assert set(load_works(settings)) == {"deci-1999"}
    answer = Assistant.load(settings, embeddings=embeddings).ask(
        "What effect did unexpected tangible rewards have on free-choice behaviour?")
    assert any(c.source_id == "deci-1999-work" and c.origin == "quote" for c in answer.citations), answer.citations
