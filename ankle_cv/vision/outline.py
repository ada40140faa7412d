"""Where a body part's outline ends in the image: the shoe's tip, the heel's back, the knee's front.

MediaPipe's landmarks are not on the outline: on rendered clips its foot index sits 4-6 cm
behind the shoe's tip and its heel 1-3 cm in front of the shoe's back (the landmark foot is
about 75% of the shoe's length), and its knee is a joint-centre estimate, some 5 cm behind the
front of the knee. Distances in cm need the outline itself, so it is found in the image:
from the landmark, along the level horizontal (camera roll removed) in a given direction, the
first strong colour edge of each row in a band of rows; the outline is the furthest of those
edges (a high percentile over the rows, so that one row's stray edge does not decide it).

Taking the first strong edge (at least half the strongest in the row's window) rather than the
strongest keeps a wall or floor line further out from being taken for the outline.
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: An edge must be at least this share of the strongest edge in its row's window.
EDGE_SHARE = 0.5
#: ... and at least this strong (colour step in grey levels over the 3-pixel derivative).
MIN_EDGE = 12.0
#: The outline is this percentile of the rows' edges (the furthest rows, bar strays).
OUTLINE_PERCENTILE = 90.0
#: Fewer rows with an edge than this share of the band: not found.
MIN_ROW_SHARE = 0.3


@dataclasses.dataclass(frozen=True)
class Outline:
    """The outline's furthest point found from a landmark.

    ``along_px`` is its distance from the landmark along the level search direction (pixels),
    ``xy_px`` its image position, ``sd_px`` its uncertainty (half the spread between the rows'
    85th and 95th percentile edges, at least 0.5 px), ``rows`` how many rows had an edge.
    """

    along_px: float
    xy_px: tuple[float, float]
    sd_px: float
    rows: int


def level_patch(image_bgr: np.ndarray, origin_xy_px, *, roll_deg: float, direction: float,
                along_px: tuple[float, float], down_px: tuple[float, float]) -> np.ndarray:
    """A roll-levelled patch of the image, grey float32, one pixel per pixel: column ``j`` is
    ``along_px[0] + j`` pixels from ``origin`` along the level horizontal in ``direction``
    (+1 image right when level, -1 left), row ``i`` is ``down_px[0] + i`` pixels level-down."""
    import cv2

    r = np.deg2rad(roll_deg)
    h = np.array([np.cos(r), -np.sin(r)]) * direction  # level horizontal (image y down)
    v = np.array([np.sin(r), np.cos(r)])  # level down
    u = np.arange(int(np.floor(along_px[0])), int(np.ceil(along_px[1])) + 1, dtype=np.float32)
    w = np.arange(int(np.floor(down_px[0])), int(np.ceil(down_px[1])) + 1, dtype=np.float32)
    uu, ww = np.meshgrid(u, w)
    map_x = (origin_xy_px[0] + uu * h[0] + ww * v[0]).astype(np.float32)
    map_y = (origin_xy_px[1] + uu * h[1] + ww * v[1]).astype(np.float32)
    grey = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY) if image_bgr.ndim == 3 else image_bgr
    out = cv2.remap(grey.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                    borderValue=np.nan)
    return out


def row_edges(patch: np.ndarray, *, start_col: int = 0, last: bool = False) -> np.ndarray:
    """Per row of a levelled patch, the sub-pixel column of its first (``last``: last) strong
    edge at or after ``start_col`` (NaN where none).

    ndarray of shape (R,). A strong edge is a local maximum of the absolute horizontal
    derivative (of the lightly smoothed row) of at least :data:`EDGE_SHARE` of the row's
    strongest and :data:`MIN_EDGE` grey levels."""
    from scipy.ndimage import gaussian_filter1d

    p = gaussian_filter1d(np.nan_to_num(patch, nan=0.0), 1.0, axis=1)
    g = np.abs(np.gradient(p, axis=1)) * 2.0  # a step of s grey levels reads about s
    g[:, :max(start_col, 1)] = 0.0
    g[:, -1] = 0.0
    g[~np.isfinite(patch)] = 0.0
    peak = np.zeros_like(g, dtype=bool)
    peak[:, 1:-1] = (g[:, 1:-1] >= g[:, :-2]) & (g[:, 1:-1] > g[:, 2:])
    strong = peak & (g >= np.maximum(EDGE_SHARE * g.max(axis=1, keepdims=True), MIN_EDGE))
    has = strong.any(axis=1)
    col = (strong.shape[1] - 1 - np.argmax(strong[:, ::-1], axis=1)) if last else np.argmax(strong, axis=1)
    rows = np.arange(g.shape[0])
    c = np.clip(col, 1, g.shape[1] - 2)
    a, b, d = g[rows, c - 1], g[rows, c], g[rows, c + 1]
    den = a - 2 * b + d
    off = np.where(den != 0, np.clip(0.5 * (a - d) / np.where(den != 0, den, 1.0), -0.5, 0.5), 0.0)
    return np.where(has, c + off, np.nan)


def find_outline(image_bgr: np.ndarray, origin_xy_px, *, roll_deg: float, direction: float,
                 search_px: tuple[float, float], band_px: tuple[float, float], last: bool = False) -> Outline | None:
    """The outline's furthest point from a landmark at ``origin_xy_px``, searched from
    ``search_px[0]`` to ``search_px[1]`` pixels along the level horizontal in ``direction``
    (+1/-1), in the rows ``band_px`` (level-down pixels from the landmark, e.g. (-20, 10)).
    None where too few rows show an edge (outline not seen, or outside the picture).
    ``last`` takes each row's last strong edge instead of its first: for an outline against
    a plain background (the knee against the wall it touches), where the first edge may be a
    shading edge on the body."""
    start = int(np.floor(search_px[0]))
    patch = level_patch(image_bgr, origin_xy_px, roll_deg=roll_deg, direction=direction,
                        along_px=(start - 3, search_px[1] + 3), down_px=band_px)
    cols = row_edges(patch, start_col=3, last=last)
    found = cols[np.isfinite(cols)]
    if found.size < max(3, MIN_ROW_SHARE * patch.shape[0]):
        return None
    along = float(np.percentile(found, OUTLINE_PERCENTILE)) + start - 3
    # how much the answer depends on which of the furthest rows are taken: the outline's
    # uncertainty along the search (noise, a rounded front), not the curve's whole depth
    sd = float(0.5 * (np.percentile(found, 95.0) - np.percentile(found, 85.0)))
    rows = np.flatnonzero(np.isfinite(cols))
    row = float(np.median(rows[cols[rows] + start - 3 >= along - 1.0])) + np.floor(band_px[0])  # the tip's row
    r = np.deg2rad(roll_deg)
    x = origin_xy_px[0] + along * direction * np.cos(r) + row * np.sin(r)
    y = origin_xy_px[1] - along * direction * np.sin(r) + row * np.cos(r)
    return Outline(along_px=along, xy_px=(float(x), float(y)), sd_px=max(sd, 0.5), rows=int(found.size))
