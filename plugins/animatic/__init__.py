"""Animatic: a fast, deterministic pan-and-zoom of the start image, for previs before GPU time."""
