"""Post-processing: a clip's effects applied to its take, as derived media cached in the project folder.

``processor``  the Processor protocol, output shapes, learned processors by entry point
``graph``      FFmpeg filter graphs through PyAV (streamed RGB frames)
``builtin``    upscale (lanczos), interpolate, loop, denoise, sharpen, colormatch: no weights
``jobs``       cache keys, plan_postfx / run_postfx (stage by stage, resumable), processed_media,
               predicted_media / fit_to_processed (a clip as long as its loop)
``prune``      delete processed media no clip's current effects use (on request)
"""
