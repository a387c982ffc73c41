"""The learned upscale path, in CI: ESRGAN-family RRDBNets built in code with random weights, saved as
.safetensors / .pth files the way users have them, loaded safely and run as a clip effect."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from fp_timeline.engine.media import read_frames
from fp_timeline.engine.postfx.jobs import plan_postfx, processed_media, run_postfx_jobs
from fp_timeline.project.document import load_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.takes import active_take
from fp_timeline_plugins.upscalers import weights
from fp_timeline_plugins.upscalers.processor import upscale_tiled
from fp_timeline_plugins.upscalers.rrdbnet import RRDBConfig, RRDBNet, config_of, from_old_layout
from fp_timeline_plugins.upscalers.weights import WeightsError, load_upscaler, read_state_dict
from tests.postfx_helpers import rendered, with_effects

SMALL_X4 = RRDBConfig(features=8, blocks=1, growth=4, upsamples=2)
SMALL_X2 = RRDBConfig(features=8, blocks=2, growth=4, upsamples=2, unshuffle=2)


def random_net(config: RRDBConfig, seed: int = 0) -> RRDBNet:
    torch.manual_seed(seed)
    net = RRDBNet(config).eval()
    with torch.no_grad():  # small weights: random ones at init scale saturate to black or white
        for p in net.parameters():
            p.mul_(0.3)
    return net


def as_old_layout(state: dict[str, torch.Tensor], blocks: int) -> dict[str, torch.Tensor]:
    """The original ESRGAN names for a x4 BasicSR state dict (what old community .pth files use)."""
    names = {"conv_first": "model.0", "conv_up1": "model.3", "conv_up2": "model.6", "conv_hr": "model.8"}
    names |= {"conv_last": "model.10", "conv_body": f"model.1.sub.{blocks}"}
    old = {}
    for key, value in state.items():
        head, _, kind = key.rpartition(".")
        if key.startswith("body."):
            _, block, rdb, conv = head.split(".")
            old[f"model.1.sub.{block}.RDB{rdb[3:]}.{conv}.0.{kind}"] = value
        else:
            old[f"{names[head]}.{kind}"] = value
    return old


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return rendered(tmp_path_factory.mktemp("learned"), (9,))


@pytest.fixture
def project(base, tmp_path):
    shutil.copytree(base.folder, tmp_path, dirs_exist_ok=True)
    return load_project(tmp_path / base.path.name)


def _run_model(net: torch.nn.Module, frames: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        x = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255
        return (net(x).clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy()


def test_architecture_is_read_back_from_a_state_dict():
    for config in (SMALL_X4, SMALL_X2, RRDBConfig()):
        state = RRDBNet(config).state_dict()
        assert config_of(state) == config
    assert RRDBConfig().scale == 4 and SMALL_X2.scale == 2
    assert "body.22.rdb3.conv5.weight" in RRDBNet(RRDBConfig()).state_dict()  # BasicSR's names


@pytest.mark.slow
@pytest.mark.parametrize(("config", "suffix"), [(SMALL_X4, ".safetensors"), (SMALL_X2, ".pth")])
def test_a_weights_file_upscales_the_clip_as_the_network_does(project, config, suffix):
    net = random_net(config)
    path = project.folder / f"upscaler{suffix}"
    if suffix == ".safetensors":
        save_file(net.state_dict(), str(path))
    else:
        torch.save({"params_ema": net.state_dict()}, str(path))  # as Real-ESRGAN ships them
    factor = int(config.scale)
    with_effects(project, "shot_010", f"upscale:{factor},model={path.name}")
    run_postfx_jobs(project, plan_postfx(project))
    out = read_frames(processed_media(project, project.clip("shot_010")))
    take = read_frames(project.resolve(active_take(project.clip("shot_010")).media))
    assert out.shape == (9, 48 * factor, 64 * factor, 3)
    expected = _run_model(net, take)
    # The same network on the same frames, apart from H.264 re-encoding (measured: under 1 level).
    assert np.abs(out.astype(np.float32) - expected).mean() < 3
    assert np.abs(out.astype(np.float32) - np.repeat(np.repeat(take, factor, 1), factor, 2)).mean() > 10


@pytest.mark.slow
def test_a_x4_model_for_a_x2_upscale_is_resized_to_the_factor(project):
    path = project.folder / "x4.safetensors"
    save_file(random_net(SMALL_X4).state_dict(), str(path))
    with_effects(project, "shot_010", "upscale:2,model=x4.safetensors")
    run_postfx_jobs(project, plan_postfx(project))
    assert read_frames(processed_media(project, project.clip("shot_010"))).shape == (9, 96, 128, 3)


def test_old_esrgan_layout_loads_to_the_same_network():
    net = random_net(SMALL_X4, seed=3)
    old = as_old_layout(net.state_dict(), SMALL_X4.blocks)
    assert "model.1.sub.0.RDB1.conv1.0.weight" in old
    rebuilt = weights.rrdbnet_loader(old).model
    x = torch.rand(1, 3, 12, 16)
    assert torch.equal(rebuilt(x), net(x))
    assert from_old_layout(net.state_dict()).keys() == net.state_dict().keys()


def test_tiles_give_the_whole_frame_result():
    net = random_net(SMALL_X4, seed=1)
    x = torch.rand(1, 3, 24, 40)
    with torch.no_grad():
        whole, tiled = net(x), upscale_tiled(net, x, 4, tile=16)
    assert tiled.shape == whole.shape
    assert (tiled - whole).abs().max() < 1e-4


class Payload:
    """An object a malicious .pth would carry: unpickling it would run code."""

    def __reduce__(self):
        return (print, ("this ran from a weights file",))


def test_a_pth_that_wants_more_than_tensors_is_refused(project, capsys):
    path = project.folder / "evil.pth"
    torch.save({"params_ema": Payload()}, str(path))
    with pytest.raises(WeightsError, match="not a loadable weights file"):
        read_state_dict(path)
    assert "this ran" not in capsys.readouterr().out
    with_effects(project, "shot_010", "upscale:4,model=evil.pth")
    with pytest.raises(ProjectError) as caught:
        run_postfx_jobs(project, plan_postfx(project))
    assert caught.value.problems[0].field == "upscale.model" and "evil.pth" in str(caught.value)


def test_missing_weights_say_so_without_downloading(project):
    with_effects(project, "shot_010", "upscale:4,model=weights/none.pth")
    with pytest.raises(ProjectError, match="nothing is downloaded"):
        plan_postfx(project)


def test_spandrel_is_preferred_when_it_imports(tmp_path, monkeypatch):
    net = random_net(SMALL_X4)
    path = tmp_path / "x4.safetensors"
    save_file(net.state_dict(), str(path))
    available = weights.spandrel_loader() is not None
    loaded = load_upscaler(path)
    assert loaded.loader == ("spandrel" if available else "rrdbnet")
    x = torch.rand(1, 3, 8, 8)
    assert torch.allclose(loaded.model(x), net(x), atol=1e-5)  # either loader: the same network
    used = []
    monkeypatch.setattr(weights, "spandrel_loader", lambda: lambda state: used.append(len(state)) or loaded)
    load_upscaler(path)
    assert used == [len(net.state_dict())]
