"""SQLAlchemy models by feature; importing this package registers every table."""

from casemgr.models.accounts import ApiToken, LoginAttempt, User, UserJurisdiction, UserRole
from casemgr.models.audit import AuditAction, AuditEntry, AuditSeal
from casemgr.models.enterprises import (
    AliasKind,
    Enterprise,
    EnterpriseAlias,
    EnterpriseName,
    EnterpriseStatus,
    PermitClass,
    PollutionSource,
    UsccOverride,
)
from casemgr.models.territories import (
    Basin,
    Division,
    DivisionLevel,
    InspectionUnit,
    InspectionUnitKind,
    inspection_unit_counties,
)

__all__ = [
    "AliasKind",
    "ApiToken",
    "AuditAction",
    "AuditEntry",
    "AuditSeal",
    "Basin",
    "Division",
    "DivisionLevel",
    "Enterprise",
    "EnterpriseAlias",
    "EnterpriseName",
    "EnterpriseStatus",
    "InspectionUnit",
    "InspectionUnitKind",
    "LoginAttempt",
    "PermitClass",
    "PollutionSource",
    "User",
    "UserJurisdiction",
    "UserRole",
    "UsccOverride",
    "inspection_unit_counties",
]
