"""The tests' plots as PNG files (matplotlib, imported here only, with its file-only backend).

Knee-to-wall: each tested leg's tibia angle against time, heel lifts shaded red, trials
grey, each trial's peak marked (filled: heel down; hollow: only with the heel up), the
restriction cut-off dashed. Squat: FPPA and turn-out change per rep and leg, against their
flag thresholds; what a rep's view did not measure is absent (said in the title).
"""

from __future__ import annotations

import os

import numpy as np

from ..landmarks import LEGS

LEG_COLOURS = ("#2b8ceb", "#f58c28")  # the overlay's left blue / right orange, as RGB


def _figure(rows: int, cols: int, size: tuple[float, float]):
    """A figure drawn by the file-only Agg canvas: no pyplot, no global backend or state, so
    threads (Dask workers) and a process with a window (live) are unaffected."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, cols, squeeze=False)


def _save(fig, path: str | os.PathLike) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_knee_to_wall(result, path: str | os.PathLike) -> None:
    kin = result.kinematics
    legs = [leg for leg in result.legs if leg.trials] or list(result.legs)
    fig, axes = _figure(max(1, len(legs)), 1, (8, 2.8 * max(1, len(legs))))
    cutoff = result.settings.references.restriction_deg
    side = np.nan_to_num(kin.front_side, nan=-1)
    for ax, leg in zip(axes[:, 0], legs):
        li = LEGS.index(leg.leg)
        t = kin.time_s
        tested = np.where((side == li) & kin.reliable[li], kin.tibia_deg[li], np.nan)
        ax.plot(t, kin.tibia_deg[li], color="#bbbbbb", lw=1, label="not the tested leg / not trusted")
        ax.plot(t, tested, color=LEG_COLOURS[li], lw=2, label=f"{leg.leg} tibia to vertical")
        for tr in leg.trials:
            ax.axvspan(tr.start_s, tr.end_s, color="#000000", alpha=0.06, lw=0)
            if tr.peak_deg is not None:
                ax.plot(tr.peak_s, tr.peak_deg, "o", color=LEG_COLOURS[li], ms=7)
                ax.annotate(f"T{tr.number} {tr.peak_deg:.1f}\u00b0", (tr.peak_s, tr.peak_deg),
                            textcoords="offset points", xytext=(4, 6), fontsize=8)
            else:  # no heel-down peak counted: the reason is the trial's note
                ax.plot(tr.peak_any_s, tr.peak_any_deg, "o", mfc="none", color=LEG_COLOURS[li], ms=7)
                ax.annotate(f"T{tr.number} not counted", (tr.peak_any_s, tr.peak_any_deg),
                            textcoords="offset points", xytext=(4, 6), fontsize=8, color="#c03030")
        for lift in leg.heel_lifts:  # this leg's lifts while it was tested (not as the back leg)
            ax.axvspan(lift.start_s, lift.end_s, color="#e03030", alpha=0.25, lw=0)
        ax.axhline(cutoff, color="#444444", ls="--", lw=1)
        ax.text(t[0], cutoff, f" {cutoff:g}\u00b0 cut-off", va="bottom", fontsize=8, color="#444444")
        best = f"best {leg.best_deg:.1f}\u00b0 (trial {leg.best_trial})" if leg.best_deg is not None else "no result"
        ax.set_title(f"{leg.leg} leg: {best}, {leg.classification.value.replace('_', ' ')}", fontsize=10)
        ax.set_ylabel("tibia to vertical (deg)")
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("time (s); red: heel lifted; grey bands: trials; hollow: not counted (see the report)")
    if not legs:
        axes[0, 0].text(0.5, 0.5, "no tested leg found", ha="center", va="center", transform=axes[0, 0].transAxes)
    _save(fig, path)


def plot_squat(result, path: str | os.PathLike) -> None:
    refs, sex = result.settings.references, result.settings.sex
    fig, axes = _figure(1, 2, (9, 3.4))
    ax_fppa, ax_turn = axes[0]
    numbers = [rep.number for rep in result.reps]
    measured = set()  # the panels with at least one rep's value
    for li, leg in enumerate(LEGS):
        fppa = [getattr(rep.fppa_deg, leg) if rep.fppa_deg is not None else None for rep in result.reps]
        turn = [rep.turnout[leg].change_deg if rep.turnout and rep.turnout.get(leg) else None for rep in result.reps]
        for ax, values in ((ax_fppa, fppa), (ax_turn, turn)):
            pts = [(n, v) for n, v in zip(numbers, values) if v is not None]
            if pts:
                measured.add(ax)
                x, y = zip(*pts)
                ax.plot(np.asarray(x) + (li - 0.5) * 0.15, y, "o", color=LEG_COLOURS[li], label=leg, ms=7)
    threshold = refs.fppa_threshold_deg(sex)
    for ax, limit, title, ylabel in (
        (ax_fppa, threshold, f"FPPA per rep (flag above {threshold:g}\u00b0)", "FPPA (deg, + = valgus)"),
        (ax_turn, refs.turnout_change_deg, f"turn-out change per rep (flag above {refs.turnout_change_deg:g}\u00b0)",
         "turn-out change (deg)"),
    ):
        ax.axhline(limit, color="#c03030", ls="--", lw=1)
        ax.axhline(0, color="#888888", lw=0.8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("rep")
        ax.grid(alpha=0.3)
        if numbers:
            ax.set_xticks(numbers)
        if ax not in measured:
            ax.text(0.5, 0.5, "not measured: no front-view rep", ha="center", va="center", transform=ax.transAxes,
                    color="#666666")
        else:
            ax.legend(fontsize=8)
    _save(fig, path)
