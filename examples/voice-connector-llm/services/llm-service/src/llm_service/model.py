"""Load the sentence-transformers model from a local directory, never from a hub."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]
Encode = Callable[[Sequence[str]], Vectors]

for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(_var, "1")  # must be set before transformers is imported


def load_model(path: Path, device: str = "cpu") -> Any:
    """A SentenceTransformer read from `path` (a model folder with modules.json)."""
    if not (path / "modules.json").is_file():
        raise FileNotFoundError(f"no sentence-transformers model at {path} (modules.json missing)")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device=device, local_files_only=True)


def encoder(model: Any) -> Encode:
    """A function that turns texts into L2-normalised float32 vectors."""

    def encode(texts: Sequence[str]) -> Vectors:
        vectors = model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    return encode
