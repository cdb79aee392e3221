"""Horizontal bar charts as server-rendered SVG, for the reports page.

No script, no external service, no style attributes (the content security policy forbids inline
styles): sizes and colours are SVG presentation attributes. Every chart sits next to a table of
the same figures, and every bar is labelled with its words and its number, so nothing depends on
colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

DEFAULT_FILL = "#1d70b8"  # GOV.UK blue: 5.2:1 against white
TEXT_FILL = "#0b0c0c"
LABEL_WIDTH = 330
BAR_AREA = 300
VALUE_WIDTH = 70
ROW_HEIGHT = 28
BAR_HEIGHT = 18
FONT_SIZE = 14


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    fill: str = DEFAULT_FILL
    shown: str | None = None  # the text after the bar; the value if not given


def bar_chart(
    chart_id: str, title: str, bars: Sequence[Bar], *, maximum: float | None = None
) -> Markup:
    """An accessible SVG bar chart; `chart_id` must be unique on the page."""
    top = max([maximum or 0.0, *(b.value for b in bars)]) or 1.0
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = ROW_HEIGHT * len(bars) + 8
    title_id = f"{chart_id}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{escape(title_id)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-size="{FONT_SIZE}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * ROW_HEIGHT
        length = 0.0 if bar.value <= 0 else max(2.0, BAR_AREA * bar.value / top)
        middle = y + BAR_HEIGHT / 2
        shown = bar.shown if bar.shown is not None else _number(bar.value)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{TEXT_FILL}">{escape(_shorten(bar.label))}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{escape(bar.fill)}"><title>{escape(bar.label)}: {escape(shown)}</title></rect>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="middle" fill="{TEXT_FILL}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    # Safe: every value from outside this function went through escape() above.
    return Markup("".join(parts))  # noqa: S704


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _shorten(text: str, limit: int = 40) -> str:
    # The full label is in the bar's tooltip and in the table beside the chart.
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
