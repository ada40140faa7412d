"""What the pictures of a squat clip show: FPPA of both knees where the camera sees the
front, the near knee's flexion where it sees the side, the near heel, the reps with their
flags (:class:`ankle_cv.visual.track.Track`)."""

from __future__ import annotations

import numpy as np

from ...landmarks import LEGS
from ...visual.track import ARC_KNEE, KeyFrame, Span, Track
from ...vocab import View
from .present import frame_views
from .results import Rep, SquatResult
from .scoring import MAX_FPPA_DEG, MIN_THIGH_SHARE


def rep_flags(rep: Rep) -> list[str]:
    """The compensations one rep showed, in words."""
    out = []
    for leg in LEGS:
        if rep.fppa_flagged is not None and getattr(rep.fppa_flagged, leg):
            out.append(f"{leg} knee valgus")
        if rep.turnout is not None and rep.turnout.get(leg) is not None and rep.turnout[leg].flagged:
            out.append(f"{leg} foot turn-out")
    if rep.separation_flagged:
        out.append("knees together")
    if rep.heel_lifted:
        out.append(f"{rep.heel_leg or ''} heel lift".strip())
    return out


def _caption(rep: Rep) -> str:
    if rep.fppa_deg is not None:
        values = ", ".join(f"{leg} {getattr(rep.fppa_deg, leg):.1f}\u00b0" for leg in LEGS
                           if getattr(rep.fppa_deg, leg) is not None)
        what = f"FPPA {values} (median around the bottom)" if values else "FPPA not measurable"
    elif rep.knee_flexion_deg is not None:
        what = f"peak knee flexion {rep.knee_flexion_deg:.1f}\u00b0"
    else:
        what = f"{rep.view.value} view"
    flags = rep_flags(rep)
    return f"rep {rep.number} ({rep.bottom_s:.1f} s): {what}" + (f"; {', '.join(flags)}" if flags else "")


def _key_frame(rep: Rep, kin, near: np.ndarray) -> KeyFrame:
    """The rep's picture: its bottom with its FPPA (front), or its frame of peak knee flexion
    with that value (side)."""
    if rep.fppa_deg is not None:
        angles = tuple(np.nan if getattr(rep.fppa_deg, leg) is None else float(getattr(rep.fppa_deg, leg))
                       for leg in LEGS)
        return KeyFrame(rep.bottom_frame, _caption(rep), angles_deg=angles)
    if rep.knee_flexion_deg is not None:
        frames = np.arange(rep.start_frame, rep.end_frame + 1)
        flexion = kin.knee_flexion_deg[near[frames], frames]
        frame = int(frames[np.nanargmax(flexion)]) if np.isfinite(flexion).any() else rep.bottom_frame
        angles = [np.nan, np.nan]
        angles[int(near[frame])] = float(rep.knee_flexion_deg)
        return KeyFrame(frame, _caption(rep), angles_deg=tuple(angles))
    return KeyFrame(rep.bottom_frame, _caption(rep))


def track(result: SquatResult) -> Track:
    kin, heel = result.kinematics, result.heel
    n = kin.time_s.shape[0]
    view = frame_views(result).astype(object)
    for rep in result.reps:  # a rep is scored in its own view: so is each of its frames drawn
        view[rep.start_frame:rep.end_frame + 1] = rep.view.value
    front, side = view == View.FRONT.value, view == View.SIDE.value
    fppa_ok = (kin.thigh_share >= MIN_THIGH_SHARE) & (np.abs(kin.fppa_deg) <= MAX_FPPA_DEG)
    shown = np.where(front & fppa_ok, kin.fppa_deg, np.nan)
    near = kin.near.astype(int)
    frames = np.arange(n)
    flex = kin.knee_flexion_deg[near, frames]
    shown[near[side], frames[side]] = flex[side]
    name = np.where(front, "FPPA", np.where(side, "knee flexion", ""))
    lifted, known = np.zeros((2, n), dtype=bool), np.zeros((2, n), dtype=bool)
    if heel is not None:
        known[near, frames] = np.isfinite(heel.height_foot)
        for start, stop, _ in np.asarray(heel.lifts, dtype=np.int64).reshape(-1, 3):
            during = frames[start:stop]
            lifted[near[during], during] = True  # the near foot's heel, whichever leg is near
    status, done, last = [], 0, ""
    reps = sorted(result.reps, key=lambda r: r.end_frame)
    for frame in range(n):
        while done < len(reps) and reps[done].end_frame <= frame:
            flags = rep_flags(reps[done])
            last = f"rep {reps[done].number}: " + (", ".join(flags) if flags else "no flags")
            done += 1
        current = next((r.number for r in reps if r.start_frame <= frame <= r.end_frame), None)
        parts = [f"reps {done}"] + ([f"in rep {current}"] if current is not None else []) + ([last] if last else [])
        status.append(" | ".join(parts))
    return Track(
        time_s=kin.time_s, angle_deg=shown, angle_name=name, arcs={"FPPA": ARC_KNEE, "knee flexion": ARC_KNEE},
        heel_lifted=lifted, heel_known=known, status=tuple(status),
        spans=tuple(Span(r.start_frame, r.end_frame, f"rep {r.number}") for r in result.reps),
        key_frames=tuple(_key_frame(r, kin, near) for r in result.reps),
        roll_deg=float(kin.roll.roll_deg) if np.isfinite(kin.roll.roll_deg) else 0.0,
        plot_label="FPPA / knee flexion (deg)",
    )
