"""`ankle-cv` command line: wires the stages, owns progress display and error messages."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import AnkleCVError
from .options import Finite
from .vocab import ExitCode

#: Settings named by errors' hints, and the flag that sets each.
FLAGS = {"allow_any_view": "--allow-any-view", "roll_deg": "--roll-deg", "leg": "--leg", "view": "--view"}


class UserError(click.ClickException):
    """A one-line error with the exit code of the ankle-cv error behind it; the setting the
    library names as a way out becomes this command's flag."""

    def __init__(self, error: AnkleCVError) -> None:
        message = str(error)
        if error.hint in FLAGS:
            message += f", or pass {FLAGS[error.hint]}"
        super().__init__(message)
        self.exit_code = int(error.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ankle-cv")
def cli() -> None:
    """Ankle dorsiflexion (knee-to-wall test) and squat compensations from phone or webcam video.

    Everything runs on this machine: videos, landmarks and reports never leave it, and
    nothing is downloaded.
    """


@cli.command()
def info() -> None:
    """Versions, the pose model in use (verified against its pinned sha256) and the cache."""
    from .pose.cache import default_cache_dir
    from .pose.models import MODEL_NAME, mediapipe_dir, verify_models
    from .versions import tool_versions

    for name, version in tool_versions().items():
        click.echo(f"{name:<10} {version or 'not installed'}")
    try:
        hashes = verify_models()
    except AnkleCVError as exc:
        raise UserError(exc) from None
    click.echo(f"pose model {MODEL_NAME}")
    for rel, digest in hashes.items():
        click.echo(f"  {rel}  sha256 {digest}  (verified)")
    click.echo(f"  from      {mediapipe_dir()}")
    click.echo(f"cache      {default_cache_dir()}")


def _progress_callback(enabled: bool, label: str):
    """A callable(done, total) drawing a progress bar on stderr, and a closer."""
    if not enabled:
        return None, lambda: None
    state: dict = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=max(total, done, 1), label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos)

    def close() -> None:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)

    return update, close


#: Options that belong to one test only, and the test.
TEST_ONLY = {"leg": "knee-to-wall", "restriction_deg": "knee-to-wall", "allow_any_view": "knee-to-wall",
             "marker_cm": "knee-to-wall",
             "sex": "squat", "view": "squat"}


def _foreign_options(ctx: click.Context, test: str) -> list[tuple[str, str]]:
    """(flag, its test) of the options given on the command line that belong to another test."""
    flags = {p.name: p.opts[-1] for p in ctx.command.params}
    return [(flags[name], owner) for name, owner in TEST_ONLY.items()
            if owner != test and ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]


def _refuse_foreign_options(ctx: click.Context, test: str) -> None:
    """A test-specific option given for the other test is a usage error, not silently ignored."""
    if test != "auto" and (foreign := _foreign_options(ctx, test)):
        flag, owner = foreign[0]
        raise click.UsageError(f"{flag} applies to the {owner} test only, not to --test {test}")


_TEST_OPTION = click.option(
    "--test", "test", type=click.Choice(["knee-to-wall", "squat", "auto"]), default="knee-to-wall", show_default=True,
    help="The test the clip shows; auto chooses from the motion and says why.")

#: The analysis options shared by `analyze` and `batch`, outermost first.
_ANALYSIS_OPTIONS = (
    click.option("--leg", type=click.Choice(["auto", "left", "right"]), default="auto", show_default=True,
                 help="Knee-to-wall: the tested (front) leg; auto reads it from the clip."),
    click.option("--sex", type=click.Choice(["female", "male"]),
                 help="Squat: use the sex-specific knee valgus (FPPA) threshold [default: one threshold for both]."),
    click.option("--view", type=click.Choice(["auto", "front", "side"]), default="auto", show_default=True,
                 help="Squat: the camera's view of the person; auto reads it from the body's width in each rep."),
    click.option("--roll-source", type=click.Choice(["auto", "scene", "sole", "level"]), default="auto",
                 show_default=True, help="How to find the camera roll: scene lines (walls, floor, door frames), "
                 "the planted sole (knee-to-wall), or assume a level camera; auto = scene lines, else level."),
    click.option("--roll-deg", type=Finite(-45, 45), help="Camera roll to use (degrees, counter-clockwise on "
                 "screen); overrides --roll-source."),
    click.option("--foot-length-cm", type=Finite(min=10, max=40),
                 help="Foot length as filmed (heel to tip; the shoe's if shod), to express heel-lift height in cm "
                 "and, without a marker, to scale the knee-to-wall toe-to-wall distance."),
    click.option("--marker-cm", type=Finite(min=3, max=30), default=10.0, show_default=True,
                 help="Knee-to-wall: side of the printed ArUco marker card (ankle-cv marker) that scales the "
                 "toe-to-wall distance."),
    click.option("--min-visibility", type=Finite(0, 1), default=0.5, show_default=True,
                 help="Landmarks seen with less visibility count as missing."),
    click.option("--restriction-deg", type=Finite(0, 90), default=36.5, show_default=True,
                 help="Knee-to-wall: angle below which the result is flagged as restricted."),
    click.option("--allow-any-view", is_flag=True, help="Knee-to-wall: analyse even if the camera does not see "
                 "the side."),
    click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                 help="Landmark cache folder [default: $ANKLE_CV_CACHE_DIR or ~/.cache/ankle-cv]."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the landmark cache."),
)


