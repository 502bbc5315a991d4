"""CSV downloads of the dashboards' tables: every table a dashboard shows can be exported."""

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: a leading =, +, - or @ would make it a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV attachment with a header row, every cell made safe for spreadsheets."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


@dataclass(frozen=True)
class Shown:
    """A cell shown one way and exported another: `text` on the page (a link when `url`), `value` in the CSV."""

    text: str
    value: Any = ""
    url: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    """A table a dashboard shows (templates/insights/includes/table.html) and offers as CSV; the first cell of a
    row is its header. Cells are plain values or `Shown`."""

    name: str
    caption: str
    header: Sequence[str]
    rows: list[Sequence]
    csv_url: str = ""

    def csv_rows(self) -> Iterable[Sequence]:
        for row in self.rows:
            yield [cell.value if isinstance(cell, Shown) else cell for cell in row]

    def csv_response(self, filename: str) -> HttpResponse:
        return csv_response(filename, self.header, self.csv_rows())
