"""Does an uploaded library change the answers on the corpus? The gold set with and without N generated documents.

Run: .venv/bin/python bench/library_effect.py [N]   (default 100; bench/scale.py's generator, about 6 minutes)
Prints gold-v1's main figures with the library absent and present, and the items whose outcome changed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scale import _gold, _outcome, policy_document  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.embeddings import MiniLMEmbeddings  # noqa: E402
from assistant.settings import PROJECT_ROOT  # noqa: E402

METRICS = ("key_fact_accuracy", "recall_at_5", "gold_citation_hit_rate", "citation_precision", "refusal_accuracy",
           "claim_verdict_accuracy")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    models = PROJECT_ROOT / ".mission-desk" / "models"
    embeddings = MiniLMEmbeddings(models)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        assistant = Assistant.load(Settings(data_dir=root / "data", models_dir=models), embeddings=embeddings)
        before = _gold(assistant, "corpus")
        library = root / "library"
        library.mkdir()
        for i in range(n):
            (library / f"policy-paper-{i + 1:04d}.md").write_text(policy_document(i), encoding="utf-8")
        assistant.ingest([library])
        after = _gold(assistant, "corpus + library")
    print(f"gold-v1 with {n} generated documents absent -> present:")
    for key in METRICS:
        a, b = before.metrics.get(key), after.metrics.get(key)
        print(f"  {key:24} {a:.3f} -> {b:.3f}" if a is not None and b is not None else f"  {key:24} {a} -> {b}")
    was = {r.id: _outcome(r) for r in before.items}
    changed = [r.id for r in after.items if was.get(r.id) != _outcome(r)]
    print(f"items whose outcome changed: {', '.join(changed) or 'none'}")


if __name__ == "__main__":
    main()
