"""Train the toy preset on CPU: the VAE as an autoencoder, then the transformer the FramePack F1 way.

    python -m fp_timeline_plugins.framepack_f1.toy.train --out toy_run [--vae-minutes 14 --transformer-minutes 30]

Stage 1 (VAE): mostly single 64x64 frames (cheap), every fourth step a 9-frame clip, so the temporal
compression is trained too.  Stage 2: encode synthetic videos with the frozen VAE.  Stage 3
(transformer): flow matching on a section of 9 latent frames, conditioned like ``loop.sample_section``:
the anchor (first latent) plus the last 19 latents of the past, zero-padded in front and packed 1x/2x/4x,
with the history length drawn uniformly (so first sections and full contexts are both seen).  Everything
is seeded; checkpoints and the loss log are written every few minutes, so a cut-short run is usable.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import motions
from .checkpoint import load_state, save_toy_checkpoint
from .models import SEED, WINDOW, build_toy_transformer, build_toy_vae

VAE_CROP = 64
VIDEO_HEIGHT, VIDEO_WIDTH = 64, 96
HISTORY_MAX = 20  # latent frames of past a training section may have (19 fill the packed context)
TRAIN_SHIFT = 2.0  # sigma shift for training timesteps (inference uses about 1.6-1.7 at these sizes)
GUIDANCE = 10.0 * 1000.0  # the distilled-guidance input the sampler always feeds
# Share of training sections that are a clip's first (history = the start frame only).  Only there must
# the motion come from the prompt alone; drawn uniformly they are 1 in 20, and a toy so trained keeps its
# first section still (the average motion) and later sections continue that stillness.
FIRST_SECTIONS = 1 / 3


@dataclass
class Settings:
    out: Path
    vae_minutes: float = 14.0
    vae_steps: int = 100_000
    transformer_minutes: float = 30.0
    transformer_steps: int = 100_000
    videos_per_motion: int = 4
    batch: int = 8
    save_every_s: float = 120.0
    seed: int = SEED
    history_max: int = HISTORY_MAX
    first_sections: float = FIRST_SECTIONS
    compile: bool = False  # torch.compile the transformer's training step (about 1.3x faster on this CPU)
    init: Path | None = None  # continue from this run: its VAE is kept, its transformer fine-tuned
    finetune_vae: bool = False  # with init: train its VAE further (vae_minutes) before the transformer
    new_transformer: bool = False  # with init: keep its VAE, train a fresh transformer (another shape)
    vae_clip_share: float = 0.25  # share of VAE steps on clips (the rest on single frames)
    vae_clip_frames: int = 9
    motion_names: tuple[str, ...] = tuple(m.name for m in motions.MOTIONS)


def _lr(base: float, fraction: float, warmup: float = 0.03) -> float:
    """Linear warm-up, then cosine decay to a tenth, over the fraction of the time budget used."""
    if fraction < warmup:
        return base * (0.1 + 0.9 * fraction / warmup)
    progress = min(1.0, (fraction - warmup) / (1 - warmup))
    return base * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))


class Budget:
    """Stops a stage after ``minutes`` or ``steps``, whichever comes first; says how far along it is."""

    def __init__(self, minutes: float, steps: int) -> None:
        self.start, self.seconds, self.steps = time.monotonic(), minutes * 60, steps

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def fraction(self, step: int) -> float:
        return max(self.elapsed() / self.seconds, step / self.steps)

    def done(self, step: int) -> bool:
        return self.fraction(step) >= 1.0


def _pixels(frames: np.ndarray) -> torch.Tensor:
    """(B, T, H, W, 3) uint8-valued array -> (B, 3, T, H, W) in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(frames)).float().div(127.5).sub(1).permute(0, 4, 1, 2, 3)


def _vae_batch(rng: np.random.Generator, images: list[np.ndarray], batch: int, clip_frames: int) -> torch.Tensor:
    """``batch`` single frames (``clip_frames`` 1), or two clips of ``clip_frames``."""
    frames = []
    for _ in range(batch if clip_frames == 1 else 2):
        motion = motions.MOTIONS[rng.integers(len(motions.MOTIONS))]
        scene = motions.random_scene(rng, images, motion, VAE_CROP, VAE_CROP)
        frames.append(scene.video(clip_frames, int(rng.integers(0, 120))))
    return _pixels(np.stack(frames))


