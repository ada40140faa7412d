"""A plain per-frame Python implementation of the knee-to-wall core, for benchmarks only.

It computes the same metrics as :func:`ankle_cv.core.knee_to_wall_kinematics` (gating,
facing, front leg, anatomical side, stillness, roll, heel heights and lifts, tibia angles,
Gaussian smoothing, trials) one frame at a time with the ``math`` module and Python lists,
the way a straightforward implementation would. ``bench_core.py`` checks that both agree
and times them side by side. Clip-wide statistics (medians, shorths) follow the core's
rules exactly, including its evenly spaced sub-sampling of very long series.
"""

from __future__ import annotations

import math

from ankle_cv.core.geometry import roll_from_lines

NAN = float("nan")
MAX_SAMPLES = 100_000
KNEE, ANKLE, HEEL, TOE = range(4)


def isnan(v):
    return v != v


def median(values):
    v = sorted(values)
    n = len(v)
    if n == 0:
        return NAN
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def evenly(values):
    return values[:: max(1, len(values) // MAX_SAMPLES)]


TYPICAL_SAMPLES = 20_000


def typical_rows(rows):
    """Median of the finite values of per-leg rows, each sub-sampled like the core."""
    step = max(1, len(rows[0]) // TYPICAL_SAMPLES)
    return median([v for row in rows for v in row[::step] if not isnan(v)])


def shorth(values):
    v = sorted(x for x in evenly(values) if not isnan(x))
    n = len(v)
    if n == 0:
        return NAN
    half = n // 2 + 1
    best = min(range(n - half + 1), key=lambda i: v[i + half - 1] - v[i])
    return median(v[best:best + half])


def robust_sd(values):
    v = [x for x in evenly(values) if not isnan(x)]
    if not v:
        return NAN
    m = median(v)
    return 1.4826 * median([abs(x - m) for x in v])


def fill_nearest(values):
    n = len(values)
    known = [i for i, v in enumerate(values) if not isnan(v)]
    if not known or len(known) == n:
        return list(values)
    out, k = [], 0
    for i in range(n):
        while k + 1 < len(known) and known[k + 1] <= i:
            k += 1
        prev = known[k] if known[k] <= i else None
        nxt = known[k] if known[k] > i else (known[k + 1] if k + 1 < len(known) else None)
        if prev is None:
            out.append(values[nxt])
        elif nxt is None or i - prev <= nxt - i:
            out.append(values[prev])
        else:
            out.append(values[nxt])
    return out


def gaussian_kernel(sigma):
    radius = int(4.0 * sigma + 0.5)
    w = [math.exp(-0.5 * (k / sigma) ** 2) for k in range(-radius, radius + 1)]
    total = sum(w)
    return radius, [x / total for x in w]


def smooth(values, sigma):
    """NaN-aware Gaussian smoothing with edge samples repeated, like the core."""
    n = len(values)
    radius, w = gaussian_kernel(sigma)
    out = []
    for t in range(n):
        if isnan(values[t]):
            out.append(NAN)
            continue
        num = den = 0.0
        for k in range(-radius, radius + 1):
            v = values[min(max(t + k, 0), n - 1)]
            if not isnan(v):
                num += w[k + radius] * v
                den += w[k + radius]
        out.append(num / den)
    return out


def gradient(values, dt):
    n = len(values)
    if n < 2:
        return [NAN] * n
    out = [(values[1] - values[0]) / dt]
    out += [(values[t + 1] - values[t - 1]) / (2 * dt) for t in range(1, n - 1)]
    out.append((values[-1] - values[-2]) / dt)
    return out


def runs(mask):
    spans, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        elif not m and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(mask)))
    return spans


def fill_gaps(values, time_s, max_gap_s):
    n = len(values)
    out = list(values)
    i = 0
    while i < n:
        if not isnan(values[i]):
            i += 1
            continue
        j = i
        while j < n and isnan(values[j]):
            j += 1
        if i > 0 and j < n and time_s[j] - time_s[i - 1] <= max_gap_s + 1e-9:
            a, b, ta, tb = values[i - 1], values[j], time_s[i - 1], time_s[j]
            for k in range(i, j):
                w = (time_s[k] - ta) / (tb - ta)
                out[k] = a + w * (b - a)
        i = j
    return out


def upright(dx, dy, roll_deg):
    r = math.radians(roll_deg)
    c, s = math.cos(r), math.sin(r)
    return c * dx - s * dy, -s * dx - c * dy


def line_angle(dx, dy):
    a = math.degrees(math.atan2(-dy, dx))
    return a - 180.0 if a > 90.0 else a + 180.0 if a <= -90.0 else a


def tibia_angle(dx, dy, roll_deg, facing):
    if isnan(dx) or isnan(dy) or isnan(facing):
        return NAN
    h, v = upright(dx, dy, roll_deg)
    return math.degrees(math.atan2(facing * h, v))


def hysteresis_lifts(height, time_s, on, off, min_dur_s, dt, max_gap_s):
    """Gaps up to ``max_gap_s`` with the heel up on both sides bridged, hysteresis, minimum
    duration, then widening over the frames rising (falling) at more than a fifth of the
    lift's fastest rise (fall), like the core; the peak is the highest measured frame."""
    filled = fill_gaps(height, time_s, max_gap_s)
    up = [not isnan(h) and h > off for h in height]
    bridged = list(height)
    for k in range(len(height)):
        if isnan(height[k]) and not isnan(filled[k]):
            before = max(j for j in range(k) if not isnan(height[j]))
            after = min(j for j in range(k + 1, len(height)) if not isnan(height[j]))
            if up[before] and up[after]:
                bridged[k] = filled[k]
    spans = runs([not isnan(h) and h > off for h in bridged])
    lifts = []
    for lo, hi in spans:
        if not any(bridged[k] > on for k in range(lo, hi)):
            continue
        if time_s[hi - 1] - time_s[lo] + dt < min_dur_s:
            continue
        peak = max((k for k in range(lo, hi) if not isnan(height[k])), key=lambda k: (height[k], -k))
        lifts.append([lo, hi, peak])
    n = len(height)
    rate = [NAN] * n
    if n > 1:
        rate[0], rate[-1] = height[1] - height[0], height[-1] - height[-2]
        for k in range(1, n - 1):
            rate[k] = 0.5 * (height[k + 1] - height[k - 1])
    out = []
    for i, (lo, hi, peak) in enumerate(lifts):
        prev_stop = lifts[i - 1][1] if i else 0
        next_start = lifts[i + 1][0] if i + 1 < len(lifts) else n
        rises = [r for r in rate[lo:peak + 1] if not isnan(r)]
        fastest = max(rises + [0.0])
        start = lo
        while start > prev_stop and rate[start - 1] > 0.2 * fastest:
            start -= 1
        falls = [-r for r in rate[peak:hi] if not isnan(r)]
        fastest = max(falls + [0.0])
        stop = hi
        while stop < next_start and -rate[stop] > 0.2 * fastest:
            stop += 1
        out.append((start, stop, peak))
    return out


def find_peaks(x, prominence, distance, wlen):
    """scipy.signal.find_peaks(x, prominence=..., distance=..., wlen=...) in plain Python."""
    n = len(x)
    peaks, i = [], 1
    while i < n - 1:
        if x[i - 1] < x[i]:
            ahead = i + 1
            while ahead < n - 1 and x[ahead] == x[i]:
                ahead += 1
            if x[ahead] < x[i]:
                peaks.append((i + ahead - 1) // 2)
                i = ahead
        i += 1
    keep = [True] * len(peaks)
    for k in sorted(range(len(peaks)), key=lambda k: x[peaks[k]], reverse=True):
        if not keep[k]:
            continue
        j = k - 1
        while j >= 0 and peaks[k] - peaks[j] < distance:
            keep[j] = False
            j -= 1
        j = k + 1
        while j < len(peaks) and peaks[j] - peaks[k] < distance:
            keep[j] = False
            j += 1
    peaks = [p for p, k in zip(peaks, keep) if k]
    out = []
    for p in peaks:
        lo, hi = max(p - wlen // 2, 0), min(p + wlen // 2, n - 1)
        left_min, i = x[p], p
        while i >= lo and x[i] <= x[p]:
            left_min = min(left_min, x[i])
            i -= 1
        right_min, i = x[p], p
        while i <= hi and x[i] <= x[p]:
            right_min = min(right_min, x[i])
            i += 1
        if x[p] - max(left_min, right_min) >= prominence:
            out.append(p)
    return out


def knee_to_wall_reference(xyzv, time_s, *, lines=None, min_visibility=0.5, max_gap_s=0.25, cutoff_hz=6.0,
                           heel_on_foot=0.035, heel_off_foot=0.0175, heel_min_duration_s=0.15, max_foot_speed=1.0,
                           min_prominence_deg=5.0, min_spacing_s=1.0):
    """The core's outputs, frame by frame: a dict of Python lists and numbers."""
    n = len(time_s)
    t = [float(v) for v in time_s]
    dt = median([t[i + 1] - t[i] for i in range(min(n - 1, MAX_SAMPLES))]) if n > 1 else 1.0
    sigma = math.sqrt(math.log(2.0)) / (2.0 * math.pi * cutoff_hz) / dt

    # per label leg and joint: x, y lists with unseen landmarks blanked
    X = [[[NAN] * n for _ in range(2)] for _ in range(4)]
    Y = [[[NAN] * n for _ in range(2)] for _ in range(4)]
    V = [[[NAN] * n for _ in range(2)] for _ in range(4)]
    for f in range(n):
        frame = xyzv[f]
        for j in range(4):
            for leg in range(2):
                x, y, _, vis = (float(v) for v in frame[25 + 2 * j + leg])
                V[j][leg][f] = vis
                if vis >= min_visibility:
                    X[j][leg][f], Y[j][leg][f] = x, y
    for a, b in ((KNEE, ANKLE), (HEEL, TOE)):
        length = [[math.hypot(X[a][leg][f] - X[b][leg][f], Y[a][leg][f] - Y[b][leg][f]) for f in range(n)]
                  for leg in range(2)]
        typ = typical_rows(length)
        for leg in range(2):
            for f in range(n):
                if abs(length[leg][f] / typ - 1.0) > 0.3:
                    for j in (a, b):
                        X[j][leg][f] = Y[j][leg][f] = NAN

    def rear(leg, f):
        return (X[ANKLE][leg][f], Y[ANKLE][leg][f]) if isnan(X[HEEL][leg][f]) else (X[HEEL][leg][f], Y[HEEL][leg][f])

    fdx = [[X[TOE][leg][f] - rear(leg, f)[0] for f in range(n)] for leg in range(2)]
    fdy = [[Y[TOE][leg][f] - rear(leg, f)[1] for f in range(n)] for leg in range(2)]
    foot_scale = typical_rows([[math.hypot(a, b) for a, b in zip(fdx[leg], fdy[leg])] for leg in range(2)])

    votes = [sum(0.0 if isnan(fdx[leg][f]) else math.copysign(1.0, fdx[leg][f]) if fdx[leg][f] else 0.0
                 for leg in range(2)) for f in range(n)]
    window = max(int(round(1.0 / dt)), 1)
    window += 1 - window % 2
    half = window // 2
    facing = []
    for f in range(n):
        total = sum(votes[min(max(f + k, 0), n - 1)] for k in range(-half, half + 1))
        facing.append(math.copysign(1.0, total) if abs(total) > 0.5 else NAN)
    facing = fill_nearest(facing)

    def middle(leg, f):
        pts = [(X[j][leg][f], Y[j][leg][f]) for j in (ANKLE, HEEL, TOE) if not isnan(X[j][leg][f])]
        if not pts:
            return NAN, NAN
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)

    mid = [[middle(leg, f) for f in range(n)] for leg in range(2)]
    label = []
    for f in range(n):
        diff = facing[f] * (mid[1][f][0] - mid[0][f][0])
        label.append(float(diff > 0) if abs(diff) >= 0.25 * foot_scale else NAN)
    label = fill_nearest(label)

    def pick(rows, side, f):
        return NAN if isnan(side[f]) else rows[int(side[f])][f]

    mid_x = [[m[0] for m in mid[leg]] for leg in range(2)]
    mid_y = [[m[1] for m in mid[leg]] for leg in range(2)]
    front_x = [pick(mid_x, label, f) for f in range(n)]
    front_y = [pick(mid_y, label, f) for f in range(n)]
    gx, gy = gradient(front_x, dt), gradient(front_y, dt)
    fast = [math.hypot(a, b) / foot_scale > 0.7 for a, b in zip(gx, gy)]
    steps = [lo for lo, hi in runs(fast) if t[hi - 1] - t[lo] >= 0.15 - 1e-9]
    ends = [s - 1 for s in steps[1:]] + [n - 1]
    starts = {s for s, e in zip(steps, ends) if t[e] - t[s] >= 1.0 - 1e-9}  # stances of at least 1 s
    stance, current = [], 0
    for f in range(n):
        current += f in starts
        stance.append(current)
    counts = {}
    for f in range(n):
        if not isnan(label[f]):
            right, total = counts.get(stance[f], (0.0, 0))
            counts[stance[f]] = (right + label[f], total + 1)
    side = [NAN if stance[f] not in counts else float(counts[stance[f]][0] / counts[stance[f]][1] > 0.5)
            for f in range(n)]

    # anatomical legs
    for f in range(n):
        if not isnan(label[f]) and not isnan(side[f]) and label[f] != side[f]:
            for j in range(4):
                for arr in (X, Y, V):
                    arr[j][0][f], arr[j][1][f] = arr[j][1][f], arr[j][0][f]
    is_front = [[not isnan(side[f]) and side[f] == leg for f in range(n)] for leg in range(2)]
    foot_px = [typical_rows([[math.hypot(X[TOE][leg][f] - X[HEEL][leg][f], Y[TOE][leg][f] - Y[HEEL][leg][f])
                              for f in range(n)]]) for leg in range(2)]
    still = []
    for leg in range(2):
        sh = [math.hypot(a, b) for a, b in zip(gradient(X[HEEL][leg], dt), gradient(Y[HEEL][leg], dt))]
        st = [math.hypot(a, b) for a, b in zip(gradient(X[TOE][leg], dt), gradient(Y[TOE][leg], dt))]
        sp = [(b if isnan(a) else a if isnan(b) else max(a, b)) / foot_px[leg] for a, b in zip(sh, st)]
        sp = smooth(sp, sigma)
        still.append([is_front[leg][f] and sp[f] < max_foot_speed for f in range(n)])

    sole = [NAN if isnan(side[f]) else line_angle(X[TOE][int(side[f])][f] - X[HEEL][int(side[f])][f],
                                                    Y[TOE][int(side[f])][f] - Y[HEEL][int(side[f])][f])
            for f in range(n)]
    planted = [s for f, s in enumerate(sole) if (still[0][f] or still[1][f]) and not isnan(s)]
    sole_roll = shorth(planted) if planted else NAN
    scene = roll_from_lines(lines)[0] if lines is not None else NAN
    roll = scene if not isnan(scene) else 0.0

    heights, lifts, heel_down = [], [], []
    for leg in range(2):
        rise = [upright(X[HEEL][leg][f] - X[TOE][leg][f], Y[HEEL][leg][f] - Y[TOE][leg][f], roll)[1] / foot_px[leg]
                for f in range(n)]
        rise = smooth(rise, sigma)
        use = [r for f, r in enumerate(rise) if still[leg][f] and not isnan(r)]
        level = shorth(use if len(use) >= 10 else rise)
        h = [r - level for r in rise]
        heights.append(h)
        found = hysteresis_lifts(h, t, heel_on_foot, heel_off_foot, heel_min_duration_s, dt, max_gap_s)
        lifts += [(leg, lo, hi, peak) for lo, hi, peak in found]
        up = [False] * n
        for lo, hi, _ in found:
            for f in range(lo, hi):
                up[f] = True
        heel_down.append([not isnan(h[f]) and not up[f] for f in range(n)])

    tibia_raw, tibia = [], []
    for leg in range(2):
        dx = [X[KNEE][leg][f] - X[ANKLE][leg][f] for f in range(n)]
        dy = [Y[KNEE][leg][f] - Y[ANKLE][leg][f] for f in range(n)]
        tibia_raw.append([tibia_angle(dx[f], dy[f], roll, facing[f]) for f in range(n)])
        bx, by = fill_gaps(dx, t, max_gap_s), fill_gaps(dy, t, max_gap_s)
        tibia.append(smooth([tibia_angle(bx[f], by[f], roll, facing[f]) for f in range(n)], sigma))

    front_tibia = [pick(tibia, side, f) for f in range(n)]
    finite = [a for a in front_tibia if not isnan(a)]
    trials = []
    if len(finite) >= 3:
        floor = min(finite) - 1.0
        a = [floor if isnan(v) else v for v in front_tibia]
        wlen = 2 * int(round(10.0 / dt / 2)) + 1  # the core's PROMINENCE_WINDOW_S
        peaks = find_peaks(a, min_prominence_deg, max(int(round(min_spacing_s / dt)), 1), wlen)
        edges = [0] + peaks + [n]
        valleys = [lo + min(range(hi - lo), key=lambda k: (a[lo + k], k)) for lo, hi in zip(edges[:-1], edges[1:])]
        trials = [(valleys[i], p, min(valleys[i + 1] + 1, n)) for i, p in enumerate(peaks)]
    return {
        "facing": facing, "front_side": side, "roll_deg": roll, "sole_roll_deg": sole_roll,
        "tibia_raw_deg": tibia_raw, "tibia_deg": tibia, "heel_height_foot": heights,
        "heel_down": heel_down, "lifts": sorted(lifts), "trials": trials,
    }
