"""Mission Desk: grounded answers, drafts and claim checks over The smarter state and its evidence."""

from assistant.facade import SUPPORTED_TYPES, Assistant, SourceStatus, size_problem
from assistant.schemas import (
    Answer,
    BriefingNote,
    Citation,
    ClaimCheck,
    CriterionFinding,
    DraftCheck,
    EvidenceGap,
    IngestReport,
    Metric,
    MetricsDraft,
    MissionTestAssessment,
    RemovedSentence,
    SentenceCheck,
    SourceRecord,
    Statement,
)
from assistant.settings import Settings

__all__ = [
    "Answer", "Assistant", "BriefingNote", "Citation", "ClaimCheck", "CriterionFinding", "DraftCheck", "EvidenceGap",
    "IngestReport", "Metric", "MetricsDraft", "MissionTestAssessment", "RemovedSentence", "SentenceCheck", "Settings",
    "SourceRecord", "SourceStatus", "Statement", "SUPPORTED_TYPES", "size_problem",
]
