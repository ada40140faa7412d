"""The batch's summary table: one row per video and leg, as CSV and JSON, written
atomically; ``batch-merge`` joins the summaries of shards."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from .. import __version__
from .jobs import COLUMNS


def rows_of(records: list[dict]) -> list[dict]:
    """Flat summary rows, sorted by video then leg."""
    rows = []
    for rec in sorted(records, key=lambda r: r["video"]):
        for leg_row in rec["rows"]:
            row = {k: rec.get(k) for k in ("video", "output", "test", "status", "reason", "duration_s")} | leg_row
            rows.append({c: row.get(c) for c in COLUMNS})
    return rows


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_summary(out_dir: Path, records: list[dict], *, complete: bool, pending: list[str] = ()) -> dict:
    """Write summary.csv and summary.json; videos not run (an interrupted batch) get a row with
    status ``not_run``. Returns the counts by status."""
    records = list(records) + [{"video": v, "output": "", "test": "", "status": "not_run",
                                "reason": "the batch was interrupted before this video", "rows": [{"leg": ""}]}
                               for v in pending]
    rows = rows_of(records)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec["status"]] = counts.get(rec["status"], 0) + 1
    doc = {"schema": "ankle-cv/batch-summary", "schema_version": 1, "tool_version": __version__,
           "complete": complete, "videos": len(records), "counts": counts, "columns": list(COLUMNS), "rows": rows}
    _atomic_write(out_dir / "summary.csv", buf.getvalue())
    _atomic_write(out_dir / "summary.json", json.dumps(doc, indent=1) + "\n")
    return counts


def merge_summaries(inputs: list[Path], out_dir: Path) -> dict:
    """Join shards' summary.json files (or folders holding one) into one summary in ``out_dir``."""
    records: dict[str, dict] = {}
    complete = True
    for item in inputs:
        path = item / "summary.json" if item.is_dir() else item
        doc = json.loads(path.read_text(encoding="utf-8"))
        complete &= bool(doc.get("complete"))
        for row in doc["rows"]:
            rec = records.setdefault(row["video"], {k: row[k] for k in ("video", "output", "test", "status", "reason",
                                                                          "duration_s")} | {"rows": []})
            rec["rows"].append({k: v for k, v in row.items() if k not in ("video", "output", "test", "status",
                                                                          "reason", "duration_s")})
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_summary(out_dir, list(records.values()), complete=complete)