def _start_with_small_posterior_variance(vae: torch.nn.Module, log_variance: float = -8.0) -> None:
    """A fresh encoder's log-variance is ~0, i.e. unit noise on tiny means: nothing can be reconstructed
    until it falls.  Start it at ``log_variance`` (std ~0.02) so the autoencoder learns from step one."""
    conv = vae.quant_conv  # the last layer before the posterior: means, then log-variances
    channels = conv.out_channels // 2
    with torch.no_grad():
        conv.weight[channels:].zero_()
        conv.bias[channels:].fill_(log_variance)


def train_vae(settings: Settings, log: dict, vae: torch.nn.Module | None = None) -> torch.nn.Module:
    """Train a fresh VAE, or continue training ``vae``."""
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    images = motions.sample_images()
    if vae is None:
        vae = build_toy_vae()
        _start_with_small_posterior_variance(vae)
    vae.train()
    opt = torch.optim.AdamW(vae.parameters(), lr=2e-3, weight_decay=0.0)
    budget, step, losses = Budget(settings.vae_minutes, settings.vae_steps), 0, []
    while not budget.done(step):
        for group in opt.param_groups:
            group["lr"] = _lr(2e-3, budget.fraction(step))
        clip = rng.random() < settings.vae_clip_share
        x = _vae_batch(rng, images, settings.batch, settings.vae_clip_frames if clip else 1)
        posterior = vae.encode(x).latent_dist
        recon = vae.decode(posterior.sample()).sample
        rec = (recon - x).pow(2).mean() + 0.5 * (recon - x).abs().mean()
        kl = posterior.kl().mean() / x[0].numel()
        loss = rec + 1e-4 * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        opt.step()
        losses.append([step, round(budget.elapsed(), 1), rec.item(), x.shape[2]])
        step += 1
        if step % 10 == 0:
            recent = np.mean([v[2] for v in losses[-10:]])
            print(f"vae step {step} {budget.elapsed():.0f}s rec {recent:.4f}", flush=True)
    log["vae"] = {"steps": step, "seconds": round(budget.elapsed(), 1), "losses": losses}
    return vae.eval()


@torch.no_grad()
def encode_videos(settings: Settings, vae: torch.nn.Module, components) -> list[dict]:
    """Seeded synthetic videos of ``1 + 4 * (history_max + WINDOW - 1)`` frames, as scaled VAE latents."""
    from ..encoders import encode_image

    rng = np.random.default_rng(settings.seed + 1)
    images = motions.sample_images()
    frames = 1 + 4 * (settings.history_max + WINDOW - 1)
    videos = []
    for motion in [m for m in motions.MOTIONS if m.name in settings.motion_names]:
        for _ in range(settings.videos_per_motion):
            scene = motions.random_scene(rng, images, motion, VIDEO_HEIGHT, VIDEO_WIDTH)
            video = scene.video(frames)
            latents = vae.encode(_pixels(video[None])).latent_dist.mode()[0]
            videos.append({"motion": motion, "latents": latents, "image_embeds": encode_image(components, video[0])})
            print(f"encoded {len(videos)} videos", flush=True)
    return videos


def _history_length(rng: np.random.Generator, settings: Settings) -> int:
    """Latent frames of past: 1 (a first section) for ``first_sections`` of samples, else uniform."""
    if rng.random() < settings.first_sections:
        return 1
    return int(rng.integers(1, settings.history_max + 1))


def _section_batch(rng: np.random.Generator, videos: list[dict], texts: dict, settings: Settings, scale: float) -> dict:
    """A batch of random training sections (``sections``'s fields)."""
    picked = []
    for _ in range(settings.batch):
        video = videos[rng.integers(len(videos))]
        prompt = video["motion"].prompts[rng.integers(len(video["motion"].prompts))]
        picked.append((video["latents"] * scale, _history_length(rng, settings), video["image_embeds"], texts[prompt]))
    return sections(picked)


def sections(picked: list[tuple]) -> dict:
    """Training sections as one batch: each ``(latents (C, T, h, w), k, image_embeds, text)`` is the section
    after the first ``k`` latent frames, its target and its conditioning as ``loop.sample_section`` builds it
    (the first latent as anchor, the last 19 of the past packed 1x/2x/4x, the prompt, the anchor's image)."""
    from ..layout import last_history, split_history

    histories = [last_history(latents[None, :, :k])[0] for latents, k, _, _ in picked]
    anchors = [latents[:, :1] for latents, _, _, _ in picked]
    clean, h2x, h4x = split_history(torch.stack(histories), torch.stack(anchors))
    texts = [text for _, _, _, text in picked]
    return {
        "target": torch.stack([latents[:, k : k + WINDOW] for latents, k, _, _ in picked]),
        "latents_clean": clean,
        "latents_history_2x": h2x,
        "latents_history_4x": h4x,
        "image_embeds": torch.stack([embeds[0] for _, _, embeds, _ in picked]),
        "encoder_hidden_states": torch.cat([t.embeds for t in texts]),
        "encoder_attention_mask": torch.cat([t.mask for t in texts]),
        "pooled_projections": torch.cat([t.pooled for t in texts]),
    }


