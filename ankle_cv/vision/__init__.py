"""Image measures beside pose: scene lines (camera roll) and the heel tracked in the image."""
