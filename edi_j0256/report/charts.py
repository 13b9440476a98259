"""The report's charts, drawn by matplotlib as SVG text to inline in the page.

matplotlib is well kept, works offline, and its SVG needs no JavaScript, prints sharply and
keeps text as text (``svg.fonttype = none``), so a chart is a few kilobytes. Colours are the
Okabe-Ito palette (distinguishable with the common colour-vision deficiencies); every bar
carries its value, every axis its label.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # never a GUI backend, whatever the environment says

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from edi_j0256.report.data import AgingBucket, Money, Period  # noqa: E402
from edi_j0256.report.text import printable  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": the colours this report uses.
DENIED = "#D55E00"  # vermillion
LIKELY = "#009E73"  # bluish green
POSSIBLE = "#56B4E9"  # sky blue
TREND = "#0072B2"  # blue
AGING = "#E69F00"  # orange
INK = "#1d2330"
GRID = "#d5d9e2"

_STYLE = {
    "svg.fonttype": "none", "svg.hashsalt": "edi-j0256", "font.size": 9,
    "font.family": ["DejaVu Sans", "sans-serif"], "axes.edgecolor": GRID,
    "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK, "axes.spines.top": False,
    "axes.spines.right": False, "axes.titlesize": 10, "axes.titleweight": "bold",
}


def dollars(value: float | Decimal) -> str:
    value = float(value)
    if abs(value) >= 10_000:
        return f"${value / 1000:,.1f}k"
    return f"${value:,.0f}"


def _lines(count: int) -> str:
    return f"{count:,} line" + ("" if count == 1 else "s")


def _axis_dollars(value: float, _position) -> str:
    return dollars(value)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML declaration and DOCTYPE


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_STYLE):
        return Figure(figsize=(width, height), dpi=96, layout="constrained")


def _label(text: str, limit: int = 28) -> str:
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def denied_and_recoverable(rows: Sequence[Money], title: str, axis: str) -> str | None:
    """Horizontal bars per name: denied dollars, and recoverable (likely + possible) beside.

    None when no row has denied dollars.
    """
    rows = [r for r in rows if r.denied > 0]
    if not rows:
        return None
    with matplotlib.rc_context(_STYLE):
        per_row = 0.5 if any(r.detail for r in rows) else 0.3
        figure = _figure(6.2, 0.9 + per_row * len(rows) * (1.6 if _assessed(rows) else 1))
        ax = figure.add_subplot()
        names = [_label(r.name) + (f"\n{_label(r.detail, 24)}" if r.detail else "")
                 for r in rows][::-1]
        positions = list(range(len(rows)))
        if _assessed(rows):
            height = 0.38
            denied = [float(r.denied) for r in rows][::-1]
            likely = [float(r.recoverable_likely or 0) for r in rows][::-1]
            possible = [float(r.recoverable_possible or 0) for r in rows][::-1]
            top = [p + height / 2 for p in positions]
            low = [p - height / 2 for p in positions]
            bars = ax.barh(top, denied, height, color=DENIED, label="denied")
            ax.bar_label(bars, [dollars(v) for v in denied], padding=3, fontsize=8)
            ax.barh(low, likely, height, color=LIKELY, label="recoverable: likely")
            rest = ax.barh(low, possible, height, left=likely, color=POSSIBLE,
                           label="recoverable: possible")
            ax.bar_label(rest, [dollars(a + b) for a, b in zip(likely, possible, strict=True)],
                         padding=3, fontsize=8)
            ax.legend(loc="lower right", frameon=False, fontsize=8)
        else:
            denied = [float(r.denied) for r in rows][::-1]
            bars = ax.barh(positions, denied, 0.6, color=DENIED, label="denied")
            ax.bar_label(bars, [dollars(v) for v in denied], padding=3, fontsize=8)
        ax.set_yticks(positions, names)
        ax.set_xlabel("dollars")
        ax.set_ylabel(axis)
        ax.xaxis.set_major_formatter(FuncFormatter(_axis_dollars))
        ax.margins(x=0.18)
        ax.set_title(title, loc="left")
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        return _svg(figure)


def _assessed(rows: Sequence[Money]) -> bool:
    return any(r.recoverable_likely is not None for r in rows)


def trend(periods: Sequence[Period], unit: str) -> str | None:
    """Denied dollars by payment month (or week); None when there is no payment date."""
    if not periods:
        return None
    with matplotlib.rc_context(_STYLE):
        figure = _figure(6.2, 2.6)
        ax = figure.add_subplot()
        values = [float(p.denied) for p in periods]
        labels = [p.label if unit == "month" else p.start.strftime("%b %d") for p in periods]
        bars = ax.bar(range(len(periods)), values, 0.6, color=TREND)
        ax.bar_label(bars, [f"{dollars(v)}\n{_lines(p.lines)}" if v else "$0"
                            for v, p in zip(values, periods, strict=True)],
                     padding=2, fontsize=8)
        ax.set_xticks(range(len(periods)), labels)
        ax.set_xlabel(f"payment {unit}" + (" (starting Monday)" if unit == "week" else ""))
        ax.set_ylabel("denied dollars")
        ax.yaxis.set_major_formatter(FuncFormatter(_axis_dollars))
        ax.margins(y=0.3)
        ax.set_title(f"Denied dollars by payment {unit}", loc="left")
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        return _svg(figure)


def aging(buckets: Sequence[AgingBucket]) -> str | None:
    """Open denied dollars by days since the remittance; None when nothing is open."""
    if not any(b.lines for b in buckets):
        return None
    with matplotlib.rc_context(_STYLE):
        figure = _figure(6.2, 2.6)
        ax = figure.add_subplot()
        values = [float(b.denied) for b in buckets]
        bars = ax.bar(range(len(buckets)), values, 0.6, color=AGING)
        ax.bar_label(bars, [f"{dollars(v)}\n{_lines(b.lines)}" for v, b in
                            zip(values, buckets, strict=True)], padding=2, fontsize=8)
        ax.set_xticks(range(len(buckets)), [b.label for b in buckets])
        ax.set_xlabel("days since the remittance")
        ax.set_ylabel("open denied dollars")
        ax.yaxis.set_major_formatter(FuncFormatter(_axis_dollars))
        ax.margins(y=0.3)
        ax.set_title("Aging of open denials", loc="left")
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        return _svg(figure)
