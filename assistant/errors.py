"""Errors a user can act on; each message says what was wrong and what to do."""

from __future__ import annotations


class MissionDeskError(Exception):
    """Base of every error Mission Desk raises on purpose."""


class QuestionError(MissionDeskError, ValueError):
    """A question the assistant will not process (empty or too long)."""


class LoaderError(MissionDeskError):
    """A document that cannot be read; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissingError(MissionDeskError):
    """No index has been built yet."""


class DataFolderReadOnlyError(MissionDeskError):
    """The data folder cannot be written: answers work from the existing index, adding documents does not."""

    def __init__(self, folder: str) -> None:
        super().__init__(
            f"the data folder {folder} is read-only, so documents cannot be added or the index rebuilt; "
            "answers still work from the existing index"
        )
        self.folder = folder


class DiskFullError(MissionDeskError):
    """A write to the index ran out of space; the previous index is unchanged and still answers."""

    def __init__(self, folder: str, free_mb: float) -> None:
        super().__init__(
            f"disk full: the index was not changed ({free_mb:.0f} MB free in {folder}); "
            "free some space and add the document again"
        )
        self.folder = folder
        self.free_mb = free_mb


class NotOwnerError(MissionDeskError, PermissionError):
    """Only a document's owner may remove, share or unshare it (another user's private document is not found)."""


class IndexUnavailableError(MissionDeskError):
    """The index (a team's Chroma server) does not answer and there is no earlier snapshot to answer from."""
