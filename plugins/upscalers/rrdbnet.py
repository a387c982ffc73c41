"""RRDBNet, the ESRGAN / Real-ESRGAN generator, with BasicSR's parameter names.

A Real-ESRGAN ``.pth`` (``params_ema``) or a safetensors export of one loads with ``load_state_dict``
directly; the original ESRGAN layout (``model.0.weight``, ``model.1.sub.N.RDB1.conv1.0.weight``...)
is renamed by ``from_old_layout``.  ``config_of`` reads the architecture back from a state dict, as
spandrel does: features, blocks, growth channels, scale (x1 and x2 models pixel-unshuffle their input).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

_NEGATIVE_SLOPE = 0.2
_RESIDUAL_SCALE = 0.2


@dataclass(frozen=True)
class RRDBConfig:
    in_channels: int = 3
    out_channels: int = 3
    features: int = 64
    blocks: int = 23
    growth: int = 32
    upsamples: int = 2  # each doubles the size
    unshuffle: int = 1  # the input is pixel-unshuffled by this first (2 for x2 models, 4 for x1)

    @property
    def scale(self) -> float:
        return 2**self.upsamples / self.unshuffle


class ResidualDenseBlock(nn.Module):
    def __init__(self, features: int, growth: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(features, growth, 3, 1, 1)
        self.conv2 = nn.Conv2d(features + growth, growth, 3, 1, 1)
        self.conv3 = nn.Conv2d(features + 2 * growth, growth, 3, 1, 1)
        self.conv4 = nn.Conv2d(features + 3 * growth, growth, 3, 1, 1)
        self.conv5 = nn.Conv2d(features + 4 * growth, features, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grown = [x]
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            grown.append(F.leaky_relu(conv(torch.cat(grown, 1)), _NEGATIVE_SLOPE))
        return self.conv5(torch.cat(grown, 1)) * _RESIDUAL_SCALE + x


class RRDB(nn.Module):
    def __init__(self, features: int, growth: int) -> None:
        super().__init__()
        self.rdb1 = ResidualDenseBlock(features, growth)
        self.rdb2 = ResidualDenseBlock(features, growth)
        self.rdb3 = ResidualDenseBlock(features, growth)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rdb3(self.rdb2(self.rdb1(x))) * _RESIDUAL_SCALE + x


class RRDBNet(nn.Module):
    """(B, 3, H, W) in [0, 1] -> (B, 3, H*scale, W*scale)."""

    def __init__(self, config: RRDBConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.conv_first = nn.Conv2d(c.in_channels * c.unshuffle**2, c.features, 3, 1, 1)
        self.body = nn.Sequential(*(RRDB(c.features, c.growth) for _ in range(c.blocks)))
        self.conv_body = nn.Conv2d(c.features, c.features, 3, 1, 1)
        for i in range(1, c.upsamples + 1):
            self.add_module(f"conv_up{i}", nn.Conv2d(c.features, c.features, 3, 1, 1))
        self.conv_hr = nn.Conv2d(c.features, c.features, 3, 1, 1)
        self.conv_last = nn.Conv2d(c.features, c.out_channels, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.config.unshuffle > 1:
            x = F.pixel_unshuffle(x, self.config.unshuffle)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        for i in range(1, self.config.upsamples + 1):
            conv = getattr(self, f"conv_up{i}")
            feat = F.leaky_relu(conv(F.interpolate(feat, scale_factor=2, mode="nearest")), _NEGATIVE_SLOPE)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), _NEGATIVE_SLOPE))


def config_of(state: dict[str, torch.Tensor]) -> RRDBConfig:
    """The architecture a BasicSR-layout state dict was saved from; ``KeyError`` when it is not one."""
    first, last = state["conv_first.weight"], state["conv_last.weight"]
    out_channels = last.shape[0]
    unshuffle = math.isqrt(first.shape[1] // out_channels)
    blocks = 1 + max(int(m.group(1)) for k in state if (m := re.match(r"body\.(\d+)\.", k)))
    upsamples = sum(1 for k in state if re.fullmatch(r"conv_up\d+\.weight", k))
    return RRDBConfig(
        in_channels=first.shape[1] // unshuffle**2,
        out_channels=out_channels,
        features=first.shape[0],
        blocks=blocks,
        growth=state["body.0.rdb1.conv1.weight"].shape[0],
        upsamples=upsamples,
        unshuffle=unshuffle,
    )


def from_old_layout(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename an original-ESRGAN state dict (``model.N``, ``RRDB_trunk``) to BasicSR names; others pass."""
    if "conv_first.weight" in state or "model.0.weight" not in state:
        return _renamed_trunk(state)
    renamed: dict[str, torch.Tensor] = {}
    blocks = 1 + max(int(m.group(1)) for k in state if (m := re.match(r"model\.1\.sub\.(\d+)\.RDB", k)))
    convs = sorted({int(k.split(".")[1]) for k in state if re.match(r"model\.\d+\.(weight|bias)$", k)})
    # model.0 conv_first, then model.3, 6, ... upsampling convs, then conv_hr and conv_last.
    names = {convs[0]: "conv_first", convs[-1]: "conv_last", convs[-2]: "conv_hr"}
    names |= {n: f"conv_up{i}" for i, n in enumerate(convs[1:-2], 1)}
    for key, value in state.items():
        if m := re.match(r"model\.1\.sub\.(\d+)\.RDB(\d)\.conv(\d)\.0\.(weight|bias)$", key):
            renamed[f"body.{m.group(1)}.rdb{m.group(2)}.conv{m.group(3)}.{m.group(4)}"] = value
        elif m := re.match(rf"model\.1\.sub\.{blocks}\.(weight|bias)$", key):
            renamed[f"conv_body.{m.group(1)}"] = value
        elif m := re.match(r"model\.(\d+)\.(weight|bias)$", key):
            renamed[f"{names[int(m.group(1))]}.{m.group(2)}"] = value
    return renamed


def _renamed_trunk(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Older BasicSR names: ``RRDB_trunk.N.RDB1`` / ``trunk_conv`` / ``upconvN`` / ``HRconv``."""
    renamed = {}
    for key, value in state.items():
        key = re.sub(r"^RRDB_trunk\.(\d+)\.RDB(\d)", r"body.\1.rdb\2", key)
        key = re.sub(r"^trunk_conv\.", "conv_body.", key)
        key = re.sub(r"^upconv(\d)\.", r"conv_up\1.", key)
        key = re.sub(r"^HRconv\.", "conv_hr.", key)
        renamed[key] = value
    return renamed
