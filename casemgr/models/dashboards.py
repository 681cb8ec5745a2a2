"""Dashboard rollups (统计看板汇总): counts and sums of the dashboard charts per county and
month, rebuilt together by a scheduled job (``casemgr.services.dashboard_rollups``).

Province-wide, the charts' ``GROUP BY`` queries read hundreds of thousands of rows each even
from their indexes (cases, deadlines not done, fines and payments of a year); the rollups hold
a few thousand. They are figures as of their last rebuild (:class:`DashboardRefresh`): the
dashboard says so, and reads the days of a partial month at either end of a date range, and
the current month, from the tables themselves, so that date ranges stay exact to the day.

The credit tier chart of a past day reads :class:`TierDayCount`, the tier counts at the end of
every day on which a score is dated, rebuilt by the same job from the score history; unlike
the rollups they are exact for every day they cover (:class:`TierDayState` says which).
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


class TierDayCount(Base):
    """How many enterprises of a county held a credit tier (信用等级) under a scheme at the end
    of a day on which some score was dated: ``credit_tier_counts`` as it stood then.

    Invariant, kept by ``casemgr.services.dashboard_rollups`` (the one writer): for every
    ``day`` in the table, ``n`` is the number of enterprises with a ``credit_current`` row in
    ``county_code`` (the county they had at the last rebuild) whose score in force at the end
    of the day (the highest ``credit_scores.id`` dated on or before it, as
    ``services.credit.in_force``; among the scores up to :attr:`TierDayState.scores_through`)
    has ``tier`` (``abnormal``: a score without a tier). Zero counts are left out; a day with
    no row in the table changes nothing, so the counts of any day are those of the latest day
    on or before it (one backward probe of the primary key, then at most a row per county and
    tier: 88 x 6)."""

    __tablename__ = "dashboard_tier_counts"

    scheme: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    tier: Mapped[str] = mapped_column(String(8), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class TierDayState(Base):
    """What the :class:`TierDayCount` rows of a scheme cover (one row per scheme).

    Every score with an id up to ``scores_through`` is counted, except scores seen after the
    rebuild and dated on or after ``exact_before`` (None: none such): the rows are exact for
    a day before ``exact_before`` on which no score with a higher id is dated. ``built_on``
    is the local day of the rebuild (enterprises that moved county since count in their old
    one until the next, at the latest the next day)."""

    __tablename__ = "dashboard_tier_states"

    scheme: Mapped[str] = mapped_column(String(64), primary_key=True)
    scores_through: Mapped[int] = mapped_column(BigInteger)
    exact_before: Mapped[date | None] = mapped_column(Date)
    built_on: Mapped[date] = mapped_column(Date)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float] = mapped_column(Float)


class DashboardRefresh(Base):
    """When the rollups were last rebuilt, and how long it took (one row)."""

    __tablename__ = "dashboard_refreshes"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float] = mapped_column(Float)
