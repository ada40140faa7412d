"""A printed ArUco marker of known size: the scale (pixels per cm) and the wall's position.

The card (:func:`marker_card`, ``ankle-cv marker``) carries a ``DICT_4X4_50`` marker, id 0,
``size_cm`` wide, inside cut lines :data:`CARD_MARGIN_CM` from each side of the marker, with
:data:`CARD_STAND_CM` of plain paper below (the card fits an A4 sheet). It stands upright just
behind the tested foot (on the side away from the camera), facing the camera, one side edge
against the wall: the shoe's tip is seen against it, never hidden by it, and the marker is
above the shoe. So:

- the marker's sides parallel to the floor give the horizontal scale in the card's plane;
- the wall is :data:`CARD_MARGIN_CM` beyond the marker's side that is nearer the wall.

The scale's uncertainty combines the corners' scatter across frames (the SD of the per-frame
scale, not divided by the number of frames: a still camera repeats much the same error), the
card's turn or lean (a square marker whose horizontal and vertical sides differ in length is
not square to the camera: the relative difference is taken as an uncertainty) and the depth
between the card and the foot (see :func:`marker_scale`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..core.geometry import PHONE_FOV_DEG, phone_focal_px, upright

MARKER_DICT = "DICT_4X4_50"
MARKER_ID = 0
#: Printed white margin from each side of the marker to the card's cut line (cm); the side
#: of the card against the wall is this far from the marker.
CARD_MARGIN_CM = 2.5
#: Plain paper under the marker's margin, down to the floor (it carries the printed
#: instruction): the marker stands above the shoe, and the shin passes in front of the card
#: only higher up, nearer the wall.
CARD_STAND_CM = 12.0
#: Assumed depth of the tested foot's mid-line beyond the card's plane (cm; negative: the foot
#: nearer the camera than the card, which stands just behind it, on the side away from the
#: camera: half a shoe's width and a little space), and its uncertainty.
DEPTH_OFFSET_CM = -8.0
DEPTH_OFFSET_SD_CM = 3.0
#: Spread across phones of the field of view of a typical phone main camera
#: (:data:`~ankle_cv.core.geometry.PHONE_FOV_DEG`), for the camera's distance.
PHONE_FOV_SD_DEG = 8.0
#: Uncertainty of a side's sub-pixel position that frames do not average out (blur, the
#: camera's tone curve; on a rendered 27 px marker the sides read 0.7% short, 0.2 px).
EDGE_SD_PX = 0.25
#: Fewer sampled frames with the marker than this: no marker scale.
MIN_MARKER_FRAMES = 3


def _detector():
    import cv2

    aruco = cv2.aruco
    params = aruco.DetectorParameters()
    params.cornerRefinementMethod = aruco.CORNER_REFINE_SUBPIX
    params.cornerRefinementWinSize = 5
    params.cornerRefinementMaxIterations = 50
    params.cornerRefinementMinAccuracy = 0.01
    return aruco.ArucoDetector(aruco.getPredefinedDictionary(getattr(aruco, MARKER_DICT)), params)


def refine_square(grey: np.ndarray, corners: np.ndarray, *, samples: int = 12) -> np.ndarray | None:
    """Corners (4, 2) of the marker's black square as the intersections of straight lines
    fitted to its four sides, each side's points found where its edge crosses half-way
    between the ink's and the paper's grey level.

    Corner refinement (``cornerSubPix``) pulls a blurred convex corner inwards: on a 27 px
    marker of a rendered clip it read the sides 1.8% short. A side's mid-level crossing is
    unbiased for symmetric blur in linear light, and a line through many of them averages the
    noise. (A camera's gamma encoding moves the crossing towards the ink by a fraction of the
    blur's width: small for a marker tens of pixels wide; on the linear renders the sides read
    0.7% short at 27 px.)
    None where a side's edge is not found (then the detector's corners are kept)."""
    from scipy.ndimage import map_coordinates

    c = np.asarray(corners, dtype=np.float64)
    centre = c.mean(axis=0)
    side_px = float(np.mean(np.linalg.norm(np.roll(c, -1, axis=0) - c, axis=1)))
    reach = float(np.clip(0.1 * side_px, 1.0, 4.0))  # within the black border (1/6 of the side)
    s = np.linspace(-reach, reach, int(8 * reach) + 1)
    lines = []
    for k in range(4):
        a, b = c[k], c[(k + 1) % 4]
        d = (b - a) / np.linalg.norm(b - a)
        n = np.array([d[1], -d[0]])
        if n @ ((a + b) / 2 - centre) < 0:
            n = -n  # outward
        t = np.linspace(0.2, 0.8, samples)
        base = a + t[:, None] * (b - a)  # (S, 2)
        pts = base[:, None, :] + s[None, :, None] * n  # (S, P, 2)
        prof = map_coordinates(grey, [pts[..., 1], pts[..., 0]], order=1, mode="nearest")  # (S, P)
        lo, hi = prof.min(axis=1, keepdims=True), prof.max(axis=1, keepdims=True)
        level = (prof - (lo + hi) / 2) / np.maximum(hi - lo, 1e-6)  # < 0 ink, > 0 paper
        ok = (hi - lo).ravel() >= 10.0
        up = (level[:, :-1] < 0) & (level[:, 1:] >= 0)
        first = np.argmax(up, axis=1)
        ok &= up.any(axis=1)
        if ok.sum() < 4:
            return None
        i = np.arange(len(t))
        f0, f1 = level[i, first], level[i, first + 1]
        cross = s[first] + (s[first + 1] - s[first]) * (-f0 / np.where(f1 != f0, f1 - f0, 1.0))
        edge = base[ok] + cross[ok, None] * n
        mean = edge.mean(axis=0)
        _, _, vt = np.linalg.svd(edge - mean)
        lines.append((mean, vt[0]))
    out = []
    for k in range(4):  # corner k joins side k-1 and side k
        (p1, d1), (p2, d2) = lines[k - 1], lines[k]
        m = np.array([d1, -d2]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return None
        u = np.linalg.solve(m, p2 - p1)
        out.append(p1 + u[0] * d1)
    out = np.array(out)
    return out if np.all(np.abs(out - c) < 2.0 * reach) else None


class MarkerFinder:
    """Finds the card's marker in frames, one at a time (one detector, reused)."""

    def __init__(self, marker_id: int = MARKER_ID) -> None:
        self._detector = _detector()
        self.marker_id = marker_id

    def __call__(self, image_bgr: np.ndarray) -> np.ndarray | None:
        """ndarray of shape (4, 2): the marker's corners (x, y px) in the marker's own order
        (top-left, top-right, bottom-right, bottom-left as printed), or None if not found."""
        corners, ids, _ = self._detector.detectMarkers(image_bgr)
        if ids is None:
            return None
        hits = [c.reshape(4, 2) for c, i in zip(corners, ids.ravel()) if int(i) == self.marker_id]
        if len(hits) != 1:
            return None
        import cv2

        grey = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY) if image_bgr.ndim == 3 else image_bgr
        found = np.asarray(hits[0], dtype=np.float64)
        refined = refine_square(grey.astype(np.float32), found)
        return found if refined is None else refined


