"""The knee-to-wall report as a JSON document (schema ``ankle-cv/knee-to-wall-report`` v1).

The schema is ``ankle_cv/schemas/knee_to_wall_report.schema.json``; every field is
described in the README.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

from ..models import MODEL_NAME, landmark_model_sha256
from ..protocols.knee_to_wall import KneeToWallResult
from ..protocols.references import VALIDATION
from ..versions import tool_versions

SCHEMA = "ankle-cv/knee-to-wall-report"
SCHEMA_VERSION = 1

MEASURE = (
    "tibia-to-vertical angle: the line from the ankle centre to the knee centre against the "
    "true vertical, positive with the knee forward of the ankle; this centre line is not the "
    "anterior tibial crest an inclinometer sits on"
)


def _clean(value):
    """NaN/inf -> None, tuples -> lists, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def report_dict(result: KneeToWallResult, *, series_meta: dict | None = None, from_cache: bool = False) -> dict:
    """The report document of a result; ``series_meta`` is the landmark provenance."""
    meta = series_meta or {}
    settings = dataclasses.asdict(result.settings)
    references = result.settings.references
    settings.pop("references")
    legs = [dataclasses.asdict(leg) for leg in result.legs]
    asym = result.asymmetry_deg
    doc = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "versions": tool_versions(),
            "pose_model": {"name": MODEL_NAME, "sha256": meta.get("model_sha256") or landmark_model_sha256()},
            "pose_settings": meta.get("pose_settings"),
        },
        "input": {
            "file": result.source,
            "sha256": meta.get("video_sha256"),
            "n_frames": result.n_frames,
            "duration_s": result.duration_s,
            "fps": result.fps,
            "width_px": result.frame_size_px[0],
            "height_px": result.frame_size_px[1],
            "rotation_deg": meta.get("rotation_deg"),
            "landmarks_from_cache": from_cache,
        },
        "measure": {"name": "tibia_to_vertical", "unit": "deg", "definition": MEASURE,
                    "validation": VALIDATION.as_dict()},
        "camera": {
            "view": result.view,
            "body_width_ratio": result.body_width_ratio,
            "facing": result.facing,
            "roll_deg": result.roll_deg,
            "roll_sd_deg": result.roll_sd_deg,
            "roll_source": result.roll_source,
            "scene_roll_deg": result.scene_roll_deg,
            "sole_roll_deg": result.sole_roll_deg,
        },
        "detection_rate": result.detection_rate,
        "legs": legs,
        "asymmetry_deg": asym,
        "asymmetry_flagged": None if asym is None else abs(asym) >= references.asymmetry_deg,
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
        "settings": settings,
        "references": references.sources(),
    }
    return _clean(doc)


def write_report(doc: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
