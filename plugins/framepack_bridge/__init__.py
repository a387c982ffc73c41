"""FramePack bridge: the original FramePack model (inverted anti-drifting sampling) landing a clip on an end frame.

Two modes, chosen by the recipe alone: a *bridge* (a carried clip with no start image and no end image)
starts on the previous take's last frame and ends on the next take's first frame; *keyframes* (a clip with
a start image and ``params.end_image``) goes from one image to the other.  Either end may mix: a start image
with the next clip's first frame, or the previous clip's last frame with an end image.
"""