def _analysis_options(command):
    for option in reversed(_ANALYSIS_OPTIONS):
        command = option(command)
    return _TEST_OPTION(command)


def _settings(ctx: click.Context, test: str, *, leg: str, sex: str | None, view: str, roll_source: str,
              roll_deg: float | None, foot_length_cm: float | None, min_visibility: float, restriction_deg: float,
              allow_any_view: bool, marker_cm: float = 10.0) -> dict:
    """Each test's settings from the shared options (refusing options of the other test)."""
    from .protocols.knee_to_wall import KneeToWallSettings
    from .protocols.references import References
    from .protocols.squat import SquatSettings

    _refuse_foreign_options(ctx, test)
    if test == "squat" and roll_source == "sole":
        raise click.UsageError("--roll-source sole applies to the knee-to-wall test only (a squat's heels lift)")
    return {
        "knee-to-wall": KneeToWallSettings(
            min_visibility=min_visibility, roll_source=roll_source, roll_deg=roll_deg,
            leg=None if leg == "auto" else leg, foot_length_cm=foot_length_cm, allow_any_view=allow_any_view,
            marker_cm=marker_cm,
            references=References(restriction_deg=restriction_deg)),
        "squat": SquatSettings(
            min_visibility=min_visibility, roll_source="auto" if roll_source == "sole" else roll_source,
            roll_deg=roll_deg, view=None if view == "auto" else view, sex=sex, foot_length_cm=foot_length_cm),
    }


_BLUR_OPTION = click.option("--blur-faces/--no-blur-faces", default=True, show_default=True,
                            help="Blur faces (found from the pose landmarks) in every exported picture and video.")


def _write(analysis, out_dir: Path, video: Path, *, visuals: bool, overlay: bool, blur_faces: bool,
           quiet: bool) -> list[str]:
    """write_outputs with a progress bar for overlay.mp4 on a terminal, and a note when some
    of its frames had no head position to blur."""
    from .pipeline import write_outputs

    update, close = _progress_callback(overlay and not quiet and sys.stderr.isatty(), "overlay")
    total = analysis.series.n_frames
    notes: list = []
    try:
        written = write_outputs(analysis, out_dir, visuals=visuals, overlay=overlay, video=video,
                                blur_faces=blur_faces, on_overlay=notes.append,
                                overlay_progress=None if update is None else (lambda n: update(n, total)))
    finally:
        close()
    for info in notes:
        if blur_faces and info.faceless_frames:
            click.echo(f"Note: {info.faceless_frames} of {info.frames} frames of overlay.mp4 had no head position "
                       "to blur (no person found within a second of them): check them before sharing", err=True)
    return written


def _cache(cache_dir: Path | None, no_cache: bool) -> Path | None:
    from .pose.cache import default_cache_dir

    return None if no_cache else (cache_dir or default_cache_dir())


