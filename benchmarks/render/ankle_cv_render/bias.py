"""How far MediaPipe Pose's leg landmarks sit from the rendered figure's true joint centres.

``python -m ankle_cv_render.bias`` renders knee-to-wall clips for left/right tested leg x facing
left/right (three slow drives to 50 deg each), runs MediaPipe Pose (complexity 1, video mode,
no smoothing) on the frames, and prints a markdown table: mean landmark offsets in the shank's
frame (mm along the knee->ankle axis and anterior, i.e. in the foot's direction) and the
implied tibia-angle error, binned by the true tibia angle. The tested leg's landmarks are matched
geometrically (MediaPipe's left/right labels swap in side views); the swap rate is reported.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .scenarios import KneeToWall
from .skeleton import suffix
from .video import frames, pose_scenario, scene

_LEG_IDX = {"left": (23, 25, 27, 29, 31), "right": (24, 26, 28, 30, 32)}
_NAMES = ("hip", "knee", "ankle", "heel", "toe")


def mediapipe_landmarks(images) -> np.ndarray:
    """Run MediaPipe Pose over RGB frames.

    Returns
    -------
    ndarray of shape (T, 33, 3)
        x_px, y_px, visibility; NaN rows where no person was found.
    """
    import mediapipe as mp

    out = []
    with mp.solutions.pose.Pose(model_complexity=1, static_image_mode=False,
                                smooth_landmarks=False) as pose:
        for img in images:
            h, w = img.shape[:2]
            res = pose.process(img)
            if res.pose_landmarks is None:
                out.append(np.full((33, 3), np.nan))
                continue
            lm = res.pose_landmarks.landmark
            out.append(np.array([[p.x * w, p.y * h, p.visibility] for p in lm]))
    return np.stack(out)


def measure(scenario: KneeToWall, *, drop_parts: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Per-frame landmark errors of the tested leg.

    Parameters
    ----------
    scenario : KneeToWall
    drop_parts : tuple of str
        Figure parts to leave out (ablation), e.g. ``("calf", "achilles")``.

    Returns
    -------
    dict of str to ndarray of shape (T,) or (T, 5, 2)
        ``tibia_deg`` truth, ``tibia_mp_deg`` from MediaPipe's knee/ankle (image angle,
        corrected by the known roll), ``tibia_px_deg`` from the projected true points,
        ``offset_mm`` (T, 5, 2): hip, knee, ankle, heel, toe offsets (along the shank axis
        toward the ankle, anterior), ``swapped`` (T,), ``detected`` (T,).
    """
    motion = pose_scenario(scenario)
    camera, room = scene(scenario, motion)
    lms = mediapipe_landmarks(frames(scenario, motion, camera, room, drop_parts=drop_parts))
    pose = motion.pose
    leg, s = scenario.tested_leg, suffix(scenario.tested_leg)
    truth = np.stack([camera.project(pose.points[n + s]) for n in _NAMES], 1)  # (T, 5, 2)
    cand = {lab: lms[:, list(idx), :2] for lab, idx in _LEG_IDX.items()}
    other = "left" if leg == "right" else "right"
    d_same = np.linalg.norm(cand[leg][:, 1:3] - truth[:, 1:3], axis=-1).sum(-1)
    d_other = np.linalg.norm(cand[other][:, 1:3] - truth[:, 1:3], axis=-1).sum(-1)
    swapped = d_other < d_same
    mp_pts = np.where(swapped[:, None, None], cand[other], cand[leg])
    # Image-plane frame of the shank: unit "down the shank" and unit "anterior" (foot direction).
    roll = np.radians(scenario.roll_deg)
    fwd_img = np.array([np.cos(roll), -np.sin(roll)]) * (1 if scenario.facing == "right" else -1)
    up_img = np.array([-np.sin(roll), -np.cos(roll)])

    def angle(knee, ankle):
        v = knee - ankle
        return np.degrees(np.arctan2(v @ fwd_img, v @ up_img))

    axis = truth[:, 2] - truth[:, 1]
    axis = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    ant = np.stack([-axis[:, 1], axis[:, 0]], -1)
    ant = ant * np.sign(ant @ fwd_img)[:, None]
    depth = camera.to_camera(pose.points["knee" + s])[:, 2]
    mm_per_px = depth / camera.focal_px * 1000.0
    err = mp_pts - truth
    offset = np.stack([np.einsum("tnk,tk->tn", err, axis), np.einsum("tnk,tk->tn", err, ant)], -1)
    # Heel and toe: forward along the foot and up (true vertical) instead.
    offset[:, 3:] = np.stack([err[:, 3:] @ fwd_img, err[:, 3:] @ up_img], -1)
    yaw = pose.foot_yaw_rad[leg]
    from .measures import tibia_deg

    return {"tibia_deg": tibia_deg(pose.points["knee" + s], pose.points["ankle" + s], yaw),
            "tibia_mp_deg": angle(mp_pts[:, 1], mp_pts[:, 2]),
            "tibia_px_deg": angle(truth[:, 1], truth[:, 2]),
            "offset_mm": offset * mm_per_px[:, None, None], "offset_px": offset,
            "swapped": swapped, "detected": np.isfinite(lms[:, 0, 0])}


