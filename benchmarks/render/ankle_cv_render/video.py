"""From a scenario to frames and files: camera set-up, the frame loop, post-processing, writing.

``render_clip`` writes ``<stem>.mp4`` (OpenCV VideoWriter, ``mp4v``) plus ``<stem>.truth.json``
and ``<stem>.truth.csv``; each file is written under a temporary name in the same folder and
renamed when complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .camera import Camera, fit_distance, focal_from_fov, look_rotation, shake_rotations
from .figure import build_figure, contact_shadows
from .motion import Motion, knee_to_wall
from .room import CASING_M, Room, RoomLayer, render
from .scenarios import Capture, KneeToWall, SingleLegHinge, SquatFront, SquatSide, WalkingLunge
from .squat import squat
from .truth import Truth, build_truth, write_truth


def pose_scenario(scenario: Capture) -> Motion:
    """Pose the figure for a scenario (no pixels)."""
    if isinstance(scenario, KneeToWall):
        return knee_to_wall(scenario)
    if isinstance(scenario, (SquatFront, SquatSide)):
        return squat(scenario)
    if isinstance(scenario, SingleLegHinge):
        from .exercises import single_leg_hinge

        return single_leg_hinge(scenario)
    if isinstance(scenario, WalkingLunge):
        from .exercises import walking_lunge

        return walking_lunge(scenario)
    raise TypeError(f"not a render scenario: {type(scenario).__name__}")


def view_direction(scenario: Capture) -> np.ndarray:
    """Horizontal direction the camera looks along, in the world; ``ndarray of shape (3,)``.

    Side views look along -z when the person faces image right (the camera sees the person's
    right side) and along +z when facing left; the front view looks along -x.
    """
    if isinstance(scenario, SquatFront):
        return np.array([-1.0, 0.0, 0.0])
    return np.array([0.0, 0.0, -1.0 if scenario.facing == "right" else 1.0])


def scene(scenario: Capture, motion: Motion) -> tuple[Camera, Room]:
    """Camera (framing the whole clip) and room for a posed scenario."""
    pose = motion.pose
    k = pose.anthro.scale
    view = view_direction(scenario)
    w, h = scenario.width_px, scenario.height_px
    focal = focal_from_fov(fov_deg=scenario.fov_deg, width=w, height=h)
    rot = look_rotation(forward=view, roll_deg=scenario.roll_deg, pitch_deg=scenario.camera_pitch_deg)
    pts = np.concatenate([p for p in pose.points.values()], axis=0)
    pad = np.array([[dx, dy, dz] for dx in (-0.12, 0.12) for dy in (-0.05, 0.15) for dz in (-0.12, 0.12)])
    pts = (pts[:, None, :] + pad[None] * k).reshape(-1, 3)
    pts[:, 1] = np.maximum(pts[:, 1], 0.0)
    if motion.wall_x_m is not None:
        pts = np.vstack([pts, [[motion.wall_x_m + 0.08 * k, 0.0, 0.0]]])
    if motion.card is not None:
        pts = np.vstack([pts, motion.card.marker_corners_m()])
    right = look_rotation(forward=view, roll_deg=0.0)[0]  # horizontal: framing ignores roll
    lateral = pts @ right
    center = pts.mean(axis=0) + right * (0.5 * (lateral.min() + lateral.max()) - lateral.mean())
    cam_h = 0.5 * scenario.height_m if scenario.camera_height_m is None else scenario.camera_height_m
    target = np.array([center[0], cam_h, center[2]])
    dist = scenario.camera_distance_m
    for _ in range(4):
        if scenario.camera_distance_m is None:
            dist = fit_distance(pts, rotation=rot, target_m=target, focal_px=focal, width=w, height=h)
        target[1] = cam_h + dist * rot[2, 1]
    eye = target - dist * rot[2]
    rng = np.random.default_rng([scenario.seed, 2])
    rotations = shake_rotations(rot, n_frames=pose.n_frames, amplitude_deg=scenario.shake_deg,
                                fps=scenario.fps, rng=rng)
    camera = Camera(position_m=eye, rotation=rotations, focal_px=focal, width=w, height=h)
    look = scenario.appearance
    behind = -view  # the back wall's normal points back into the room
    back_wall = (behind, -(2.0 if isinstance(scenario, SquatFront) else 1.6) * k)
    # Key light from above and from the camera's side of the person, so that mirrored scenes
    # (facing left / right) are lit as mirror images.
    light = 0.85 * np.array([0.0, 1.0, 0.0]) - 0.5 * view
    casings = ()
    if scenario.door_casings and not isinstance(scenario, SquatFront):  # side views: the back wall runs along x
        casings = tuple(target[0] - d * k - 0.5 * CASING_M for d in (0.5, 1.1))  # the faced wall is at +x
    room = Room(back_wall=back_wall, side_wall_x_m=motion.wall_x_m, floor_color=look.floor,
                wall_color=look.wall, side_wall_color=look.side_wall, light_dir=tuple(light),
                side_wall_texture=motion.wall_measured, card=motion.card,
                casings_x_m=casings)
    return camera, room


def frames(scenario: Capture, motion: Motion, camera: Camera, room: Room, *,
           drop_parts: tuple[str, ...] = ()) -> Iterator[np.ndarray]:
    """Rendered frames, post-processed like a phone video.

    Parameters
    ----------
    drop_parts : tuple of str
        Figure parts to leave out (ablation studies, see ``bias.py``), e.g. ``("calf",)``.

    Yields
    ------
    ndarray of shape (H, W, 3), uint8
        RGB frames.
    """
    import cv2

    prims = [p for p in build_figure(motion.pose, scenario.appearance) if p.part not in drop_parts]
    shadows = contact_shadows(motion.pose)
    ss = scenario.supersample
    cam = camera.scaled(ss)
    still = scenario.shake_deg == 0
    layer = RoomLayer(cam, 0, room) if still else None
    rng = np.random.default_rng([scenario.seed, 1])
    size = (scenario.width_px, scenario.height_px)
    for t in range(camera.n_frames):
        if not still:
            layer = RoomLayer(cam, t, room)
        img = render(prims, frame=t, camera=cam, layer=layer, shadows=shadows,
                     light_dir=room.light_dir)
        if ss > 1:
            img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        if scenario.blur_px > 0:
            img = cv2.GaussianBlur(img, (0, 0), scenario.blur_px)
        img = img * 255.0
        if scenario.noise_sigma > 0:
            img = img + rng.normal(0.0, scenario.noise_sigma, img.shape).astype(np.float32)
        out = np.clip(np.rint(img), 0, 255).astype(np.uint8)
        if scenario.jpeg_quality is not None:
            ok, buf = cv2.imencode(".jpg", out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY,
                                                             scenario.jpeg_quality])
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]
        yield np.ascontiguousarray(out)


def _temp(path: Path) -> Path:
    """Hidden temporary name beside ``path`` keeping its suffix (OpenCV picks the container by it)."""
    return path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")


def render_clip(scenario: Capture, out_path: str | os.PathLike) -> Truth:
    """Render a scenario to a video and its ground-truth files.

    Parameters
    ----------
    scenario : KneeToWall, SquatFront, SquatSide, SingleLegHinge or WalkingLunge
    out_path : path-like
        Video path ending in ``.mp4``; the truth goes to ``<stem>.truth.json`` and
        ``<stem>.truth.csv`` beside it.

    Returns
    -------
    Truth
    """
    import cv2

    out = Path(out_path)
    if out.suffix.lower() != ".mp4":
        raise ValueError(f"output must be an .mp4 path, got {out}")
    if not out.parent.is_dir():
        raise ValueError(f"output folder does not exist: {out.parent}")
    motion = pose_scenario(scenario)
    camera, room = scene(scenario, motion)
    tmp = _temp(out)
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), float(scenario.fps),
                             (scenario.width_px, scenario.height_px))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write mp4v video to {tmp}")
    n = 0
    try:
        for img in frames(scenario, motion, camera, room):
            writer.write(img[:, :, ::-1].copy())
            n += 1
    except BaseException:
        writer.release()
        tmp.unlink(missing_ok=True)
        raise
    writer.release()
    os.replace(tmp, out)
    truth = build_truth(scenario, motion, camera, video_path=out, n_frames=n)
    write_truth(truth, out)
    return truth
