"""The one place the environment is read: every MISSION_DESK_* variable, with defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Tuned(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IngestSettings(_Tuned):
    """Per-file limits of ingestion (ingest/): every upload costs bounded time and memory, whatever it holds."""

    max_text_chars: int = Field(default=3_000_000, ge=1, description="Most characters of extracted text one file may "
                                "hold. The report is 0.13 M; a 20 MB text is 20 M and would hold the ingest lock for "
                                "hours. 3 M characters of prose is about 3000 chunks (max_chunks), and refusing a 19 MB "
                                "text takes under a second (bench/upload_limits.py).")
    max_chunks: int = Field(default=3000, ge=1, description="Most chunks one file may yield: embedding cost is per "
                            "chunk and its sentences. bench/upload_limits.py measured 12.9 chunks/s of prose on 2 "
                            "shared cores, so a file at the limit holds the ingest lock about 4 minutes; the whole "
                            "shipped corpus is 108 chunks.")
    max_front_matter_chars: int = Field(default=8192, ge=0, description="Longest Markdown front matter read as YAML; "
                                        "longer front matter is refused (real ones are a few hundred characters).")
    max_value_chars: int = Field(default=500, ge=1, description="Longest front-matter value kept (values go into "
                                 "Chroma metadata; a title or citation is rarely over 300 characters).")
    segment_merge_ratio: float = Field(
        default=1.0, gt=0, description="An ingest copies into its new segment (assistant/store.py) each of the newest "
        "older segments whose live chunks are at most this many times what the new segment holds so far. 1 is the "
        "binary counter: a library of N chunks keeps about log2(N / chunks per ingest) segments (one dense query "
        "each) and each chunk is rewritten about as many times over its life. Not tuned: a larger ratio means fewer "
        "segments and more copying; adding one document to the 1,000-document library merges nothing at 1 (its "
        "segment is far smaller than the library's), and the add-one figure of bench/scale.py is measured that way.")
    lock_stale_seconds: float = Field(
        default=3600, gt=0, description="On a shared Chroma server, an ingest lock older than this is taken to be "
        "left by a killed process and broken. Not tuned: above the longest ingest the size limits allow (3,000 "
        "chunks, about four minutes) many times over.")


class RetrievalSettings(_Tuned):
    """Hybrid retrieval (assistant/retrieval.py)."""

    rrf_k: int = Field(default=60, description="Reciprocal-rank-fusion constant: the standard value from the RRF paper, not tuned.")
    pool_factor: int = Field(default=4, description="Each ranking returns max(pool_factor*k, pool_min) before fusion; "
                             "set by hand on gold-v1 retrieval recall (tuned set).")
    pool_min: int = Field(default=20, description="See pool_factor.")
    near_duplicate_jaccard: float = Field(default=0.8, description="Term Jaccard above which a passage repeats one "
                                          "already chosen (the summary restates the body's recommendations); set by "
                                          "inspecting the report's summary/body pairs.")
    max_figures: int = Field(default=2, ge=0, le=20, description="Most figure chunks (a chart's title and source line) "
                             "among the passages of a question that is not about a chart: polling charts' titles "
                             "share every polling question's words and crowded out the sentences giving the findings "
                             "(issue 10). A design choice checked on gold-v1 and gold-tune-v3 (tuned sets).")


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
    passage_floor: float = Field(
        default=0.8, ge=0, le=1, description="A unit of a passage not yet in the answer must score this share of the "
        "best unit when the question asks one thing (one clause, no list, no plural 'which ...s', not leaning on the "
        "conversation: compose.Focus.single); other questions, and units of a structural unit already in the answer "
        "(its passage, another part of its box) or a table row the question names, need only relative_floor (issue "
        "10: answers padded with second-best passages). Calibrated on the tuned sets (2026-12-01): 0.8 lifted answer "
        "precision (gold-v1 0.504 -> 0.661, gold-tune-v3 0.493 -> 0.560, gold-tune-v4 0.485 -> 0.545) and key facts "
        "(0.928 -> 0.937, 0.792 -> 0.819, 0.793 -> 0.810) with no gold quote, gold passage, list item or named gap "
        "lost; 0.7 lifted precision half as much; 0.8 for every question (before the one-thing rule) lost a list and a "
        "named gap on gold-tune-v4 and, on held-out gold-v2 (2026-11-30), a gold quote, a gold passage and a key fact.")
    clause_cover: float = Field(
        default=0.5, ge=0, le=1, description="In a question of several clauses, a clause whose focus words the shown "
        "passages hold less than this share of is named as not covered (when another clause is covered). Calibrated "
        "on evals/datasets/partial-tune-v1.jsonl (tuned): the lowest share of a fully covered control's clause was "
        "0.5 ('why does the report want missions written into law'); with clauses of two or more focus words judged, "
        "11 of its 16 uncovered clauses are named (2 before), none of its 8 controls and none of gold-v1's 111 "
        "answered questions get a gap.")
    front_matter_overlap: float = Field(
        default=0.75, ge=0, le=1, description="A front-matter unit (citation line, licence, publisher's address) "
        "answers a question that is not about the document itself only when it holds this share of the question's "
        "terms. A design choice, not tuned: such a unit is about the question only when it holds most of its words.")
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
    user_units: int = Field(
        default=2, ge=0, le=6, description="Most sentences of the user's own documents shown, in their own labelled "
        "section, after an answer the report and its evidence lead. A design choice, not tuned: enough to show where "
        "a document the user added differs from the report, never enough to outweigh it.")
    user_conflict_cover: float = Field(
        default=0.5, ge=0, le=1, description="Share of a user document sentence's topic words a report (or evidence "
        "note) sentence in the same answer must hold before the stance engine may call the two contradictory "
        "(answers then say the user's document differs). Not tuned (no labelled set of user documents yet): the "
        "stance engine's own alignment needs at least half the words to call a sentence a restatement.")


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
    swap_cover: float = Field(default=0.8, description="Share of a claim's topic words a sentence naming another "
                              "body or person in its place must hold before the claim counts as contradicted (a "
                              "swapped name). On claims-tune-v3 and gold-v1's claims (tuned sets) 0.8 caught the swapped body with "
                              "no verdict lost; counting a different actor of the same action too ('the passage gives "
                              "this to the Cabinet Office') lost a tune verdict at every cover from 0.6 to 0.8, so "
                              "only names the passage lacks count.")
    shown_cover: float = Field(default=0.5, ge=0, le=1, description="Share of a claim's topic words a passage must "
                               "hold to be shown on a side after that side's strongest (evidence relevance). Measured "
                               "on gold-v1's claims (tuned): 0 / 0.25 / 0.34 / 0.5 / 0.6 / 0.75 gave relevance 0.671 / "
                               "0.738 / 0.788 / 0.830 / 0.865 / 0.889, verdicts unchanged; 0.5 is the stance engine's "
                               "own bar for 'about the same thing' (stance_cover), so sides keep corroborating passages.")
    restates_margin: float = Field(default=0.4, ge=0, le=1, description="A supported claim stays supported against "
                                   "a disagreeing sentence when a backing sentence holds this much more of the claim's "
                                   "topic words than it does (a restatement against a sentence about part of the "
                                   "claim). Set on claims-tune-v3 and gold-v1's claims (tuned sets), 2026-11-30: 0.2 / "
                                   "0.3 / 0.4 / 0.5 gave 37 / 37 / 38 / 37 of 47 and 22 of 23 each; 0.3 and below let "
                                   "'satisfaction is high' stand against 'has declined significantly'.")
    backing_margin: float = Field(default=0.1, ge=0, le=1, description="A sentence backing a claim outweighs one that "
                                  "says something else about it only if its share of the claim's topic words is at "
                                  "least the other's minus this. Set on claims-tune-v3 and gold-v1's claims (tuned "
                                  "sets): 0, 0.1 and 0.2 scored alike (33 of 47, 22 of 23); the middle one.")
    about_cover: float = Field(default=0.15, ge=0, le=1, description="Share of a claim's topic words (a table "
                               "cell's row label counted) a sentence must hold to be weighed for or against it at all: "
                               "below it, a sentence sharing a word or two is filler. Set on gold-v1's claims, "
                               "claims-tune-v3 and claims-tune-v4 (tuned sets), 2026-11-30: 0 / 0.15 / 0.2 / 0.25 gave "
                               "22 / 23 / 23 / 22 of 23, 42 / 42 / 42 / 40 of 47, 17 / 17 / 17 / 16 of 40, and evidence "
                               "relevance on claims-tune-v4 0.768 / 0.860 / 0.844 / 0.878; 0.25 starts losing claims "
                               "backed in paraphrase.")
    stance_weight: float = Field(default=20.0, description="Weight on the contradicting side of a sentence the stance "
                                 "engine finds says something else, times its share of the claim's words: as heavy "
                                 "as a strong polarity match (gold-v1 claims).")
    unknown_share: float = Field(default=0.3, description="Share of a claim's content words absent from every source "
                                 "that makes it unanswerable.")
    restatement_cosine: float = Field(default=0.8, description="Cosine (the claim against a unit, all-MiniLM-L6-v2) at "
                                      "which a cue-less claim's closest unit restates it in other words, unless the "
                                      "stance engine finds it says otherwise. Calibrated 2026-12-01 on the tune claims "
                                      "(gold-v1, claims-tune-v3, -v4, -v5): 0.8 turned three 'not enough evidence' "
                                      "verdicts right and none wrong; 0.75 and 0.7 turned claims the sources contradict "
                                      "or qualify into 'supported'.")
    restatement_cover: float = Field(default=0.7, description="Share of a cue-less claim's words a passage must hold "
                                     "to restate (support) it.")


class DraftingSettings(_Tuned):
    """Drafts (assistant/drafting/)."""

    max_quote_chars: int = Field(default=420, description="Longest sentence quoted in a draft: longer ones crowd a "
                                 "two-page note (set by reading the exported briefing).")
    summary_bullets: int = Field(default=3, description="Summary bullets of a briefing note (two-page fit).")
    max_items: int = Field(default=2, description="Most recommendations, risks and next steps of a briefing note; "
                           "briefing_chars then chooses among them (with three, notes on the tune split of drafting-v1 "
                           "ran to about three pages).")
    max_evidence: int = Field(default=2, description="Most evidence items of a briefing note (as max_items).")
    mission_goal_jaccard: float = Field(default=0.8, description="A custom mission matches a report mission when "
                                        "their goal words overlap this much (Jaccard); set by hand on the "
                                        "mission names and goals of tests/test_drafting.py.")
    figure_k: int = Field(default=6, description="Figures read when looking for a metric's chart.")
    figures_per_mission: int = Field(default=2, description="Most figure-based output metrics per mission.")
    nearest_mission_min: float = Field(default=0.3, description="Lowest embedding similarity of a custom mission "
                                       "statement (its content words) to a report mission (Table 3.1 goal and metric "
                                       "with its Table 3.2 row) for that mission to count as its nearest. Calibrated "
                                       "on the tune split of drafting-v1 (metrics) plus 28 statements of our own: the "
                                       "lowest value above every statement that fits no mission (at most 0.28); it "
                                       "keeps the 14 fitting statements ranked right at 0.33-0.57, turns the weak ones "
                                       "(0.05-0.28) into 'no match' rather than a wrong one, and lets one wrongly "
                                       "ranked statement through (0.31).")
    nearest_item_min: float = Field(default=0.3, description="Lowest similarity of a statement to one item of its "
                                    "nearest mission's Table 3.2 row ('social housing') for that item to bear on it, "
                                    "when an item is closer than the mission's goal and metric; set on the same "
                                    "statements (items that bear 0.30-0.67, the next ones at most 0.29).")
    recommendation_k: int = Field(default=12, description="Passages read for what a briefing note quotes (summary, "
                                  "evidence, risks, proposals), which must pass keyword and stand-alone filters.")
    specific_share: int = Field(default=12, description="A word is specific to a topic if at most 1/specific_share "
                                "of passages use it (at least 3); set by hand on the briefing topics of tests/test_drafting.py.")
    briefing_marking: str = Field(default="OFFICIAL", description="Security marking of a briefing note (Government "
                                  "Security Classifications); a note may override it.")
    briefing_sender: str = Field(default="Mission council secretariat", description="Who a briefing note is from, "
                                 "unless the note says otherwise.")
    briefing_quote_chars: int = Field(default=260, description="Longest sentence a briefing note quotes (its summary, "
                                      "evidence, risks and proposals): one sentence, not a paragraph. 200 left out "
                                      "the key 205- and 230-character findings of a tune-split topic; briefing_chars "
                                      "bounds the note as a whole.")
    briefing_topic_share: float = Field(default=0.5, description="Share of a topic's specific words (rounded down, at "
                                        "least one) a sentence must hold to be quoted on it: one of three, two of four; "
                                        "set by hand on tests/test_briefing.py's topics, where one of four let 'social "
                                        "care' stand for 'social housing' and two of three lost 'crimes being detected' "
                                        "for 'police detection of crime' (the stemmer parts 'detected'/'detection').")
    briefing_chars: int = Field(default=6100, description="What a briefing note's items and references may take in "
                                "all, in characters (drafting.briefing._cost); a longer note takes fewer items. On 16 "
                                "notes (the tune split of drafting-v1 and topics of our own) the export's line estimate "
                                "was 31-38 lines plus cost/100, so 6100 keeps a note within ~99 of the 108 lines of two "
                                "A4 pages, leaving ~9 for its header (marking, to, from, date, decision).")
    briefing_item_chars: int = Field(default=50, description="What each item, reference and source entry costs beyond "
                                     "its characters (its part-filled last line, at ~100 characters a line).")


class MissionTestSettings(_Tuned):
    """The mission test (assistant/drafting/mission_test.py). Calibrated by measuring per-field fact accuracy and
    rating agreement on the tune split of drafting-v1 (16 proposals) and on the proposals of
    tests/test_mission_test.py; each value sits between the items it separates. The held-out split was not read."""

    mission_similarity: float = Field(default=0.2, description="Lowest score (embedding similarity of the proposal's "
                                      "body to a mission's Table 3.1 goal and metric with its Table 3.2 row, plus the "
                                      "item bonuses) for the proposal to bear on that mission. Tune: the one proposal "
                                      "bearing on no mission scored 0.17, the lowest that does 0.23. drafting-tune-v2 "
                                      "overlaps: no-mission items at 0.19 and 0.21, a mission item at 0.205, so no "
                                      "cut-off separates them all; kept at 0.2.")
    item_bonus: float = Field(default=0.1, description="Added to a mission's score per Table 3.2 item the proposal names "
                              "in full ('social care'); set so a named item outweighs the similarity gaps between "
                              "missions on tune (at most 0.08 where the wrong mission was nearer in meaning).")
    partial_bonus: float = Field(default=0.04, description="Added per Table 3.2 item named only by a word no other "
                                 "mission's row uses ('police' for 'community policing'); half the item bonus or less, "
                                 "so it decides only between near ties and a bare miss of mission_similarity.")
    metric_similarity: float = Field(default=0.4, description="Lowest similarity of the stated outcomes to the core "
                                     "metric for them to bear on it (also true when they share a metric word). Tune: "
                                     "outcomes on the metric in other words scored 0.42 and up, others at most 0.26; "
                                     "an outcome about the service, not the metric ('overcrowding in prisons to end' "
                                     "against 'rates of crime', tests/test_mission_test.py) scored 0.38.")
    fit_margin: float = Field(default=1.0, description="How much more the proposal must name on one side of its Table "
                              "3.2 row than the other to be aligned or run against it (one item, cue or turn-away "
                              "phrase counts 1); below it the fit is unclear. Set by the rule, not tuned.")
    location_weight: float = Field(default=0.5, description="Weight of a 'from' item named only as where the money is "
                                   "spent ('tutors in primary schools'), not as what it buys; half, so on its own it "
                                   "stays below fit_margin (tune: tutoring in schools is unclear, not against).")
    max_unknown_for_green: int = Field(default=2, description="Affordability within limits is green only if at most "
                                       "this many of capital/resource, headroom effect and later running costs are "
                                       "unstated; tune items with two unknowns are green, the one with three amber. "
                                       "A yearly cost with no end date is its own running cost, so those are not "
                                       "counted unknown (drafting-tune-v2).")
    long_view_years: int = Field(default=10, description="A programme this long or longer shows its costs over the "
                                 "10-year test's horizon (the report's ten years; not tuned).")


MAX_K = 30  # most passages one question may retrieve (settings.k and the API's k= are bounded by it)


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
    k: int = Field(default=6, ge=1, le=MAX_K, description="Passages retrieved per question.")
    answer: AnswerSettings = Field(default_factory=lambda: AnswerSettings())
    retrieval: RetrievalSettings = Field(default_factory=lambda: RetrievalSettings())
    verify: VerifySettings = Field(default_factory=lambda: VerifySettings())
    stance: StanceSettings = Field(default_factory=lambda: StanceSettings())
    drafting: DraftingSettings = Field(default_factory=lambda: DraftingSettings())
    mission_test: MissionTestSettings = Field(default_factory=lambda: MissionTestSettings())
    generation_check_seconds: float = Field(
        default=1.0, gt=0, description="How often a running Assistant rechecks which index generation is current "
        "(a cost/staleness trade-off, not tuned: one pointer read a second is negligible)."
    )
    default_user: str = Field(
        default="local", min_length=1, description="Who every request is from when no user is given (single-user "
        "mode, and the CLI without --user): the owner of documents added without sign-in.")
    max_question_chars: int = Field(default=2000, ge=10, description="Longest question accepted.")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, description="Largest document accepted for ingest.")
    ingest: IngestSettings = Field(default_factory=lambda: IngestSettings())
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
