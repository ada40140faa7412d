"""The library's entry points: score a clip with a protocol, and write what it found.

    from ankle_cv.pipeline import analyze_video, write_outputs
    analysis = analyze_video("clip.mp4", "knee-to-wall")
    print(analysis.summary())
    write_outputs(analysis, "results/")

:func:`analyze_video` wires the stages (source, pose with its cache, the protocol with the
frames it measures in); :func:`score_series` re-scores landmarks (from a cache or a
``landmarks.npz``) without MediaPipe; :func:`write_outputs` writes a folder atomically. The
CLI, batch and live code call these and add only wiring, progress and exit codes.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import AnkleCVError, OutputError
from .protocols import Protocol, get_protocol
from .series import LandmarkSeries


@dataclasses.dataclass(frozen=True, eq=False)
class Analysis:
    """A scored clip: the protocol, its landmarks, whether they came from the cache, and
    the protocol's result."""

    protocol: Protocol
    series: LandmarkSeries
    from_cache: bool
    result: object
    #: Why the test was chosen, when it was chosen automatically (``auto``); None when asked for.
    chosen_because: str | None = None

    def report(self) -> dict:
        """The report JSON document."""
        from .outputs.report import report_document

        return report_document(self.protocol, self.result, series_meta=self.series.meta, from_cache=self.from_cache,
                               chosen_because=self.chosen_because)

    def summary(self, *, hint: Callable[[str], str] | None = None) -> str:
        """The text summary; ``hint(setting)`` (e.g. the CLI's flag for a setting) is shown
        beside a warning that a setting would address."""
        text = self.protocol.summary_text(self.result, hint=hint)
        if self.chosen_because is None:
            return text
        head, _, rest = text.partition("\n")
        return f"{head}\n  test chosen automatically: {self.protocol.name} ({self.chosen_because})\n{rest}"


def score_series(series: LandmarkSeries, protocol: str | Protocol = "knee-to-wall", settings=None, *,
                 video: str | os.PathLike | None = None, from_cache: bool = False,
                 heel_memo: str | os.PathLike | None = None) -> Analysis:
    """Score landmarks with a protocol; with the ``video`` at hand, image measures (the heel)
    are taken from its frames. Needs no MediaPipe.

    ``protocol="auto"`` chooses the test from the landmarks (:mod:`ankle_cv.protocols.choose`)
    and the Analysis says why; ``settings`` may then map test names to their settings.
    ``heel_memo`` is a file remembering the heel measurements taken in the image
    (:class:`ankle_cv.vision.heel.HeelMemo`): re-scoring then decodes the video only when the
    new settings move where the heel is tracked."""
    chosen_because = None
    if protocol == "auto":
        from .protocols.choose import choose_test

        choice = choose_test(series)
        protocol, chosen_because = choice.name, choice.reason
    protocol = get_protocol(protocol)
    if isinstance(settings, Mapping):
        settings = settings.get(protocol.name)
    settings = settings if settings is not None else protocol.default_settings()
    frames = None
    if heel_memo is not None:
        from .vision.heel import HeelMemo, MemoFrames

        frames = MemoFrames(video, HeelMemo(heel_memo, identity=str(series.meta.get("video_sha256", ""))))
    elif video is not None:
        from .io.source import read_frames

        frames = functools.partial(read_frames, str(video))
    try:
        result = protocol.analyze(series, settings, frames=frames)
    except AnkleCVError as exc:
        if chosen_because is None:
            raise
        raise type(exc)(f"{exc.reason} (--test auto chose {protocol.name}: {chosen_because})", path=exc.path,
                        hint=exc.hint) from None
    return Analysis(protocol=protocol, series=series, from_cache=from_cache, result=result,
                    chosen_because=chosen_because)


