"""Frames in, frames out: frame sources (file, camera, stream) and video sinks."""
