"""Image measures on synthetic images with known geometry: the heel tracked against the
forefoot, and the camera roll from straight scene lines."""

import numpy as np
import pytest

from ankle_cv.core.geometry import roll_from_lines
from ankle_cv.vision.heel import MIN_SCORE, HeelAnchor, HeelTracker, track_heel_rise
from ankle_cv.vision.scene import SceneLineCollector, scene_lines

FOOT_PX = 120.0
HEEL_XY = (300.0, 400.0)
TOE_XY = (420.0, 405.0)
SIZE = (640, 480)


def textured(seed=0):
    """A frame of smooth random texture (the floor, the shoe), the same for every call with
    one seed: what the templates lock on to."""
    import cv2

    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 255, (SIZE[1] // 4, SIZE[0] // 4, 3), dtype=np.uint8)
    return cv2.resize(noise, SIZE, interpolation=cv2.INTER_CUBIC)


def lift_heel(image, dy_px):
    """The same frame with the rear part of the foot (behind the middle) raised by ``dy_px``."""
    out = image.copy()
    x0, x1 = int(HEEL_XY[0] - 0.4 * FOOT_PX), int(HEEL_XY[0] + 0.5 * FOOT_PX)
    band = image[:, x0:x1]
    out[:, x0:x1] = np.roll(band, -dy_px, axis=0)
    return out


def shift(image, dx_px, dy_px):
    return np.roll(np.roll(image, dy_px, axis=0), dx_px, axis=1)


ANCHOR = HeelAnchor(start=0, stop=10, ref=0, heel_xy_px=HEEL_XY, toe_xy_px=TOE_XY, foot_px=FOOT_PX)


def tracker_on(reference, anchor=ANCHOR):
    """A tracker whose templates come from ``reference``, as live capture makes one."""
    tracker = HeelTracker(anchor, (reference.shape[1], reference.shape[0]))
    if tracker.usable:
        tracker.set_reference(tracker.crop(reference))
    return tracker


@pytest.mark.parametrize("dy", [0, 3, 6, 12])
def test_heel_rise_over_the_forefoot_in_foot_lengths(dy):
    reference = textured()
    tracker = tracker_on(reference)
    assert tracker.usable
    rise, score = tracker.update(lift_heel(reference, dy))
    assert score >= MIN_SCORE
    assert rise == pytest.approx(dy / FOOT_PX, abs=0.3 / FOOT_PX)


def test_camera_shake_is_not_a_rise():
    reference = textured()
    tracker = tracker_on(reference)
    rise, score = tracker.update(shift(reference, 5, 4))
    assert score >= MIN_SCORE and rise == pytest.approx(0.0, abs=0.3 / FOOT_PX)
    rise, _ = tracker.update(shift(lift_heel(reference, 6), -4, 3))
    assert rise == pytest.approx(6 / FOOT_PX, abs=0.3 / FOOT_PX)


def test_a_lost_heel_is_unknown_not_zero():
    reference = textured()
    tracker = tracker_on(reference)
    covered = reference.copy()
    covered[300:460, 200:420] = 128  # something in front of the foot
    rise, score = tracker.update(covered)
    assert np.isnan(rise) and score < MIN_SCORE


def test_a_foot_at_the_edge_of_the_picture_is_not_tracked():
    edge = HeelAnchor(start=0, stop=5, ref=0, heel_xy_px=(2.0, 478.0), toe_xy_px=(3.0, 479.0), foot_px=1.0)
    tracker = tracker_on(textured(), edge)
    assert not tracker.usable
    assert np.isnan(tracker.update(textured())[0])


class Frame:
    def __init__(self, index, image):
        self.index, self.image_bgr, self.time_s = index, image, index / 30.0


@pytest.mark.parametrize("budget_bytes, passes", [(64 * 2**20, [(1, 9)]), (0, [(1, 9), (1, 4)])])
def test_offline_tracking_with_the_reference_after_the_stance_start(budget_bytes, passes):
    # the heel is down from frame 0 to 5 and raised by 6 px from frame 6; the reference
    # (heel surely down) is frame 4, after the first frames of the stance
    base = textured(1)
    images = [base if i < 6 else lift_heel(base, 6) for i in range(10)]
    reads = []

    def frames(start=0, stop=None):
        reads.append((start, stop))
        for i in range(start, len(images) if stop is None else stop):
            yield Frame(i, images[i])

    anchor = HeelAnchor(start=1, stop=9, ref=4, heel_xy_px=HEEL_XY, toe_xy_px=TOE_XY, foot_px=FOOT_PX)
    rise, score = track_heel_rise(frames, [anchor], n_frames=10, budget_bytes=budget_bytes)
    assert np.isnan(rise[[0, 9]]).all() and (score[[0, 9]] == 0).all()  # outside the stance
    np.testing.assert_allclose(rise[1:6], 0.0, atol=0.3 / FOOT_PX)
    np.testing.assert_allclose(rise[6:9], 6 / FOOT_PX, atol=0.3 / FOOT_PX)
    # one pass over the stance, the frames before the reference held until it comes; past the
    # memory budget those frames are decoded a second time instead
    assert reads == passes


def room(roll_deg, size=(960, 540)):
    """A grey room with a door frame, a wall-floor line and a picture frame, all true
    verticals and horizontals, seen by a camera rolled by ``roll_deg``."""
    import cv2

    image = np.full((size[1], size[0], 3), 170, np.uint8)
    cv2.rectangle(image, (120, 60), (330, 470), (60, 60, 60), 6)  # door frame
    cv2.line(image, (0, 470), (size[0], 470), (90, 90, 90), 5)  # wall meets floor
    cv2.rectangle(image, (560, 120), (820, 300), (40, 40, 40), 5)  # picture
    turn = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), roll_deg, 1.0)  # counter-clockwise on screen
    return cv2.warpAffine(image, turn, size, borderMode=cv2.BORDER_REPLICATE)


@pytest.mark.parametrize("roll", [-8.0, 0.0, 5.0])
def test_scene_lines_give_the_camera_roll(roll):
    segments = scene_lines(room(roll))
    assert len(segments) >= 6
    found, spread, n = roll_from_lines(segments)
    assert found == pytest.approx(roll, abs=0.5)


def test_lines_on_the_person_do_not_vote():
    import cv2

    image = room(0.0)
    cv2.line(image, (700, 320), (760, 530), (0, 0, 0), 8)  # a shin, tilted 16 deg
    landmarks = np.full((33, 2), np.nan)
    landmarks[[11, 12]] = (730, 100)  # shoulders
    landmarks[[23, 24]] = (730, 300)  # hips
    landmarks[[25, 26]] = (700, 320)  # knees
    landmarks[[27, 28]] = (760, 530)  # ankles
    on_person = scene_lines(image)
    masked = scene_lines(image, landmarks)
    def near_shin(seg):
        return np.hypot((seg[:, 0] + seg[:, 2]) / 2 - 730, (seg[:, 1] + seg[:, 3]) / 2 - 425) < 60
    assert near_shin(on_person).any() and not near_shin(masked).any()


def test_the_collector_takes_every_nth_frame_and_tags_it():
    collector = SceneLineCollector(every=30)
    image = room(3.0)
    for index in range(61):
        collector.update(index, image, None)
    frames = np.unique(collector.lines[:, 0]).tolist()
    assert frames == [0.0, 30.0, 60.0]
    assert roll_from_lines(collector.lines[:, 1:])[0] == pytest.approx(3.0, abs=0.5)
