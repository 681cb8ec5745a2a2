"""Record linkage (企业数据关联): imported registry, tax and enforcement records with their
provenance, the links decided between them and enterprises, the review queue, undoable merges,
and the enterprise graph's nodes and edges."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.base import Audited, enum_type


class RecordSource(enum.StrEnum):
    REGISTRY = "registry"  # 工商登记 (市场监管)
    TAX = "tax"  # 税务登记
    ENV = "env"  # 生态环境执法系统


class BatchStatus(enum.StrEnum):
    RUNNING = "running"  # rows are being staged; nothing visible yet
    COMMITTED = "committed"  # every good row imported, bad rows reported
    ROLLED_BACK = "rolled_back"  # abandoned (a crash or kill, or on request): no row kept
    FAILED = "failed"  # the file could not be read (encoding, missing column)


class ImportBatch(Audited, Base):
    """One imported file: its provenance and what became of its rows."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[RecordSource] = mapped_column(enum_type(RecordSource, "record_source"))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(16))
    encoding: Mapped[str] = mapped_column(String(16), default="")
    source_date: Mapped[date | None] = mapped_column(Date)  # the day the source exported it
    status: Mapped[BatchStatus] = mapped_column(
        enum_type(BatchStatus, "batch_status"), default=BatchStatus.RUNNING
    )
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RowRejection(Base):
    """A bad row of a batch: its number, the field and the reason (a msgid with params)."""

    __tablename__ = "row_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)


class SourceRecord(Base):
    """An enterprise record as one source gave it, with provenance and its normalised keys."""

    __tablename__ = "source_records"
    __table_args__ = (
        UniqueConstraint("batch_id", "record_key"),
        Index("ix_source_records_source_key", "source", "record_key"),
        Index("ix_source_records_name_core", "name_core"),
        Index("ix_source_records_enterprise_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    source: Mapped[RecordSource] = mapped_column(enum_type(RecordSource, "record_source"))
    record_key: Mapped[str] = mapped_column(String(64))  # uscc / taxpayer_id / record_id
    row_number: Mapped[int] = mapped_column(Integer)
    uscc: Mapped[str] = mapped_column(String(18), default="")  # as given (may fail its check)
    name: Mapped[str] = mapped_column(String(200))
    legal_rep: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    reg_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default="")
    name_core: Mapped[str] = mapped_column(String(200), default="")
    pinyin_core: Mapped[str] = mapped_column(String(400), default="")
    extra: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    link_score: Mapped[float | None] = mapped_column(Float)


class Decision(enum.StrEnum):
    MATCH = "match"
    REVIEW = "review"
    NON_MATCH = "non_match"


class ReviewState(enum.StrEnum):
    PENDING = "pending"  # in the review queue
    ACCEPTED = "accepted"  # a reviewer linked it
    REJECTED = "rejected"  # a reviewer refused it
    AUTOMATIC = "automatic"  # decided by a rule or the model, no review needed


class LinkCandidate(Audited, Base):
    """A decided pair: a source record and the enterprise it may belong to, with the score and
    the per-field evidence (comparison level and weight of each field)."""

    __tablename__ = "link_candidates"
    __table_args__ = (
        UniqueConstraint("record_id", "enterprise_id"),
        Index("ix_link_candidates_state", "state", "decision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    rule: Mapped[str] = mapped_column(String(48))  # deterministic rule or "model"
    score: Mapped[float] = mapped_column(Float)
    decision: Mapped[Decision] = mapped_column(enum_type(Decision, "link_decision"))
    evidence: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    state: Mapped[ReviewState] = mapped_column(enum_type(ReviewState, "review_state"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(500), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    record: Mapped[SourceRecord] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Merge(Audited, Base):
    """An applied linking decision and every change it made, so it can be undone exactly."""

    __tablename__ = "merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("link_candidates.id"))
    changes: Mapped[list[dict[str, object]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class NodeKind(enum.StrEnum):
    ENTERPRISE = "enterprise"
    PERSON = "person"
    ADDRESS = "address"
    PHONE = "phone"


class EdgeKind(enum.StrEnum):
    LEGAL_REP = "legal_rep"  # 法定代表人: person → enterprise
    SHAREHOLDER = "shareholder"  # 股东 (with share): person or enterprise → enterprise
    BRANCH_OF = "branch_of"  # 分支机构: branch → parent
    SUCCESSOR_OF = "successor_of"  # 承继 (predecessor/successor): successor → predecessor
    AT_ADDRESS = "at_address"  # enterprise → address node
    HAS_PHONE = "has_phone"  # enterprise → phone node


class GraphNode(Base):
    """A person, an address or a phone number of the enterprise graph (enterprises are the
    enterprises table). ``key`` is the normalised value; ``degree`` counts its edges, so very
    common addresses and phones (a business park) can be capped."""

    __tablename__ = "graph_nodes"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[NodeKind] = mapped_column(enum_type(NodeKind, "node_kind"))
    key: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(300), default="")
    degree: Mapped[int] = mapped_column(Integer, default=0)


class GraphEdge(Base):
    """A typed, sourced, dated edge: ``src`` → ``dst``, each an enterprise id or a node id."""

    __tablename__ = "graph_edges"
    __table_args__ = (
        Index("ix_graph_edges_src", "src_kind", "src_id"),
        Index("ix_graph_edges_dst", "dst_kind", "dst_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[EdgeKind] = mapped_column(enum_type(EdgeKind, "edge_kind"))
    src_kind: Mapped[NodeKind] = mapped_column(enum_type(NodeKind, "src_node_kind"))
    src_id: Mapped[int] = mapped_column(Integer)
    dst_kind: Mapped[NodeKind] = mapped_column(enum_type(NodeKind, "dst_node_kind"))
    dst_id: Mapped[int] = mapped_column(Integer)
    share: Mapped[float | None] = mapped_column(Float)  # shareholders: 0..1
    source: Mapped[str] = mapped_column(String(32), default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
