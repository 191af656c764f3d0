"""The one place the environment is read: every MISSION_DESK_* variable, with defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration of Mission Desk; override any field with MISSION_DESK_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="MISSION_DESK_", extra="ignore", frozen=True)

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
    max_answer_sentences: int = Field(default=6, ge=1, le=20, description="Sentences in an embedded answer.")
    refusal_threshold: float = Field(
        default=0.5,
        description="Lowest relevance (see retrieval.relevance) a passage needs; below it the assistant refuses. "
        "Calibrated on evals/datasets/gold-v1.jsonl (see evals/README.md).",
    )
    support_threshold: float = Field(
        default=0.5, description="Lowest support score the citation verifier accepts for a cited sentence."
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
