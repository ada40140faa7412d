"""Landmark cache freshness, the LandmarkSeries container, and the pinned pose model."""

import dataclasses
import re

import numpy as np
import pytest
from conftest import ROOT
from synth import knee_to_wall
from videos import write_noise_video

import ankle_cv.pose.cache as cache
from ankle_cv import __version__
from ankle_cv.pose import PoseSettings
from ankle_cv.pose.models import PINNED_SHA256, mediapipe_dir, sha256_file, verify_models
from ankle_cv.series import LandmarkSeries


@pytest.fixture
def counted_pose(monkeypatch):
    """Replace MediaPipe by a synthetic series, counting the runs."""
    runs = []
    series, _ = knee_to_wall(peaks_deg=(30.0,))

    def fake_estimate(video, *, settings, video_sha256, progress=None, workers=None, estimator=None):
        runs.append(settings)
        meta = cache.pose_meta(settings, video_sha256)
        return dataclasses.replace(series, meta=meta)

    monkeypatch.setattr(cache, "estimate_pose", fake_estimate)
    return runs


def test_cache_is_reused_until_something_changes(tmp_path, counted_pose, monkeypatch):
    video = write_noise_video(tmp_path / "clip.mp4")
    store = tmp_path / "cache"
    first, hit = cache.landmarks_for(str(video), cache_dir=store)
    assert not hit and len(counted_pose) == 1
    again, hit = cache.landmarks_for(str(video), cache_dir=store)
    assert hit and len(counted_pose) == 1
    np.testing.assert_array_equal(again.xyzv, first.xyzv)
    # other pose settings: recompute
    cache.landmarks_for(str(video), cache_dir=store, settings=PoseSettings(min_detection_confidence=0.6))
    assert len(counted_pose) == 2
    # another tool version: the old file is stale
    monkeypatch.setattr("ankle_cv.pose.runner.__version__", "99.0")
    _, hit = cache.landmarks_for(str(video), cache_dir=store)
    assert not hit and len(counted_pose) == 3
    # another video content: recompute
    write_noise_video(video, seed=1)
    _, hit = cache.landmarks_for(str(video), cache_dir=store)
    assert not hit and len(counted_pose) == 4


def test_a_corrupt_cache_file_is_recomputed(tmp_path, counted_pose):
    video = write_noise_video(tmp_path / "clip.mp4")
    store = tmp_path / "cache"
    cache.landmarks_for(str(video), cache_dir=store)
    (npz,) = store.glob("*.npz")
    good = npz.read_bytes()
    npz.write_bytes(b"garbage")
    _, hit = cache.landmarks_for(str(video), cache_dir=store)
    assert not hit and len(counted_pose) == 2
    npz.write_bytes(good[: len(good) // 2])  # a zip cut short: BadZipFile, not ValueError
    _, hit = cache.landmarks_for(str(video), cache_dir=store)
    assert not hit and len(counted_pose) == 3
    assert [p.name for p in store.iterdir()] == [npz.name]  # no temporary file left behind


def test_no_cache_dir_means_no_files(tmp_path, counted_pose):
    video = write_noise_video(tmp_path / "clip.mp4")
    cache.landmarks_for(str(video), cache_dir=None)
    cache.landmarks_for(str(video), cache_dir=None)
    assert len(counted_pose) == 2


def test_series_round_trip_and_validation(tmp_path):
    series, _ = knee_to_wall(peaks_deg=(30.0,))
    series = dataclasses.replace(series, meta={"video_sha256": "x"})
    series.save(tmp_path / "s.npz")
    back = LandmarkSeries.load(tmp_path / "s.npz")
    np.testing.assert_array_equal(back.xyzv, series.xyzv)
    assert back.frame_size_px == (1280, 720) and back.meta == {"video_sha256": "x"} and back.fps == 30.0
    with pytest.raises(ValueError, match=r"\(T, 33, 4\)"):
        LandmarkSeries(xyzv=np.zeros((3, 17, 4)), time_s=np.arange(3.0), frame_size_px=(10, 10), fps=30)
    with pytest.raises(ValueError, match="increasing"):
        LandmarkSeries(xyzv=np.zeros((3, 33, 4)), time_s=np.array([0, 1, 1.0]), frame_size_px=(10, 10), fps=30)


def test_installed_model_matches_the_pins():
    assert verify_models() == PINNED_SHA256
    for rel, digest in PINNED_SHA256.items():
        assert sha256_file(mediapipe_dir() / rel) == digest


def test_models_folder_documents_the_same_hashes():
    listed = dict(line.split()[::-1] for line in (ROOT / "models" / "MODELS.sha256").read_text().splitlines())
    assert {k.removeprefix("mediapipe/"): v for k, v in listed.items()} == PINNED_SHA256
    readme = (ROOT / "models" / "README.md").read_text()
    assert set(re.findall(r"`([0-9a-f]{64})`", readme)) == set(PINNED_SHA256.values())


def test_only_the_shipped_model_complexity_is_allowed():
    with pytest.raises(ValueError, match="download"):
        PoseSettings(model_complexity=2)


def test_version_is_in_the_cache_key():
    meta = cache.pose_meta(PoseSettings(), "ab" * 32)
    assert meta["ankle_cv_version"] == __version__


def test_an_unreachable_cache_only_costs_time(tmp_path, counted_pose, monkeypatch):
    video = write_noise_video(tmp_path / "clip.mp4")
    store = tmp_path / "cache"
    store.mkdir()

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache.Path, "is_file", denied)
    series, hit = cache.landmarks_for(str(video), cache_dir=store)
    assert not hit and len(counted_pose) == 1 and series.n_frames > 0
