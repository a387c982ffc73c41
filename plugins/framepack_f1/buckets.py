"""FramePack's resolution buckets: the sizes (about 640x640 pixels each) the F1 model was trained at.

A new clip takes the bucket whose aspect ratio is nearest its start image's, as FramePack's demo
does, instead of centre-cropping every image to a square.
"""

from __future__ import annotations

# (height, width) pairs, FramePack's 640 bucket set (diffusers_helper/bucket_tools.py).
BUCKETS_640 = (
    (416, 960),
    (448, 864),
    (480, 832),
    (512, 768),
    (544, 704),
    (576, 672),
    (608, 640),
    (640, 608),
    (672, 576),
    (704, 544),
    (768, 512),
    (832, 480),
    (864, 448),
    (960, 416),
)


def nearest_bucket(height: int, width: int) -> tuple[int, int]:
    """The (height, width) bucket whose aspect is nearest ``height:width``; compared by cross products
    (``|h * bucket_w - w * bucket_h|``), ties going to the later bucket, as in FramePack."""
    best = BUCKETS_640[0]
    best_error = None
    for bucket in BUCKETS_640:
        error = abs(height * bucket[1] - width * bucket[0])
        if best_error is None or error <= best_error:
            best, best_error = bucket, error
    return best
