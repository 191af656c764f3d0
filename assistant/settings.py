"""The one place the environment is read: every MISSION_DESK_* variable, with defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Tuned(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetrievalSettings(_Tuned):
    """Hybrid retrieval (assistant/retrieval.py)."""

    rrf_k: int = Field(default=60, description="Reciprocal-rank-fusion constant: the standard value from the RRF paper, not tuned.")
    pool_factor: int = Field(default=4, description="Each ranking returns max(pool_factor*k, pool_min) before fusion; "
                             "set by hand on gold-v1 retrieval recall (tuned set).")
    pool_min: int = Field(default=20, description="See pool_factor.")
    near_duplicate_jaccard: float = Field(default=0.8, description="Term Jaccard above which a passage repeats one "
                                          "already chosen (the summary restates the body's recommendations); set by "
                                          "inspecting the report's summary/body pairs.")


class AnswerSettings(_Tuned):
    """The embedded composer (assistant/compose.py) and the refusal floor."""

    refusal_threshold: float = Field(default=0.5, description="Lowest composed score of the best unit; below it the "
                                     "assistant refuses. Calibrated on gold-v1: the highest value that refuses no "
                                     "answerable item (`python evals/calibrate.py`).")
    max_sentences: int = Field(default=6, ge=1, le=20, description="Sentences in an embedded answer before completing "
                               "ones; chosen by hand on gold-v1 key-fact accuracy (tuned set).")
    lexical_weight: float = Field(default=0.3, description="Weight of a unit's share of the question's terms; chosen "
                                  "by hand on gold-v1 answerable items (tuned set).")
    passage_weight: float = Field(default=0.3, description="Weight of the whole passage's cosine; chosen with lexical_weight.")
    number_bonus: float = Field(default=0.2, description="Overlap added when a unit holds a figure the question names; "
                                "chosen by hand on gold-v1 number items (tuned set).")
    relative_floor: float = Field(default=0.6, description="A further unit must score this share of the best one; "
                                  "stricter floors lowered gold-v1 key-fact accuracy (noted at the first landing).")
    redundant_cosine: float = Field(default=0.9, description="Units closer than this to one chosen are redundant; "
                                    "set by inspecting repeated summary/body sentences.")
    same_words_share: float = Field(default=0.85, description="Two units sharing more than this share of the shorter "
                                    "one's terms say the same thing (the summary repeats the body); set by "
                                    "inspecting those pairs.")
    completing_extra: int = Field(default=3, description="Sentences that list items and antecedents may add beyond "
                                  "max_sentences; set when gold-v1 list items were cut off at six (tuned set).")
    list_items: int = Field(default=6, description="Most items one announced list brings in (the report's longest "
                            "lists in the summary have six).")
    min_words: int = Field(default=4, description="Shortest prose unit worth quoting (bare labels are shorter).")


class VerifySettings(_Tuned):
    """The citation verifier (assistant/citations.py)."""

    min_overlap: float = Field(default=0.6, description="Share of a sentence's content words the cited passages must "
                               "hold; set so every faithful gold-v1 sentence passes and invented ones fail.")
    min_cosine: float = Field(default=0.5, description="Lowest embedding similarity of a paraphrase to its cited "
                              "passage; set on the scripted verifier tests (tests/test_verifier.py).")


class StanceSettings(_Tuned):
    """Claim checks (assistant/drafting/claims.py). Calibrated on the claim items of gold-v1 (22 of 23 right)."""

    retrieve_k: int = Field(default=8, description="Passages read per claim: both sides need room.")
    min_shared: float = Field(default=2.0, description="Content words a claim clause and an evidence clause must share.")
    dominance: float = Field(default=2.0, description="One side must outweigh the other this many times, else mixed.")
    max_per_side: int = Field(default=4, description="Most passages listed on each side.")
    min_side_share: float = Field(default=0.3, description="A passage is listed on a side only if it weighs this share "
                                  "of that side's strongest.")
    implicit_cover: float = Field(default=0.6, description="Two plain statements agree only if one holds this share of "
                                  "the other's specific words.")
    stance_cover: float = Field(default=0.5, description="Share of a claim's topic words an evidence sentence must hold "
                                "before the stance engine compares the two; set on the gold-v1 claim items.")
    stance_weight: float = Field(default=20.0, description="Weight on the contradicting side of a sentence the stance "
                                 "engine finds says something else, times its share of the claim's words: as heavy "
                                 "as a strong polarity match (gold-v1 claims).")
    unknown_share: float = Field(default=0.3, description="Share of a claim's content words absent from every source "
                                 "that makes it unanswerable.")
    restatement_cover: float = Field(default=0.7, description="Share of a cue-less claim's words a passage must hold "
                                     "to restate (support) it.")


class DraftingSettings(_Tuned):
    """Drafts (assistant/drafting/)."""

    max_quote_chars: int = Field(default=420, description="Longest sentence quoted in a draft: longer ones crowd a "
                                 "two-page note (set by reading the exported briefing).")
    summary_bullets: int = Field(default=3, description="Summary bullets of a briefing note (two-page fit).")
    max_items: int = Field(default=3, description="Items per briefing section other than evidence (two-page fit).")
    max_evidence: int = Field(default=4, description="Evidence items of a briefing note (two-page fit).")
    mission_goal_jaccard: float = Field(default=0.8, description="A custom mission matches a report mission when "
                                        "their goal words overlap this much (Jaccard); set by hand on the "
                                        "mission names and goals of tests/test_drafting.py.")
    figure_k: int = Field(default=6, description="Figures read when looking for a metric's chart.")
    figures_per_mission: int = Field(default=2, description="Most figure-based output metrics per mission.")
    recommendation_k: int = Field(default=12, description="Passages read for recommendations and risks, which "
                                  "must pass a keyword filter.")
    specific_share: int = Field(default=12, description="A word is specific to a topic if at most 1/specific_share "
                                "of passages use it (at least 3); set by hand on the briefing topics of tests/test_drafting.py.")


class Settings(BaseSettings):
    """Configuration of Mission Desk; override any field with MISSION_DESK_<FIELD>."""

    model_config = SettingsConfigDict(
        env_prefix="MISSION_DESK_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=PROJECT_ROOT / ".mission-desk",
        description="Where the embedded Chroma index, source texts and the exported model live.",
    )
    corpus_dir: Path = Field(
        default=PROJECT_ROOT / "corpus", description="The shipped corpus: report, evidence notes, sources.toml."
    )
    user_dir: Path | None = Field(
        default=None, description="Where uploaded user documents are kept; defaults to <data_dir>/user."
    )
    models_dir: Path | None = Field(
        default=None, description="Where the ONNX export of the packaged model is cached; defaults to <data_dir>/models."
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; when set, a shared server replaces the embedded store."
    )
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    collection: str = Field(default="mission_desk", description="Prefix of the Chroma collections.")
    k: int = Field(default=6, ge=1, le=30, description="Passages retrieved per question.")
    answer: AnswerSettings = Field(default_factory=lambda: AnswerSettings())
    retrieval: RetrievalSettings = Field(default_factory=lambda: RetrievalSettings())
    verify: VerifySettings = Field(default_factory=lambda: VerifySettings())
    stance: StanceSettings = Field(default_factory=lambda: StanceSettings())
    drafting: DraftingSettings = Field(default_factory=lambda: DraftingSettings())
    generation_check_seconds: float = Field(
        default=1.0, gt=0, description="How often a running Assistant rechecks which index generation is current "
        "(a cost/staleness trade-off, not tuned: one pointer read a second is negligible)."
    )
    max_question_chars: int = Field(default=2000, ge=10, description="Longest question accepted.")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, description="Largest document accepted for ingest.")
    chunk_tokens: int = Field(
        default=230, le=250, description="Largest chunk in word pieces (all-MiniLM truncates beyond 256)."
    )
    llm: str | None = Field(
        default=None,
        description="Chat model as 'provider:model' (e.g. 'openai:gpt-4o-mini', 'ollama:llama3.1'); "
        "empty means the embedded extractive mode, which needs no key and no network.",
    )
    llm_temperature: float = Field(default=0.0, description="Temperature for the configured chat model.")

    @property
    def model_cache_dir(self) -> Path:
        """Folder of the ONNX export of the packaged embedding model."""
        return self.models_dir or self.data_dir / "models"

    @property
    def user_documents_dir(self) -> Path:
        """Folder of user-supplied documents."""
        return self.user_dir or self.data_dir / "user"
