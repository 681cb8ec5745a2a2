"""Roles, permissions and jurisdiction scopes: pure access policy, enforced by the services."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    OFFICER = "officer"  # 执法人员
    BUREAU_HEAD = "bureau_head"  # 负责人
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核人员
    PROSECUTOR = "prosecutor"  # 检察官
    JUDGE = "judge"  # 法官 (环境资源审判庭)
    COMPENSATION_OFFICER = "compensation_officer"  # 生态环境损害赔偿工作人员
    CREDIT_REGULATOR = "credit_regulator"  # 信用监管人员
    INSPECTION_PLANNER = "inspection_planner"  # 督察办
    ADMIN = "admin"  # 系统管理员


class Permission(enum.StrEnum):
    READ_CASES = "read_cases"  # violations and cases of every channel
    WRITE_CASES = "write_cases"  # log violations, open cases, record steps
    APPROVE_CASES = "approve_cases"  # 负责人批准: filing, extensions, transfers, overdue decisions
    LEGAL_REVIEW = "legal_review"  # 法制审核
    READ_ENTERPRISES = "read_enterprises"
    WRITE_ENTERPRISES = "write_enterprises"
    OVERRIDE_USCC = "override_uscc"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_REFERENCE_DATA = "manage_reference_data"


_READ = {Permission.READ_ENTERPRISES, Permission.READ_CASES}
_WRITE = {Permission.WRITE_ENTERPRISES, Permission.WRITE_CASES}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(_READ | _WRITE),
    Role.BUREAU_HEAD: frozenset(_READ | _WRITE | {Permission.APPROVE_CASES, Permission.READ_AUDIT}),
    Role.LEGAL_REVIEWER: frozenset(_READ | {Permission.LEGAL_REVIEW, Permission.READ_AUDIT}),
    Role.PROSECUTOR: frozenset(_READ),
    Role.JUDGE: frozenset(_READ),
    Role.COMPENSATION_OFFICER: frozenset(_READ),
    Role.CREDIT_REGULATOR: frozenset(_READ | {Permission.WRITE_ENTERPRISES}),
    Role.INSPECTION_PLANNER: frozenset(_READ),
    Role.ADMIN: frozenset(Permission),
}

# Roles whose reads of case records are themselves audited (PRODUCT.md: one record, several
# audiences; reads by another branch of the state are logged).
READ_AUDITED_ROLES = frozenset({Role.PROSECUTOR, Role.JUDGE})


@dataclass(frozen=True)
class Actor:
    """The acting user as the services see it: identity, roles and the counties they may touch.

    ``counties`` is None for province-wide scope, else the set of county codes (GB/T 2260) the
    user's jurisdictions expand to.
    """

    user_id: int
    username: str
    roles: frozenset[Role]
    counties: frozenset[str] | None = None
    display_name: str = ""
    scope_codes: tuple[str, ...] = field(default=())

    @property
    def province_wide(self) -> bool:
        return self.counties is None

    def can(self, permission: Permission) -> bool:
        return any(permission in ROLE_PERMISSIONS[r] for r in self.roles)

    def covers(self, county_code: str | None) -> bool:
        return self.counties is None or (county_code is not None and county_code in self.counties)

    @property
    def read_audited(self) -> bool:
        return bool(self.roles & READ_AUDITED_ROLES)


SYSTEM_ACTOR = Actor(user_id=0, username="system", roles=frozenset({Role.ADMIN}))


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    out: set[Permission] = set()
    for r in roles:
        out |= ROLE_PERMISSIONS[r]
    return frozenset(out)
