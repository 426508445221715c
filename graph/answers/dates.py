"""Dates as the graph writes them (xsd:gYear, gYearMonth, date, each with its precision) and
as a user asks for them (YYYY, YYYY-MM or YYYY-MM-DD), turned into days the as-of rule can
compare: a period starts on its first day (a year on 1 January, a month on the 1st), and an
asked period means its last day ("as of 2023" is the state at the end of 2023)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from graph.errors import BadDate

_ASKED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
FIRST_YEAR, LAST_YEAR = 1900, 2100
PRECISIONS = ("year", "month", "day")


@dataclass(frozen=True)
class AsOf:
    """An asked date: as given (`text`), its precision, and the day it means (`day`, the
    last day of an asked year or month)."""

    text: str
    precision: str
    day: date


def _parts(text: str) -> tuple[int, int | None, int | None] | None:
    found = _ASKED.fullmatch(text.strip())
    if not found:
        return None
    year, month, day = (int(g) if g else None for g in found.groups())
    return year, month, day  # type: ignore[return-value]


def parse_as_of(text: str | None, today: date | None = None) -> AsOf:
    """The asked date; today when none is given. Raises BadDate for anything else."""
    if text is None or not text.strip():
        day = today or date.today()
        return AsOf(day.isoformat(), "day", day)
    parts = _parts(text)
    if parts is None:
        raise BadDate(text)
    year, month, day = parts
    if not FIRST_YEAR <= year <= LAST_YEAR or (month is not None and not 1 <= month <= 12):
        raise BadDate(text)
    if month is None:
        return AsOf(text.strip(), "year", date(year, 12, 31))
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return AsOf(text.strip(), "month", date(year, month, last))
    if not 1 <= day <= last:
        raise BadDate(text)
    return AsOf(text.strip(), "day", date(year, month, day))


def start(value: str | None, precision: str | None = None) -> date:
    """The first day of a date of the graph ("2022" -> 2022-01-01, "2019-04" -> 2019-04-01).
    A record without a date counts as the oldest of all (in effect from the beginning)."""
    if not value:
        return date.min
    year, _, rest = value[:10].partition("-")
    month, _, day = rest.partition("-")
    precision = precision or PRECISIONS[min(value[:10].count("-"), 2)]
    if precision == "year" or not month:
        return date(int(year), 1, 1)
    if precision == "month" or not day:
        return date(int(year), int(month), 1)
    return date(int(year), int(month), int(day))


def end(value: str | None, precision: str | None = None) -> date:
    """The last day of a date of the graph ("2020-04" -> 2020-04-30); no date: no end."""
    if not value:
        return date.max
    first = start(value, precision)
    precision = precision or PRECISIONS[min(value[:10].count("-"), 2)]
    if precision == "year":
        return date(first.year, 12, 31)
    if precision == "month":
        return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    return first
