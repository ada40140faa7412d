"""`ankle-cv live`: the command's wiring. Only click is imported here at module level, so
``ankle-cv --help`` stays fast; OpenCV and MediaPipe load when the command runs."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from ..options import Finite


@contextlib.contextmanager
def _stop_on_signals(stop):
    """Ctrl-C and SIGTERM end the session as the end of a file would (the take is kept and
    analysed); a second one interrupts at once (nothing is written)."""
    import signal

    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {}
    with contextlib.suppress(ValueError):  # not the main thread: signals stay as they were
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _x_display_answers(name: str) -> bool:
    """Whether the X display ``name`` can be opened (a stale DISPLAY, e.g. over ssh without X
    forwarding, makes Qt abort the whole process); True where libX11 cannot be loaded to ask."""
    import ctypes
    import ctypes.util

    library = ctypes.util.find_library("X11")
    if library is None:
        return True
    try:
        x11 = ctypes.CDLL(library)
    except OSError:
        return True
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    handle = x11.XOpenDisplay(name.encode())
    if not handle:
        return False
    x11.XCloseDisplay(handle)
    return True


def _has_display() -> bool:
    """Whether a window can open (on Linux, Qt aborts the process when there is no display)."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        return True
    display = os.environ.get("DISPLAY")
    return bool(display) and _x_display_answers(display)


def _tally_lines(test: str, result) -> list[str]:
    """What the live numbers said about the take, in one or two lines."""
    tally, recording = result.tally, result.recording
    if test == "knee-to-wall":
        if not tally.best_deg:
            return ["live: no complete trial with the heel down"]
        return [f"live: best with heel down {leg} {deg:.1f}° (at "
                f"{tally.best_time_s[leg] - recording.first_time_s:.2f} s of the recording)"
                for leg, deg in sorted(tally.best_deg.items())]
    flags = "" if tally.last_rep_flags is None else f"; last rep: {', '.join(tally.last_rep_flags) or 'no flags'}"
    return [f"live: {tally.reps} reps{flags}"]


@click.command("live")
@click.option("--camera", type=click.IntRange(min=0), help="Camera number (0: the first webcam).")
@click.option("--source", help="A stream URL (e.g. rtsp://PHONE:8554/live, http://PHONE:8080/video from an "
              "IP-camera app on the same Wi-Fi) or a video file, played at its own frame rate as if it were a camera.")
@click.option("--test", type=click.Choice(["knee-to-wall", "squat"]), default="knee-to-wall", show_default=True,
              help="The test being filmed.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for recording.mp4 and what `ankle-cv analyze --out` writes for it, on quit.")
@click.option("--no-window", is_flag=True, help="No window: record at once (after the countdown), print the live "
              "numbers twice a second, stop at the end of a file, on Ctrl-C or SIGTERM, or after --duration-s.")
@click.option("--duration-s", type=Finite(min=0, min_open=True), help="Stop after recording this long.")
@click.option("--countdown-s", type=Finite(0, 30), default=3.0, show_default=True,
              help="Countdown before a recording starts.")
def live(camera: int | None, source: str | None, test: str, out_dir: Path, no_window: bool, duration_s: float | None,
         countdown_s: float) -> None:
    """Run a test live on a camera, a stream or a file: skeleton, angle, best so far, heel and
    set-up guidance over the picture; on quit, recording.mp4 and the outputs of `analyze`.

    Keys in the window: space or r starts recording (after a countdown) and stops it; q or
    Esc quits. Everything stays on this machine.
    """
    import threading

    from ..cli import FLAGS, UserError, _progress_callback
    from ..errors import AnkleCVError, InputError
    from ..pipeline import check_output_dir
    from ..pose.cache import default_cache_dir
    from ..protocols import get_protocol
    from ..vocab import ExitCode
    from .display import PrintDisplay, WindowDisplay
    from .feed import open_feed
    from .finish import RECORDING_NAME, analyze_recording
    from .session import LiveSession

    if (camera is None) == (source is None):
        raise click.UsageError("give either --camera N or --source URL|FILE")
    if not no_window and not _has_display():
        raise click.UsageError("no display to open a window on (DISPLAY unset or not answering): run with "
                               "--no-window")
    protocol = get_protocol(test)
    settings = protocol.default_settings()
    try:
        check_output_dir(out_dir)
        feed = open_feed(camera=camera, source=source)
        display = PrintDisplay(click.echo) if no_window else WindowDisplay(f"ankle-cv live: {test} ({feed.name})")
        stop = threading.Event()
        with _stop_on_signals(stop):
            session = LiveSession(feed, protocol, settings, display, recording_path=out_dir / RECORDING_NAME,
                                  countdown_s=countdown_s, record_at_start=no_window, duration_s=duration_s,
                                  stop=stop, echo=click.echo)
            result = session.run()
        if result.recording is None:
            raise InputError("nothing was recorded (in the window, space or r starts recording), so nothing "
                             "was written", path=feed.name)
        recording = result.recording
        for line in _tally_lines(test, result) + [f"live: {result.stats.describe()}"]:
            click.echo(line)
        held = (f"; {recording.duplicated} held over gaps and {recording.skipped} early frames left out, to keep "
                "the capture's timing" if recording.duplicated or recording.skipped else "")
        click.echo(f"Recorded {recording.frames} frames ({recording.frames / recording.fps:.1f} s at "
                   f"{recording.fps:.3g} fps{held}) to {recording.path}; analysing it as `ankle-cv analyze` does\n")
        update, close = _progress_callback(sys.stderr.isatty(), "pose")
        try:
            analysis, written = analyze_recording(recording, test, settings, out_dir, cache_dir=default_cache_dir(),
                                                  progress=update)
        finally:
            close()
    except AnkleCVError as exc:
        raise UserError(exc) from None
    click.echo(analysis.summary(
        hint=lambda setting: f"`ankle-cv analyze {recording.path} {FLAGS.get(setting, setting)}`"))
    order = ["report.json", protocol.table_name, "summary.txt", "plot.png", "report.html", "landmarks.npz"]
    names = sorted(written, key=order.index) + [RECORDING_NAME]
    click.echo(f"\nWrote {', '.join(names[:-1])} and {names[-1]} to {out_dir}")
    if not protocol.has_result(analysis.result):
        click.get_current_context().exit(int(ExitCode.NO_RESULT))
