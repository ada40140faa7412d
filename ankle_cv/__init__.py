"""ankle-cv: knee-to-wall ankle dorsiflexion and squat compensations from video.

The package is a pipeline of small stages with one data type between them::

    io (file, camera, stream) -> upright frames + timestamps   (ankle_cv.io)
    pose (MediaPipe)          -> LandmarkSeries, cached .npz   (ankle_cv.pose)
    vision (beside pose)      -> scene lines, heel in the image (ankle_cv.vision)
    core (numpy/scipy)        -> per-frame measures, events    (ankle_cv.core)
    protocols (one per test)  -> frozen results, warnings      (ankle_cv.protocols)
    outputs                   -> JSON, CSV, text               (ankle_cv.outputs)
    pipeline                  -> analyze_video, write_outputs  (ankle_cv.pipeline)
    cli                       -> parse, call, print, exit codes (ankle_cv.cli)

Importing the package imports nothing heavy: OpenCV and MediaPipe load only in the
stages that need them.
"""

__version__ = "0.1.0"