def analyze_video(
    video: str | os.PathLike,
    protocol: str | Protocol = "knee-to-wall",
    settings=None,
    *,
    pose_settings=None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    estimator=None,
    video_sha256: str | None = None,
    heel_memo: str | os.PathLike | None = None,
) -> Analysis:
    """Score a video end to end: landmarks (cached), then the protocol.

    Raises :class:`ankle_cv.errors.AnkleCVError` subclasses (each with an exit code) for
    input the tool cannot use. ``estimator`` reuses a MediaPipe instance (batch workers);
    ``video_sha256`` saves hashing the file again when the caller has done so.
    """
    from .io.source import probe
    from .pose import PoseSettings
    from .pose.cache import landmarks_for

    video = str(video)
    probe(video)  # fail fast, before hashing a file that is not a video
    warming = _warm_imports("mediapipe", "scipy.ndimage", "scipy.signal")
    try:
        series, from_cache = landmarks_for(video, settings=pose_settings or PoseSettings(), cache_dir=cache_dir,
                                           workers=workers, progress=progress, estimator=estimator,
                                           video_sha256=video_sha256)
    finally:
        warming.join()
    return score_series(series, protocol, settings, video=video, from_cache=from_cache, heel_memo=heel_memo)


def _warm_imports(*modules: str):
    """Import ``modules`` on a background thread: MediaPipe and scipy.signal each take about a
    second to import, which overlaps with hashing the video and with pose estimation (mostly
    native code that leaves the interpreter free) instead of adding to the wait. Joined before
    the results are scored, so nothing runs on after the analysis."""
    import importlib
    import threading

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a warm-up only: the stage that needs the module raises its own,
                pass  # clearer error (a Ctrl-C in the main thread's import of it can leave a broken module)

    thread = threading.Thread(target=load, name="ankle-cv-imports", daemon=True)
    thread.start()
    return thread


def check_output_dir(out_dir: str | os.PathLike) -> None:
    """Refuse, before any work, an output folder that cannot be written: a path through a
    file, or a folder (or the nearest existing parent) without write permission. Creates
    nothing."""
    out = Path(out_dir)
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is None:
        return
    if not existing.is_dir():
        raise OutputError(f"cannot write the results: {existing} is a file, not a folder", path=str(out_dir))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the results: no permission to write in {existing}", path=str(out_dir))


#: The picture outputs; each is written only when asked for, and removed when not.
PICTURES = ("plot.png", "report.html", "overlay.mp4")


def write_outputs(analysis: Analysis, out_dir: str | os.PathLike, *, landmarks: bool = True,
                  visuals: bool = False, overlay: bool = False, video: str | os.PathLike | None = None,
                  blur_faces: bool = True, overlay_progress: Callable[[int], None] | None = None,
                  on_overlay: Callable | None = None) -> list[str]:
    """Write report.json, the per-frame CSV, summary.txt and landmarks.npz to ``out_dir``,
    all or nothing (staged, then moved in with the report last). Returns the names written.
    ``landmarks=False`` leaves landmarks.npz as it is (re-scoring the landmarks it holds).
    ``visuals`` adds plot.png and report.html (with the annotated key frames of ``video``,
    faces blurred unless ``blur_faces`` is False); ``overlay`` adds overlay.mp4 from
    ``video``, calling ``overlay_progress(frames_done)`` as it goes and ``on_overlay(info)``
    with its :class:`~ankle_cv.visual.overlay.OverlayInfo` when written. Pictures not asked for are
    removed, so that an earlier run's never stand beside this report.

    Raises
    ------
    OutputError
        The folder cannot be written.
    """
    from .outputs.atomic import staged_outputs
    from .outputs.report import write_report
    from .outputs.table import write_table

    protocol = analysis.protocol
    try:
        with staged_outputs(out_dir, owned=PICTURES) as stage:
            columns, table = protocol.frame_table(analysis.result)
            write_table(columns, table, stage.path(protocol.table_name))
            if landmarks:
                analysis.series.save(stage.path("landmarks.npz"))
            stage.path("summary.txt").write_text(analysis.summary() + "\n", encoding="utf-8")
            decoded = None
            if overlay:  # first: its pass over the video also keeps the report's key frames
                from .visual.overlay import key_frame_numbers, write_overlay

                info = write_overlay(analysis, stage.path("overlay.mp4"), video=video, blur_faces=blur_faces,
                                     progress=overlay_progress, keep=key_frame_numbers(analysis) if visuals else ())
                decoded = info.kept
                if on_overlay is not None:
                    on_overlay(info)
            if visuals:
                from .visual.files import write_visuals

                write_visuals(analysis, stage, video=video, blur_faces=blur_faces, decoded=decoded)
            write_report(analysis.report(), stage.path("report.json"))
            names = list(stage.names)
    except OSError as exc:
        raise OutputError(f"cannot write the results: {exc.strerror or exc}", path=str(out_dir)) from None
    return names
