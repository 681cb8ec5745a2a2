"""Dashboard rollups (统计看板汇总): counts and sums of the dashboard charts per county and
month, rebuilt together by a scheduled job (``casemgr.services.dashboard_rollups``).

Province-wide, the charts' ``GROUP BY`` queries read hundreds of thousands of rows each even
from their indexes (cases, deadlines not done, fines and payments of a year); the rollups hold
a few thousand. They are figures as of their last rebuild (:class:`DashboardRefresh`): the
dashboard says so, and reads the days of a partial month at either end of a date range, and
the current month, from the tables themselves, so that date ranges stay exact to the day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, UTCDateTime


class DashboardCaseCount(Base):
    """Cases of a county whose lead came in during a month, by channel, lifecycle and stage."""

    __tablename__ = "dashboard_case_counts"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    track: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    n: Mapped[int] = mapped_column(Integer)


class DashboardMoney(Base):
    """Fines of a county assessed by the decisions of a month and collected by its payments,
    in cents (as ``dashboard_stats.money_counts`` counts them)."""

    __tablename__ = "dashboard_money"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    assessed_cents: Mapped[int] = mapped_column(BigInteger)
    collected_cents: Mapped[int] = mapped_column(BigInteger)


class DashboardOverdue(Base):
    """Deadlines of a county due in a month and not done (open or missed), by channel and
    rule: overdue once their day has passed."""

    __tablename__ = "dashboard_overdue"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(48), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class DashboardRefresh(Base):
    """When the rollups were last rebuilt, and how long it took (one row)."""

    __tablename__ = "dashboard_refreshes"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float] = mapped_column(Float)