@cli.command()
@click.argument("video", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for report.json, angles.csv, summary.txt and landmarks.npz.")
@click.option("--json", "as_json", is_flag=True, help="Print the report JSON instead of the text summary.")
@click.option("--overlay", is_flag=True, help="With --out: also write overlay.mp4, the video annotated (skeleton, "
              "angle, heel state, trials or reps, a running plot).")
@click.option("--report/--no-report", "report_html", default=True, show_default=True,
              help="With --out: write plot.png and report.html (one self-contained page to hand on).")
@_BLUR_OPTION
@_analysis_options
@click.option("--workers", type=click.IntRange(min=1), help="Pose worker processes [default: one per core].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def analyze(ctx: click.Context, video: Path, out_dir: Path | None, as_json: bool, overlay: bool, report_html: bool,
            blur_faces: bool, test: str, cache_dir: Path | None, no_cache: bool, workers: int | None, quiet: bool,
            **options) -> None:
    """Score a knee-to-wall (weight-bearing lunge) or squat video.

    Knee-to-wall (filmed side-on): per tested leg, the best tibia-to-vertical angle reached
    with the heel down, every trial and every heel lift. Squat (from the front or the side):
    the reps, and per rep the depth, knee valgus, foot turn-out and heel lift its view
    supports. --out also writes report.json, angles.csv, summary.txt and the landmarks.
    """
    from .io.source import probe
    from .pipeline import analyze_video, check_output_dir

    settings = _settings(ctx, test, **options)
    if overlay and out_dir is None:
        raise click.UsageError("--overlay needs --out (the folder to write overlay.mp4 to)")
    update, close = _progress_callback(not quiet and sys.stderr.isatty(), "pose")
    try:
        probe(video)  # a bad input is refused before anything else
        if out_dir is not None:
            check_output_dir(out_dir)  # ... and so is an output folder that cannot be written
        try:
            analysis = analyze_video(video, test, settings, cache_dir=_cache(cache_dir, no_cache), workers=workers,
                                     progress=update)
        finally:
            close()
        if out_dir is not None:
            written = _write(analysis, out_dir, video, visuals=report_html, overlay=overlay, blur_faces=blur_faces,
                             quiet=quiet)
    except AnkleCVError as exc:
        raise UserError(exc) from None
    if as_json:
        click.echo(json.dumps(analysis.report(), indent=2))
    else:
        click.echo(analysis.summary(hint=lambda setting: f"option {FLAGS.get(setting, setting)}"))
        if out_dir is not None:
            order = ["report.json", analysis.protocol.table_name, "summary.txt", "plot.png", "report.html",
                     "landmarks.npz", "overlay.mp4"]
            names = sorted(written, key=order.index)
            click.echo(f"\nWrote {', '.join(names[:-1])} and {names[-1]} to {out_dir}")
    if test == "auto" and (unused := _foreign_options(ctx, analysis.protocol.name)):
        click.echo(f"Note: {', '.join(flag for flag, _ in unused)} not used: the clip was analysed as "
                   f"{analysis.protocol.name}", err=True)
    if not analysis.protocol.has_result(analysis.result):
        click.get_current_context().exit(int(ExitCode.NO_RESULT))


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for one sub-folder per video, summary.csv and summary.json.")
@_analysis_options
@click.option("--workers", type=click.IntRange(min=1), help="Videos scored at once, one process each "
              "[default: one per core].")
@click.option("--shard", help="K/N: score only the K-th of N deterministic shares of the inputs (cluster "
              "array jobs; join the summaries with batch-merge).")
@click.option("--timeout-s", type=Finite(min=1), default=1800.0, show_default=True,
              help="A video taking longer is stopped (its worker replaced) and reported as failed.")
@click.option("--scheduler", help="tcp://HOST:PORT of a Dask distributed scheduler to run the videos on "
              "(pip install 'ankle-cv[distributed]').")
@click.option("--rescore", is_flag=True, help="Score every video again with these settings from the landmarks "
              "(and heel measurements) of an earlier run into --out: no pose estimation, no MediaPipe.")
@click.option("--report", "report_html", is_flag=True, help="Also write each video's plot.png and report.html "
              "(about 0.5 s more per video).")
@_BLUR_OPTION
@click.pass_context
def batch(ctx: click.Context, inputs: tuple[str, ...], out_dir: Path, test: str, cache_dir: Path | None,
          no_cache: bool, workers: int | None, shard: str | None, timeout_s: float, scheduler: str | None,
          rescore: bool, report_html: bool, blur_faces: bool, **options) -> None:
    """Score every video of folders (searched recursively), globs and list files (.txt, one
    path per line), each in its own folder under --out, then write summary.csv and
    summary.json (one row per video and leg).

    A bad video gets a failed row with its reason; the batch goes on. Running the same
    command again skips videos already complete for the same content, settings and version.
    """
    from .batch.inputs import parse_shard
    from .batch.run import batch_fingerprint, plan, run_batch
    from .pipeline import check_output_dir
    from .pose.runner import cores

    settings = _settings(ctx, test, **options)
    try:
        shard_k_n = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    try:
        check_output_dir(out_dir)
        jobs = plan(list(inputs), out_dir, test=test, settings=settings, cache_dir=_cache(cache_dir, no_cache),
                    shard_k_n=shard_k_n, rescore=rescore, visuals=report_html, blur_faces=blur_faces)
        plan_info = {"shard": list(shard_k_n) if shard_k_n else None, "videos": len(jobs),
                     "fingerprint": batch_fingerprint(test, settings, visuals=report_html, blur_faces=blur_faces),
                     "rescore": rescore}
        counts = run_batch(jobs, out_dir, workers=workers or cores(), timeout_s=timeout_s, scheduler=scheduler,
                           plan_info=plan_info)
    except AnkleCVError as exc:
        raise UserError(exc) from None
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none in this shard"
    click.echo(f"{len(jobs)} videos: {done}. Summary: {out_dir / 'summary.csv'}")
    if counts.get("failed"):
        ctx.exit(int(ExitCode.SOME_FAILED))


@cli.command()
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PNG file to write (300 dpi).")
@click.option("--size-cm", type=Finite(min=3, max=30), default=10.0, show_default=True,
              help="Side of the marker's black square.")
def marker(out_file: Path, size_cm: float) -> None:
    """Write the printable ArUco marker card that gives the knee-to-wall distance its scale and
    the wall's position. Print it at 100% (check the square with a ruler), cut it out, and
    stand it upright just behind the tested foot (the side away from the camera), facing the
    camera, a side edge against the wall."""
    from .vision.marker import CARD_MARGIN_CM, write_marker_card

    try:
        write_marker_card(out_file, size_cm)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out_file}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {out_file}: a {size_cm:g} cm marker (DICT_4X4_50 id 0), cut line {CARD_MARGIN_CM:g} cm "
               f"from it; use --marker-cm {size_cm:g} when analysing")


