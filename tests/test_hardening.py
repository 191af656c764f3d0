"""Hostile or careless uploads cost bounded work and fail one file at a time (issue 13, items 3 and 4).

Each probe ingests a bad file beside a good one into a real Chroma index of the real corpus, with the real
model, and asserts what the user sees: a clear per-file error, the good file indexed, nothing left queued
in the library, the report still answering, and the next ingest unharmed.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import MODELS_DIR

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import LoaderError, QuestionError
from assistant.schemas import IngestReport
from assistant.settings import IngestSettings
from assistant.text.acronyms import find_acronyms
from ingest.loaders import load
from ingest.pipeline import user_source_id

REPORT_QUESTION = "What three criteria make up the mission test?"
REPORT_ID = "smarter-state-2023"


@pytest.fixture(scope="module")
def hardened(tmp_path_factory: pytest.TempPathFactory, embeddings: MiniLMEmbeddings) -> Assistant:
    """The real corpus indexed once for this module; each test adds its own uniquely named files."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("hardening"), models_dir=MODELS_DIR)
    return Assistant.load(settings, embeddings=embeddings)


def _good_file(folder: Path, stem: str) -> Path:
    path = folder / f"{stem}.md"
    path.write_text(
        f"# Canal survey {stem}\n\nThe canal survey counted fourteen herons nesting near the lock gates in spring.\n",
        encoding="utf-8",
    )
    return path


def _indexed_ids(assistant: Assistant) -> set[str]:
    return {s.record.id for s in assistant.store.sources()}


def _assert_report_still_answers(assistant: Assistant) -> None:
    answer = assistant.ask(REPORT_QUESTION)
    assert not answer.refused and any(c.source_id == REPORT_ID for c in answer.citations)


def _assert_one_file_refused(
    assistant: Assistant, report: IngestReport, bad_name: str, good: Path, reason_words: tuple[str, ...]
) -> str:
    """The bad file has one clear error, the good one is indexed, and nothing of the bad one is left queued."""
    errors = [e for e in report.skipped if bad_name in e.path]
    assert len(errors) == 1, report.skipped
    reason = errors[0].reason
    assert all(w in reason for w in reason_words), reason
    assert "Traceback" not in reason
    assert user_source_id(good.name) in _indexed_ids(assistant)
    library = {os.fsencode(p.name) for p in assistant.settings.user_documents_dir.iterdir()}
    assert not any(os.fsencode(bad_name) in name for name in library), library
    _assert_report_still_answers(assistant)
    again = assistant.ingest()  # a later ingest is not poisoned by the refused file
    assert not again.skipped, again.skipped
    return reason


# -- bounded work ----------------------------------------------------------------------------------


def test_acronyms_are_found_in_linear_time_next_to_a_5_mb_token() -> None:
    """Quadratic before (40 KB: 12 s; 5 MB would take days): the test finishing at all is the check."""
    token = "x" * 5_000_000
    text = f"{token} (AB) {token} is run by new public management (NPM) {token}(CD) ok"
    assert find_acronyms([text]) == {"new public management": "NPM"}


@dataclass(frozen=True)
class AcronymCase:
    name: str
    text: str
    expected: dict[str, str]


ACRONYM_CASES = [
    AcronymCase("plain", "the new public management (NPM) era", {"new public management": "NPM"}),
    AcronymCase("line break", "new public\nmanagement\n(NPM)", {"new public management": "NPM"}),
    AcronymCase("initials must match", "the public sector (NPM)", {}),
    AcronymCase("no space before bracket", "new public management(NPM)", {}),
    AcronymCase("word glued to digits", "x1new public management (NPM)", {}),
    AcronymCase("long word breaks the phrase", "y" * 41 + " public management (PM)", {"public management": "PM"}),
    AcronymCase("first definition wins", "net present margin (NPM) and new public management (NPM)",
                {"net present margin": "NPM", "new public management": "NPM"}),
]


@pytest.mark.parametrize("case", ACRONYM_CASES, ids=[c.name for c in ACRONYM_CASES])
def test_acronym_definitions(case: AcronymCase) -> None:
    assert find_acronyms([case.text]) == case.expected


def test_a_5_mb_token_upload_is_indexed_and_the_next_load_is_not_stalled(
    hardened: Assistant, embeddings: MiniLMEmbeddings, tmp_path: Path
) -> None:
    # The default text budget (3 M characters) would refuse it; raised here to index it and load after it.
    settings = hardened.settings.model_copy(update={"ingest": IngestSettings(max_text_chars=6_000_000)})
    token = tmp_path / "one-token.txt"
    token.write_text("A note with one long token.\n\n" + "z" * 5_000_000 + "\n\nThe end of the note.\n")
    report = Assistant(settings, embeddings=embeddings).ingest([token, _good_file(tmp_path, "token-batch")])
    assert not report.skipped, report.skipped
    fresh = Assistant.load(settings, embeddings=embeddings, build_if_missing=False)  # as a new process would
    assert {user_source_id(token.name), user_source_id((tmp_path / "token-batch.md").name)} <= _indexed_ids(fresh)
    _assert_report_still_answers(fresh)
    fresh.remove_source(user_source_id(token.name))  # the default budget of later tests would refuse it
    hardened.ingest()


