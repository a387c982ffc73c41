"""Learned upscalers for the ``upscale`` clip effect, from weights the user has (never downloaded).

- ``rrdbnet``    the ESRGAN / Real-ESRGAN RRDBNet architecture, state-dict compatible with BasicSR
- ``weights``    reading a weights file safely (safetensors, or ``torch.load(weights_only=True)``) and
                 building the model: through ``spandrel`` when it imports, else ``rrdbnet``
- ``processor``  ``LearnedUpscaler``: the engine's ``fp_timeline.postfx`` entry point ``esrgan``

Importing this package imports no torch.
"""
