"""Small file-system facts the index modules share (core layer: store.py and embeddings.py may not import each other)."""

from __future__ import annotations

import tempfile
from pathlib import Path


def writable(folder: Path) -> bool:
    """Whether a file can really be created in ``folder`` (made if missing).

    Permission bits are not enough: root ignores them, but not a read-only mount.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-probe-"):
            pass
    except OSError:
        return False
    return True
