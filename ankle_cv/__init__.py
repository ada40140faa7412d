"""ankle-cv: knee-to-wall ankle dorsiflexion and squat compensations from video.

The package is a pipeline of small stages with one data type between them::

    source (video file)   -> frames + timestamps          (ankle_cv.source)
    pose (MediaPipe)      -> LandmarkSeries (.npz cache)  (ankle_cv.pose, ankle_cv.cache)
    core (numpy/scipy)    -> per-frame angles, events     (ankle_cv.core)
    protocols             -> frozen result dataclasses    (ankle_cv.protocols)
    outputs               -> JSON, CSV, text              (ankle_cv.outputs)
    cli                   -> wires the stages             (ankle_cv.cli)

Importing the package imports nothing heavy: OpenCV and MediaPipe load only in the
stages that need them.
"""

__version__ = "0.1.0"
