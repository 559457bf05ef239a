"""Charts as inline SVG, drawn on the server: no script, no library, no request.

Each series differs by pattern as well as by colour (Okabe-Ito colours, which
colour-blind readers tell apart) and every bar carries its value as text, so a
chart reads the same in greyscale print. The page's CSP forbids inline styles:
everything here is an SVG attribute or a class that style.css styles. Floats are
used for geometry only; every printed number comes from the exact decimal.

Each chart is drawn twice, `WIDE` and `NARROW`, and the stylesheet shows the one
that fits: an SVG scales its text with its width, so a 760-unit chart on a
390 px phone would print 6 px labels. The narrow one puts each class's name on a
line above its bars. A label inside a bar is drawn only where it fits, with
room to spare before the total beside the bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from rebalance_service.web.formatting import INVESTABLE, TAX_GROUP_LABELS, percent_text, short_money
from rebalancer.catalogue import TaxGroup


@dataclass(frozen=True)
class Layout:
    name: str  # the class of the <svg>: "wide" or "narrow"
    width: int
    name_width: int  # beside the bars; 0: the name goes on a line above them
    series_width: int = 60  # "before", "after", "target"
    value_room: int = 80  # for the value after the longest bar

    @property
    def bar_x(self) -> int:
        return self.name_width + self.series_width

    @property
    def bar_width(self) -> int:
        return self.width - self.bar_x - self.value_room

    @property
    def name_row(self) -> int:
        return 0 if self.name_width else 18


WIDE = Layout("wide", 760, 130)
NARROW = Layout("narrow", 360, 0, 52, 62)
WIDTH = WIDE.width
_CHAR = 6.6  # the width of one character of an 11 px label, generously
_LEGEND_HEIGHT = 34
_AXIS_HEIGHT = 26
_BAR = 15
_GAP = 3
_GROUP_GAP = 16
_INK = "#1a1a1a"


@dataclass(frozen=True)
class ClassBars:
    """One asset class: its share of the portfolio before, after and as targeted, in percent."""

    name: str
    before: Decimal
    after: Decimal
    target: Decimal


@dataclass(frozen=True)
class Placement:
    """One asset class: its dollars in each tax group, before and after."""

    name: str
    before: Mapping[str, Decimal]
    after: Mapping[str, Decimal]


@dataclass(frozen=True)
class _Series:
    key: str
    label: str
    fill: str  # a colour or a pattern's url
    dash: str = ""


def _patterns(prefix: str) -> str:
    """Hatching, dots and a solid fill: told apart without colour."""
    return (
        "<defs>"
        f'<pattern id="{prefix}-hatch-orange" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#E69F00"/>'
        '<rect width="2" height="6" fill="#ffffff"/></pattern>'
        f'<pattern id="{prefix}-hatch-green" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(-45)"><rect width="6" height="6" fill="#009E73"/>'
        '<rect width="2" height="6" fill="#ffffff"/></pattern>'
        f'<pattern id="{prefix}-dots-pink" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#CC79A7"/><circle cx="3" cy="3" r="1.3" fill="#ffffff"/>'
        "</pattern></defs>"
    )


def _text(x: float, y: float, content: str, css: str = "", anchor: str = "start") -> str:
    cls = f' class="{css}"' if css else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle"'
        f"{cls}>{escape(content)}</text>"
    )


def _rect(x: float, y: float, width: float, height: float, series: _Series) -> str:
    dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}"'
        f' fill="{series.fill}" stroke="{_INK}" stroke-width="1"{dash}/>'
    )


def _legend(series: Sequence[_Series], layout: Layout) -> str:
    parts, x = [], float(layout.bar_x if layout.name_width else 0)
    for s in series:
        parts.append(_rect(x, 8, 22, 14, s))
        parts.append(_text(x + 28, 15, s.label, "legend"))
        x += 40 + 7 * len(s.label)
    return "".join(parts)


def _axis(
    top: float, bottom: float, scale: float, ticks: Iterable[float], unit: str, *, layout: Layout
) -> str:
    parts = []
    for tick in ticks:
        x = layout.bar_x + layout.bar_width * tick / scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" class="grid"/>'
        )
        label = f"{tick:g} %" if unit == "%" else short_money(Decimal(str(round(tick))))
        parts.append(_text(x, bottom + 12, label, "tick", "middle"))
    return "".join(parts)


def _svg(
    chart_id: str, height: float, title: str, description: str, body: str, *, layout: Layout
) -> Markup:
    # Every piece of text in `body` went through `escape`; the rest is our own markup.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {layout.name}" id="{chart_id}"'
        f' viewBox="0 0 {layout.width} {height:.0f}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{_patterns(chart_id)}{body}</svg>"
    )


def _nice_ceiling(value: float, step: float) -> float:
    return max(step, step * -(-value // step))


def allocation_chart(
    rows: Sequence[ClassBars], chart_id: str = "chart-allocation", layout: Layout = WIDE
) -> Markup:
    """Per class, three bars: the share before, after and the target, each labelled."""
    series = (
        _Series("before", "Before", f"url(#{chart_id}-hatch-orange)"),
        _Series("after", "After", "#0072B2"),
        _Series("target", "Target", "#ffffff", "4 2"),
    )
    largest = max((float(v) for r in rows for v in (r.before, r.after, r.target)), default=0)
    scale = min(100.0, _nice_ceiling(largest, 10))
    group = 3 * _BAR + 2 * _GAP
    step = group + _GROUP_GAP + layout.name_row
    top = float(_LEGEND_HEIGHT)
    bottom = top + len(rows) * step
    ticks = [scale * i / 4 for i in range(5)]
    parts = [_legend(series, layout), _axis(top, bottom, scale, ticks, "%", layout=layout)]
    bar_x = layout.bar_x
    for i, row in enumerate(rows):
        y = top + _GROUP_GAP / 2 + i * step + layout.name_row
        parts.append(_name(row.name, y, group, layout))
        for j, s in enumerate(series):
            value: Decimal = getattr(row, s.key)
            bar_y = y + j * (_BAR + _GAP)
            width = layout.bar_width * min(float(value), scale) / scale
            parts.append(_text(bar_x - 6, bar_y + _BAR / 2, s.label.lower(), "series", "end"))
            parts.append(_rect(bar_x, bar_y, width, _BAR, s))
            parts.append(_text(bar_x + width + 5, bar_y + _BAR / 2, percent_text(value), "value"))
    summary = "; ".join(
        f"{r.name}: {percent_text(r.before)} before, {percent_text(r.after)} after, "
        f"target {percent_text(r.target)}"
        for r in rows
    )
    return _svg(
        chart_id,
        bottom + _AXIS_HEIGHT,
        "Allocation by asset class: before, after and target",
        summary,
        "".join(parts),
        layout=layout,
    )


def _name(name: str, y: float, group: float, layout: Layout) -> str:
    """A class's name: beside its bars, or on the line above them."""
    if layout.name_width:
        return _text(0, y + group / 2, name, "name")
    return _text(0, y - layout.name_row / 2 - 1, name, "name")


