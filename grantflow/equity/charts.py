"""Inline SVG charts for the audit page and PDF: no JavaScript, no external requests.

Each chart is an `<svg role="img">` with a `<title>` and `<desc>` (the desc states every value, so
a screen reader hears the chart), and the page always shows the same numbers as a data table next
to it. Withheld values draw no bar and say "Withheld"; award rates carry their 95% interval as a
whisker.
"""
from __future__ import annotations

import itertools
from typing import Optional, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from grantflow.equity.wording import pct, pct_range, stage_label

_ids = itertools.count(1)
COLORS = ("#1f5f8b", "#c2571a", "#4b7f3a", "#7a4b9a", "#8a6d1d", "#555555")


def _pct(v: Optional[float]) -> str:
    return _("Withheld") if v is None else pct(v)


def bar_chart(title: str, rows: Sequence[tuple[str, Optional[float]]], *, series: Sequence[str] = (),
              multi: Sequence[Sequence[Optional[float]]] | None = None, marker: Optional[float] = None,
              marker_label: str = "", width: int = 560,
              intervals: Sequence[Optional[Sequence[float]]] | None = None) -> Markup:
    """Horizontal bars of shares (0..1). `rows` are (label, value); with `multi`, each row has one
    value per entry of `series` (grouped bars, with a legend); `intervals` (one per row, single
    series) draws each value's 95% interval."""
    uid = f"chart{next(_ids)}"
    values = multi if multi is not None else [[v] for _, v in rows]
    names = list(series) or [""]
    bar_h, gap, label_w = 14, 10, 170
    plot_w = width - label_w - 70
    row_h = bar_h * len(names) + gap
    legend_h = 22 if multi is not None else 0
    height = legend_h + row_h * len(rows) + 24
    vmax = 1.0  # shares and rates
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-labelledby="{uid}-t {uid}-d">',
             f'<title id="{uid}-t">{escape(title)}</title>']
    desc = []
    cis = list(intervals) if intervals is not None else [None] * len(rows)
    for (label, _value), vs, ci in zip(rows, values, cis):
        shown = ", ".join(_("%(series)s %(value)s", series=n, value=_pct(v)) if n else _pct(v)
                          for n, v in zip(names, vs))
        desc.append(_("%(group)s: %(values)s (95%% interval %(interval)s)", group=label, values=shown,
                      interval=pct_range(ci)) if ci else _("%(group)s: %(values)s", group=label, values=shown))
    parts.append(f'<desc id="{uid}-d">{escape("; ".join(desc))}.</desc>')
    if multi is not None:
        x = label_w
        for i, n in enumerate(names):
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLORS[i % len(COLORS)]}"/>'
                         f'<text x="{x + 16}" y="14" font-size="11">{escape(n)}</text>')
            x += 20 + 7 * len(n)
    y = legend_h
    for (label, _value), vs, ci in zip(rows, values, cis):
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h * len(names) / 2 + 4:.0f}" font-size="11" '
                     f'text-anchor="end">{escape(label[:28])}</text>')
        for i, v in enumerate(vs):
            by = y + i * bar_h
            if v is None:
                parts.append(f'<text x="{label_w + 4}" y="{by + bar_h - 3}" font-size="10" '
                             f'font-style="italic">{escape(_("Withheld"))}</text>')
                continue
            w = max(0.0, min(1.0, v / vmax)) * plot_w
            parts.append(f'<rect x="{label_w}" y="{by + 1}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{COLORS[i % len(COLORS)]}"/>')
            end = w
            if ci:
                lo, hi = (label_w + max(0.0, min(1.0, c)) * plot_w for c in ci)
                mid = by + bar_h / 2
                parts.append(f'<path d="M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - 4:.1f}V{mid + 4:.1f}'
                             f'M{hi:.1f} {mid - 4:.1f}V{mid + 4:.1f}" stroke="#222" fill="none"/>')
                end = max(w, hi - label_w)
            parts.append(f'<text x="{label_w + end + 4:.1f}" y="{by + bar_h - 3}" font-size="10">{escape(_pct(v))}</text>')
        y += row_h
    if marker is not None:
        mx = label_w + marker / vmax * plot_w
        parts.append(f'<line x1="{mx:.1f}" y1="{legend_h}" x2="{mx:.1f}" y2="{y}" stroke="#222" '
                     f'stroke-dasharray="4 3"/>'
                     f'<text x="{mx:.1f}" y="{y + 14}" font-size="10" text-anchor="middle">{escape(marker_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def rate_chart(dim: dict) -> Markup:
    """Award rate by group, with the four-fifths line drawn at 0.8 × the reference group's rate."""
    ref = next((g for g in dim["groups"] if g["is_reference"]), None)
    marker = None if ref is None or ref["award_rate"] is None else 0.8 * ref["award_rate"]
    groups = [g for g in dim["groups"] if g["applicants"] != 0]
    return bar_chart(_("Award rate by group: %(dimension)s", dimension=dim["label"]),
                     [(g["label"], g["award_rate"]) for g in groups],
                     marker=marker, marker_label=_("four-fifths of the reference rate") if marker is not None else "",
                     intervals=[g["award_rate_ci"] for g in groups])


def share_chart(dim: dict) -> Markup:
    groups = [g for g in dim["groups"] if g["applicants"] != 0]
    return bar_chart(_("Share of applicants, awards and dollars: %(dimension)s", dimension=dim["label"]),
                     [(g["label"], None) for g in groups],
                     series=(_("applicants"), _("awards"), _("dollars")),
                     multi=[(g["share_of_applicants"], g["share_of_awards"], g["share_of_dollars"]) for g in groups])


def funnel_chart(dim: dict, stages: Sequence[str]) -> Markup:
    rows = [r for r in dim["funnel"] if r["stages"]["applied"] != 0]
    return bar_chart(_("Share of each group reaching each stage: %(dimension)s", dimension=dim["label"]),
                     [(r["label"], None) for r in rows], series=tuple(stage_label(s) for s in stages),
                     multi=[tuple(r["share_reaching"][s] for s in stages) for r in rows])
