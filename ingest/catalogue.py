"""The source catalogue (corpus/sources.toml): citations, addresses, licences, and who cites whom."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.schemas import SourceRecord
from ingest.citations import marker_key

REPORT_KIND = "report"


@dataclass(frozen=True)
class Catalogue:
    """The catalogue's records, looked up by id and by author-year marker."""

    records: tuple[SourceRecord, ...]
    box_ends: dict[str, dict[str, str]]

    @classmethod
    def load(cls, corpus_dir: Path) -> Catalogue:
        """Read sources.toml and layout.toml from ``corpus_dir`` (both optional)."""
        sources = corpus_dir / "sources.toml"
        layout = corpus_dir / "layout.toml"
        records: list[SourceRecord] = []
        if sources.exists():
            data = tomllib.loads(sources.read_text(encoding="utf-8"))
            records = [SourceRecord.model_validate(entry) for entry in data.get("source", [])]
        hints: dict[str, dict[str, str]] = {}
        if layout.exists():
            for source_id, entry in tomllib.loads(layout.read_text(encoding="utf-8")).items():
                hints[source_id] = dict(entry.get("box_ends", {}))
        return cls(tuple(records), hints)

    def get(self, source_id: str) -> SourceRecord | None:
        return next((r for r in self.records if r.id == source_id), None)

    def _key(self, record: SourceRecord) -> tuple[str, str] | None:
        m = re.match(r"\s*([^\s,(]+(?:\s+[A-Z][a-z]+)?)[^(]*\((\d{4})\)", record.citation)
        if not m:
            return None
        return m.group(1).split()[0].lower().replace("’", "'"), m.group(2)

    def resolve(self, markers: list[str]) -> list[str]:
        """Source ids for author-year markers such as 'Deci et al 1999' (unknown markers are dropped).

        A report citing its own authors and year (a table's "Source: Quilter-Pinner and Khan (2023)")
        is citing itself, not the same authors' blog post of that year.
        """
        own = {self._key(r) for r in self.records if r.kind == REPORT_KIND}
        out: list[str] = []
        for marker in markers:
            key = marker_key(marker)
            if key in own:
                continue
            for record in self.records:
                # A fetched copy of a work is the same work: the citation resolves to its catalogue entry once.
                if record.kind not in (REPORT_KIND, "fetched work") and self._key(record) == key:
                    if record.id not in out:
                        out.append(record.id)
        return out
