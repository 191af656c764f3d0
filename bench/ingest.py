"""Ingest benchmark: the whole pipeline's chunks/s beside the model's raw throughput on the same texts.

Run: .venv/bin/python bench/ingest.py   (prints a table; ratio = pipeline / ceiling, goal >= 0.8)
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.embeddings import MiniLMEmbeddings  # noqa: E402
from assistant.settings import PROJECT_ROOT, Settings  # noqa: E402
from assistant.store import IndexStore  # noqa: E402
from ingest.catalogue import Catalogue  # noqa: E402
from ingest.pipeline import discover, prepare, run_ingest, sentence_units  # noqa: E402


def main() -> None:
    models = PROJECT_ROOT / ".mission-desk" / "models"
    embeddings = MiniLMEmbeddings(models)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), models_dir=models)
        catalogue = Catalogue.load(settings.corpus_dir)
        prepared = [prepare(f, settings, embeddings, catalogue) for f in discover(settings, catalogue)]
        chunks = [c for p in prepared for c in p.chunks]
        texts = [c.display_text for c in chunks] + [u[3] for c in chunks for u in sentence_units(c)]
        embeddings.embed(texts[:8])  # warm the session, as the pipeline's first batch would be
        began = time.perf_counter()
        embeddings.embed([c.display_text for c in chunks])
        embeddings.embed([u[3] for c in chunks for u in sentence_units(c)])
        ceiling_seconds = time.perf_counter() - began

        store = IndexStore(settings, embeddings)
        began = time.perf_counter()
        report = run_ingest(settings, embeddings, store, catalogue)
        pipeline_seconds = time.perf_counter() - began
        began = time.perf_counter()
        again = run_ingest(settings, embeddings, store, catalogue)
        noop_seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ceiling = len(chunks) / ceiling_seconds
    pipeline = report.chunks_total / pipeline_seconds
    print(f"sources: {len(prepared)}  chunks: {len(chunks)}  texts embedded (chunks + sentence units): {len(texts)}")
    print(f"raw embedding (ceiling): {ceiling:7.1f} chunks/s  ({len(texts) / ceiling_seconds:.1f} texts/s, {ceiling_seconds:.2f} s)")
    print(f"whole pipeline:          {pipeline:7.1f} chunks/s  ({pipeline_seconds:.2f} s: load, chunk, embed, store, switch)")
    print(f"ratio pipeline/ceiling:  {pipeline / ceiling:7.2f}  (goal >= 0.80)")
    print(f"re-ingest, nothing changed: {noop_seconds:.2f} s, changed={again.changed}")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