def test_a_yaml_alias_bomb_in_front_matter_is_refused(hardened: Assistant, tmp_path: Path) -> None:
    levels = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    for n, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[n]
        levels.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    bomb = tmp_path / "alias-bomb.md"
    bomb.write_text("---\n" + "\n".join(levels) + "\ntitle: *i\n---\n\nA short body.\n", encoding="utf-8")
    assert len(bomb.read_bytes()) < 1000
    report = hardened.ingest([bomb, _good_file(tmp_path, "alias-batch")])
    _assert_one_file_refused(hardened, report, "alias-bomb.md", tmp_path / "alias-batch.md", ("alias",))


def test_front_matter_values_are_cut_to_the_limit(hardened: Assistant, tmp_path: Path) -> None:
    long = tmp_path / "long-title.md"
    title = "Canal heron survey " * 100
    long.write_text(
        f"---\ntitle: {title}\ncitation: {title}\nnested:\n  a: 1\n---\n\nThe herons nested by the lock.\n",
        encoding="utf-8",
    )
    report = hardened.ingest([long])
    assert not report.skipped, report.skipped
    record = next(s.record for s in hardened.store.sources() if s.record.id == user_source_id(long.name))
    limit = IngestSettings().max_value_chars
    assert record.title.startswith("Canal heron survey") and len(record.title) <= limit
    assert len(record.citation) <= limit