def bias_rows(scenario: KneeToWall, *, targets_deg=(10, 20, 30, 40, 50), half_bin_deg=2.5,
              result=None, drop_parts: tuple[str, ...] = ()) -> list[dict]:
    """Mean errors per true-angle bin (+- ``half_bin_deg``) for one scenario (see ``measure``)."""
    r = measure(scenario, drop_parts=drop_parts) if result is None else result
    rows = []
    for target in targets_deg:
        sel = r["detected"] & (np.abs(r["tibia_deg"] - target) <= half_bin_deg)
        if not sel.any():
            continue
        off = np.nanmean(r["offset_mm"][sel], axis=0)
        err = r["tibia_mp_deg"][sel] - r["tibia_deg"][sel]
        rows.append({"leg": scenario.tested_leg, "facing": scenario.facing, "target_deg": target,
                     "n": int(sel.sum()), "offset_mm": off,
                     "tibia_err_deg": float(np.nanmean(err)), "tibia_err_sd": float(np.nanstd(err)),
                     "proj_err_deg": float(np.nanmean(r["tibia_px_deg"][sel] - r["tibia_deg"][sel])),
                     "swap": float(np.mean(r["swapped"][sel]))})
    return rows


def markdown(rows: list[dict]) -> str:
    """The rows as a markdown table (MediaPipe minus truth, mm; knee and ankle: down the shank,
    anterior; heel and toe: forward, up)."""
    head = ("| tested leg | facing | true tibia deg | frames | knee mm (down, ant) | ankle mm (down, ant) "
            "| heel mm (fwd, up) | toe mm (fwd, up) | tibia error deg (mean +- sd) | L/R swap |\n"
            "|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        o = r["offset_mm"]
        cells = [f"{o[i, 0]:+.0f}, {o[i, 1]:+.0f}" for i in (1, 2, 3, 4)]
        lines.append(f"| {r['leg']} | {r['facing']} | {r['target_deg']} | {r['n']} | "
                     + " | ".join(cells)
                     + f" | {r['tibia_err_deg']:+.1f} +- {r['tibia_err_sd']:.1f} | {r['swap']:.0%} |")
    return "\n".join(lines)


def bias_table(*, model: str = "anatomical", drop_parts: tuple[str, ...] = (), seed: int = 0,
               legs=("left", "right"), facings=("left", "right")) -> str:
    """Render leg x facing knee-to-wall clips (3 drives to 50 deg, 1280x720) and tabulate."""
    rows = []
    for leg in legs:
        for facing in facings:
            sc = KneeToWall(tested_leg=leg, facing=facing, peak_tibia_deg=(50.0, 50.0, 50.0),
                            seed=seed)
            sc = replace(sc, appearance=replace(sc.appearance, model=model))
            rows += bias_rows(sc, drop_parts=drop_parts)
    return markdown(rows)


def main() -> None:
    """``python -m ankle_cv_render.bias [--model capsules] [--drop calf,achilles] ...``"""
    import click

    @click.command()
    @click.option("--model", type=click.Choice(["anatomical", "capsules"]), default="anatomical")
    @click.option("--drop", default="", help="Comma-separated figure parts to leave out.")
    @click.option("--seed", default=0, type=int)
    @click.option("--leg", "legs", multiple=True, type=click.Choice(["left", "right"]))
    @click.option("--facing", "facings", multiple=True, type=click.Choice(["left", "right"]))
    def cli(model, drop, seed, legs, facings):
        click.echo(bias_table(model=model, drop_parts=tuple(p for p in drop.split(",") if p),
                              seed=seed, legs=legs or ("left", "right"),
                              facings=facings or ("left", "right")))

    cli()


if __name__ == "__main__":
    main()