def predict_velocity(
    transformer: torch.nn.Module, noisy: torch.Tensor, sigma: torch.Tensor, conditioning: dict
) -> torch.Tensor:
    """The transformer's velocity for sections ``noisy`` at noise levels ``sigma``, conditioned on the packed
    history, anchor, prompt and image (``sections``'s fields)."""
    from ..layout import section_indices

    idx = section_indices(WINDOW)
    return transformer(
        hidden_states=noisy,
        timestep=sigma * 1000.0,
        guidance=torch.full((noisy.shape[0],), GUIDANCE),
        indices_latents=idx.latents,
        indices_latents_clean=idx.clean,
        indices_latents_history_2x=idx.history_2x,
        indices_latents_history_4x=idx.history_4x,
        return_dict=False,
        **conditioning,
    )[0]


def flow_matching_loss(
    transformer: torch.nn.Module, x0: torch.Tensor, noise: torch.Tensor, sigma: torch.Tensor, conditioning: dict
) -> torch.Tensor:
    """F1's training objective on one batch of sections: the velocity ``noise - x0`` at ``x_s = (1-s) x0 + s
    noise`` (``predict_velocity``)."""
    s = sigma.view(-1, 1, 1, 1, 1)
    velocity = predict_velocity(transformer, (1 - s) * x0 + s * noise, sigma, conditioning)
    return (velocity - (noise - x0)).pow(2).mean()


def warm_start(transformer: torch.nn.Module, folder: Path) -> list[str]:
    """Load an earlier run's transformer into ``transformer``, which may be deeper: every block the earlier
    one had is loaded, and each new block starts as an identity (its output projections zeroed, so the
    residual stream passes it unchanged) instead of as noise in the trained ones' path.  Returns the new
    blocks' names; a layer that exists in both with another shape is an error (not a warm start)."""
    from safetensors.torch import load_file

    earlier, own = load_file(str(folder / "transformer.safetensors")), transformer.state_dict()
    misfits = [k for k, v in earlier.items() if k not in own or own[k].shape != v.shape]
    if misfits:
        raise ValueError(f"toy preset: {folder} is not a smaller copy of this transformer: {misfits[:3]}")
    transformer.load_state_dict(earlier, strict=False)
    grown = sorted({".".join(k.split(".")[:2]) for k in own if k not in earlier})
    with torch.no_grad():
        for name in grown:
            for sub, module in transformer.get_submodule(name).named_modules():
                if sub.endswith(("proj_out", "to_out.0", "to_add_out", "ff.net.2", "ff_context.net.2")):
                    module.weight.zero_()
                    module.bias.zero_()
    return grown


