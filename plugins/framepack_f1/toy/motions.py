"""Synthetic videos whose future is fixed by their past: camera pans and zooms over an image, and a
sprite bouncing at constant velocity over a still background.  The prompt names the motion.

Pure numpy: every frame is a bilinear sample of a source image at coordinates that are a closed-form
function of time, so any frame of any continuation has an exact ground truth.  Outside the source the
image is mirrored, so a pan may run forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

# Pans and tilts move 2 px per frame: one latent cell (8 px) per latent frame (4 frames), half a
# transformer patch.
PAN_SPEED = 2.0  # pixels per frame (60 px/s at 30 fps)
ZOOM_RATE = 0.008  # log-scale per frame (zoom x1.27 per second)
SPRITE_SIZE = 28  # pixels
SPRITE_SPEED = 1.5  # pixels per frame


@dataclass(frozen=True)
class Motion:
    name: str
    prompts: tuple[str, ...]  # the first is the canonical one
    velocity: tuple[float, float] = (0.0, 0.0)  # camera motion (dy, dx) in pixels per frame
    zoom: float = 0.0  # log-scale change per frame (> 0 zooms in)
    bounce: bool = False


# Content moves opposite to the camera: "pan right" slides the picture to the left.  The sample projects'
# prompts are listed too, so that the demo shows a motion the toy model knows.
MOTIONS = (
    Motion("pan_right", ("the camera pans right", "pan right", "the cat turns its head and looks around"), (0, 1)),
    Motion("pan_left", ("the camera pans left", "pan left", "the cat yawns widely"), (0, -1)),
    Motion("tilt_down", ("the camera tilts down", "tilt down", "steam rises slowly from the cup"), (1, 0)),
    Motion("tilt_up", ("the camera tilts up", "tilt up"), (-1, 0)),
    Motion("zoom_in", ("the camera zooms in", "zoom in", "the cat blinks slowly"), zoom=ZOOM_RATE),
    Motion("zoom_out", ("the camera zooms out", "zoom out", "the astronaut waves at the camera"), zoom=-ZOOM_RATE),
    Motion("bounce", ("a ball bounces", "the ball bounces around"), bounce=True),
)
PROMPTS = tuple(p for m in MOTIONS for p in m.prompts)


def motion_for(prompt: str) -> Motion:
    """The motion a prompt names; ``KeyError`` listing the known prompts otherwise."""
    for motion in MOTIONS:
        if prompt in motion.prompts:
            return motion
    raise KeyError(f"the toy model knows no motion for prompt {prompt!r}; known: {', '.join(PROMPTS)}")


def sample_images() -> list[np.ndarray]:
    """The public-domain images shipped in sample_projects/ (float32 HxWx3 in 0..255)."""
    root = Path(__file__).resolve().parents[3] / "sample_projects"
    paths = sorted(root.glob("*/*.png"))
    if not paths:
        raise FileNotFoundError(f"no sample images under {root}")
    return [np.asarray(Image.open(p).convert("RGB"), dtype=np.float32) for p in paths]


def _mirror(coords: np.ndarray, size: int) -> np.ndarray:
    period = 2 * (size - 1)
    u = np.mod(coords, period)
    return np.where(u > size - 1, period - u, u)


def sample_bilinear(image: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """image (H, W, C) sampled at float coordinates (mirrored outside); returns (*ys.shape, C)."""
    h, w = image.shape[:2]
    ys, xs = _mirror(ys, h), _mirror(xs, w)
    y0 = np.clip(np.floor(ys).astype(np.int64), 0, h - 2)
    x0 = np.clip(np.floor(xs).astype(np.int64), 0, w - 2)
    fy, fx = (ys - y0)[..., None], (xs - x0)[..., None]
    top = image[y0, x0] * (1 - fx) + image[y0, x0 + 1] * fx
    bottom = image[y0 + 1, x0] * (1 - fx) + image[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


@dataclass(frozen=True)
class Scene:
    """Everything that fixes a video: source image, camera start, motion and (for bounce) the sprite."""

    image: np.ndarray  # (H, W, 3) float32 source
    motion: Motion
    height: int
    width: int
    center: tuple[float, float]  # camera centre in source pixels at t = 0
    scale: float  # source pixels per output pixel at t = 0
    sprite: np.ndarray | None = None  # (S, S, 4) float32 RGB + alpha
    sprite_pos: tuple[float, float] = (0.0, 0.0)  # top-left (y, x) at t = 0
    sprite_vel: tuple[float, float] = (0.0, 0.0)

    def frame(self, t: float) -> np.ndarray:
        """Frame ``t`` (may be fractional) as (height, width, 3) float32 in 0..255."""
        m = self.motion
        zoom = np.exp(m.zoom * t)
        iy = np.arange(self.height, dtype=np.float64) - (self.height - 1) / 2
        ix = np.arange(self.width, dtype=np.float64) - (self.width - 1) / 2
        cy = self.center[0] + m.velocity[0] * PAN_SPEED * t * self.scale
        cx = self.center[1] + m.velocity[1] * PAN_SPEED * t * self.scale
        ys = cy + iy[:, None] * self.scale / zoom + 0 * ix[None, :]
        xs = cx + ix[None, :] * self.scale / zoom + 0 * iy[:, None]
        out = sample_bilinear(self.image, ys, xs)
        if m.bounce and self.sprite is not None:
            out = self._paste_sprite(out, t)
        return out.astype(np.float32)

    def _paste_sprite(self, out: np.ndarray, t: float) -> np.ndarray:
        size = self.sprite.shape[0]
        y = _bounce(self.sprite_pos[0] + self.sprite_vel[0] * t, self.height - size)
        x = _bounce(self.sprite_pos[1] + self.sprite_vel[1] * t, self.width - size)
        # Sample the sprite (zero-padded by one pixel) at sub-pixel offsets so motion is smooth.
        padded = np.pad(self.sprite, ((1, 1), (1, 1), (0, 0)))
        top, left = int(np.floor(y)), int(np.floor(x))
        rows = np.arange(top, min(top + size + 2, self.height))
        cols = np.arange(left, min(left + size + 2, self.width))
        ys = (rows - y + 1)[:, None] + 0 * cols[None, :]
        xs = (cols - x + 1)[None, :] + 0 * rows[:, None]
        ys, xs = np.clip(ys, 0, size + 1), np.clip(xs, 0, size + 1)
        patch = _bilinear_clamped(padded, ys, xs)
        alpha = patch[..., 3:4]
        region = out[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        out[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] = region * (1 - alpha) + patch[..., :3] * alpha
        return out

    def video(self, frames: int, start: int = 0) -> np.ndarray:
        """Frames ``start .. start + frames - 1`` as (frames, H, W, 3) uint8."""
        return np.stack([np.clip(np.rint(self.frame(t)), 0, 255) for t in range(start, start + frames)]).astype(
            np.uint8
        )


def _bilinear_clamped(image: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    y0 = np.clip(np.floor(ys).astype(np.int64), 0, h - 2)
    x0 = np.clip(np.floor(xs).astype(np.int64), 0, w - 2)
    fy, fx = (ys - y0)[..., None], (xs - x0)[..., None]
    top = image[y0, x0] * (1 - fx) + image[y0, x0 + 1] * fx
    bottom = image[y0 + 1, x0] * (1 - fx) + image[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def _bounce(position: float, span: float) -> float:
    """A point moving at constant speed between 0 and ``span``, reflected at both ends."""
    u = position % (2 * span)
    return u if u <= span else 2 * span - u


def _sprite(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A round patch of ``image`` with a soft edge, (S, S, 4)."""
    size = SPRITE_SIZE
    crop = rng.uniform(1.0, 2.0) * size
    cy = rng.uniform(crop / 2, image.shape[0] - crop / 2)
    cx = rng.uniform(crop / 2, image.shape[1] - crop / 2)
    grid = (np.arange(size) - (size - 1) / 2) * crop / size
    rgb = sample_bilinear(image, cy + grid[:, None] + 0 * grid[None, :], cx + grid[None, :] + 0 * grid[:, None])
    radius = np.hypot(*np.meshgrid(np.arange(size) - (size - 1) / 2, np.arange(size) - (size - 1) / 2))
    alpha = np.clip(size / 2 - radius, 0, 1)[..., None]
    return np.concatenate([rgb, alpha], axis=-1).astype(np.float32)


