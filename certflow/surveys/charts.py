"""Result charts as SVG drawn on the server: no script, no web font, nothing fetched from elsewhere.

Each chart is an <svg role="img"> with a <title> and <desc> (screen readers read those) and every
number written out as text; the page shows the same numbers in a table as well. The viewBox is narrow
(360 units) so the text stays legible when a phone shrinks the chart to its width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from certflow.surveys.statistics import Outcome, Verdict, percent_text

WIDTH = 360
# A diverging palette that stays distinguishable with red–green colour blindness (ColorBrewer RdBu).
COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#c8c8c8", 4: "#67a9cf", 5: "#2166ac"}
INK = {1: "#ffffff", 2: "#1d2327", 3: "#1d2327", 4: "#1d2327", 5: "#ffffff"}
PASS, FAIL, MUTED, TEXT, LINE = "#1e6b3a", "#9b1c1c", "#5f6b73", "#1d2327", "#d8dee2"


@dataclass(frozen=True)
class Row:
    label: str
    counts: dict[int, int]  # rating → number of answers
    satisfied_min: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied_share(self) -> Fraction | None:
        satisfied = sum(n for value, n in self.counts.items() if value >= self.satisfied_min)
        return Fraction(satisfied, self.total) if self.total else None


def _text(x, y, content, *, size=12, anchor="start", fill=TEXT, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"'
        f"{' font-weight=' + chr(34) + weight + chr(34) if weight != 'normal' else ''}>{escape(content)}</text>"
    )


def _svg(chart_id: str, height: float, title: str, desc: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece of text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'style="width:100%;max-width:30rem;height:auto" font-family="inherit">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def distribution_svg(
    rows: Sequence[Row], scale_labels: Sequence[tuple[int, str]], *, chart_id: str = "distribution"
) -> SafeString:
    """One 100 % bar per dimension, split by rating 1–5, with each dimension's satisfied share."""
    title = _("各维度评分分布")
    parts: list[str] = []
    lines: list[str] = []
    y = 8.0
    bar_h = 22
    for row in rows:
        share = row.satisfied_share
        heading = f"{row.label}  ·  n = {row.total}"
        if share is not None:
            heading += "  ·  " + _("满意") + f" {percent_text(share)}"
        parts.append(_text(0, y + 12, heading, size=14, weight="600"))
        y += 18
        if row.total == 0:
            parts.append(f'<rect x="0" y="{y:.1f}" width="{WIDTH}" height="{bar_h}" fill="#f5f7f8" stroke="{LINE}"/>')
            parts.append(_text(WIDTH / 2, y + 15, _("无人作答"), size=12, anchor="middle", fill=MUTED))
        else:
            x = 0.0
            for value in sorted(row.counts):
                n = row.counts[value]
                if not n:
                    continue
                width = WIDTH * n / row.total
                fill = COLOURS.get(value, MUTED)
                parts.append(
                    f'<rect x="{x:.2f}" y="{y:.1f}" width="{width:.2f}" height="{bar_h}" fill="{fill}">'
                    f"<title>{escape(f'{row.label} {value}: {n}')}</title></rect>"
                )
                if width >= 34:
                    label = percent_text(Fraction(n, row.total), places=0)
                    parts.append(
                        _text(x + width / 2, y + 15, label, size=12, anchor="middle", fill=INK.get(value, TEXT))
                    )
                x += width
        lines.append(
            f"{row.label}: "
            + ", ".join(f"{value}={row.counts[value]}" for value in sorted(row.counts))
            + (f" ({_('满意')} {percent_text(share)})" if share is not None else "")
        )
        y += bar_h + 14
    # Legend in rows of three, so it fits a phone's width.
    for i, (value, label) in enumerate(scale_labels):
        lx = (i % 3) * (WIDTH / 3)
        ly = y + (i // 3) * 20
        parts.append(f'<rect x="{lx:.1f}" y="{ly:.1f}" width="14" height="14" fill="{COLOURS.get(value, MUTED)}"/>')
        parts.append(_text(lx + 19, ly + 12, f"{value} {label}", size=13))
    y += ((len(scale_labels) + 2) // 3) * 20
    desc = _("每个维度一条横条，按评分 1–5 分段，段长为该评分所占比例。") + " " + "; ".join(lines)
    return _svg(chart_id, y + 4, title, desc, parts)


def result_svg(outcome: Outcome, *, chart_id: str = "result") -> SafeString:
    """The share on a 0–100 % scale, the threshold line, and the Wilson interval as a whisker."""
    title = _("满意度结果与达标线")
    note = ""
    left, right = 10.0, WIDTH - 10.0
    span = right - left

    def at(value) -> float:
        return left + span * float(value)

    threshold = outcome.threshold
    parts = []
    bar_y, bar_h = 46.0, 24.0
    if outcome.verdict == Verdict.NO_RESULT:
        headline = _("暂无结果：尚无已作答评分")
        colour = MUTED
    else:
        verdict = _("达标") if outcome.passed else _("未达标")
        colour = PASS if outcome.passed else FAIL
        headline = f"{_('满意度')} {outcome.share_text}（{outcome.fraction_text}）{verdict}"
    parts.append(_text(left, 18, headline, size=16, weight="600", fill=colour))
    parts.append(f'<rect x="{left}" y="{bar_y}" width="{span}" height="{bar_h}" fill="#eef1f3" stroke="{LINE}"/>')
    if outcome.share is not None:
        parts.append(
            f'<rect x="{left}" y="{bar_y}" width="{span * float(outcome.share):.2f}" height="{bar_h}" fill="{colour}"/>'
        )
    tx = at(threshold)
    parts.append(
        f'<line x1="{tx:.2f}" y1="{bar_y - 8}" x2="{tx:.2f}" y2="{bar_y + bar_h + 4}" stroke="{TEXT}" '
        'stroke-width="2" stroke-dasharray="4 2"/>'
    )
    parts.append(_text(tx, bar_y - 11, _("达标线") + f" {outcome.threshold_text}", size=12, anchor="middle"))
    y = bar_y + bar_h + 16
    if outcome.interval is not None:
        lo, hi = at(outcome.interval.low), at(outcome.interval.high)
        parts.append(f'<line x1="{lo:.2f}" y1="{y}" x2="{hi:.2f}" y2="{y}" stroke="{TEXT}" stroke-width="1.5"/>')
        for x in (lo, hi):
            parts.append(
                f'<line x1="{x:.2f}" y1="{y - 5}" x2="{x:.2f}" y2="{y + 5}" stroke="{TEXT}" stroke-width="1.5"/>'
            )
        parts.append(f'<circle cx="{at(outcome.share):.2f}" cy="{y}" r="3.5" fill="{colour}"/>')
    for tick in range(0, 101, 20):
        x = at(Fraction(tick, 100))
        parts.append(f'<line x1="{x:.2f}" y1="{y + 10}" x2="{x:.2f}" y2="{y + 14}" stroke="{MUTED}"/>')
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        parts.append(_text(x, y + 27, f"{tick} %", size=12, anchor=anchor, fill=MUTED))
    y += 34
    if outcome.interval is not None:
        confidence = percent_text(outcome.interval.confidence, places=0)
        note = _("%(confidence)s 置信区间（Wilson）：%(interval)s") % {
            "confidence": confidence,
            "interval": outcome.interval_text,
        }
        parts.append(_text(left, y + 13, note, size=12, fill=MUTED))
        parts.append(_text(left, y + 29, _("仅供参考，不作为判定依据"), size=12, fill=MUTED))
        y += 35
    desc = headline + "; " + _("达标线") + f" {outcome.threshold_text}"
    if outcome.interval is not None:
        desc += "; " + note + "，" + _("仅供参考，不作为判定依据")
    return _svg(chart_id, y + 4, title, desc, parts)
