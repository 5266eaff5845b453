"""The registry's calendar: dates of agreements are read in Western Indonesia Time (WIB)."""

from __future__ import annotations

import datetime as dt

# Expiry by `end_date` flips at midnight in Jakarta, not in UTC; WIB has no daylight saving.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


def today() -> dt.date:
    return dt.datetime.now(WIB).date()
