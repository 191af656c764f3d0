"""Mission Desk: grounded answers, drafts and claim checks over The smarter state and its evidence."""

from assistant.facade import Assistant, SourceStatus
from assistant.schemas import Answer, Citation, IngestReport, RemovedSentence, SourceRecord
from assistant.settings import Settings

__all__ = ["Answer", "Assistant", "Citation", "IngestReport", "RemovedSentence", "Settings", "SourceRecord", "SourceStatus"]
