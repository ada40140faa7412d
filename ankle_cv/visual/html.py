"""``report.html``: one self-contained file to hand on (styles inline, pictures as data URIs,
no script, no external asset), readable offline and printable.

It holds the clip's facts, each leg's result against the reference values, the plot, the
annotated frame of each leg's best angle (or each rep's bottom), the quality warnings and
the plain-text summary the terminal showed.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html

from ..landmarks import LEGS
from ..protocols.references import CREST_OFFSET, VALIDATION

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:980px;margin:24px auto;
padding:0 16px;color:#1d1d1f;line-height:1.45}
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:.92em}table{border-collapse:collapse;margin:8px 0;font-size:.95em}
th,td{border:1px solid #ccc;padding:5px 9px;text-align:left;vertical-align:top}th{background:#f3f3f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}.big{font-size:1.25em;font-weight:600}
.flag{color:#b3261e;font-weight:600}.ok{color:#1e7b34;font-weight:600}.muted{color:#666}.warn{color:#a05a00;font-weight:600}
img{max-width:100%;border:1px solid #ddd}figure img{max-height:720px;width:auto}
figure{margin:10px 0 18px}figcaption{font-size:.9em;color:#444}
pre{background:#f6f6f8;padding:10px;overflow-x:auto;font-size:.82em;white-space:pre-wrap}
ul.warn li{color:#8a4b00}@media print{body{margin:0}}
"""


def _e(value) -> str:
    return html.escape(str(value))


def _num(value, unit: str = "\u00b0", digits: int = 1) -> str:
    return "\u2014" if value is None else f"{value:.{digits}f}{unit}"