@dataclasses.dataclass(frozen=True)
class MarkerScale:
    """What the marker gives.

    ``px_per_cm`` is the horizontal scale in the card's plane and ``px_per_cm_sd`` its
    uncertainty (corner scatter, turn/lean, :data:`EDGE_SD_PX`, in quadrature; the depth term
    is separate:
    ``depth_ratio``); ``square_ratio`` the horizontal over the vertical sides' length (1 for a
    card square to the camera); ``camera_distance_cm`` the card's distance from the camera for
    a phone's field of view; ``depth_ratio`` (and ``depth_ratio_sd``) the scale at the foot
    over the scale at the card, from :data:`DEPTH_OFFSET_CM`; ``wall_h_px`` the wall's
    level-horizontal image coordinate at the card (the card's wall-side edge), ``frames`` the
    number of sampled frames with the marker; ``card_h_px`` the card's level-horizontal extent
    in the image and ``card_top_v_px`` its top edge (level-down coordinate): what it hides.
    """

    px_per_cm: float
    px_per_cm_sd: float
    square_ratio: float
    camera_distance_cm: float
    depth_ratio: float
    depth_ratio_sd: float
    wall_h_px: float
    wall_sd_px: float
    frames: int
    card_h_px: tuple[float, float] = (np.nan, np.nan)
    card_top_v_px: float = np.nan


