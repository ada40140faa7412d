"""The report JSON: a generic envelope (schema, tool, input) around the protocol's body.

Each protocol's schema lives in ``ankle_cv/schemas/``; every field is described in
docs/outputs.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..versions import tool_versions


def clean(value):
    """NaN/inf -> None, tuples -> lists, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def report_document(protocol, result, *, series_meta: dict | None = None, from_cache: bool = False,
                    chosen_because: str | None = None) -> dict:
    """The report document of a protocol's result; ``series_meta`` is the landmark provenance;
    ``chosen_because`` why the test was chosen automatically (None: the user named it)."""
    from ..pose.models import MODEL_NAME, landmark_model_sha256

    meta = series_meta or {}
    clip = result.clip
    doc = {
        "schema": protocol.schema,
        "schema_version": protocol.schema_version,
        "tool": {
            "versions": tool_versions(),
            "pose_model": {"name": MODEL_NAME, "sha256": meta.get("model_sha256") or landmark_model_sha256()},
            "pose_settings": meta.get("pose_settings"),
        },
        "input": {
            "file": clip.source,
            "sha256": meta.get("video_sha256"),
            "n_frames": clip.n_frames,
            "duration_s": clip.duration_s,
            "fps": clip.fps,
            "width_px": clip.frame_size_px[0],
            "height_px": clip.frame_size_px[1],
            "rotation_deg": meta.get("rotation_deg"),
            "damaged_frames": meta.get("damaged_frames"),
            "landmarks_from_cache": from_cache,
        },
    }
    if chosen_because is not None:
        doc["test_choice"] = {"test": protocol.name, "chosen": "auto", "reason": chosen_because}
    doc.update(protocol.report_body(result))
    return clean(doc)


def write_report(doc: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
