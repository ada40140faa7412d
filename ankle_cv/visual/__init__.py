"""Pictures of a scored clip: the annotated video, plots, the HTML report, the live window's drawing."""