def train_transformer(settings: Settings, videos: list[dict], texts: dict, scale: float, log: dict, save) -> None:
    torch.manual_seed(settings.seed + 2)
    rng = np.random.default_rng(settings.seed + 2)
    transformer = build_toy_transformer()
    if settings.init is not None and not settings.new_transformer:
        grown = warm_start(transformer, settings.init)
        if grown:
            print(f"new blocks, starting as identities: {', '.join(grown)}", flush=True)
    transformer.train()
    model = torch.compile(transformer) if settings.compile else transformer  # shares the parameters
    opt = torch.optim.AdamW(transformer.parameters(), lr=1e-3, weight_decay=0.01)
    budget, step, losses, last_save = Budget(settings.transformer_minutes, settings.transformer_steps), 0, [], 0.0
    while not budget.done(step):
        for group in opt.param_groups:
            group["lr"] = _lr(1e-3, budget.fraction(step))
        batch = _section_batch(rng, videos, texts, settings, scale)
        x0 = batch.pop("target")
        t = torch.rand(x0.shape[0])
        loss = flow_matching_loss(model, x0, torch.randn_like(x0), TRAIN_SHIFT * t / (1 + (TRAIN_SHIFT - 1) * t), batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(transformer.parameters(), 1.0)
        opt.step()
        losses.append([step, round(budget.elapsed(), 1), loss.item()])
        step += 1
        if step % 20 == 0:
            print(f"transformer step {step} {budget.elapsed():.0f}s loss {np.mean([v[2] for v in losses[-20:]]):.4f}")
        if budget.elapsed() - last_save > settings.save_every_s:
            last_save = budget.elapsed()
            log["transformer"] = {"steps": step, "seconds": round(budget.elapsed(), 1), "losses": losses}
            save(transformer.eval())
            transformer.train()
    log["transformer"] = {"steps": step, "seconds": round(budget.elapsed(), 1), "losses": losses}
    save(transformer.eval())


def _joined(log: dict, stage: str) -> dict:
    """A run's log of ``stage`` ("vae", "transformer") after the runs it continued, as one log (times and
    steps continued)."""
    if f"earlier_{stage}" not in log:
        return log[stage]
    first, then = log[f"earlier_{stage}"], log[stage]
    moved = [[step + first["steps"], seconds + first["seconds"], *rest] for step, seconds, *rest in then["losses"]]
    return {
        "steps": first["steps"] + then["steps"],
        "seconds": round(first["seconds"] + then["seconds"], 1),
        "losses": first["losses"] + moved,
    }


def run(settings: Settings) -> dict:
    """All three stages; returns the log (also written to ``out/log.json``)."""
    from ..encoders import encode_prompt
    from . import untrained_components

    settings.out.mkdir(parents=True, exist_ok=True)
    log: dict = {"settings": {k: str(v) for k, v in vars(settings).items()}, "threads": torch.get_num_threads()}
    if settings.init is None:
        vae = train_vae(settings, log)
    else:  # keep the earlier run's VAE (and its log); fine-tune its transformer unless new_transformer
        earlier = json.loads((settings.init / "log.json").read_text())
        if not settings.new_transformer:
            log["earlier_transformer"] = _joined(earlier, "transformer")
        vae = load_state(build_toy_vae(), settings.init, "vae")
        if settings.finetune_vae:  # train_vae logs this run's steps as "vae"
            log["earlier_vae"] = _joined(earlier, "vae")
            vae = train_vae(settings, log, vae)
        else:
            log["vae"] = earlier["vae"]
            if "earlier_vae" in earlier:
                log["earlier_vae"] = earlier["earlier_vae"]
    components = untrained_components(vae=vae)
    videos = encode_videos(settings, vae, components)
    scale = float(1.0 / torch.cat([v["latents"].flatten() for v in videos]).std())
    vae.register_to_config(scaling_factor=scale)
    log["scaling_factor"] = scale
    texts = {p: encode_prompt(components, p) for p in motions.PROMPTS}

    def save(transformer: torch.nn.Module) -> None:
        components.transformer = transformer
        save_toy_checkpoint(components, settings.out)
        (settings.out / "log.json").write_text(json.dumps(log))

    train_transformer(settings, videos, texts, scale, log, save)
    return log


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--vae-minutes", type=float, default=14.0)
    parser.add_argument("--vae-steps", type=int, default=100_000)
    parser.add_argument("--transformer-minutes", type=float, default=30.0)
    parser.add_argument("--transformer-steps", type=int, default=100_000)
    parser.add_argument("--videos-per-motion", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--first-sections", type=float, default=FIRST_SECTIONS, help="share of first sections")
    parser.add_argument("--init", type=Path, default=None, help="continue from this run's VAE and transformer")
    parser.add_argument("--finetune-vae", action="store_true", help="with --init: train its VAE further first")
    parser.add_argument("--new-transformer", action="store_true", help="with --init: keep only its VAE")
    parser.add_argument("--vae-clip-share", type=float, default=0.25, help="share of VAE steps on clips")
    parser.add_argument("--vae-clip-frames", type=int, default=9)
    parser.add_argument("--compile", action="store_true", help="torch.compile the transformer (needs a C++ compiler)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    run(
        Settings(
            out=args.out,
            vae_minutes=args.vae_minutes,
            vae_steps=args.vae_steps,
            transformer_minutes=args.transformer_minutes,
            transformer_steps=args.transformer_steps,
            videos_per_motion=args.videos_per_motion,
            init=args.init,
            first_sections=args.first_sections,
            finetune_vae=args.finetune_vae,
            new_transformer=args.new_transformer,
            vae_clip_share=args.vae_clip_share,
            vae_clip_frames=args.vae_clip_frames,
            compile=args.compile,
        )
    )


if __name__ == "__main__":
    main()
