"""MediaPipe Pose landmark indices and the geometric conventions used throughout.

Conventions (stated once, tested in tests/test_core_geometry.py):

* Image coordinates are pixels, x to the right, y **down**.
* ``roll_deg`` is the angle of the true horizontal as it appears in the image, measured
  counter-clockwise on screen from the image x axis. A phone turned 5 degrees clockwise
  (as its user sees it) shows the world turned 5 degrees counter-clockwise: roll +5.
* ``tibia_deg`` (tibia-to-vertical angle) is the angle between the line ankle -> knee and
  the true vertical, positive when the knee is forward of the ankle in the direction the
  foot points (heel -> foot index). It is the knee-ankle centre line, not the anterior
  tibial crest an inclinometer sits on.
* ``facing`` is "right" or "left": the image direction the feet point in.
* Legs are named anatomically, "left" and "right".
"""

from __future__ import annotations

NOSE = 0
LEFT_EAR, RIGHT_EAR = 7, 8
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32

N_LANDMARKS = 33

LEGS = ("left", "right")

#: Joints of one leg as the core holds them, in landmark order: hip, knee, ankle, heel,
#: foot index. Every per-joint array of the core has shape (5 joints, 2 legs, T): joint
#: first, then leg (0 left, 1 right), then time, so each series is a contiguous row.
HIP, KNEE, ANKLE, HEEL, TOE = range(5)
N_JOINTS = 5

#: Landmark index of each leg joint, shape (2 legs, 5 joints): row 0 left, row 1 right.
LEG_LANDMARKS = (
    (LEFT_HIP, LEFT_KNEE, LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX),
    (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE, RIGHT_HEEL, RIGHT_FOOT_INDEX),
)

#: Landmarks 23..32 are hip, knee, ankle, heel, foot index, each left then right: one slice.
LEG_SLICE = slice(LEFT_HIP, RIGHT_FOOT_INDEX + 1)
