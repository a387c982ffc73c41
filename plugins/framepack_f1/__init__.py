"""FramePack F1 generation plugin.

The F1 loop of lllyasviel/FramePack (``demo_gradio_f1.py``) re-implemented on diffusers' model classes,
with its packed history as an object the project owns (``context.PackedContext``) so that one clip can
continue from the previous one across a cut.

Modules, one idea each:

- ``config``      recipe params <-> ``FramePackF1Config`` (no torch)
- ``schedules``   flow-matching sigma schedules (pure functions)
- ``sampling``    k-diffusion style samplers: FramePack's flow-matching UniPC (default), Euler
- ``denoiser``    the transformer wrapped as a denoiser D(x, sigma)
- ``stepcache``   optional TeaCache-style step skipping (off by default)
- ``layout``      the F1 history layout: which latents go where, with which indices
- ``loop``        one F1 section and the state carried between sections
- ``decode``      incremental VAE decode with FramePack's soft-append blend
- ``context``     ``PackedContext``: save/load the fixed-size state handed to the next clip
- ``components``  the model stack, device and dtype choice; presets in ``tiny`` (built in code) and
                  ``real`` (released weights from the local HF cache)
- ``encoders``    text / image / VAE encoding with small caches
- ``preview``     cheap latent-to-RGB previews
- ``session``     ``ChainRenderer``: clips section by section; between clips its state is a context
- ``extend``      a context from a video this project did not make
- ``checkpoint``  per-section checkpoints so a killed render resumes
- ``generator``   ``FramePackF1Generator``: the engine's entry point

Importing this package imports no torch; ``generator`` imports it lazily on first use.
"""
