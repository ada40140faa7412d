"""Accuracy benchmark: ankle-cv against rendered clips with known truth, and on real clips.

    python benchmarks/accuracy.py                  # full suite (24 knee-to-wall + 10 squat clips)
    python benchmarks/accuracy.py --write-ratchet  # ... and commit its figures as the ratchet
    python benchmarks/accuracy.py --suite small    # the ratchet test's 4 clips
    python benchmarks/accuracy.py --suite issue12  # 16 clips: cm, crest angle, far leg, pitch, refusals
    python benchmarks/accuracy.py --suite heel     # heel-lift sweep 0.3-0.8 cm (+ the issue-12 clips)

Renders are cached in benchmarks/out/renders (keyed by scenario and renderer code). Prints
per-clip rows, the suite's figures (tibia-angle error at each trial's heel-down peak, heel-lift
precision / recall / onset error, tested-leg and facing accuracy, roll error), landmark-level
FPPA on the front-squat renders, and what the real clips in ../shared/media give.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_suite import (  # noqa: E402
    ROOT,
    knee_to_wall_suite,
    run,
    run_squats,
    small_suite,
    squat_suite,
    summarize,
)

OUT = ROOT / "benchmarks" / "out"
RATCHET = ROOT / "benchmarks" / "accuracy_ratchet.json"
MEDIA = ROOT.parent / "shared" / "media"


def print_rows(rows: dict) -> None:
    print(f"{'clip':34} {'leg':>4} {'face':>5} {'roll err':>9} {'heel-down peak errors (deg)':<34} "
          f"{'lifts t/f/m':>12} {'onset err':>10}")
    for name, r in rows.items():
        errs = " ".join(f"{e:+.1f}" for e in r["angle_errors_deg"]) or "-"
        onset = " ".join(f"{e:+d}" for e in r["onset_errors_frames"]) or "-"
        print(f"{name:34} {'ok' if r['leg_ok'] else 'NO':>4} {'ok' if r['facing_ok'] else 'NO':>5} "
              f"{r['roll_error_deg']:+9.2f} {errs:<34} {r['true_lifts']:>4}/{r['found_lifts']}/{r['matched_lifts']:<5} "
              f"{onset:>10}")


def print_summary(summary: dict) -> None:
    print("\nsummary")
    for key, value in summary.items():
        print(f"  {key:24} {value}")


def squats(folder: Path) -> dict:
    """The squat section: reps, FPPA, turn-out change and heel lifts on the squat renders."""
    print("\n== squat suite: rendering (cached) and analysing with --test squat")
    rows, summary = run_squats(squat_suite(), folder)
    print(f"  {'clip':18} {'view':6} {'reps':>9} {'FPPA err deg':>24} {'turn-out change err deg':>28} {'lifts':>7}")
    for name, r in rows.items():
        fppa = " ".join(f"{e:+.1f}" for e in r["fppa_errors_deg"][:6])
        turn = " ".join(f"{e:+.1f}" for e in r["turnout_change_errors_deg"][:6])
        print(f"  {name:18} {r['view']:6} {r['found_reps']:>4}/{r['true_reps']:<4} {fppa:>24} {turn:>28} "
              f"{r['matched_lifts']}/{r['true_lifts']}")
    print_summary(summary)
    return summary


def real_clips() -> None:
    from ankle_cv.errors import AnkleCVError
    from ankle_cv.pipeline import analyze_video
    from ankle_cv.protocols.knee_to_wall import KneeToWallSettings

    if not MEDIA.is_dir():
        print("\nreal clips: ../shared/media absent, skipped")
        return
    print("\nreal clips in ../shared/media (no truth): detection, view, tested leg, angle range, roll, pitch "
          "(where the scene's verticals levelled the picture: degrees and distinct lines)")
    print(f"  {'clip':52} {'det':>5} {'view':>7} {'face':>5} {'legs':>10} {'tibia 5-95%':>14} {'roll':>12} "
          f"{'pitch':>10}  warnings")
    for clip in sorted(p for p in MEDIA.iterdir() if p.suffix.lower() in (".mp4", ".avi", ".mov", ".mkv")):
        try:
            result = analyze_video(clip, "knee-to-wall", KneeToWallSettings(allow_any_view=True),
                                   cache_dir=OUT / "cache").result
        except AnkleCVError as exc:
            print(f"  {clip.name[:52]:52} error: {exc.reason}")
            continue
        kin = result.kinematics
        front = kin.front(kin.tibia_deg)
        front = front[np.isfinite(front)]
        rng = f"{np.percentile(front, 5):.0f}..{np.percentile(front, 95):.0f}" if front.size else "-"
        legs = "+".join(leg.leg for leg in result.legs) or "-"
        cam = result.camera
        pitch = "-" if cam.pitch_deg is None else f"{cam.pitch_deg:+.1f} ({cam.verticals})"
        print(f"  {clip.name[:52]:52} {result.clip.detection_rate:5.2f} {cam.view:>7} {str(cam.facing):>5} "
              f"{legs:>10} {rng:>14} {cam.roll_deg:+5.1f} {cam.roll_source:>6} {pitch:>10}  "
              f"{','.join(w.code for w in result.warnings)}")


def issue12(folder: Path) -> dict:
    """The issue-12 section: cm, crest angle, far-leg trust, shake, pitch, refusals."""
    import accuracy_issue12
    from accuracy_suite import issue12_suite

    print("\n== issue-12 suite: rendering (cached) and analysing (scale from the marker or the image, then "
          "from --foot-length-cm)")
    rows, foot_rows, summary = accuracy_issue12.run(issue12_suite(), folder)
    accuracy_issue12.print_rows(rows, foot_rows)
    print_summary(summary)
    (OUT / "accuracy_issue12.json").write_text(json.dumps({"rows": rows, "foot_rows": foot_rows,
                                                           "summary": summary}, indent=1, default=str))
    return summary


def heel(folder: Path) -> dict:
    """The heel-lift section: smallest lift found, false lifts, heel-down noise floor."""
    import accuracy_heel
    from accuracy_suite import heel_suite, issue12_suite

    print("\n== heel-lift sweep (0.3-0.8 cm) and the issue-12 knee-to-wall clips: rendering (cached) and "
          "analysing")
    rows, summary = accuracy_heel.run([heel_suite(), issue12_suite()], folder)
    accuracy_heel.print_rows(rows)
    print_summary(summary)
    (OUT / "accuracy_heel.json").write_text(json.dumps({"rows": rows, "summary": summary}, indent=1))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", choices=["full", "small", "issue12", "heel"], default="full")
    parser.add_argument("--write-ratchet", action="store_true", help="store this run's figures in the ratchet file")
    parser.add_argument("--no-media", action="store_true", help="skip the real clips")
    parser.add_argument("--jobs", type=int, default=2, help="render processes")
    args = parser.parse_args()

    folder = OUT / "renders"
    t0 = time.perf_counter()
    suites = {"full": knee_to_wall_suite, "small": small_suite}
    runs = ["small", "full"] if args.write_ratchet else [args.suite]
    figures = {}
    sections = {"issue12": issue12, "heel": heel}
    if args.suite in sections:  # with --write-ratchet, only this section's figures are replaced
        figures = json.loads(RATCHET.read_text()) if args.write_ratchet else {}
        figures[args.suite] = sections[args.suite](folder)
        runs = []
    for name in runs:
        print(f"\n== {name} suite: rendering (cached) and analysing")
        rows, summary = run(suites[name](), folder, jobs=args.jobs)
        print_rows(rows)
        print_summary(summary)
        figures[name] = summary
        for side, is_near, title in (("near", True, "nearest the camera (the recommended set-up)"),
                                     ("far", False, "on the far side (trusted: the trials a verdict may rest on)")):
            part = summarize({k: r for k, r in rows.items() if r["near_leg"] == is_near})
            print(f"\n  tested leg {title}:")
            for key in ("clips", "angle_mae_deg", "angle_max_abs_deg", "angle_bias_deg", "trusted_trials",
                        "trusted_mae_deg", "trusted_max_abs_deg", "lift_precision", "lift_recall"):
                print(f"    {key:22} {part[key]}")
            figures[f"{name}_{side}_leg"] = part
        (OUT / f"accuracy_{name}.json").write_text(json.dumps({"rows": rows, "summary": summary}, indent=1))
    if args.suite == "full" or (args.write_ratchet and args.suite not in sections):
        figures["squat_full"] = squats(folder)
        figures["issue12"] = issue12(folder)
        figures["heel"] = heel(folder)
        if not args.no_media:
            real_clips()
    if args.write_ratchet:  # sections this run did not measure (the small squat suite's) are kept
        committed = json.loads(RATCHET.read_text()) if RATCHET.exists() else {}
        figures = {key: figures.get(key, value) for key, value in committed.items()} | figures
        RATCHET.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"\nwrote {RATCHET.relative_to(ROOT)}")
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
