"""Drawing on frames with OpenCV: the legs' skeleton, an angle with its arc, the heel's
state, a text panel and a running plot strip. Used by the annotated video, the report's
frames and the live window; every function draws in place on a BGR image and takes the
landmarks of one frame, shape (33, 4): x_px, y_px, z, visibility (NaN: not found).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.geometry import up_in_picture
from ..landmarks import LEFT_SHOULDER, LEG_LANDMARKS, RIGHT_SHOULDER
from .track import ARC_ANKLE_VERTICAL, ARC_KNEE, Track

#: BGR colours: left leg blue, right leg orange (as most gait tools), states green/red/grey.
LEG_BGR = ((235, 140, 40), (40, 140, 245))
OK_BGR, ALERT_BGR, UNKNOWN_BGR, WHITE, BLACK = (80, 200, 80), (60, 60, 230), (160, 160, 160), (255, 255, 255), (0, 0, 0)
_BONES = ((0, 1), (1, 2), (2, 3), (3, 4), (2, 4))  # hip-knee-ankle-heel-toe, ankle-toe (leg joints)


def _cv2():
    import cv2

    return cv2


def scale_of(image: np.ndarray) -> float:
    """Line and text size for a frame: 1.0 at 720 px on the long side."""
    return max(image.shape[:2]) / 720.0


def _pt(xy) -> tuple[int, int] | None:
    x, y = float(xy[0]), float(xy[1])
    return (int(round(x)), int(round(y))) if math.isfinite(x) and math.isfinite(y) else None


def draw_legs(image: np.ndarray, landmarks: np.ndarray) -> None:
    """Both legs (hip, knee, ankle, heel, toe), the pelvis and the shoulders."""
    cv2, s = _cv2(), scale_of(image)
    thick = max(2, round(3 * s))
    for leg, ids in enumerate(LEG_LANDMARKS):
        pts = [_pt(landmarks[i]) for i in ids]
        for a, b in _BONES:
            if pts[a] and pts[b]:
                cv2.line(image, pts[a], pts[b], LEG_BGR[leg], thick, cv2.LINE_AA)
        for p in pts:
            if p:
                cv2.circle(image, p, thick + 2, WHITE, -1, cv2.LINE_AA)
                cv2.circle(image, p, thick + 2, LEG_BGR[leg], max(1, thick // 2), cv2.LINE_AA)
    for a, b in ((LEG_LANDMARKS[0][0], LEG_LANDMARKS[1][0]), (LEFT_SHOULDER, RIGHT_SHOULDER)):
        pa, pb = _pt(landmarks[a]), _pt(landmarks[b])
        if pa and pb:
            cv2.line(image, pa, pb, UNKNOWN_BGR, max(1, thick // 2), cv2.LINE_AA)


def ascii_text(words: str) -> str:
    """OpenCV's Hershey fonts draw ASCII only: degrees and dashes spelled out."""
    words = words.replace("\u00b0", " deg").replace("\u2013", "-").replace("\u2014", "-").replace("\u00b1", "+/-")
    return words.encode("ascii", "replace").decode("ascii")


def text(image: np.ndarray, words: str, origin: tuple[int, int], *, size: float = 1.0,
         color=WHITE, background=BLACK) -> tuple[int, int]:
    """Text with a dark backing box, top-left at ``origin``; returns the box's (width, height)."""
    cv2, s = _cv2(), scale_of(image) * size
    words = ascii_text(words)
    font, fscale, thick = cv2.FONT_HERSHEY_SIMPLEX, 0.6 * s, max(1, round(1.6 * s))
    (w, h), base = cv2.getTextSize(words, font, fscale, thick)
    pad = max(2, round(4 * s))
    x, y = origin
    if background is not None:
        cv2.rectangle(image, (x, y), (x + w + 2 * pad, y + h + base + 2 * pad), background, -1)
    cv2.putText(image, words, (x + pad, y + pad + h), font, fscale, color, thick, cv2.LINE_AA)
    return w + 2 * pad, h + base + 2 * pad


