"""Prompt and image encodings live on disk in the project: one text-encoder session per render, none for a
rerender or a fresh process once every prompt is encoded."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fp_timeline.engine.planner import plan_render  # noqa: E402
from fp_timeline.engine.renderer import render_project  # noqa: E402
from fp_timeline.project.document import new_project, save_project  # noqa: E402
from fp_timeline.project.edits import add_clip  # noqa: E402
from fp_timeline_plugins.framepack_f1 import encoders  # noqa: E402
from fp_timeline_plugins.framepack_f1.embed_store import EmbeddingStore  # noqa: E402
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator  # noqa: E402
from fp_timeline_plugins.framepack_f1.loop import TextConditioning  # noqa: E402
from tests.f1_helpers import recipe, write_image  # noqa: E402

OPTIONS = {"preset": "tiny", "device": "cpu"}


def _fresh_process_state(monkeypatch) -> FramePackF1Generator:
    """A new generator with empty in-memory caches, as a new process would have."""
    monkeypatch.setattr(encoders, "_TEXT_CACHE", encoders._LruCache())
    monkeypatch.setattr(encoders, "_IMAGE_CACHE", encoders._LruCache())
    generator = FramePackF1Generator()
    monkeypatch.setattr("fp_timeline.engine.registry.load_generator", lambda _id: generator)
    return generator


def test_store_round_trips_and_treats_damaged_files_as_missing(tmp_path):
    store = EmbeddingStore(tmp_path)
    text = TextConditioning(torch.randn(1, 4, 3), torch.tensor([[True, True, False, False]]), torch.randn(1, 2))
    store.put_text("k1", text)
    back = store.text("k1")
    assert torch.equal(back.embeds, text.embeds) and torch.equal(back.mask, text.mask)
    assert store.image("k1") is None  # a text entry is not an image
    (tmp_path / "k2.safetensors").write_bytes(b"garbage")
    assert store.text("k2") is None
    store.put_text("k3", text)
    (tmp_path / "k3.safetensors").rename(tmp_path / "k4.safetensors")  # a file under another key's name
    assert store.text("k4") is None


@pytest.mark.slow
def test_one_text_session_per_render_and_none_for_a_rerender_in_a_new_process(tmp_path, monkeypatch):
    torch.set_num_threads(1)
    write_image(tmp_path / "start.png", 11)
    project = new_project(tmp_path / "chain.otio", rate=30.0)
    add_clip(project, recipe("a lantern glows", 1, 1))
    add_clip(project, recipe("the lantern swings", 2, 1, carry=True))
    save_project(project)

    generator = _fresh_process_state(monkeypatch)
    render_project(project, plan_render(project), options=OPTIONS)
    components = generator.components(OPTIONS)
    assert components.text_sessions == 1  # both prompts in one session, before sampling
    assert len(list((project.data_dir / "cache" / "embeddings").glob("*.safetensors"))) == 3  # 2 prompts, 1 image

    generator = _fresh_process_state(monkeypatch)
    first = next(iter(project.generated_clips())).name
    jobs = plan_render(project, targets=[first], chain=True)
    assert len(jobs) == 2 and all(j.reuse is None for j in jobs)  # the whole chain anew
    render_project(project, jobs, options=OPTIONS)
    assert generator.components(OPTIONS).text_sessions == 0  # Llama never loaded