def placement_chart(
    rows: Sequence[Placement], chart_id: str = "chart-placement", layout: Layout = WIDE
) -> Markup:
    """Per class, a stacked bar of its dollars by tax group, before and after."""
    fills: dict[str, str] = {
        TaxGroup.TAXABLE: "#56B4E9",
        TaxGroup.TAX_DEFERRED: f"url(#{chart_id}-hatch-green)",
        TaxGroup.TAX_FREE: f"url(#{chart_id}-dots-pink)",
    }
    series = {g: _Series(g, TAX_GROUP_LABELS[g], fill) for g, fill in fills.items()}
    totals = [float(sum(side.values(), Decimal(0))) for r in rows for side in (r.before, r.after)]
    largest = max(totals, default=0.0)
    step = 10 ** max(0, len(str(int(largest))) - 1) if largest >= 1 else 1
    scale = _nice_ceiling(largest, step)
    group = 2 * _BAR + _GAP
    step = group + _GROUP_GAP + layout.name_row
    top = float(_LEGEND_HEIGHT)
    bottom = top + len(rows) * step
    ticks = [scale * i / 4 for i in range(5)]
    parts = [
        _legend(list(series.values()), layout),
        _axis(top, bottom, scale, ticks, "$", layout=layout),
    ]
    for i, row in enumerate(rows):
        y = top + _GROUP_GAP / 2 + i * step + layout.name_row
        parts.append(_name(row.name, y, group, layout))
        for j, (label, side) in enumerate((("before", row.before), ("after", row.after))):
            bar_y = y + j * (_BAR + _GAP)
            parts.append(_text(layout.bar_x - 6, bar_y + _BAR / 2, label, "series", "end"))
            x = float(layout.bar_x)
            split = sum(1 for g in INVESTABLE if side.get(g, Decimal(0)) > 0) > 1
            for group_name in INVESTABLE:
                amount = side.get(group_name, Decimal(0))
                if amount <= 0:
                    continue
                width = layout.bar_width * float(amount) / scale
                parts.append(_rect(x, bar_y, width, _BAR, series[group_name]))
                text = short_money(amount)
                if split and fits_inside(text, width):
                    middle = (x + width / 2, bar_y + _BAR / 2)
                    parts.append(_text(*middle, text, "inbar", "middle"))
                x += width
            total = sum(side.values(), Decimal(0))
            parts.append(_text(x + 5, bar_y + _BAR / 2, short_money(total), "value"))
    summary = "; ".join(
        f"{r.name} {label}: "
        + ", ".join(
            f"{TAX_GROUP_LABELS[g]} {short_money(side[g])}" for g in INVESTABLE if side.get(g)
        )
        for r in rows
        for label, side in (("before", r.before), ("after", r.after))
        if any(side.values())
    )
    return _svg(
        chart_id,
        bottom + _AXIS_HEIGHT,
        "Where each asset class sits, by tax group, before and after",
        summary or "Nothing is held.",
        "".join(parts),
        layout=layout,
    )


def fits_inside(text: str, width: float) -> bool:
    """Whether a label fits inside a bar segment with a margin on each side."""
    return len(text) * _CHAR + 12 <= width