def draw_angle(image: np.ndarray, landmarks: np.ndarray, leg: int, arc: str, angle_deg: float, *,
               roll_deg: float = 0.0, vertical_vp=None, label: str = "", outward: float | None = None) -> None:
    """An angle's two rays, its arc and its value, at the ankle (tibia against the true
    vertical: levelled by ``roll_deg``, or the plumb line towards the scene verticals'
    vanishing point ``vertical_vp`` where a pitched camera was levelled by them) or at the
    knee (shank against the thigh's extension).
    The value is written on the arc's open side, or, with ``outward`` (+1 image right, -1
    left), beside the joint on that side (two knees seen from the front)."""
    if not math.isfinite(angle_deg):
        return
    cv2, s = _cv2(), scale_of(image)
    hip, knee, ankle = (np.asarray(landmarks[i][:2], dtype=np.float64) for i in LEG_LANDMARKS[leg][:3])
    if arc == ARC_ANKLE_VERTICAL:
        vertex, towards = ankle, knee
        up = math.radians(roll_deg)  # image "up" rotated with the horizon: (sin, -cos) for roll 0
        reference = np.array([-math.sin(up), -math.cos(up)])
        if vertical_vp is not None and np.isfinite(ankle).all():
            reference = up_in_picture(ankle[0], ankle[1], np.asarray(vertical_vp, dtype=np.float64))
    elif arc == ARC_KNEE:
        vertex, towards = knee, ankle
        reference = knee - hip
    else:
        raise ValueError(f"unknown arc {arc!r}")
    ray = towards - vertex
    length = float(np.hypot(*ray))
    if not (math.isfinite(length) and length > 1) or not np.isfinite(reference).all():
        return
    reference = reference / max(float(np.hypot(*reference)), 1e-9)
    radius = max(12, int(0.45 * length))
    v = _pt(vertex)
    colour = LEG_BGR[leg]
    thick = max(1, round(2 * s))
    cv2.line(image, v, _pt(vertex + reference * length * 0.8), WHITE, thick, cv2.LINE_AA)
    start = math.degrees(math.atan2(reference[1], reference[0]))
    end = math.degrees(math.atan2(ray[1], ray[0]))
    sweep = (end - start + 180) % 360 - 180
    cv2.ellipse(image, v, (radius, radius), 0, start, start + sweep, colour, thick + 1, cv2.LINE_AA)
    mid = math.radians(start + sweep / 2)
    away = np.array([math.cos(mid), math.sin(mid)])
    if outward is not None:  # beside the joint, away from the other leg
        away = np.array([float(np.sign(outward) or 1.0), 0.0])
    words = f"{label} {angle_deg:.1f}\u00b0".strip()
    size = 0.9 * s
    (w, h), _ = cv2.getTextSize(ascii_text(words), cv2.FONT_HERSHEY_SIMPLEX, 0.6 * size, max(1, round(1.6 * size)))
    anchor = vertex + (radius + 10 * s + h) * away  # clear of the arc, whichever way it opens
    x = anchor[0] - (w + 8 * s) if away[0] < 0 else anchor[0]
    text(image, words, (int(x), int(anchor[1] - h / 2)), size=0.9, color=colour)


def draw_heel(image: np.ndarray, lifted: bool | None, *, origin: tuple[int, int] | None = None) -> None:
    """The tested heel's state: down (green), lifted (red), unknown (grey)."""
    words, colour = (("heel: not seen", UNKNOWN_BGR) if lifted is None
                     else ("HEEL LIFTED", ALERT_BGR) if lifted else ("heel down", OK_BGR))
    s = scale_of(image)
    x = origin or (image.shape[1] - int(200 * s), int(10 * s))
    text(image, words, x, color=WHITE, background=colour)


def draw_panel(image: np.ndarray, lines: list[str], *, origin: tuple[int, int] | None = None,
               colors: list | None = None) -> None:
    """Lines of text down the top-left corner."""
    s = scale_of(image)
    x, y = origin or (int(10 * s), int(10 * s))
    for i, line in enumerate(line for line in lines if line):
        _, h = text(image, line, (x, y), color=(colors[i] if colors and i < len(colors) else WHITE))
        y += h + int(3 * s)


