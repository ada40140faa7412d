"""`ankle-cv live`: the tests on a camera, a stream or a file played as a camera, with the
numbers drawn on the picture as they happen, and on quit the outputs of ``ankle-cv analyze``
for what was recorded.

The stages, each on its own thread where it must not wait for the others::

    feed      capture thread: frames -> one-slot buffer (newest only) + the recorder's queue
    recorder  writer thread: raw frames of the take -> recording.mp4 (VideoSink)
    session   main thread: newest frame -> MediaPipe -> rolling window -> guidance -> screen
    analyst   worker thread: the protocol on the rolling window, a few times a second;
              scene lines for the camera roll now and then
    finish    after the session: pipeline.analyze_video on recording.mp4, write_outputs

The live numbers come from the same protocol functions as ``analyze`` (the protocol's
``analyze`` on a :class:`~ankle_cv.series.LandmarkSeries` of the last seconds), never from
formulas of their own. Importing this package imports nothing heavy.
"""
