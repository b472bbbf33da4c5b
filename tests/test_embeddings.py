from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jobmap.embeddings import EmbeddingEngine
from jobmap.embeddings import engine as engine_mod
from jobmap.embeddings.cache import VectorCache
from tests.fakes import HashBackend


def test_each_distinct_text_is_embedded_once(fake_model: HashBackend) -> None:
    eng = EmbeddingEngine("fake", progress=False)
    vecs = eng.embed(["Nurse", "Cook", "Nurse", "Nurse"])
    assert fake_model.calls == ["Nurse", "Cook"]
    assert vecs.shape == (4, 64) and vecs.dtype == np.float32
    np.testing.assert_array_equal(vecs[0], vecs[2])
    assert (eng.stats.texts, eng.stats.unique, eng.stats.computed) == (4, 2, 2)


def test_cache_hit_across_engines_and_runs(fake_model: HashBackend) -> None:
    first = EmbeddingEngine("fake", progress=False).embed(["a", "b"])
    fake_model.calls.clear()
    again = EmbeddingEngine("fake", progress=False)
    second = again.embed(["b", "a", "c"])
    assert fake_model.calls == ["c"]  # only the new text
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(second[1], first[0])
    assert again.stats.from_cache == 2


def test_another_model_does_not_reuse_vectors(fake_model: HashBackend) -> None:
    other = HashBackend("other")
    from jobmap.embeddings import register_backend, unregister_backend

    register_backend("fake-2", lambda **_: other)
    try:
        EmbeddingEngine("fake", progress=False).embed(["a", "b"])
        EmbeddingEngine("fake-2", progress=False).embed(["a", "b"])
        assert other.calls == ["a", "b"]
    finally:
        unregister_backend("fake-2")


def test_a_run_killed_half_way_keeps_finished_batches(
    fake_model: HashBackend, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    monkeypatch.setattr(engine_mod, "CHUNK", 10)
    texts = [f"title {i}" for i in range(35)]
    fake_model.fail_after = 25  # dies inside the third chunk
    with pytest.raises(KeyboardInterrupt):
        EmbeddingEngine("fake", progress=False).embed(texts)
    assert len(VectorCache(cache_dir, fake_model.model_id)) == 20
    fake_model.fail_after = None
    fake_model.calls.clear()
    eng = EmbeddingEngine("fake", progress=False)
    vecs = eng.embed(texts)
    assert fake_model.calls == texts[20:]  # resumed, not restarted
    assert eng.stats.from_cache == 20
    fresh = HashBackend().encode(texts)
    np.testing.assert_allclose(vecs, fresh, rtol=1e-6)


def test_a_damaged_shard_is_ignored_not_fatal(fake_model: HashBackend, cache_dir: Path) -> None:
    EmbeddingEngine("fake", progress=False).embed(["a", "b"])
    folder = VectorCache(cache_dir, fake_model.model_id).folder
    for f in folder.glob("*.vecs.npy"):
        f.write_bytes(b"garbage")
    fake_model.calls.clear()
    vecs = EmbeddingEngine("fake", progress=False).embed(["a", "b"])
    assert fake_model.calls == ["a", "b"] and vecs.shape == (2, 64)


def test_no_temporary_files_are_left(fake_model: HashBackend, cache_dir: Path) -> None:
    EmbeddingEngine("fake", progress=False).embed([f"t{i}" for i in range(5)])
    folder = VectorCache(cache_dir, fake_model.model_id).folder
    assert not list(folder.glob(".*"))
    assert len(list(folder.glob("*.keys.npy"))) == len(list(folder.glob("*.vecs.npy"))) == 1


def test_empty_input(fake_model: HashBackend) -> None:
    assert EmbeddingEngine("fake", progress=False).embed([]).shape[0] == 0
