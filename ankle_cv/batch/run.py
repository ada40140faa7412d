"""``ankle-cv batch``: every video of the inputs into its own folder under one output folder,
then summary.csv and summary.json. Re-running skips the videos already complete."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from .inputs import collect_inputs, output_name, shard
from .jobs import Job, fingerprint
from .summary import write_summary


def batch_fingerprint(test: str, settings: dict, *, visuals: bool = False, blur_faces: bool = True) -> str:
    """The fingerprint of a batch's outputs (the same for every shard, even an empty one)."""
    return fingerprint(test, settings, outputs={"visuals": visuals, "blur_faces": blur_faces} if visuals else None)


def plan(items: list[str], out_dir: Path, *, test: str, settings: dict, cache_dir: Path | None,
         shard_k_n: tuple[int, int] | None = None, rescore: bool = False, visuals: bool = False,
         blur_faces: bool = True) -> list[Job]:
    """The jobs of a batch, in order: one per video (of the shard, if given); ``visuals``
    adds each video's plot.png and report.html."""
    videos = collect_inputs(items)
    if shard_k_n is not None:
        videos = shard(videos, *shard_k_n)
    stamp = batch_fingerprint(test, settings, visuals=visuals, blur_faces=blur_faces)
    out_dir, cache_dir = Path(out_dir).absolute(), Path(cache_dir).absolute() if cache_dir else None
    return [Job(video=str(v), out_dir=str(out_dir / output_name(v)), test=test, settings=settings,
                cache_dir=str(cache_dir) if cache_dir else None, fingerprint=stamp, rescore=rescore,
                visuals=visuals, blur_faces=blur_faces) for v in videos]


def _reporter(total: int, stream) -> tuple[Callable[[dict], None], Callable[[], None]]:
    """A progress bar (tqdm: count, rate, ETA) on a terminal, else one plain line per video."""
    if stream.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="video", file=stream, dynamic_ncols=True)

        def update(record: dict) -> None:
            bar.set_postfix_str(f"{record['status']}: {Path(record['video']).name}"[:40], refresh=False)
            bar.update(1)

        return update, bar.close
    done = [0]

    def line(record: dict) -> None:
        done[0] += 1
        why = f" ({record['reason']})" if record.get("reason") else ""
        note = " (already complete)" if record.get("resumed") else ""
        print(f"[{done[0]}/{total}] {record['status']}: {record['video']}{note}{why}", file=stream, flush=True)

    return line, lambda: None


def run_batch(jobs: list[Job], out_dir: Path, *, workers: int, timeout_s: float, scheduler: str | None = None,
              stream=sys.stderr, plan_info: dict | None = None) -> dict:
    """Run a batch's jobs and write its summary; returns the counts by status. On Ctrl-C the
    summary is written with the unfinished videos as ``not_run`` before the interrupt goes on."""
    client = None
    if scheduler is not None:  # an unreachable scheduler is an error before anything is written
        from .distributed import connect

        client = connect(scheduler)
    out_dir.mkdir(parents=True, exist_ok=True)
    records: list[dict] = []
    update, close = _reporter(len(jobs), stream)

    def on_record(record: dict) -> None:
        records.append(record)
        update(record)

    stopped_by = None
    try:
        if client is not None:
            from .distributed import run_dask

            run_dask(jobs, client=client, on_record=on_record)
        else:
            from .pool import run_pool

            run_pool(jobs, workers=workers, timeout_s=timeout_s, on_record=on_record)
    except BaseException as exc:
        stopped_by = exc
        raise
    finally:
        close()
        finished = {r["video"] for r in records}
        interrupted = isinstance(stopped_by, KeyboardInterrupt) or type(stopped_by).__name__ == "Terminated"
        why = ("the batch was interrupted before this video" if interrupted or stopped_by is None
               else f"the batch stopped on an error before this video ({type(stopped_by).__name__}: {stopped_by})")
        if records or interrupted or stopped_by is None:  # an error before any video leaves an earlier summary
            write_summary(out_dir, records, complete=stopped_by is None, pending_reason=why,
                          pending=[j.video for j in jobs if j.video not in finished], plan=plan_info)
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec["status"]] = counts.get(rec["status"], 0) + 1
    return counts