@cli.command("batch-merge")
@click.argument("summaries", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the merged summary.csv and summary.json.")
def batch_merge(summaries: tuple[Path, ...], out_dir: Path) -> None:
    """Join the summary.json of batch shards (files, or the shards' output folders) into one."""
    from .batch.summary import merge_summaries

    try:
        counts = merge_summaries(list(summaries), out_dir)
    except (OSError, ValueError, KeyError) as exc:
        raise click.ClickException(f"cannot merge the summaries: {exc}") from None
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    click.echo(f"{sum(counts.values())} videos: {done}. Summary: {out_dir / 'summary.csv'}")


from .live.command import live as _live_command  # noqa: E402

cli.add_command(_live_command)


class Terminated(BaseException):
    """SIGTERM arrived (what `timeout` and job schedulers send): unwind, clean up, exit 143."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def _die_by(signum: int) -> None:
    """End by the signal itself, now that everything is cleaned up: a shell then sees 128 +
    the signal (130, 143) and a script looping over files stops, as it would for any
    program interrupted."""
    import signal

    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    sys.exit(128 + signum)  # where the signal cannot end the process


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main() -> None:
    """Console entry point: every error is one line with its documented exit code; an
    unexpected error says how to get its traceback instead of printing it. SIGINT and SIGTERM
    unwind (pose helpers stop, staged outputs are removed), then end the process by the same
    signal (a shell reports 130 and 143)."""
    import signal

    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        click.echo(f"Error: {_one_line(exc.format_message())}{where}", err=True)
        sys.exit(int(ExitCode.USAGE))
    except click.ClickException as exc:
        click.echo(f"Error: {_one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("Error: interrupted", err=True)
        _die_by(signal.SIGINT)
    except Terminated:
        click.echo("Error: terminated", err=True)
        _die_by(signal.SIGTERM)
    except Exception as exc:  # noqa: BLE001 - a bug, not a user error: one line, traceback on request
        if os.environ.get("ANKLE_CV_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); "
                   "set ANKLE_CV_DEBUG=1 for the traceback and please report it", err=True)
        sys.exit(int(ExitCode.INTERNAL))
    sys.exit(code if isinstance(code, int) else 0)
