"""Does a toy checkpoint follow its prompts?  One section per motion from a sample image, compared with the
true motion, with the still start image and with the opposite motion.

    python -m fp_timeline_plugins.framepack_f1.toy.evaluate [--weights toy_run] [--size 96x64] [--steps 25]
                                                            [--vae-only] [--strip renders.png]

Two measures.  PSNR: is the second half of the first second (frames 16-30) closer to the true continuation
than to the still start image and to the opposite motion?  Direction: the picture's global shift from the
first frame to frame 12 (phase correlation, which blur does not fool), against the true shift of a pan or
tilt.  The last line printed is the JSON summary.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from ..config import FramePackF1Config
from ..decode import to_uint8_frames
from ..encoders import fit_image
from ..session import ChainRenderer, ClipSpec
from . import motions
from .metrics import psnr
from .train import VIDEO_HEIGHT, VIDEO_WIDTH, WINDOW, _pixels, flow_matching_loss, predict_velocity, sections

OPPOSITE = {
    "pan_right": "pan_left",
    "pan_left": "pan_right",
    "tilt_down": "tilt_up",
    "tilt_up": "tilt_down",
    "zoom_in": "zoom_out",
    "zoom_out": "zoom_in",
}
LATE = range(16, 31)  # the second half of the first second, where a motion has moved the picture
# The frame whose shift from the first frame is measured: 16 px into a pan or tilt, a quarter of the 64 px
# training height (phase correlation cannot tell a shift of half the frame from its opposite).
MOVED_AT = round(16 / motions.PAN_SPEED)


def global_shift(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(dy, dx) in pixels by which the content of frame ``a`` has moved in frame ``b`` (phase correlation)."""
    grey = [np.asarray(f, np.float64).mean(-1) for f in (a, b)]
    window = np.outer(np.hanning(grey[0].shape[0]), np.hanning(grey[0].shape[1]))
    fa, fb = (np.fft.fft2((g - g.mean()) * window) for g in grey)
    cross = fb * np.conj(fa)
    peak = np.real(np.fft.ifft2(cross / (np.abs(cross) + 1e-9)))
    dy, dx = np.unravel_index(int(np.argmax(peak)), peak.shape)
    height, width = peak.shape
    return int(dy - height if dy > height // 2 else dy), int(dx - width if dx > width // 2 else dx)


@dataclass(frozen=True)
class Following:
    prompt: str
    motion: str
    first: float  # PSNR of the first frame against the start image
    along: float  # mean PSNR of frames 16-30 against the true motion
    still: float  # ... against the still start image
    opposite: float | None  # ... against the opposite motion (None for the bouncing ball)
    shift: tuple[int, int]  # the render's global shift (dy, dx) from its first frame to frame 12
    true_shift: tuple[int, int]  # the true motion's (zooms: about none)

    @property
    def follows(self) -> bool:
        """By PSNR: closer to the true motion than to standing still or to the opposite motion."""
        return self.along > self.still and (self.opposite is None or self.along > self.opposite)

    @property
    def moves_the_right_way(self) -> bool | None:
        """The render moves the way the true pan or tilt does, by at least a quarter of it (None: a zoom)."""
        true = np.asarray(self.true_shift, np.float64)
        if np.abs(true).sum() < 8:  # a zoom moves the picture a pixel or two about its centre
            return None
        return float(np.dot(self.shift, true)) >= 0.25 * float(np.dot(true, true))


def render_section(components, start: np.ndarray, prompt: str, steps: int = 25, seed: int = 1) -> list[np.ndarray]:
    """The first section (37 frames) of a fresh clip from ``start`` (H, W, 3 uint8), default F1 settings."""
    height, width = start.shape[:2]
    renderer = ChainRenderer(components, width, height)
    renderer.begin_clip(ClipSpec(prompt, seed, 1, FramePackF1Config(steps=steps), start))
    return renderer.run_section()[1] + renderer.end_clip()


def measure_following(
    components, image: np.ndarray, prompt: str, size: tuple[int, int] = (96, 64), steps: int = 25, seed: int = 1
) -> Following:
    """Render ``prompt`` from ``image`` fitted to ``size`` (width, height) and compare with the truths."""
    start = fit_image(np.asarray(image, np.uint8), *size)
    return compare(render_section(components, start, prompt, steps, seed), start, prompt)


@torch.no_grad()
def measure_round_trip(components, image: np.ndarray, prompt: str, size: tuple[int, int] = (96, 64)) -> Following:
    """The VAE alone: encode and decode the true motion from ``image`` (37 frames), compared like a render.
    A VAE that loses the motion makes every render look still, whatever the transformer does."""
    start = fit_image(np.asarray(image, np.uint8), *size)
    truth = _truth(start, motions.motion_for(prompt).name, 37)
    latents = components.vae.encode(_pixels(truth[None])).latent_dist.mode()
    return compare(to_uint8_frames(components.vae.decode(latents).sample), start, prompt)


@dataclass(frozen=True)
class Denoising:
    motion: str
    sigma: float
    error: float  # mean squared error of the one-step estimate of the clean section (scaled latents)
    still_error: float  # ... of the start's latent repeated: what standing still would score
    per_frame: tuple[float, ...]  # ``error`` of each latent frame of the section, first to last


@torch.no_grad()
def measure_denoising(
    components, image: np.ndarray, prompt: str, sigma: float, size: tuple[int, int] = (96, 64), seed: int = 1
) -> Denoising:
    """The transformer alone, shown the answer: the true first section (from ``image`` with ``prompt``'s
    motion) noised to ``sigma``, and the transformer's one-step estimate of it (``x_s - s * velocity``) against
    the truth.  Where a render fails but this error is far below ``still_error``, the sampler is at fault;
    where it is not, the transformer has not learnt the motion (at ``sigma = 1`` it sees no hint of it)."""
    from ..encoders import encode_image, encode_prompt

    motion = motions.motion_for(prompt).name
    start = fit_image(np.asarray(image, np.uint8), *size)
    truth = _truth(start, motion, 1 + 4 * WINDOW)
    scale = float(components.vae.config.scaling_factor)
    latents = components.vae.encode(_pixels(truth[None])).latent_dist.mode()[0] * scale
    batch = sections([(latents, 1, encode_image(components, truth[0]), encode_prompt(components, prompt))])
    x0 = batch.pop("target")
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    s = torch.tensor([sigma])
    noisy = (1 - sigma) * x0 + sigma * noise
    estimate = noisy - sigma * predict_velocity(components.get_transformer(), noisy, s, batch)
    per_frame = (estimate - x0).pow(2).mean(dim=(0, 1, 3, 4))
    still = (latents[None, :, :1] - x0).pow(2).mean()
    return Denoising(
        motion=motion,
        sigma=sigma,
        error=round(float(per_frame.mean()), 4),
        still_error=round(float(still), 4),
        per_frame=tuple(round(float(v), 3) for v in per_frame),
    )


def _truth(start: np.ndarray, motion: str, frames: int) -> np.ndarray:
    height, width = start.shape[:2]
    return motions.fitted_scene(start.astype(np.float32), motions.MOTIONS_BY_NAME[motion], height, width).video(frames)


def compare(frames: list[np.ndarray], start: np.ndarray, prompt: str) -> Following:
    """Frames that started from ``start`` with ``prompt``, against the true, the still and the opposite motion."""
    motion = motions.motion_for(prompt)

    def mean_psnr(truth: np.ndarray) -> float:
        return round(float(np.mean([psnr(frames[t], truth[t]) for t in LATE])), 2)

    length = max(LATE[-1], MOVED_AT) + 1
    truth = _truth(start, motion.name, length)
    opposite = OPPOSITE.get(motion.name)
    return Following(
        prompt=prompt,
        motion=motion.name,
        first=round(psnr(frames[0], start), 2),
        along=mean_psnr(truth),
        still=mean_psnr(np.repeat(start[None], length, axis=0)),
        opposite=mean_psnr(_truth(start, opposite, length)) if opposite else None,
        shift=global_shift(frames[0], frames[MOVED_AT]),
        true_shift=global_shift(truth[0], truth[MOVED_AT]),
    )


@torch.no_grad()
def prompt_losses(components, motion_names: list[str], seed: int = 7, noises: int = 4) -> np.ndarray:
    """Does the transformer read the prompt?  ``[i, j]``: F1's training loss on first sections of seeded
    synthetic videos of motion ``i`` (unseen in training) when prompted with motion ``j``'s prompt.  A row's
    smallest value on the diagonal means the right prompt predicts that motion's future best."""
    from ..encoders import encode_image, encode_prompt

    rng = np.random.default_rng(seed)
    images, transformer = motions.sample_images(), components.get_transformer()
    scale = float(components.vae.config.scaling_factor)
    texts = [encode_prompt(components, motions.MOTIONS_BY_NAME[name].prompts[0]) for name in motion_names]
    losses = np.zeros((len(motion_names), len(motion_names)))
    for i, name in enumerate(motion_names):
        video = motions.random_scene(rng, images, motions.MOTIONS_BY_NAME[name], VIDEO_HEIGHT, VIDEO_WIDTH).video(
            1 + 4 * WINDOW
        )
        latents = components.vae.encode(_pixels(video[None])).latent_dist.mode()[0] * scale
        embeds = encode_image(components, video[0])
        for j, text in enumerate(texts):
            batch = sections([(latents, 1, embeds, text)] * noises)
            x0 = batch.pop("target")
            noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed + i))
            sigma = torch.linspace(0.3, 0.9, noises)
            losses[i, j] = float(flow_matching_loss(transformer, x0, noise, sigma, batch))
    return losses