def _img(data: bytes, mime: str, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:{mime};base64,{base64.b64encode(data).decode("ascii")}">'


def _knee_to_wall_table(result) -> str:
    refs = result.settings.references
    rows = []
    for leg in result.legs:
        verdict = leg.classification.value.replace("_", " ") + (
            f" ({leg.classification_reason})" if leg.classification_reason else "")
        css = {"restricted": "flag", "borderline": "warn",
               "not_restricted": "ok"}.get(leg.classification.value, "muted")
        judged = {"shin_front_edge": "shin front edge",
                  "centre_line_plus_offset": f"centre line + {CREST_OFFSET.offset_deg:g}\u00b0"}.get(
                      leg.verdict_source or "", "")
        cm = ("\u2014" if leg.toe_to_wall_cm is None else
              f"{leg.toe_to_wall_cm:.1f} \u00b1 {leg.toe_to_wall_sd_cm:.1f} cm")
        rows.append(f"<tr><td>{_e(leg.leg)}</td><td class='num big'>{_num(leg.best_deg)}</td>"
                    f"<td class='num'>{_num(leg.best_crest_deg)}</td>"
                    f"<td class='num'>{_num(leg.verdict_angle_deg)}<br><span class='meta'>{_e(judged)}</span></td>"
                    f"<td class='num'>{_e(cm)}</td>"
                    f"<td class='num'>{_e(leg.best_trial or chr(8212))}</td><td class='num'>{len(leg.trials)}</td>"
                    f"<td class='num'>{len(leg.heel_lifts)}</td><td class='{css}'>{_e(verdict)}</td></tr>")
    asym = "" if result.asymmetry_deg is None else (
        f"<p>Left \u2212 right: <b>{result.asymmetry_deg:+.1f}\u00b0</b>"
        + (" <span class='flag'>(asymmetry flagged)</span>" if result.asymmetry_flagged else "") + "</p>")
    return (
        "<table><tr><th>leg</th><th>best tibia angle, heel down (centre line)</th><th>shin front edge</th>"
        "<th>judged on</th><th>toe to wall</th><th>trial</th><th>trials</th>"
        "<th>heel lifts</th><th>verdict</th></tr>" + "".join(rows) + "</table>" + asym
        + f"<p class='meta'>Reference: restricted below {refs.restriction_deg:g}\u00b0 (Backman &amp; Danielson "
        f"2011, inclinometer on the tibia); minimal detectable change {refs.mdc_deg:g}\u00b0 (Powden et al. 2015); "
        f"asymmetry flagged from {refs.asymmetry_deg:g}\u00b0; normal toe-to-wall distance "
        f"{refs.normal_distance_cm:g} \u00b1 {refs.normal_distance_sd_cm:g} cm (Hoch &amp; McKeon 2011). "
        "The verdict is "
        "judged on the shin's front edge (the inclinometer's line) where it was measured in the image, else on the "
        f"centre line plus the expected {CREST_OFFSET.offset_deg:g}\u00b0 crest offset (\u00b1 {CREST_OFFSET.sd_deg:g}"
        "\u00b0 between people, a wider borderline band). The angle is the ankle\u2192knee centre line against "
        f"the true vertical; on {VALIDATION.clips} rendered clips with known angles it read "
        f"{abs(VALIDATION.angle_bias_deg):.1f}\u00b0 {'low' if VALIDATION.angle_bias_deg < 0 else 'high'} on average "
        f"(mean error {VALIDATION.angle_mae_deg:.2f}\u00b0, worst {VALIDATION.angle_max_abs_deg:.2f}\u00b0).</p>")


def _squat_table(result) -> str:
    refs, sex = result.settings.references, result.settings.sex
    rows = []
    for leg in result.legs:
        rows.append(f"<tr><td>{_e(leg.leg)}</td><td class='num'>{_num(leg.fppa_median_deg)}</td>"
                    f"<td class='num'>{_num(leg.fppa_max_deg)}</td>"
                    f"<td class='num {'flag' if leg.fppa_flagged_reps else ''}'>{leg.fppa_flagged_reps} of "
                    f"{leg.fppa_reps}</td><td class='num'>{_num(leg.turnout_change_median_deg)}</td>"
                    f"<td class='num {'flag' if leg.turnout_flagged_reps else ''}'>{leg.turnout_flagged_reps} of "
                    f"{leg.turnout_reps}</td><td class='num {'flag' if leg.heel_lift_reps else ''}'>"
                    f"{leg.heel_lift_reps} of {leg.heel_reps}</td></tr>")
    flags = "".join(f"<li class='flag'>{_e(f.text)}</li>" for f in result.flags) or "<li class='ok'>none</li>"
    return (
        f"<p><span class='big'>{len(result.reps)} rep{'s' if len(result.reps) != 1 else ''}</span>"
        f" &nbsp; depth (hip drop) {_num(result.depth_median_leg, ' leg lengths', 2)}, knee flexion "
        f"{_num(result.knee_flexion_median_deg)}</p>"
        "<table><tr><th>leg</th><th>FPPA median</th><th>FPPA max</th><th>valgus reps</th>"
        "<th>turn-out change</th><th>turn-out reps</th><th>heel-lift reps</th></tr>" + "".join(rows) + "</table>"
        f"<p>Flags:</p><ul>{flags}</ul>"
        f"<p class='meta'>References: FPPA flagged above {refs.fppa_threshold_deg(sex):g}\u00b0 "
        f"({'for ' + sex if sex else 'sex not given: the upper normal limit of either sex'}; Herrington &amp; Munro "
        f"2010); left\u2212right FPPA beyond {refs.fppa_sdd_deg:g}\u00b0 (Munro et al. 2012); turn-out change "
        f"above {refs.turnout_change_deg:g}\u00b0 and knee-to-ankle separation below {refs.separation_ratio:g} "
        "(tool defaults). A screening flag, not a diagnosis.</p>")


def render_html(analysis, *, plot_png: bytes | None, frames: list[tuple[object, bytes]], frames_note: str = "",
                blurred: bool = True) -> str:
    """The report page of ``analysis``; ``frames`` are (KeyFrame, JPEG bytes)."""
    from .. import __version__

    result, protocol = analysis.result, analysis.protocol
    clip = result.clip
    table = _knee_to_wall_table(result) if protocol.name == "knee-to-wall" else _squat_table(result)
    warnings = "".join(f"<li>{_e(w.message)}</li>" for w in result.warnings)
    shown = "".join(f"<figure>{_img(data, 'image/jpeg', key.caption)}<figcaption>{_e(key.caption)}</figcaption>"
                    "</figure>" for key, data in frames)
    when = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    title = f"ankle-cv \u00b7 {protocol.name} \u00b7 {clip.source.rsplit('/', 1)[-1]}"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='meta'>{clip.n_frames} frames, {clip.duration_s:.1f} s at {clip.fps:.0f} fps, "
        f"{clip.frame_size_px[0]}\u00d7{clip.frame_size_px[1]} px \u00b7 person found in "
        f"{100 * clip.detection_rate:.0f}% of frames \u00b7 camera: {_e(result.camera.view.value)} view \u00b7 "
        f"ankle-cv {__version__} \u00b7 written {_e(when)}</p>",
        "<h2>Result</h2>", table,
        "<h2>Quality warnings</h2>" + (f"<ul class='warn'>{warnings}</ul>" if warnings else "<p class='ok'>none</p>"),
    ]
    if plot_png is not None:
        parts += ["<h2>Plot</h2>", _img(plot_png, "image/png", f"{protocol.name} plot")]
    side = "each leg's best angle" if protocol.name == "knee-to-wall" else "each rep's bottom"
    parts.append(f"<h2>Frames: {side}</h2>")
    parts.append(shown or f"<p class='muted'>{_e(frames_note or 'no frame to show')}</p>")
    if shown:
        parts.append("<p class='meta'>" + ("Faces blurred." if blurred else "Faces not blurred (--no-blur-faces).")
                     + " Legs: " + ", ".join(f"{leg} {c}" for leg, c in zip(LEGS, ("blue", "orange"))) + ".</p>")
    parts += ["<h2>Summary</h2>", f"<pre>{_e(analysis.summary())}</pre>",
              "<p class='meta'>Made on this computer by ankle-cv; nothing in it was sent anywhere.</p>",
              "</body></html>\n"]
    return "\n".join(parts)
