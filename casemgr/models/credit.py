"""Environmental credit (企业环境信用): the immutable tier history, objections, repairs and
the exports sent to regulators, banks and the grid company."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.base import Audited, enum_type
from casemgr.models.cases import Case
from casemgr.models.violations import violation_enterprises

# The credit facts of an enterprise are read from its cases and its violations
# (casemgr.services.credit_facts): declared here, with the feature that reads by them (0015).
Index("ix_cases_party_enterprise_id", Case.party_enterprise_id)
Index("ix_violation_enterprises_enterprise_id", violation_enterprises.c.enterprise_id)


class ScoreReason(enum.StrEnum):
    """Why a score was computed."""

    RESCORE = "rescore"  # the full (nightly) run
    EVENT = "event"  # a case event of the enterprise
    REPAIR = "repair"  # an accepted repair or upheld objection


class CreditScore(Base):
    """One computed score of an enterprise under one scheme version (信用评价结果).

    Append-only: a run stores a row only when the result differs from the enterprise's latest
    one under the scheme, so the table is the tier history; a correction is a new row, never an
    update. The tier *in force on* a day is the latest row whose ``as_of`` is on or before it.
    ``contributions`` keeps the lines of the explanation that count (indicators that lost
    points or name records, graph risk, downgrades, vetoes, not rateable: lines at full points
    without records are left out); the whole explanation of any day is recomputed by
    ``credit.explain``, and ``digest`` covers the whole result.
    """

    __tablename__ = "credit_scores"
    __table_args__ = (Index("ix_credit_scores_history", "scheme", "enterprise_id", "as_of", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    scheme: Mapped[str] = mapped_column(String(64))  # id@version
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[ScoreReason] = mapped_column(enum_type(ScoreReason, "score_reason"))
    status: Mapped[str] = mapped_column(String(16))  # rated / abnormal
    points: Mapped[float] = mapped_column(Float)
    score_tier: Mapped[str] = mapped_column(String(8))  # by points alone
    # By the enterprise's own records (points without graph risk, downgrades, vetoes): what
    # its neighbours' graph risk starts from, so that risk never feeds back on itself.
    own_tier: Mapped[str | None] = mapped_column(String(8))
    tier: Mapped[str | None] = mapped_column(String(8))  # None: abnormal (异常)
    sublevel: Mapped[int | None] = mapped_column(Integer)
    graph_risk: Mapped[float] = mapped_column(Float, default=0.0)
    contributions: Mapped[list[dict[str, object]]] = mapped_column(JSONType, default=list)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the result, for "changed?"


class CreditCurrent(Base):
    """The score in force now (当前信用等级): the latest stored :class:`CreditScore` of each
    enterprise under each scheme, one row per pair, with the enterprise's county and name, so
    that tier lists, tier filters and tier counts read one indexed row per enterprise, not the
    history (and a tier's page in name order, not the enterprises).

    Invariant, kept in the transaction of every write it follows (both through
    :mod:`casemgr.repositories.credit_current`, never by hand):

    * ``score_id`` is the highest ``credit_scores.id`` of (``scheme``, ``enterprise_id``), and
      ``as_of``, ``status``, ``tier``, ``own_tier``, ``sublevel`` and ``points`` are that
      row's: ``casemgr.services.credit._insert``, the one writer of scores, refreshes the
      enterprises it wrote;
    * ``county_code`` and ``name`` are the enterprise's county and name:
      ``services.enterprises.update_enterprise``, the one place an enterprise moves county or
      changes its name (a rename keeps the old name as a former name, 曾用名), moves and renames
      the rows with it (``credit_current.move``, ``credit_current.rename``), and ``refresh``
      copies both from the enterprise; link merges never change either;
    * :class:`CreditTierCount` holds the number of these rows per scheme, county and tier.

    "Current" ignores dates. The row is the score in force on every day on or after its
    ``as_of`` (no row with a higher id exists, so none can be in force then); for an earlier
    day the history decides (``services.credit.in_force``), which only matters after a score
    dated in the future or for a look at the past. Migration 0019 filled it from the history,
    0023 added the names.
    """

    # Derived rows, rewritten a million at a time by a full run: no foreign keys (checking
    # two per row was 40 % of the refresh; the history they copy has them), and the indexes
    # the pages use only. The counts per county come from CreditTierCount, not an index.
    # A tier's enterprises in name order (the enterprise list's order: the name, then the id)
    # are a range of ix_credit_current_tier_name, read from the index alone: a deep page is an
    # offset within it, a name fragment or a county is tested on its entries (0023).
    __tablename__ = "credit_current"
    __table_args__ = (
        Index(
            "ix_credit_current_tier_name", "scheme", "tier", "name", "enterprise_id", "county_code"
        ),
        Index("ix_credit_current_as_of", "scheme", "as_of"),
    )

    scheme: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str | None] = mapped_column(String(8))  # None: abnormal (异常)
    own_tier: Mapped[str | None] = mapped_column(String(8))
    sublevel: Mapped[int | None] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Float)
    county_code: Mapped[str] = mapped_column(String(6))  # the enterprise's, kept with it
    # The enterprise's, kept with it: the same type (and so collation) as Enterprise.name, so
    # that name order here is the enterprise list's.
    name: Mapped[str] = mapped_column(String(200))


class CreditTierCount(Base):
    """How many enterprises of a county hold each tier now under a scheme: the rows of
    :class:`CreditCurrent` counted, kept with them (the dashboard's tier chart reads 88
    counties' counts, not a million rows). ``tier`` is ``abnormal`` for a score without a
    tier; a count that fell to 0 stays as a row."""

    __tablename__ = "credit_tier_counts"

    scheme: Mapped[str] = mapped_column(String(64), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    tier: Mapped[str] = mapped_column(String(8), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class RequestState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class CreditObjection(Audited, Base):
    """An enterprise's objection (异议) to a record that counts in its score, filed within the
    scheme's window from the record's publication; an upheld objection takes the record out of
    every score from the decision on (a correction fact)."""

    __tablename__ = "credit_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    record: Mapped[str] = mapped_column(String(64))  # a fact's record, e.g. transition:12
    scheme: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date] = mapped_column(Date)
    state: Mapped[RequestState] = mapped_column(enum_type(RequestState, "objection_state"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class CreditRepair(Audited, Base):
    """An application for credit repair (信用修复) of one record, after its minimum
    publication period, with the evidence of correction; an accepted repair takes the record
    out of the score from the decision day and re-scores at once."""

    __tablename__ = "credit_repairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    record: Mapped[str] = mapped_column(String(64))
    scheme: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[list[str]] = mapped_column(JSONType, default=list)  # documents' names / ids
    commitment: Mapped[str] = mapped_column(Text, default="")  # 信用承诺书
    applied_on: Mapped[date] = mapped_column(Date)
    state: Mapped[RequestState] = mapped_column(enum_type(RequestState, "repair_state"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class CreditExport(Audited, Base):
    """A tier list sent out (信用评价结果推送): its filters, manifest and recipients, so that a
    later correction lists whom to notify, and so that it can be regenerated byte for byte."""

    __tablename__ = "credit_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    file_format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    since_export_id: Mapped[int | None] = mapped_column(ForeignKey("credit_exports.id"))
    rows: Mapped[int] = mapped_column(Integer)
    # The highest score id stored when it was made: it reads only scores up to it, so scores
    # stored later (even dated on or before its as-of day) never change a regenerated file.
    scores_through: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    sha256: Mapped[str] = mapped_column(String(64))
    recipients: Mapped[list[str]] = mapped_column(JSONType, default=list)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