# (sample image index in motions.sample_images(), prompt): the README's picture of what the toy renders
STRIPS = ((1, "the cat turns its head and looks around"), (2, "the camera pans right"))


def write_strip(components, path: Path, size: tuple[int, int] = (144, 96)) -> None:
    """Frames 0, 4, ..., 36 of each ``STRIPS`` render (first section, default settings), each above its true
    motion, as one PNG: what the figures above look like."""
    from PIL import Image

    images, rows = motions.sample_images(), []
    for index, prompt in STRIPS:
        start = fit_image(np.asarray(images[index], np.uint8), *size)
        frames = render_section(components, start, prompt)
        truth = _truth(start, motions.motion_for(prompt).name, len(frames))
        for video in (frames, truth):
            rows.append(np.concatenate([np.asarray(video[t], np.uint8) for t in range(0, len(frames), 4)], axis=1))
    Image.fromarray(np.concatenate(rows, axis=0)).save(path)


def camera_motions() -> list[str]:
    """One camera prompt per motion (the ball needs a sprite scene; the drift benchmark measures it)."""
    return [m.prompts[0] for m in motions.MOTIONS if m.name in OPPOSITE]


def print_denoising(components, images: int, sigma: float, size: tuple[int, int]) -> None:
    """``measure_denoising`` for each camera prompt from the first ``images`` sample images; JSON last."""
    results = []
    for image in motions.sample_images()[:images]:
        for prompt in camera_motions():
            d = measure_denoising(components, image, prompt, sigma, size)
            results.append(d)
            print(f"{d.motion:9s} error {d.error:.3f} (still {d.still_error:.3f}); by frame {d.per_frame}", flush=True)
    mean = {k: round(float(np.mean([getattr(d, k) for d in results])), 4) for k in ("error", "still_error")}
    print(json.dumps({"sigma": sigma, **mean, "results": [asdict(d) for d in results]}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=None, help="a toy checkpoint folder (default: shipped)")
    parser.add_argument("--size", default="96x64", help="WIDTHxHEIGHT")
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--images", type=int, default=3, help="how many sample images to start from")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--vae-only", action="store_true", help="round-trip the true motions through the VAE")
    parser.add_argument("--strip", type=Path, default=None, help="write a PNG of renders over their truths, stop")
    parser.add_argument("--denoise", type=float, default=None, help="the transformer's one-step error at this sigma")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    from . import load_toy
    from .checkpoint import WEIGHTS_DIR

    components = load_toy(args.weights or WEIGHTS_DIR)
    if args.strip is not None:
        write_strip(components, args.strip)
        return
    size = tuple(int(v) for v in args.size.split("x"))
    if args.denoise is not None:
        print_denoising(components, args.images, args.denoise, size)
        return
    results = []
    for image in motions.sample_images()[: args.images]:
        for prompt in camera_motions():
            if args.vae_only:
                f = measure_round_trip(components, image, prompt, size)
            else:
                f = measure_following(components, image, prompt, size, args.steps)
            results.append(f)
            print(
                f"{f.motion:9s} first {f.first:5.2f} dB, frames 16-30: along {f.along:5.2f} still {f.still:5.2f} "
                f"opposite {f.opposite:5.2f} dB; shift {f.shift} (true {f.true_shift}); "
                f"follows {f.follows}, right way {f.moves_the_right_way}",
                flush=True,
            )
    summary = {
        "followed": sum(f.follows for f in results),
        "right_way": sum(bool(f.moves_the_right_way) for f in results),
        "translations": sum(f.moves_the_right_way is not None for f in results),
        "of": len(results),
    }
    print(json.dumps({**summary, "results": [asdict(f) for f in results]}))


if __name__ == "__main__":
    main()
