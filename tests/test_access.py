"""Private and shared documents (issue 14, item 1): a user's upload is theirs alone until they share it; nothing
another user asks, drafts or checks can cite, quote or even reveal it; sharing and unsharing take effect at once.

Real Chroma, the real model, two users of one Assistant (as two signed-in advisers share one app).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.make_pdfs import small_corpus

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import NotOwnerError
from ingest.pipeline import user_source_id

ANA, BEN = "ana@team.example", "ben@team.example"
PLAN = "# Northbay plan\n\nNorthbay Council will move £700,000 from acute care into early help for families in 2026.\n"
QUESTION = "How much will Northbay Council move into early help?"


@pytest.fixture
def team(make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings, tmp_path: Path) -> Assistant:
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", ["morris-2023", "deci-1999"]))
    assistant = Assistant.load(settings, embeddings=embeddings)
    plan = tmp_path / "ana" / "northbay-plan.md"
    plan.parent.mkdir()
    plan.write_text(PLAN, encoding="utf-8")
    report = assistant.ingest([plan], user=ANA)
    assert not report.skipped, report.skipped
    return assistant


def _plan_id(a: Assistant) -> str:
    (status,) = [s for s in a.sources(user=ANA) if s.record.kind == "user document"]
    return status.record.id


def _cites_plan(a: Assistant, answer: object) -> bool:
    return any(c.source_id == _plan_id(a) for c in answer.citations + answer.closest)  # type: ignore[attr-defined]


def test_a_private_document_is_its_owner_s_alone(team: Assistant) -> None:
    mine = team.ask(QUESTION, user=ANA)
    assert not mine.refused and _cites_plan(team, mine) and "£700,000" in mine.answer

    theirs = team.ask(QUESTION, user=BEN)
    assert theirs.refused and not _cites_plan(team, theirs)
    # Refused exactly as if the document did not exist: the sources never mention Northbay.
    assert "Northbay" in theirs.answer
    # Neither side of retrieval hands it over, even for the document's own words.
    passages, _ = team.retrieve(PLAN.split("\n\n")[1], user=BEN, k=30)
    assert all(p.chunk.source_id != _plan_id(team) for p in passages)
    assert all(s.record.kind != "user document" for s in team.sources(user=BEN))
    check = team.check("Northbay Council will move £700,000 into early help.", user=BEN)
    assert all(c.source_id != _plan_id(team) for c in check.supporting + check.contradicting + check.your_documents)


def test_another_user_s_private_document_is_not_found_never_forbidden(team: Assistant) -> None:
    plan = _plan_id(team)
    for act in (lambda: team.remove_source(plan, user=BEN), lambda: team.share(plan, user=BEN),
                lambda: team.library_path("northbay-plan.md", user=BEN)):
        with pytest.raises(KeyError, match="no user document"):
            act()
    assert _plan_id(team) == plan  # still there for its owner


def test_sharing_makes_it_answerable_for_the_team_and_unsharing_takes_it_back(team: Assistant) -> None:
    plan = _plan_id(team)
    assert team.share(plan, user=ANA) == "northbay-plan.md"

    answer = team.ask(QUESTION, user=BEN)
    assert not answer.refused and _cites_plan(team, answer)
    listed = {s.record.id: s for s in team.sources(user=BEN)}
    assert listed[plan].owner == ANA and listed[plan].shared
    with pytest.raises(NotOwnerError, match="only its owner"):
        team.remove_source(plan, user=BEN)
    with pytest.raises(NotOwnerError):
        team.share(plan, shared=False, user=BEN)

    team.share(plan, shared=False, user=ANA)
    assert team.ask(QUESTION, user=BEN).refused


def test_two_users_may_each_keep_a_document_of_the_same_name(team: Assistant, tmp_path: Path) -> None:
    for user, text in ((ANA, "Ana's memo says the lido opens in May."), (BEN, "Ben's memo says the lido opens in June.")):
        memo = tmp_path / user / "memo.md"
        memo.parent.mkdir(exist_ok=True)
        memo.write_text(f"# Memo\n\n{text}\n", encoding="utf-8")
        assert not team.ingest([memo], user=user).skipped
    ana = team.ask("When does the lido open according to the memo?", user=ANA)
    ben = team.ask("When does the lido open according to the memo?", user=BEN)
    assert "May" in ana.answer and "June" not in ana.answer
    assert "June" in ben.answer and "May" not in ben.answer
    assert [c.label for c in ana.citations if c.origin == "user document"][0] == "Your document: memo.md"
    assert user_source_id("memo.md") not in {s.record.id for s in team.sources(user=ANA)}  # ids differ per owner


def test_the_cli_acts_as_a_user_and_shares(team: Assistant) -> None:
    import json
    import subprocess
    import sys

    from assistant.settings import PROJECT_ROOT

    env = {"MISSION_DESK_DATA_DIR": str(team.settings.data_dir), "MISSION_DESK_MODELS_DIR": str(team.settings.model_cache_dir),
           "MISSION_DESK_CORPUS_DIR": str(team.settings.corpus_dir), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                              cwd=PROJECT_ROOT, timeout=300, check=False)

    def users_documents(user: str) -> list[dict]:
        listed = cli("sources", "--json", "--user", user)
        assert listed.returncode == 0, listed
        return [s for s in json.loads(listed.stdout) if s["kind"] == "user document"]

    assert users_documents(BEN) == []
    refused = cli("share", "northbay-plan.md", "--user", BEN)
    assert refused.returncode == 2 and "no user document" in refused.stderr
    shared = cli("share", "northbay-plan.md", "--user", ANA)
    assert shared.returncode == 0 and "shared with the team" in shared.stdout, shared
    (seen,) = users_documents(BEN)
    assert seen["owner"] == ANA and seen["shared"] is True
    denied = cli("remove", seen["id"], "--user", BEN)
    assert denied.returncode == 2 and "only its owner" in denied.stderr, denied
