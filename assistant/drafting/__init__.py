"""Policy drafting over the evidence: mission metrics, mission-test assessments, briefing notes, claim checks.

Each module turns the Assistant's retrieval and citation verifier (shared through ``evidence``) into
one typed draft from assistant.schemas; the facade exposes them as draft_metrics, draft_mission_test,
draft_briefing and check.
"""