class PlotStrip:
    """A running plot of the track's angle under the picture: the whole clip drawn once,
    each frame adds a cursor; trials or reps shaded, heel lifts in red."""

    def __init__(self, track: Track, width: int, height: int) -> None:
        cv2 = _cv2()
        self.track, self.width, self.height = track, int(width), int(height)
        img = np.full((self.height, self.width, 3), 28, dtype=np.uint8)
        n = max(track.n_frames, 2)
        self._x = np.linspace(40, self.width - 10, n)
        values = track.angle_deg[np.isfinite(track.angle_deg)]
        lo, hi = (float(np.min(values)), float(np.max(values))) if values.size else (0.0, 1.0)
        pad = max(2.0, 0.1 * (hi - lo))
        self._lo, self._hi = lo - pad, hi + pad
        top, bottom = 8, self.height - 8
        for span in track.spans:
            x0, x1 = int(self._x[min(span.start_frame, n - 1)]), int(self._x[min(span.end_frame, n - 1)])
            cv2.rectangle(img, (x0, top), (x1, bottom), (60, 60, 60), -1)
        for leg in (0, 1):
            lifted = np.flatnonzero(track.heel_lifted[leg])
            for f in lifted:
                x = int(self._x[min(f, n - 1)])
                cv2.line(img, (x, top), (x, top + 6), ALERT_BGR, 2)
        for tick in _ticks(self._lo, self._hi):
            y = self._y(tick)
            cv2.line(img, (36, y), (self.width - 10, y), (70, 70, 70), 1)
            cv2.putText(img, f"{tick:g}", (2, y + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (200, 200, 200), 1, cv2.LINE_AA)
        for leg in (0, 1):
            row = track.angle_deg[leg]
            finite = np.isfinite(row)
            for start, stop in _runs(finite):
                pts = np.stack([self._x[start:stop], [self._y(v) for v in row[start:stop]]], axis=1)
                cv2.polylines(img, [pts.astype(np.int32)], False, LEG_BGR[leg], 2, cv2.LINE_AA)
        cv2.putText(img, track.plot_label, (44, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.45, WHITE, 1, cv2.LINE_AA)
        self._background = img

    def _y(self, value: float) -> int:
        top, bottom = 8, self.height - 8
        return int(round(bottom - (value - self._lo) / (self._hi - self._lo) * (bottom - top)))

    def render(self, frame: int) -> np.ndarray:
        cv2 = _cv2()
        img = self._background.copy()
        x = int(self._x[min(max(frame, 0), len(self._x) - 1)])
        cv2.line(img, (x, 4), (x, self.height - 4), WHITE, 1)
        return img


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    from ..core.signal import runs

    return [(int(a), int(b)) for a, b in runs(mask)]


def _ticks(lo: float, hi: float) -> list[float]:
    step = 10.0 ** math.floor(math.log10(max(hi - lo, 1e-6) / 2))
    for mult in (1, 2, 5, 10):
        if (hi - lo) / (step * mult) <= 5:
            step *= mult
            break
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step) + 1)]


def anatomical(landmarks: np.ndarray, swapped: bool) -> np.ndarray:
    """The landmarks with MediaPipe's left and right legs exchanged where ``swapped``."""
    if not swapped:
        return landmarks
    out = landmarks.copy()
    left, right = list(LEG_LANDMARKS[0]), list(LEG_LANDMARKS[1])
    out[left + right] = landmarks[right + left]
    return out


def annotate(image: np.ndarray, landmarks: np.ndarray, track: Track, frame: int, *,
             angles_deg: tuple[float, float] | None = None) -> None:
    """Everything the track says about ``frame``, drawn on its picture: skeleton, the angle
    of each leg shown with its arc (``angles_deg`` instead of the frame's own, for a key
    frame standing for several), the heel state of the leg with an angle, the status."""
    swapped = track.swapped is not None and frame < len(track.swapped) and bool(track.swapped[frame])
    landmarks = anatomical(landmarks, swapped)
    draw_legs(image, landmarks)
    name = str(track.angle_name[frame])
    arc = track.arc_of(frame)
    values = track.angle_deg[:, frame] if angles_deg is None else np.asarray(angles_deg, dtype=np.float64)
    legs = [leg for leg in (0, 1) if math.isfinite(values[leg])]
    if arc:
        knees_x = [float(landmarks[LEG_LANDMARKS[leg][1]][0]) for leg in (0, 1)]
        for leg in legs:
            outward = knees_x[leg] - knees_x[1 - leg] if len(legs) == 2 else None
            outward = outward if outward is None or math.isfinite(outward) else None
            draw_angle(image, landmarks, leg, arc, float(values[leg]), roll_deg=track.roll_deg,
                       vertical_vp=track.vertical_vp, label=name, outward=outward)
    heel_legs = [leg for leg in (legs or (0, 1)) if track.heel_known[leg, frame]]
    if heel_legs:
        draw_heel(image, bool(track.heel_lifted[heel_legs, frame].any()))
    elif legs and track.arcs.get(name) == ARC_ANKLE_VERTICAL:
        draw_heel(image, None)
    draw_panel(image, [f"{track.time_s[frame]:.2f} s", track.status[frame]])
