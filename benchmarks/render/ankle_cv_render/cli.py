"""``ankle-cv-render``: render test videos with exact ground truth.

Subcommands ``knee-to-wall``, ``squat-front``, ``squat-side``, ``hinge`` and ``walking-lunge``
render one clip (``-o`` names the .mp4; the truth files go beside it); ``samples DIR``
regenerates the bundled samples.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import click

from .figure import Appearance
from .scenarios import HeelLift, KneeToWall, SingleLegHinge, SquatFront, SquatSide, WalkingLunge

_COLOR_NAMES = ("skin", "hair", "shirt", "legwear", "sock", "shoe", "sole", "floor", "wall",
                "side_wall")


def _parse_color(text: str) -> tuple[str, tuple[float, float, float]]:
    name, _, value = text.partition("=")
    name = name.strip().replace("-", "_")
    if name not in _COLOR_NAMES:
        raise click.BadParameter(f"unknown colour {name!r}; one of {', '.join(_COLOR_NAMES)}")
    value = value.strip().lstrip("#")
    if len(value) != 6:
        raise click.BadParameter(f"colour {text!r} must look like NAME=#RRGGBB")
    try:
        rgb = tuple(int(value[i:i + 2], 16) / 255.0 for i in (0, 2, 4))
    except ValueError as exc:
        raise click.BadParameter(f"colour {text!r} must look like NAME=#RRGGBB") from exc
    return name, rgb


def _capture_options(func):
    """Options shared by every scenario (person, camera, video)."""
    opts = [
        click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Output video (.mp4); <stem>.truth.json/.csv are written beside it."),
        click.option("--seed", default=0, show_default=True, type=int,
                     help="Seeds timing variation, sway, shake and noise."),
        click.option("--height-m", default=1.75, show_default=True, type=float,
                     help="Person's height."),
        click.option("--width-px", default=1280, show_default=True, type=int),
        click.option("--height-px", default=720, show_default=True, type=int),
        click.option("--portrait", is_flag=True, help="Swap width and height."),
        click.option("--fps", default=30.0, show_default=True, type=float),
        click.option("--roll-deg", default=0.0, show_default=True, type=float,
                     help="Apparent angle of the horizon, CCW on screen positive (+-10)."),
        click.option("--fov-deg", default=65.0, show_default=True, type=float,
                     help="Field of view along the long side."),
        click.option("--camera-height-m", type=float, help="Default: half the person's height."),
        click.option("--camera-distance-m", type=float, help="Default: fit the whole clip."),
        click.option("--camera-pitch-deg", default=0.0, show_default=True, type=float),
        click.option("--shake-deg", default=0.0, show_default=True, type=float,
                     help="Hand-held pan/tilt jitter (sd)."),
        click.option("--door-casings", is_flag=True,
                     help="Paint two door casings (true verticals) on the back wall (side views)."),
        click.option("--noise-sigma", default=2.0, show_default=True, type=float,
                     help="Sensor noise, 8-bit levels."),
        click.option("--jpeg-quality", type=int, help="JPEG round trip per frame (5-100)."),
        click.option("--supersample", default=2, show_default=True, type=int,
                     help="Anti-aliasing rays per pixel per axis (1-4)."),
        click.option("--blur-px", default=0.5, show_default=True, type=float),
        click.option("--legwear", type=click.Choice(["shorts", "leggings"]), default="shorts",
                     show_default=True),
        click.option("--color", "colors", multiple=True, metavar="NAME=#RRGGBB",
                     help=f"Override a colour ({', '.join(_COLOR_NAMES)}); repeatable."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def _capture_kwargs(kw: dict) -> tuple[Path, dict]:
    out = kw.pop("out")
    if kw.pop("portrait"):
        kw["width_px"], kw["height_px"] = kw["height_px"], kw["width_px"]
    colors = dict(_parse_color(c) for c in kw.pop("colors"))
    kw["appearance"] = replace(Appearance(), legwear_style=kw.pop("legwear"), **colors)
    return out, kw


def _run(build):
    """Wrap a subcommand: build the scenario, render it, turn user errors into one line."""
    @functools.wraps(build)
    def wrapper(**kw):
        from .video import render_clip

        out, kw = _capture_kwargs(kw)
        try:
            scenario = build(**kw)
            truth = render_clip(scenario, out)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        doc = truth.document
        click.echo(f"wrote {out} ({doc['video']['n_frames']} frames, "
                   f"{doc['video']['width']}x{doc['video']['height']} @ {doc['video']['fps']:g} fps)")
        for t in doc["trials"]:
            click.echo(f"  trial {t['leg']}: frames {t['start_frame']}-{t['end_frame']}, peak tibia "
                       f"{t['peak_tibia_deg']:.1f} deg (heel down {t['peak_tibia_heel_down_deg']:.1f})")
        for h in doc["heel_lifts"]:
            click.echo(f"  heel lift {h['leg']}: frames {h['start_frame']}-{h['end_frame']}, "
                       f"peak {h['peak_height_cm']:.1f} cm")
        for r in doc.get("reps", []):
            click.echo(f"  rep ({doc['motion']}): frames {r['start_frame']}-{r['end_frame']}, "
                       f"trunk {r['trunk_deg']:.1f} deg at frame {r['peak_frame']}")
        for r in doc["squat_reps"]:
            click.echo(f"  rep: bottom frame {r['bottom_frame']}, FPPA L/R {r['fppa_deg']['left']:.1f}"
                       f"/{r['fppa_deg']['right']:.1f} deg, turn-out L/R {r['turnout_deg']['left']:.1f}"
                       f"/{r['turnout_deg']['right']:.1f} deg")
    return wrapper


@click.group("render")
def render() -> None:
    """Render test videos of a figure posed by known angles, with exact ground truth."""


@render.command("knee-to-wall")
@_capture_options
@click.option("--tested-leg", type=click.Choice(["left", "right"]), default="right", show_default=True)
@click.option("--facing", type=click.Choice(["left", "right"]), default="right", show_default=True,
              help="Image direction the feet point in.")
@click.option("--peak-tibia-deg", multiple=True, type=float,
              help="Peak tibia angle of a trial (10-50); repeat for 1-3 trials [36, 40, 38].")
@click.option("--heel-lift-trial", type=int, help="Add a heel lift in this trial (1-based).")
@click.option("--heel-lift-onset-s", default=0.7, show_default=True, type=float,
              help="Lift start after the trial's drive starts.")
@click.option("--heel-lift-peak-cm", default=2.0, show_default=True, type=float)
@click.option("--heel-lift-rise-s", default=0.3, show_default=True, type=float)
@click.option("--heel-lift-hold-s", default=0.3, show_default=True, type=float)
@click.option("--heel-lift-fall-s", default=0.35, show_default=True, type=float)
@click.option("--no-wall", is_flag=True, help="Do not draw the wall the person faces.")
@click.option("--toe-to-wall-cm", type=float,
              help="Wall this far ahead of the tested shoe's toe tip (3-30); default: 5 cm ahead "
                   "of the knee centre at the furthest drive.")
@click.option("--marker-cm", type=float,
              help="ArUco marker (DICT_4X4_50 id 0) of this side on a card against the wall "
                   "(4-20; needs --toe-to-wall-cm).")
@click.option("--marker-offset-cm", default=-8.0, show_default=True, type=float,
              help="Card this much nearer the camera than the tested foot's midline (6-30), or, "
                   "negative, behind it (-30 to -6).")
@click.option("--marker-lift-cm", default=12.0, show_default=True, type=float,
              help="Height of the card's marker part above the floor (0-20).")
@click.option("--back-foot-cm", type=float,
              help="Back ankle this far behind the front one (25-85); default: as far as the "
                   "back leg reaches flat, at most 45.")
@_run
def knee_to_wall(*, peak_tibia_deg, heel_lift_trial, heel_lift_onset_s, heel_lift_peak_cm,
                 heel_lift_rise_s, heel_lift_hold_s, heel_lift_fall_s, no_wall, **kw):
    """Knee-to-wall test from the side."""
    lift = None
    if heel_lift_trial is not None:
        lift = HeelLift(trial=heel_lift_trial, onset_s=heel_lift_onset_s,
                        peak_height_cm=heel_lift_peak_cm, rise_s=heel_lift_rise_s,
                        hold_s=heel_lift_hold_s, fall_s=heel_lift_fall_s)
    peaks = tuple(peak_tibia_deg) or (36.0, 40.0, 38.0)
    return KneeToWall(peak_tibia_deg=peaks, heel_lift=lift, wall=not no_wall, **kw)


def _squat_options(func):
    func = click.option("--turnout-deg", nargs=2, type=float, default=(10.0, 10.0),
                        show_default=True, metavar="LEFT RIGHT",
                        help="Foot turn-out at the bottom (positive = toes out).")(func)
    func = click.option("--stance-width-cm", default=36.0, show_default=True, type=float,
                        help="Distance between the ankle centres.")(func)
    func = click.option("--depth-knee-flexion-deg", default=100.0, show_default=True, type=float,
                        help="Knee flexion at the bottom (60-120).")(func)
    return click.option("--reps", "n_reps", default=3, show_default=True, type=int)(func)


@render.command("squat-front")
@_capture_options
@_squat_options
@click.option("--fppa-deg", nargs=2, type=float, default=(8.0, 8.0), show_default=True,
              metavar="LEFT RIGHT", help="FPPA at the bottom (positive = knee medial).")
@click.option("--turnout-change-deg", nargs=2, type=float, default=(0.0, 0.0), show_default=True,
              metavar="LEFT RIGHT", help="Turn-out change from standing to the bottom.")
@_run
def squat_front(**kw):
    """Bodyweight squat from the front, with knee valgus and foot turn-out."""
    return SquatFront(**kw)


@render.command("squat-side")
@_capture_options
@_squat_options
@click.option("--facing", type=click.Choice(["left", "right"]), default="right", show_default=True)
@click.option("--heel-lift-cm", default=2.0, show_default=True, type=float,
              help="Heel rise at the bottom (0 = heels down).")
@click.option("--heel-lift-rep", "heel_lift_reps", multiple=True, type=int,
              help="Rep with the heel lift (1-based, repeatable; default every rep).")
@_run
def squat_side(*, heel_lift_reps, **kw):
    """Bodyweight squat from the side, with a heel lift at depth."""
    return SquatSide(heel_lift_reps=tuple(heel_lift_reps) or None, **kw)


@render.command("hinge")
@_capture_options
@click.option("--facing", type=click.Choice(["left", "right"]), default="right", show_default=True)
@click.option("--stance-leg", type=click.Choice(["left", "right"]), default="right", show_default=True)
@click.option("--reps", "n_reps", default=3, show_default=True, type=int)
@click.option("--peak-trunk-deg", multiple=True, type=float,
              help="Trunk pitch at the bottom (40-80); once, or once per rep [60].")
@click.option("--stance-knee-flexion-deg", default=18.0, show_default=True, type=float)
@_run
def hinge(*, peak_trunk_deg, **kw):
    """Single-leg hinge (one-leg Romanian deadlift) from the side: not a knee-to-wall test."""
    return SingleLegHinge(peak_trunk_deg=tuple(peak_trunk_deg) or (60.0,), **kw)


@render.command("walking-lunge")
@_capture_options
@click.option("--facing", type=click.Choice(["left", "right"]), default="right", show_default=True)
@click.option("--first-leg", type=click.Choice(["left", "right"]), default="right", show_default=True)
@click.option("--reps", "n_reps", default=3, show_default=True, type=int)
@click.option("--step-cm", default=75.0, show_default=True, type=float,
              help="Front ankle ahead of the back one in the lunge (50-100).")
@click.option("--front-knee-flexion-deg", default=90.0, show_default=True, type=float)
@_run
def walking_lunge(**kw):
    """Walking lunge from the side: not a knee-to-wall test."""
    return WalkingLunge(**kw)


@render.command("samples")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def samples(folder: Path) -> None:
    """Regenerate the bundled sample videos and their truth into FOLDER."""
    from .samples import write_samples

    folder.mkdir(parents=True, exist_ok=True)
    written = write_samples(folder, progress=lambda name: click.echo(f"rendering {name}"))
    total = sum(p.stat().st_size for p in written)
    click.echo(f"wrote {len(written)} files, {total / 1e6:.2f} MB, to {folder}")


if __name__ == "__main__":
    render()
