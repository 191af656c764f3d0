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
