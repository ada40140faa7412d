"""`LandmarkSeries`: the one data type between the pose stage and everything after it."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .landmarks import N_LANDMARKS


def user_file_mode() -> int:
    """The mode of a file the user creates (0666 less the umask), for files made with
    mkstemp (0600) that are then renamed into place as outputs."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


#: Bump when the .npz layout changes; older files are then treated as stale.
NPZ_FORMAT = 3


@dataclasses.dataclass(frozen=True, eq=False)
class LandmarkSeries:
    """Pose landmarks of one clip, in pixels, one row per decoded frame.

    Parameters
    ----------
    xyzv : ndarray of shape (T, 33, 4), float32
        x_px, y_px, z (MediaPipe's relative depth, scaled like x to pixels) and visibility
        in [0, 1] of the 33 MediaPipe Pose landmarks. A frame with no person is a NaN row,
        so row index = frame index.
    time_s : ndarray of shape (T,), float64
        Presentation time of each frame from the container, strictly increasing.
    frame_size_px : tuple of int
        (width, height) of the upright frames the landmarks refer to.
    fps : float
        Nominal frame rate (the container's); ``time_s`` is the truth for variable rates.
    source : str
        Where the frames came from (a file name), for reports.
    meta : dict
        Provenance (video sha256, model sha256, tool version, pose settings).
    lines : ndarray of shape (K, 5), float32
        Straight scene segments found away from the person in some frames: frame index,
        x0, y0, x1, y1 in pixels (see :mod:`ankle_cv.scene`); used to level the camera.
    camera_step_px : ndarray of shape (T, 2), float32, optional
        How far the background moved into each frame from the one before (hand-held shake;
        see :mod:`ankle_cv.vision.motion`), NaN where unknown; all NaN when not measured.
    """

    xyzv: np.ndarray
    time_s: np.ndarray
    frame_size_px: tuple[int, int]
    fps: float
    source: str = ""
    meta: dict = dataclasses.field(default_factory=dict)
    lines: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 5), dtype=np.float32))
    camera_step_px: np.ndarray | None = None

    def __post_init__(self) -> None:
        xyzv = np.asarray(self.xyzv, dtype=np.float32)
        time_s = np.asarray(self.time_s, dtype=np.float64)
        if xyzv.ndim != 3 or xyzv.shape[1:] != (N_LANDMARKS, 4):
            raise ValueError(f"xyzv must have shape (T, {N_LANDMARKS}, 4), got {xyzv.shape}")
        if time_s.shape != (xyzv.shape[0],):
            raise ValueError(
                f"time_s must have shape ({xyzv.shape[0]},) to match xyzv, got {time_s.shape}"
            )
        if time_s.size > 1 and not np.all(np.diff(time_s) > 0):
            raise ValueError("time_s must be strictly increasing")
        width, height = (int(v) for v in self.frame_size_px)
        if width <= 0 or height <= 0:
            raise ValueError(f"frame_size_px must be positive, got {self.frame_size_px}")
        if not self.fps > 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        lines = np.asarray(self.lines, dtype=np.float32).reshape(-1, 5)
        object.__setattr__(self, "lines", lines)
        steps = np.full((xyzv.shape[0], 2), np.nan, np.float32) if self.camera_step_px is None else \
            np.asarray(self.camera_step_px, dtype=np.float32)
        if steps.shape != (xyzv.shape[0], 2):
            raise ValueError(f"camera_step_px must have shape ({xyzv.shape[0]}, 2), got {steps.shape}")
        object.__setattr__(self, "camera_step_px", steps)
        object.__setattr__(self, "xyzv", xyzv)
        object.__setattr__(self, "time_s", time_s)
        object.__setattr__(self, "frame_size_px", (width, height))
        object.__setattr__(self, "fps", float(self.fps))

    @property
    def n_frames(self) -> int:
        return int(self.xyzv.shape[0])

    @property
    def detected(self) -> np.ndarray:
        """ndarray of shape (T,), bool: frames in which a person was found."""
        return ~np.isnan(self.xyzv[:, :, 0]).all(axis=1)

    @property
    def camera_shift_px(self) -> np.ndarray:
        """ndarray of shape (T, 2): where the camera's view has moved since the first frame
        (accumulated steps, unknown ones counted as none)."""
        from .vision.motion import camera_shift_px

        return camera_shift_px(self.camera_step_px)

    @property
    def duration_s(self) -> float:
        if self.n_frames == 0:
            return 0.0
        return float(self.time_s[-1] - self.time_s[0] + 1.0 / self.fps)

    def save(self, path: str | Path) -> None:
        """Write the series as a compressed ``.npz`` (to a unique temporary name in the same
        folder, then renamed, so readers never see a half-written file)."""
        path = Path(path)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial.npz", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.chmod(user_file_mode())
        np.savez_compressed(
            tmp,
            xyzv=self.xyzv,
            time_s=self.time_s,
            frame_size_px=np.asarray(self.frame_size_px, dtype=np.int64),
            fps=np.float64(self.fps),
            source=np.str_(self.source),
            meta=np.str_(json.dumps(self.meta, sort_keys=True)),
            npz_format=np.int64(NPZ_FORMAT),
            lines=self.lines,
            camera_step_px=self.camera_step_px,
        )
        try:
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: str | Path) -> LandmarkSeries:
        """Read a series written by :meth:`save`; ``ValueError`` if the layout is not ours."""
        with np.load(path, allow_pickle=False) as data:
            if "npz_format" not in data or int(data["npz_format"]) != NPZ_FORMAT:
                raise ValueError(f"{path} is not an ankle-cv landmark file of format {NPZ_FORMAT}")
            return cls(
                xyzv=data["xyzv"],
                time_s=data["time_s"],
                frame_size_px=tuple(int(v) for v in data["frame_size_px"]),
                fps=float(data["fps"]),
                source=str(data["source"]),
                meta=json.loads(str(data["meta"])),
                lines=data["lines"],
                camera_step_px=data["camera_step_px"],
            )
