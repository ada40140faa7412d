"""The numerical core: pure numpy/scipy on whole arrays.

Nothing here imports OpenCV, MediaPipe, click or the file system; every function takes
arrays and keyword-only parameters and returns arrays. ``measures`` holds the per-frame
``compute_*`` body measures (tibia angle, FPPA, foot direction, heel height), ``legs`` the
joint layout and the front-leg choice, ``geometry`` the camera roll, ``events`` heel lifts
and trials, ``signal`` the time-series plumbing, ``quality`` clip-level quality measures.
Tests compose them into protocols (:mod:`ankle_cv.protocols`).
"""