def level_h(xy: np.ndarray, roll_deg: float) -> np.ndarray:
    """Level-horizontal image coordinate (camera roll removed; :func:`ankle_cv.core.geometry.upright`)."""
    return upright(xy[..., 0], xy[..., 1], roll_deg=roll_deg)[0]


def level_v(xy: np.ndarray, roll_deg: float) -> np.ndarray:
    """Level-down image coordinate (camera roll removed)."""
    return -upright(xy[..., 0], xy[..., 1], roll_deg=roll_deg)[1]


def marker_scale(corners: np.ndarray, *, marker_cm: float, roll_deg: float, facing: float,
                 frame_size_px: tuple[int, int], depth_offset_cm: float = DEPTH_OFFSET_CM,
                 margin_cm: float = CARD_MARGIN_CM) -> MarkerScale:
    """Scale and wall from the marker's corners in N frames.

    Parameters
    ----------
    corners : ndarray of shape (N, 4, 2)
        The marker's corners per frame (:class:`MarkerFinder`).
    marker_cm : float
        The printed marker's side.
    roll_deg : float
        Camera roll; the sides nearer the level horizontal are the ones parallel to the floor.
    facing : float
        +1 / -1: the direction (level horizontal, image right / left) the feet point, where
        the wall is.
    frame_size_px : (width, height)
    """
    c = np.asarray(corners, dtype=np.float64)
    if c.ndim != 3 or c.shape[1:] != (4, 2) or c.shape[0] < 1:
        raise ValueError(f"corners must have shape (N, 4, 2), got {c.shape}")
    sides = np.roll(c, -1, axis=1) - c  # (N, 4, 2): 0->1, 1->2, 2->3, 3->0
    length = np.hypot(sides[..., 0], sides[..., 1])
    r = np.deg2rad(roll_deg)
    level = np.abs(np.cos(r) * sides[..., 0] - np.sin(r) * sides[..., 1]) / length  # |cos| to the horizon
    pair_a = level[:, [0, 2]].mean() >= level[:, [1, 3]].mean()  # sides 0->1, 2->3 are horizontal
    horiz, vert = ([0, 2], [1, 3]) if pair_a else ([1, 3], [0, 2])
    per_frame = length[:, horiz].mean(axis=1) / marker_cm
    scale = float(np.median(per_frame))
    scatter = float(np.std(per_frame, ddof=1)) if per_frame.size > 1 else 0.0
    square = float(np.median(length[:, horiz].mean(axis=1) / length[:, vert].mean(axis=1)))
    edge = EDGE_SD_PX * np.sqrt(2.0) / float(np.median(length[:, horiz])) * scale  # both ends of a side
    sd = float(np.sqrt(scatter**2 + (abs(1.0 - square) * scale) ** 2 + edge**2))
    # the camera's distance: focal length in pixels for a phone's field of view on the long side
    f_px = phone_focal_px(frame_size_px)
    distance_cm = float(f_px * marker_cm / np.median(length.mean(axis=1)))
    d_lo = 0.5 * max(frame_size_px) / np.tan(np.deg2rad((PHONE_FOV_DEG + PHONE_FOV_SD_DEG) / 2)) * marker_cm
    d_lo /= np.median(length.mean(axis=1))
    ratio = distance_cm / (distance_cm + depth_offset_cm)
    ratio_sd = float(np.hypot(distance_cm / (distance_cm + depth_offset_cm + DEPTH_OFFSET_SD_CM) - ratio,
                              d_lo / (d_lo + depth_offset_cm) - ratio))
    # the wall: the card's edge beyond the marker's side nearer the wall
    h = level_h(c, roll_deg)  # (N, 4)
    side_h = np.stack([h[:, [k, (k + 1) % 4]].mean(axis=1) for k in vert], axis=1)  # (N, 2)
    near_wall = side_h[np.arange(len(c)), np.argmax(facing * side_h, axis=1)]
    wall = near_wall + facing * margin_cm * per_frame
    wall_sd = float(np.hypot(np.std(wall, ddof=1) if wall.size > 1 else 0.0, margin_cm * sd))
    pad = margin_cm * scale
    card_h = (float(np.median(h.min(axis=1))) - pad, float(np.median(h.max(axis=1))) + pad)
    card_top = float(np.median(level_v(c, roll_deg).min(axis=1))) - pad
    return MarkerScale(px_per_cm=scale, px_per_cm_sd=sd, square_ratio=square, camera_distance_cm=distance_cm,
                       depth_ratio=float(ratio), depth_ratio_sd=ratio_sd, wall_h_px=float(np.median(wall)),
                       wall_sd_px=wall_sd, frames=int(len(c)), card_h_px=card_h, card_top_v_px=card_top)


