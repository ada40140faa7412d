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


def write_summary(out_dir: Path, records: list[dict], *, complete: bool, pending: list[str] = (),
                  pending_reason: str = "the batch was interrupted before this video",
                  plan: dict | None = None) -> dict:
    """Write summary.csv and summary.json; videos not run (an interrupted batch) get a row with
    status ``not_run``. ``plan`` (shard, fingerprint, inputs) is stored for batch-merge.
    Returns the counts by status."""
    records = list(records) + [{"video": v, "output": "", "test": "", "status": "not_run",
                                "reason": pending_reason, "rows": [{"leg": ""}]} for v in pending]
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
           "complete": complete, "videos": len(records), "counts": counts, "plan": plan or {},
           "columns": list(COLUMNS), "rows": rows}
    _atomic_write(out_dir / "summary.csv", buf.getvalue())
    _atomic_write(out_dir / "summary.json", json.dumps(doc, indent=1) + "\n")
    return counts


def merge_summaries(inputs: list[Path], out_dir: Path) -> dict:
    """Join shards' summary.json files (or folders holding one) into one summary in ``out_dir``.

    The shards must come from the same settings and version and together be all N of N;
    otherwise the merged summary is marked incomplete and the reason raised after writing
    (ValueError). A video in two shards is an error.
    """
    records: dict[str, dict] = {}
    complete, problems, shards, stamps = True, [], set(), set()
    for item in inputs:
        path = item / "summary.json" if item.is_dir() else item
        doc = json.loads(path.read_text(encoding="utf-8"))
        complete &= bool(doc.get("complete"))
        plan = doc.get("plan") or {}
        stamps.add((plan.get("fingerprint"), doc.get("tool_version")))
        if plan.get("shard"):
            shards.add(tuple(plan["shard"]))
        seen = {}
        for row in doc["rows"]:
            key = row["video"]
            if key in records and key not in seen:
                raise ValueError(f"{key} is in more than one summary")
            rec = seen.setdefault(key, {k: row[k] for k in ("video", "output", "test", "status", "reason",
                                                            "duration_s")} | {"rows": []})
            rec["rows"].append({k: v for k, v in row.items() if k not in ("video", "output", "test", "status",
                                                                          "reason", "duration_s")})
        records.update(seen)
    if len(stamps) > 1:
        problems.append("the summaries come from different settings or versions")
    if shards:
        counts_n = {n for _, n in shards}
        if len(counts_n) > 1 or {k for k, _ in shards} != set(range(1, max(counts_n) + 1)):
            problems.append(f"shards {', '.join(f'{k}/{n}' for k, n in sorted(shards))} are not all N of N")
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = write_summary(out_dir, list(records.values()), complete=complete and not problems)
    if problems:
        raise ValueError("; ".join(problems) + " (written, marked incomplete)")
    return counts