def fitted_scene(image: np.ndarray, motion: Motion, height: int, width: int) -> Scene:
    """The camera framing FramePack uses for a start image: scaled to cover, centred."""
    h, w = image.shape[:2]
    scale = min(h / height, w / width)
    return Scene(image, motion, height, width, ((h - 1) / 2, (w - 1) / 2), scale)


def random_scene(rng: np.random.Generator, images: list[np.ndarray], motion: Motion, height: int, width: int) -> Scene:
    """A random framing (scale, position, flip) of a random image; a random sprite and velocity for bounce."""
    image = images[rng.integers(len(images))]
    if rng.random() < 0.5:
        image = image[:, ::-1]
    h, w = image.shape[:2]
    scale = min(h / height, w / width) / rng.uniform(1.0, 1.8)
    center = (rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * w)
    scene = Scene(np.ascontiguousarray(image), motion, height, width, center, scale)
    if not motion.bounce:
        return scene
    sprite = _sprite(images[rng.integers(len(images))], rng)
    angle = rng.uniform(0, 2 * np.pi)
    velocity = (SPRITE_SPEED * np.sin(angle), SPRITE_SPEED * np.cos(angle))
    position = (rng.uniform(0, height - SPRITE_SIZE), rng.uniform(0, width - SPRITE_SIZE))
    return Scene(scene.image, motion, height, width, center, scale, sprite, position, velocity)


MOTIONS_BY_NAME = {m.name: m for m in MOTIONS}
