"""What the live window shows over the picture, and the line the headless mode prints, from
the same :class:`Overlay`. Drawing uses :mod:`ankle_cv.visual.draw` (the annotated video's
primitives)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .guidance import Guidance
from .numbers import LiveNumbers, TallyView


@dataclasses.dataclass(frozen=True)
class Overlay:
    """Everything drawn over one frame.

    Attributes
    ----------
    test : str
    state : str
        The recording state in words ("REC 12.3 s", "space: record").
    countdown_s : float or None
        Seconds left before the recording starts (None: no countdown running).
    numbers : LiveNumbers or None
        The newest scoring (None before the first).
    tally : TallyView or None
    guidance : tuple of Guidance
        Set-up problems, most pressing first.
    """

    test: str
    state: str
    countdown_s: float | None = None
    numbers: LiveNumbers | None = None
    tally: TallyView | None = None
    guidance: tuple[Guidance, ...] = ()


def _angle(value: float, deg: str) -> str:
    return f"{value:.1f}{deg}" if math.isfinite(value) else "--"


def value_lines(overlay: Overlay, *, deg: str = " deg") -> list[str]:
    """The numbers in words: the current angle, then the best so far (knee-to-wall) or the rep
    count and the last rep's flags (squat)."""
    n, tally = overlay.numbers, overlay.tally or TallyView()
    angles = [] if n is None else [(leg, a) for leg, a in zip(("L", "R"), n.angle_deg) if math.isfinite(a)]
    if overlay.test == "knee-to-wall":
        now = " ".join(_angle(a, deg) for _, a in angles) or "--"
        best = ", ".join(f"{leg} {_angle(v, deg)}" for leg, v in sorted(tally.best_deg.items())) or "--"
        return [f"tibia {now}", f"best with heel down: {best}"]
    name = n.angle_name if n is not None and n.angle_name else "FPPA / knee flexion"
    now = " ".join(f"{leg} {_angle(a, deg)}" for leg, a in angles) or "--"
    lines = [f"{name} {now}", f"reps {tally.reps}"]
    if tally.last_rep_flags is not None:
        lines.append("last rep: " + (", ".join(tally.last_rep_flags) or "no flags"))
    return lines


def heel_words(numbers: LiveNumbers | None) -> str:
    if numbers is None or numbers.heel_lifted is None:
        return "heel ?"
    return "HEEL LIFTED" if numbers.heel_lifted else "heel down"


def text_line(time_s: float, overlay: Overlay) -> str:
    """One line of the headless mode: time, state, numbers, heel, guidance."""
    parts = [f"{time_s:7.2f} s", overlay.state, *value_lines(overlay, deg="°"), heel_words(overlay.numbers)]
    if overlay.countdown_s is not None:
        parts.insert(2, f"recording in {math.ceil(overlay.countdown_s)} s")
    parts.append(" / ".join(str(g) for g in overlay.guidance) if overlay.guidance else "ok")
    return "  ".join(parts)


def draw_live(image: np.ndarray, landmarks: np.ndarray, overlay: Overlay) -> None:
    """Draw ``overlay`` in place on ``image`` (BGR), the skeleton from the frame's own
    ``landmarks`` (33, 4)."""
    from ..visual.draw import ALERT_BGR, OK_BGR, WHITE, draw_angle, draw_heel, draw_legs, draw_panel, scale_of, text

    s = scale_of(image)
    height, width = image.shape[:2]
    draw_legs(image, landmarks)
    n = overlay.numbers
    if n is not None and n.arc:
        for leg in (0, 1):
            if math.isfinite(n.angle_deg[leg]):
                draw_angle(image, landmarks, leg, n.arc, n.angle_deg[leg], roll_deg=n.roll_deg,
                           vertical_vp=n.vertical_vp, label=n.angle_name)
    if n is not None and (n.heel_lifted is not None or overlay.test == "knee-to-wall"):
        draw_heel(image, n.heel_lifted)
    recording = overlay.state.startswith("REC")
    lines = [overlay.state, *value_lines(overlay)]
    if n is not None and n.problem:
        lines.append(n.problem[:90])
    draw_panel(image, lines, colors=[ALERT_BGR if recording else OK_BGR] + [WHITE] * (len(lines) - 1))
    y = height - int(20 * s)
    for i, message in enumerate(overlay.guidance):
        size = 2.0 if i == 0 else 1.0
        (_, h) = _measure(message.value, s * size)
        y -= h + int(8 * s)
        text(image, message.value, (int(20 * s), y), size=size, background=ALERT_BGR)
    if overlay.countdown_s is not None:
        digit = str(max(1, math.ceil(overlay.countdown_s)))
        w, h = _measure(digit, s * 6.0)
        text(image, digit, ((width - w) // 2, (height - h) // 2), size=6.0)


def _measure(words: str, scale: float) -> tuple[int, int]:
    """Size of :func:`ankle_cv.visual.draw.text`'s box for ``words`` at ``scale``, before drawing."""
    import cv2

    font_scale, thick = 0.6 * scale, max(1, round(1.6 * scale))
    (w, h), base = cv2.getTextSize(words, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thick)
    pad = max(2, round(4 * scale))
    return w + 2 * pad, h + base + 2 * pad