def marker_card(size_cm: float = 10.0, *, dpi: int = 300, margin_cm: float = CARD_MARGIN_CM) -> np.ndarray:
    """The printable card (grey uint8 image at ``dpi``): the marker ``size_cm`` wide, white
    margins of ``margin_cm`` to dashed cut lines on all four sides (either side edge can go
    against the wall), and below the marker :data:`CARD_STAND_CM` of paper with the
    instruction, so that the marker stands above the shoe."""
    import cv2

    if not 3.0 <= size_cm <= 30.0:
        raise ValueError(f"the marker's size must be 3-30 cm, got {size_cm:g}")
    px_cm = dpi / 2.54
    side = int(round(size_cm * px_cm))
    m = int(round(margin_cm * px_cm))
    text_h = int(round(CARD_STAND_CM * px_cm))
    outer = int(round(0.5 * px_cm))  # white beyond the cut lines
    w = side + 2 * m + 2 * outer
    h = side + 2 * m + text_h + 2 * outer
    img = np.full((h, w), 255, np.uint8)
    marker = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, MARKER_DICT)),
                                           MARKER_ID, side, borderBits=1)
    y0 = x0 = outer + m
    img[y0:y0 + side, x0:x0 + side] = marker
    # dashed cut lines: the card is [outer, w - outer) x [outer, h - outer)
    dash = int(round(0.3 * px_cm))
    x1, y1 = w - outer - 1, h - outer - 1
    for a in range(outer, max(w, h), 2 * dash):
        if a < x1:
            cv2.line(img, (a, outer), (min(a + dash, x1), outer), 0, 2)
            cv2.line(img, (a, y1), (min(a + dash, x1), y1), 0, 2)
        if a < y1:
            cv2.line(img, (outer, a), (outer, min(a + dash, y1)), 0, 2)
            cv2.line(img, (x1, a), (x1, min(a + dash, y1)), 0, 2)
    lines = (f"ankle-cv marker {size_cm:g} cm (DICT_4X4_50 id 0). Print at 100%: the black square must be "
             f"{size_cm:g} cm.",
             f"Cut on the dashed line ({margin_cm:g} cm from the square). Stand the card upright just behind",
             "the tested foot (the side away from the camera), facing the camera, one side edge against the wall.")
    room = side + 2 * m - 0.4 * px_cm
    fitted = min(room / cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][0] for text in lines)
    for k, text in enumerate(lines):
        y = y0 + side + m + int(0.8 * px_cm) + int(k * 0.55 * px_cm)
        cv2.putText(img, text, (outer + int(0.2 * px_cm), y), cv2.FONT_HERSHEY_SIMPLEX, fitted, 0, 2, cv2.LINE_AA)
    return img


def write_marker_card(path, size_cm: float = 10.0, *, dpi: int = 300) -> None:
    """Write :func:`marker_card` as a PNG that states its ``dpi`` (so that it prints at size)."""
    from PIL import Image

    Image.fromarray(marker_card(size_cm, dpi=dpi)).save(str(path), dpi=(dpi, dpi))
