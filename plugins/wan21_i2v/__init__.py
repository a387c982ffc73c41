"""Wan 2.1 image-to-video (diffusers' ``WanImageToVideoPipeline``): short shots with stronger physics."""
