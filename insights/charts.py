"""Geometry for the server-side SVG charts (drawn by templates/insights/includes/*_chart.svg).

No JavaScript and no external call: the view works out coordinates here and the template draws
them. Every chart is an image with a title and a description, has its figures written on it
(not shown by colour alone) and sits next to a table of the same data.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import date_format

WIDTH = 640
BAR_ROW = 56  # a label line, then the bar
BAR_HEIGHT = 22
LINE_HEIGHT = 260
LINE_MARGIN = {"left": 56, "right": 24, "top": 16, "bottom": 40}
GRID_PERCENTS = (0, 25, 50, 75, 100)


def bar_chart(tallies: Sequence, whole: str = "transactional") -> dict:
    """Horizontal bars of the percentage online, one per tally (each with .label, .online, .percent and the
    attribute named by `whole`, what the percentage is of: .transactional services, or .total requests)."""
    rows = []
    for index, tally in enumerate(tallies):
        top = index * BAR_ROW
        rows.append(
            {
                "label": tally.label,
                "online": tally.online,
                "transactional": getattr(tally, whole),
                "percent": tally.percent,
                "text_y": top + 16,
                "bar_y": top + 24,
                "bar_width": round(WIDTH * tally.percent / 100, 1),
            }
        )
    return {"width": WIDTH, "height": max(len(rows) * BAR_ROW, BAR_ROW), "bar_height": BAR_HEIGHT, "rows": rows}


def line_chart(snapshots: Sequence) -> dict:
    """A line of the percentage online over time, one point per snapshot (each with .date and .percent)."""
    left, right, top, bottom = (LINE_MARGIN[side] for side in ("left", "right", "top", "bottom"))
    plot_width, plot_height = WIDTH - left - right, LINE_HEIGHT - top - bottom
    first = snapshots[0].date if snapshots else None
    span = max((snapshots[-1].date - first).days, 1) if snapshots else 1

    def y_for(percent: int) -> float:
        return round(top + plot_height * (100 - percent) / 100, 1)

    points = []
    for snapshot in snapshots:
        x = left + (plot_width * (snapshot.date - first).days / span if len(snapshots) > 1 else plot_width / 2)
        points.append({"x": round(x, 1), "y": y_for(snapshot.percent), "percent": snapshot.percent})
    return {
        "width": WIDTH,
        "height": LINE_HEIGHT,
        "left": left,
        "right": WIDTH - right,
        "bottom": top + plot_height,
        "grid": [{"y": y_for(percent), "label": f"{percent}%"} for percent in GRID_PERCENTS],
        "points": points,
        "polyline": " ".join(f"{point['x']},{point['y']}" for point in points),
        "first_label": date_format(snapshots[0].date, "j M Y") if snapshots else "",
        "last_label": date_format(snapshots[-1].date, "j M Y") if len(snapshots) > 1 else "",
        "label_y": LINE_HEIGHT - 12,
    }


def funnel_chart(steps: Sequence) -> dict:
    """Horizontal bars of the journeys that reached each step (each with .title, .reached, .stopped, .is_exit),
    scaled to the most reached; the part of each bar that stopped there is drawn darker from its end."""
    largest = max((step.reached for step in steps), default=0) or 1
    rows = []
    for index, step in enumerate(steps):
        top = index * BAR_ROW
        bar_width = round(WIDTH * step.reached / largest, 1)
        stopped_width = round(WIDTH * max(step.stopped, 0) / largest, 1)
        rows.append(
            {
                "title": step.title,
                "is_exit": step.is_exit,
                "reached": step.reached,
                "stopped": step.stopped,
                "text_y": top + 16,
                "bar_y": top + 24,
                "bar_width": bar_width,
                "stopped_x": round(bar_width - stopped_width, 1),
                "stopped_width": stopped_width,
            }
        )
    return {"width": WIDTH, "height": max(len(rows) * BAR_ROW, BAR_ROW), "bar_height": BAR_HEIGHT, "rows": rows}
