"""Users (用户), their roles and jurisdictions, API tokens and login attempts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, UTCDateTime, utcnow
from casemgr.models.base import Audited, Timestamped, enum_type
from casemgr.policy import Role


class User(Audited, Timestamped, Base):
    """A person who logs in; officers carry an enforcement certificate (执法证)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str | None] = mapped_column(String(254))  # for reminders, when SMTP is set
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    certificate_number: Mapped[str | None] = mapped_column(String(32))
    certificate_valid_until: Mapped[date | None] = mapped_column(Date)
    # A prosecutor's procuratorate or a judge's court (司法机关): what is before it, they see.
    organ_code: Mapped[str | None] = mapped_column(ForeignKey("judicial_organs.code"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by="UserRole.role", lazy="selectin"
    )
    jurisdiction_rows: Mapped[list[UserJurisdiction]] = relationship(
        cascade="all, delete-orphan", order_by="UserJurisdiction.code", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def roles(self) -> list[Role]:
        return [r.role for r in self.role_rows]

    @property
    def jurisdictions(self) -> list[str]:
        return [j.code for j in self.jurisdiction_rows]

    # Flask-Login protocol, kept here so the page layer needs no wrapper class.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserRole(Audited, Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), primary_key=True)


class UserJurisdiction(Audited, Base):
    """A territory the user works for: a division code (province, prefecture, county) or an
    inspection unit code (e.g. 贵安新区 GA0001)."""

    __tablename__ = "user_jurisdictions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored. Revocable and expiring."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """A failed or successful login, kept for rate limiting across worker processes."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
