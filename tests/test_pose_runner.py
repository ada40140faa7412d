"""How the pose stage shares a clip's chunks out (no MediaPipe here: the bookkeeping)."""

import numpy as np

from ankle_cv.pose.chunks import Claims
from ankle_cv.pose.runner import _increasing, max_workers


def test_the_caller_owns_everything_until_a_helper_splits_off_the_upper_half():
    claims = Claims.create(None, 3, 10)
    assert claims.take(0, 0) and claims.take(0, 1)  # the caller is on chunk 1, 8 left
    assert claims.split(1) == 6  # a ready helper takes chunks 6..9 (6 already started)
    assert not claims.take(0, 6)  # ... so the caller stops before them
    assert claims.take(0, 2) and claims.take(1, 7)
    assert claims.split(2) == 5  # the largest range left is the caller's 3..5: its upper half, 5
    assert claims.take(0, 3) and claims.take(0, 4) and not claims.take(0, 5)


def test_ranges_of_one_chunk_are_not_worth_a_seek_and_a_closed_run_gives_nothing():
    claims = Claims.create(None, 2, 2)
    assert claims.take(0, 0)
    assert claims.split(1) is None  # one chunk left: the caller reaches it sooner than a seek
    claims = Claims.create(None, 2, 8)
    claims.close()
    assert claims.split(1) is None


def test_every_chunk_is_tracked_once_whoever_takes_it():
    claims = Claims.create(None, 3, 9)
    owner = {}
    rng = np.random.default_rng(0)
    nexts = {0: 0, 1: None, 2: None}
    while True:  # three processes taking turns at random
        slot = int(rng.integers(3))
        if nexts[slot] is None:
            nexts[slot] = claims.split(slot)
            if nexts[slot] is not None:
                owner.setdefault(nexts[slot], []).append(slot)
                nexts[slot] += 1
        elif claims.take(slot, nexts[slot]):
            owner.setdefault(nexts[slot], []).append(slot)
            nexts[slot] += 1
        else:
            nexts[slot] = None
        if len(owner) == 9 and all(v is None for v in nexts.values()):
            break
    assert sorted(owner) == list(range(9)) and all(len(v) == 1 for v in owner.values())


def test_broken_times_at_a_join_are_repaired_forwards():
    fixed = _increasing(np.array([9.9, 10.0, 9.9, 9.95, 10.2]), 1 / 30)
    assert np.all(np.diff(fixed) > 0)
    np.testing.assert_allclose(fixed[:2], [9.9, 10.0])
    assert fixed[-1] == 10.2


def test_workers_are_capped_by_chunks_and_cores():
    assert max_workers(250, 8) == 1  # one chunk: in-process
    assert 1 <= max_workers(100_000, 1000) <= 64
