"""Calendar months, as the Civil Code counts them (art. 202: 没有对应日的，月末日为期间的最后一日)."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The corresponding day `months` later (or earlier, for a negative count); the month's last day when
    that month is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
