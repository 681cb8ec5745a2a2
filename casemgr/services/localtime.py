"""The local time zone of the legal dates (Asia/Shanghai) and today's local date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    """Today in Guizhou: legal dates (filing, service, deadlines) are local dates."""
    return datetime.now(LOCAL).date()
