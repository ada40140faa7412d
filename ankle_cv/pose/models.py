"""The pose model files: where they come from and a check that they are the pinned ones.

The model is MediaPipe Pose "full" (``model_complexity=1``), shipped inside the
``mediapipe==0.10.21`` wheel. Nothing is ever downloaded: the files are found in the
installed package without importing it, and their sha256 must match the pins below (also
listed in ``models/MODELS.sha256`` at the repository root).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

from ..errors import ModelError

MODEL_NAME = "MediaPipe Pose Landmark Full (BlazePose GHUM 3D, model_complexity=1)"

#: Path inside the mediapipe package -> sha256 of the file in the mediapipe 0.10.21 wheel.
PINNED_SHA256 = {
    "modules/pose_landmark/pose_landmark_full.tflite":
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "modules/pose_detection/pose_detection.tflite":
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
}

LANDMARK_MODEL = "modules/pose_landmark/pose_landmark_full.tflite"


def mediapipe_dir() -> Path:
    """Folder of the installed mediapipe package (found without importing it)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("mediapipe is not installed: pip install 'mediapipe==0.10.21'")
    return Path(list(spec.submodule_search_locations)[0])


def sha256_file(path: str | Path, *, chunk_bytes: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_bytes), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def verify_models() -> dict[str, str]:
    """Check every pinned model file; return {relative path: sha256}.

    Raises
    ------
    ModelError
        If a file is missing or its hash differs from the pin (another mediapipe version,
        or a modified install): results would not be those ankle-cv was validated with.
    """
    root = mediapipe_dir()
    found = {}
    for rel, pinned in PINNED_SHA256.items():
        path = root / rel
        if not path.is_file():
            raise ModelError(
                f"pose model file {rel} is missing from {root}; reinstall 'mediapipe==0.10.21'"
            )
        digest = sha256_file(path)
        if digest != pinned:
            raise ModelError(
                f"pose model file {rel} has sha256 {digest[:12]}..., expected {pinned[:12]}... "
                "(ankle-cv is validated with the model in mediapipe 0.10.21)"
            )
        found[rel] = digest
    return found


def landmark_model_sha256() -> str:
    """sha256 of the verified landmark model (part of every cache key)."""
    return verify_models()[LANDMARK_MODEL]