def test_front_matter_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge-front-matter.md"
    path.write_text("---\n" + "".join(f"k{i}: v\n" for i in range(3000)) + "---\n\nBody.\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="front matter is longer than"):
        load(path, max_bytes=10**6)


def test_a_file_over_the_chunk_budget_is_refused_with_its_count(
    hardened: Assistant, embeddings: MiniLMEmbeddings, tmp_path: Path
) -> None:
    limit = max(s.chunks for s in hardened.store.sources())  # the budget applies to the shipped corpus too
    settings = hardened.settings.model_copy(update={"ingest": IngestSettings(max_chunks=limit)})
    long = tmp_path / "long-prose.txt"
    long.write_text("\n\n".join(
        f"Part {i}. " + "The survey team walked the towpath and counted boats. " * 15 for i in range(limit + 20)
    ))
    assistant = Assistant(settings, embeddings=embeddings)
    report = assistant.ingest([long, _good_file(tmp_path, "budget-batch")])
    reason = _assert_one_file_refused(
        assistant, report, "long-prose.txt", tmp_path / "budget-batch.md", ("too much text:", f"chunks, limit {limit}")
    )
    assert int(reason.split("too much text: ")[1].split(" chunks")[0].replace(",", "")) > limit
    hardened.ingest()


def test_a_text_over_the_character_budget_is_refused_before_chunking(
    hardened: Assistant, embeddings: MiniLMEmbeddings, tmp_path: Path
) -> None:
    limit = max(len(s.text) for s in hardened.store.sources())
    settings = hardened.settings.model_copy(update={"ingest": IngestSettings(max_text_chars=limit)})
    big = tmp_path / "big-text.txt"
    big.write_text("The towpath was busy. " * (limit // 10))
    assistant = Assistant(settings, embeddings=embeddings)
    report = assistant.ingest([big, _good_file(tmp_path, "chars-batch")])
    size = 22 * (limit // 10)
    _assert_one_file_refused(
        assistant, report, "big-text.txt", tmp_path / "chars-batch.md",
        (f"too much text: {size:,} characters, limit {limit:,}",),
    )
    hardened.ingest()


# -- per-file errors -------------------------------------------------------------------------------


def _bomb_pdf(path: Path) -> Path:
    """A one-page PDF whose content stream is ~100 KB of deflate inflating to 100 MB (pypdf stops at 75 MB)."""
    stream = zlib.compress(b" " * 100_000_000, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_a_decompression_bomb_pdf_is_refused(hardened: Assistant, tmp_path: Path) -> None:
    bomb = _bomb_pdf(tmp_path / "bomb.pdf")
    assert bomb.stat().st_size < 300_000
    report = hardened.ingest([bomb, _good_file(tmp_path, "pdf-batch")])
    _assert_one_file_refused(hardened, report, "bomb.pdf", tmp_path / "pdf-batch.md", ("PDF refused", "limit"))


def test_a_file_name_that_is_not_utf8_is_refused_and_never_blocks_later_ingests(
    hardened: Assistant, tmp_path: Path
) -> None:
    raw = os.fsdecode(b"caf\xe9-notes.txt")
    bad = tmp_path / raw
    bad.write_text("Notes from the cafe about the canal.\n")
    report = hardened.ingest([bad, _good_file(tmp_path, "name-batch")])
    reason = _assert_one_file_refused(hardened, report, "caf\ufffd-notes.txt", tmp_path / "name-batch.md", ("UTF-8",))
    assert reason == "the file name is not valid UTF-8 text: rename the file and upload it again"
    assert not (hardened.settings.user_documents_dir / raw).exists()
    report.model_dump_json()  # the report itself can be shown and stored


def test_a_non_utf8_name_already_in_the_library_is_reported_not_fatal(hardened: Assistant, tmp_path: Path) -> None:
    """A file put in the user folder by hand (or by an older version) is skipped with its error, every time."""
    library = hardened.settings.user_documents_dir
    stray = library / os.fsdecode(b"stray-\xff.txt")
    stray.write_text("A stray note about herons.\n")
    try:
        report = hardened.ingest([_good_file(tmp_path, "stray-batch")])
        assert [e.reason for e in report.skipped if "stray-" in e.path] == [
            "the file name is not valid UTF-8 text: rename the file and upload it again"
        ]
        assert "\ufffd" in next(e.path for e in report.skipped if "stray-" in e.path)
        assert user_source_id((tmp_path / "stray-batch.md").name) in _indexed_ids(hardened)
        _assert_report_still_answers(hardened)
    finally:
        stray.unlink()


def test_a_255_byte_file_name_is_indexed(hardened: Assistant, tmp_path: Path) -> None:
    """The temporary copy used to add 9 bytes to the name and fail with ENAMETOOLONG past 246 bytes."""
    name = "h" * 251 + ".txt"
    assert len(os.fsencode(name)) == 255
    long = tmp_path / name
    long.write_text("The heron count by the long-named lock was nine.\n")
    report = hardened.ingest([long, _good_file(tmp_path, "long-name-batch")])
    assert not report.skipped, report.skipped
    assert {user_source_id(long.name), user_source_id((tmp_path / "long-name-batch.md").name)} <= _indexed_ids(hardened)
    assert not [p for p in hardened.settings.user_documents_dir.iterdir() if p.name.endswith(".partial")]


def test_an_unforeseen_failure_in_one_file_is_that_files_error(
    hardened: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any exception one file raises (here a docx loader bug, simulated) is reported for that file alone."""
    import ingest.loaders

    def broken(path: Path) -> None:
        raise RuntimeError("loader bug")

    monkeypatch.setattr(ingest.loaders, "_load_docx", broken)
    docx = tmp_path / "memo.docx"
    docx.write_bytes(b"PK\x03\x04 not really a docx")
    report = hardened.ingest([docx, _good_file(tmp_path, "bug-batch")])
    monkeypatch.undo()
    _assert_one_file_refused(hardened, report, "memo.docx", tmp_path / "bug-batch.md", ("RuntimeError", "loader bug"))


QuestionCase = tuple[str, str]
BAD_QUESTIONS: list[QuestionCase] = [
    ("lone surrogate", "What is the mission test \ud800?"),
    ("undecodable byte", "What is the mission " + os.fsdecode(b"\xff") + " test?"),
]


@pytest.mark.parametrize("question", [q for _, q in BAD_QUESTIONS], ids=[n for n, _ in BAD_QUESTIONS])
def test_a_question_that_is_not_valid_text_gets_a_clear_error(hardened: Assistant, question: str) -> None:
    with pytest.raises(QuestionError, match="not valid text at position"):
        hardened.ask(question)
    _assert_report_still_answers(hardened)


def test_a_question_that_is_not_a_string_gets_a_clear_error(hardened: Assistant) -> None:
    with pytest.raises(QuestionError, match="must be text, not bytes"):
        hardened.ask(b"What is the mission test?")  # type: ignore[arg-type]


def test_settings_name_the_budget(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(ingest={"max_chunks": 7})
    assert settings.ingest.max_chunks == 7 and settings.ingest.max_text_chars == IngestSettings().max_text_chars


def test_an_ingest_that_fails_midway_leaves_nothing_queued(
    hardened: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the copy (the embedding step breaking, simulated) takes the new upload back out."""
    def broken(texts: list[str]) -> None:
        raise RuntimeError("embedding failed")

    good = _good_file(tmp_path, "midway-batch")
    monkeypatch.setattr(hardened.embeddings, "embed", broken)
    with pytest.raises(RuntimeError, match="embedding failed"):
        hardened.ingest([good])
    monkeypatch.undo()
    assert not (hardened.settings.user_documents_dir / good.name).exists()
    assert user_source_id(good.name) not in _indexed_ids(hardened)
    _assert_report_still_answers(hardened)
    assert not hardened.ingest().skipped
