"""Who owns each user document and who may see it: the library's sharing manifest.

Documents a user adds are private to them by default; the owner can share one with the team (and unshare it).
The report and its evidence are shared with everyone. In single-user mode (no sign-in configured) every request
is the default user's, who owns everything added, so the app behaves as before.

Where things live: a signed-in user's documents are kept in their own folder of the library
(``user/@<slug>-<hash>/...``), so two users may each add a ``memo.md`` without meeting the other's; the default
user's stay at the top (``user/memo.md``), as libraries made before sign-in have them. Who owns a folder and which
documents are shared is recorded in ``user/.sharing.json`` (a hidden file: never indexed), written atomically.
Sharing is not part of the index: toggling it re-embeds and rewrites nothing; retrieval filters by it per request.

With a shared Chroma server (team deployment), the same record lives in the server instead (``StoreManifest``: one
record of a small collection), so every app process on that server sees the same owners and sharing; and ingests
take a lock there too (``server_lock``), so two machines never build generations at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = ".sharing.json"
_LOCK = threading.Lock()


def owner_folder(user: str, default_user: str) -> PurePosixPath:
    """The library folder of ``user``'s documents: the top for the default user, else '@<slug>-<hash>'."""
    if user == default_user:
        return PurePosixPath()
    slug = re.sub(r"[\W_]+", "-", user.casefold()).strip("-")[:32] or "user"
    return PurePosixPath(f"@{slug}-{hashlib.sha256(user.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}")


@dataclass(frozen=True)
class Sharing:
    """The manifest as read: the owner of each '@' folder, and the library paths shared with the team."""

    owners: dict[str, str]
    shared: frozenset[str]

    def owner_of(self, library_path: str, default_user: str) -> str:
        return self._owner_of_folder(owner_folder_of(library_path), default_user)

    def _owner_of_folder(self, folder: str, default_user: str) -> str:
        return self.owners.get(folder, folder) if folder else default_user

    def visible_to(self, library_path: str, user: str, default_user: str) -> bool:
        return self.owner_of(library_path, default_user) == user or library_path in self.shared

    def hidden_from(self, by_folder: Mapping[str, Sequence[tuple[str, str]]], user: str, default_user: str) -> frozenset[str]:
        """The ids of the documents ``user`` may not see, of ``by_folder`` (owner folder -> (id, library path)):
        what ``visible_to`` says of each, decided once per owner folder rather than once per document."""
        return frozenset(sid for folder, files in by_folder.items()
                         if self._owner_of_folder(folder, default_user) != user
                         for sid, path in files if path not in self.shared)


def owner_folder_of(library_path: str) -> str:
    """The '@' folder whose owner owns ``library_path`` ('' : the default user's, at the top of the library)."""
    head = PurePosixPath(library_path).parts[0] if library_path else ""
    return head if head.startswith("@") else ""


class _Manifest:
    """Owner registration and sharing over a backend that reads and writes the whole record."""

    def read(self) -> Sharing:
        raise NotImplementedError

    def _write(self, sharing: Sharing) -> None:
        raise NotImplementedError

    def register_owner(self, folder: PurePosixPath, user: str) -> None:
        if not str(folder) or str(folder) == ".":
            return
        with _LOCK:
            sharing = self.read()
            if sharing.owners.get(str(folder)) != user:
                self._write(Sharing({**sharing.owners, str(folder): user}, sharing.shared))

    def set_shared(self, library_path: str, shared: bool) -> None:
        with _LOCK:
            sharing = self.read()
            paths = set(sharing.shared)
            (paths.add if shared else paths.discard)(library_path)
            if frozenset(paths) != sharing.shared:
                self._write(Sharing(sharing.owners, frozenset(paths)))

    def forget(self, library_path: str) -> None:
        """A removed document is no longer shared (a later upload of the same name starts private)."""
        self.set_shared(library_path, False)


def _as_json(sharing: Sharing) -> dict[str, Any]:
    return {"owners": dict(sorted(sharing.owners.items())), "shared": sorted(sharing.shared)}


class SharingManifest(_Manifest):
    """Read and update ``user/.sharing.json`` (atomic replace; one writer at a time in this process, and
    ingest's lock across processes)."""

    def __init__(self, user_dir: Path) -> None:
        self.path = user_dir / MANIFEST

    def read(self) -> Sharing:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Sharing({}, frozenset())
        except (OSError, ValueError) as exc:
            raise ValueError(f"the library's sharing record {self.path} cannot be read ({exc})") from exc
        return Sharing(dict(data.get("owners", {})), frozenset(data.get("shared", [])))

    def _write(self, sharing: Sharing) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = _as_json(sharing)
        handle, name = tempfile.mkstemp(prefix=".sharing-", suffix=".partial", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
            os.replace(name, self.path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise


class StoreManifest(_Manifest):
    """The same record in the team's Chroma server: one record of the collection "<prefix>-sharing"."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client, self.name = client, f"{prefix}-sharing"

    def read(self) -> Sharing:
        found = self._collection().get(ids=["manifest"], include=["documents"])
        if not found["ids"]:
            return Sharing({}, frozenset())
        data = json.loads(found["documents"][0])
        return Sharing(dict(data.get("owners", {})), frozenset(data.get("shared", [])))

    def _write(self, sharing: Sharing) -> None:
        # A stand-in vector: the record is looked up by id, never by similarity (and no embedding function runs).
        self._collection().upsert(
            ids=["manifest"], documents=[json.dumps(_as_json(sharing), ensure_ascii=False)], embeddings=[[0.0]]
        )

    def _collection(self) -> Any:
        return self.client.get_or_create_collection(self.name, embedding_function=None)


def manifest_for(chroma_host: str | None, user_dir: Path, client: Any, prefix: str) -> _Manifest:
    """The library's sharing record: in the team's Chroma server when there is one, else in the data folder."""
    return StoreManifest(client, prefix) if chroma_host else SharingManifest(user_dir)


@contextmanager
def server_lock(client: Any, prefix: str, *, stale_seconds: float, wait_seconds: float = 0.5) -> Iterator[None]:
    """One ingest at a time across every machine on a Chroma server: the lock is a collection that exists while an
    ingest runs (creating an existing collection fails on the server, so two machines cannot both take it). A lock
    older than ``stale_seconds`` (its holder was killed) is broken."""
    name = f"{prefix}-ingest-lock"
    while True:
        try:
            client.create_collection(name, embedding_function=None,
                                     metadata={"since": time.time(), "holder": f"{os.uname().nodename}:{os.getpid()}"})
            break
        except Exception:  # noqa: BLE001 - chromadb raises several types for "already exists"
            try:
                since = float((client.get_collection(name).metadata or {}).get("since", 0.0))
            except Exception:  # noqa: BLE001 - released between the two calls: try again at once
                continue
            if time.time() - since > stale_seconds:
                try:
                    client.delete_collection(name)
                except Exception:  # noqa: BLE001 - another waiter broke it first
                    pass
                continue
            time.sleep(wait_seconds)
    try:
        yield
    finally:
        try:
            client.delete_collection(name)
        except Exception:  # noqa: BLE001 - already broken as stale by another machine
            pass
