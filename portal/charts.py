"""Server-drawn SVG charts: no script, no inline styles (the CSP forbids both), and always
shown beside a table of the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from portal.formatting import number

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 56
TARGET_COLOUR = "#505a5f"
DELIVERED_COLOUR = "#1d70b8"


def trajectory(
    labels: Sequence[str],
    expected: Sequence[Decimal],
    delivered: Sequence[Decimal | None],
    *,
    notes: Sequence[str | None] = (),
    chart_id: str,
    title: str,
    description: str,
) -> Markup:
    """Expected (dashed) against delivered (solid, as far as figures are accepted), by quarter.
    A quarter with a note ("Awaiting review", "No return") says so under its point; the solid
    line breaks where a quarter has no figure, rather than drawing one that does not exist."""
    if not labels:
        return Markup("")
    top = max([*expected, *(d for d in delivered if d is not None), Decimal(1)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels) - 1)

    def point(index: int, value: Decimal) -> str:
        x = LEFT + index * step
        y = TOP + plot_h - float(value / top) * plot_h
        return f"{x:.1f},{y:.1f}"

    parts = _frame(labels, top, chart_id=chart_id, title=title, description=description)
    parts.append(
        f'<polyline fill="none" stroke="{TARGET_COLOUR}" stroke-width="3" '
        f'stroke-dasharray="8 6" points="'
        + " ".join(point(i, v) for i, v in enumerate(expected))
        + '"/>'
    )
    for run in _runs(delivered):
        if len(run) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{DELIVERED_COLOUR}" stroke-width="4" '
                'points="' + " ".join(point(i, v) for i, v in run) + '"/>'
            )
        for i, v in run:
            cx, cy = point(i, v).split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="4" fill="{DELIVERED_COLOUR}"/>')
    for index, note in enumerate(notes):
        if note:  # written upwards from the axis, so that neighbouring notes never overlap
            x, y = LEFT + index * step + 4, TOP + plot_h - 6
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" transform="rotate(-90 {x:.1f} {y:.1f})" '
                f'font-size="11" fill="#0b0c0c">{escape(note)}</text>'
            )
    legend_y = HEIGHT - 14
    parts += [
        f'<line x1="{LEFT}" y1="{legend_y - 4}" x2="{LEFT + 28}" y2="{legend_y - 4}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="3" stroke-dasharray="8 6"/>',
        f'<text x="{LEFT + 34}" y="{legend_y}" font-size="12" fill="#0b0c0c">Expected</text>',
        f'<line x1="{LEFT + 120}" y1="{legend_y - 4}" x2="{LEFT + 148}" y2="{legend_y - 4}" '
        f'stroke="{DELIVERED_COLOUR}" stroke-width="4"/>',
        f'<text x="{LEFT + 154}" y="{legend_y}" font-size="12" fill="#0b0c0c">Delivered '
        "(accepted)</text>",
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)


def _frame(
    labels: Sequence[str],
    top: Decimal,
    *,
    chart_id: str,
    title: str,
    description: str,
    unit: str = "",
) -> list[str]:
    """The opening of a chart: its title and description, gridlines with their values (in
    `unit`), and the quarters along the bottom."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="portal-chart" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="Helvetica Neue, Helvetica, Arial, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for fraction in (0, 0.5, 1):  # gridlines with their values
        y = TOP + plot_h - fraction * plot_h
        value = top * Decimal(str(fraction))
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#0b0c0c">{number(value, places=1)}{unit}</text>'
        )
    for index, label in enumerate(labels):
        if len(labels) <= 8 or index % 2 == 0 or index == len(labels) - 1:
            x = LEFT + index * step
            # The last label ends at its point, so a long one ("2025/26") stays inside.
            anchor = "end" if index == len(labels) - 1 and index else "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}" '
                f'font-size="11" fill="#0b0c0c">{escape(label.split(" ")[0])}</text>'
            )
    return parts


# The fair-work shares: each its own colour and dash, so that they differ without colour too.
SHARE_STYLES = (
    ("#1d70b8", ""),
    ("#00703c", "2 4"),
    ("#912b88", "10 5"),
    ("#d4351c", "4 4 12 4"),
)


def shares(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    chart_id: str,
    title: str,
    description: str,
) -> Markup:
    """Percentages by quarter, 0 to 100%, one line for each named series (at most four). A
    quarter whose figure is not known breaks its line, as in `trajectory`."""
    if not labels:
        return Markup("")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels) - 1)
    top = Decimal(100)

    def point(index: int, value: Decimal) -> str:
        return f"{LEFT + index * step:.1f},{TOP + plot_h - float(value / top) * plot_h:.1f}"

    parts = _frame(labels, top, chart_id=chart_id, title=title, description=description, unit="%")
    legend = []
    for position, ((name, values), (colour, dash)) in enumerate(
        zip(series, SHARE_STYLES, strict=False)
    ):
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(values):
            if len(run) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="3"{dashed} '
                    'points="' + " ".join(point(i, v) for i, v in run) + '"/>'
                )
            for i, v in run:
                cx, cy = point(i, v).split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="4" fill="{colour}"/>')
        x = LEFT + (position % 2) * 290
        y = HEIGHT - 22 + (position // 2) * 16
        legend += [
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 28}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="3"{dashed}/>',
            f'<text x="{x + 34}" y="{y}" font-size="12" fill="#0b0c0c">{escape(name)}</text>',
        ]
    parts += [*legend, "</svg>"]
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)


def _runs(values: Sequence[Decimal | None]) -> list[list[tuple[int, Decimal]]]:
    """Consecutive quarters that have a figure, each run drawn as one line."""
    runs: list[list[tuple[int, Decimal]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]


def bars(
    items: Sequence[tuple[str, Decimal | None]],
    *,
    chart_id: str,
    title: str,
    description: str,
) -> Markup:
    """Shares of a whole, 0 to 100%: one labelled horizontal bar each, its figure written
    beside it (a share not known is written so, with no bar)."""
    if not items:
        return Markup("")
    label_w, bar_w, row_h = 170, WIDTH - 170 - 80, 30
    height = TOP + row_h * len(items) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="portal-chart" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="Helvetica Neue, Helvetica, Arial, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, percent) in enumerate(items):
        y = TOP + index * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="13" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
        width = float(percent) / 100 * bar_w if percent is not None else 0.0
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 10}" '
            f'fill="{DELIVERED_COLOUR}"/>'
        )
        figure = f"{number(percent, places=1)}%" if percent is not None else "Not known"
        parts.append(
            f'<text x="{label_w + width + 6:.1f}" y="{y + 19}" font-size="13" '
            f'fill="#0b0c0c">{figure}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)
