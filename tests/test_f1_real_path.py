"""The ``real`` preset's loading path, run on tiny weights laid out like the real Hugging Face cache.

Shows that a user with the released weights in their cache gets them through the same code (offline,
safetensors, right-padded tokenizer, HunyuanVideo prompt template) without downloading anything here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fp_timeline.engine.generator import CancelToken  # noqa: E402
from fp_timeline_plugins.framepack_f1 import real, tiny  # noqa: E402
from fp_timeline_plugins.framepack_f1.context import ContextMismatchError, PackedContext  # noqa: E402
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator  # noqa: E402
from tests.f1_helpers import ListSink, job, recipe, write_image  # noqa: E402

REVISION = "0" * 40


def _snapshot(cache: Path, repo: str) -> Path:
    """An empty snapshot folder the way huggingface_hub lays out its cache (refs/main -> snapshot)."""
    root = cache / ("models--" + repo.replace("/", "--"))
    (root / "refs").mkdir(parents=True, exist_ok=True)
    (root / "refs" / "main").write_text(REVISION)
    snapshot = root / "snapshots" / REVISION
    snapshot.mkdir(parents=True, exist_ok=True)
    return snapshot


@pytest.fixture(scope="module")
def fake_cache(tmp_path_factory) -> Path:
    torch.set_num_threads(2)
    cache = tmp_path_factory.mktemp("hub")
    tiny.build_tiny_transformer().save_pretrained(_snapshot(cache, real.TRANSFORMER_REPO))
    hunyuan = _snapshot(cache, real.HUNYUAN_REPO)
    tiny.build_tiny_vae().save_pretrained(hunyuan / "vae")
    llama, clip = tiny._build_text_encoders()
    llama.save_pretrained(hunyuan / "text_encoder")
    clip.save_pretrained(hunyuan / "text_encoder_2")
    tiny.build_llama_tokenizer().save_pretrained(hunyuan / "tokenizer")
    tiny.build_clip_tokenizer().save_pretrained(hunyuan / "tokenizer_2")
    redux = _snapshot(cache, real.REDUX_REPO)
    encoder, processor = tiny.build_tiny_image_encoder()
    encoder.save_pretrained(redux / "image_encoder")
    processor.save_pretrained(redux / "feature_extractor")
    return cache


@pytest.mark.slow
def test_real_preset_renders_from_the_cache_and_refuses_tiny_contexts(fake_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(fake_cache))
    assert real.missing_weights() == []
    image = write_image(tmp_path / "start.png", 3)
    gen = FramePackF1Generator()
    real_job = job(tmp_path, "R", recipe("a cat", 1, 1), image=image, options={"preset": "real"})
    sink = ListSink()
    gen.render(real_job, sink, lambda p: None, CancelToken())
    assert len(sink.frames) == 13
    ctx = PackedContext.load(real_job.context_path)
    assert ctx.model_id == real.REAL_MODEL_ID and ctx.dtype == "float32"
    assert gen.components({"preset": "real", "device": "cpu"}).prompt_template.crop_start == 95

    # A context made by the tiny model is refused by the real one, naming the file.
    tiny_job = job(tmp_path, "T", recipe("a cat", 1, 1), image=image, options={"preset": "tiny"})
    gen.render(tiny_job, ListSink(), lambda p: None, CancelToken())
    carried = job(
        tmp_path, "C", recipe("on", 2, 1, carry=True), incoming=tiny_job.context_path, options={"preset": "real"}
    )
    with pytest.raises(ContextMismatchError, match=r"T\.context\.safetensors.*tiny"):
        gen.render(carried, ListSink(), lambda p: None, CancelToken())


def test_one_missing_piece_is_named(fake_cache, tmp_path, monkeypatch):
    partial = tmp_path / "hub"
    shutil.copytree(fake_cache, partial)
    shutil.rmtree(
        partial / ("models--" + real.HUNYUAN_REPO.replace("/", "--")) / "snapshots" / REVISION / "tokenizer_2"
    )
    monkeypatch.setenv("HF_HUB_CACHE", str(partial))
    assert real.missing_weights() == [f"{real.HUNYUAN_REPO}/tokenizer_2"]
    with pytest.raises(real.MissingWeightsError, match="tokenizer_2"):
        real.check_real_weights()
