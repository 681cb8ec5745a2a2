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
    ACT_PROCURATORATE = "act_procuratorate"  # record the procuratorate's own acts (检察)
    ACT_COURT = "act_court"  # record the court's own acts (审判, 司法确认, 执行裁定)
    ACT_CLAIMANT = "act_claimant"  # act for the compensation claimant (赔偿权利人指定部门)
    READ_ENTERPRISES = "read_enterprises"
    WRITE_ENTERPRISES = "write_enterprises"
    OVERRIDE_USCC = "override_uscc"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_REFERENCE_DATA = "manage_reference_data"
    MANAGE_CREDIT = "manage_credit"  # rescore, objections and repairs, exports (信用管理)
    PLAN_INSPECTIONS = "plan_inspections"  # rounds, draws before dispatch (督察办)


_READ = {Permission.READ_ENTERPRISES, Permission.READ_CASES}
_WRITE = {Permission.WRITE_ENTERPRISES, Permission.WRITE_CASES}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(_READ | _WRITE),
    Role.BUREAU_HEAD: frozenset(_READ | _WRITE | {Permission.APPROVE_CASES, Permission.READ_AUDIT}),
    Role.LEGAL_REVIEWER: frozenset(_READ | {Permission.LEGAL_REVIEW, Permission.READ_AUDIT}),
    Role.PROSECUTOR: frozenset(_READ | {Permission.ACT_PROCURATORATE}),
    Role.JUDGE: frozenset(_READ | {Permission.ACT_COURT}),
    Role.COMPENSATION_OFFICER: frozenset(_READ | {Permission.ACT_CLAIMANT}),
    Role.CREDIT_REGULATOR: frozenset(
        _READ | {Permission.WRITE_ENTERPRISES, Permission.MANAGE_CREDIT}
    ),
    Role.INSPECTION_PLANNER: frozenset(_READ | {Permission.PLAN_INSPECTIONS}),
    Role.ADMIN: frozenset(Permission),
}

# Roles whose reads of case records are themselves audited (PRODUCT.md: one record, several
# audiences; reads by another branch of the state are logged).
READ_AUDITED_ROLES = frozenset({Role.PROSECUTOR, Role.JUDGE})

# Roles that see cases through their own judicial organ (what is before their procuratorate or
# court), not through territorial jurisdiction.
ORGAN_SCOPED_ROLES = frozenset({Role.PROSECUTOR, Role.JUDGE})


class PersonalField(enum.StrEnum):
    """Personal data of an individual party (个人信息保护法 art. 28: ID numbers are sensitive)."""

    ID_NUMBER = "id_number"  # 身份证号码
    PHONE = "phone"  # 联系电话
    HOME_ADDRESS = "home_address"  # 住址


# Who sees each personal field of an individual in clear; everyone else sees it masked. The
# purpose test of 个人信息保护法 arts. 6 and 34 (only what the task needs): the agency that
# investigates and the organs that prosecute and try need identity; phone numbers serve the
# agency and the claimant, who contact the party; courts serve documents at the home address.
PERSONAL_DATA_ROLES: dict[PersonalField, frozenset[Role]] = {
    PersonalField.ID_NUMBER: frozenset(
        {Role.OFFICER, Role.BUREAU_HEAD, Role.LEGAL_REVIEWER, Role.PROSECUTOR, Role.JUDGE}
    ),
    PersonalField.PHONE: frozenset({Role.OFFICER, Role.BUREAU_HEAD, Role.COMPENSATION_OFFICER}),
    PersonalField.HOME_ADDRESS: frozenset({Role.OFFICER, Role.BUREAU_HEAD, Role.JUDGE}),
}


def mask(field: PersonalField, value: str) -> str:
    """The masked form of a personal value: enough to tell two people apart, not to use it.

    >>> mask(PersonalField.ID_NUMBER, "520102199003071234")
    '5201************34'
    >>> mask(PersonalField.PHONE, "13812345678")
    '138****5678'
    >>> mask(PersonalField.HOME_ADDRESS, "贵州省贵阳市南明区花果园路1号")
    '贵州省贵阳市***'
    """
    if not value:
        return value
    if field is PersonalField.ID_NUMBER:
        keep_head, keep_tail = (4, 2) if len(value) > 8 else (1, 0)
    elif field is PersonalField.PHONE:
        keep_head, keep_tail = (3, 4) if len(value) > 8 else (1, 0)
    else:
        return value[: min(6, len(value) // 2)] + "***"
    return (
        value[:keep_head]
        + "*" * (len(value) - keep_head - keep_tail)
        + value[len(value) - keep_tail :]
    )


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
    organ_code: str | None = None  # a prosecutor's procuratorate, a judge's court

    @property
    def organ_scoped(self) -> bool:
        """Sees cases through its own judicial organ (prosecutors, judges), not territory."""
        return bool(self.roles & ORGAN_SCOPED_ROLES) and not self.roles & {
            Role.ADMIN,
            Role.OFFICER,
            Role.BUREAU_HEAD,
        }

    def sees_personal(self, field: PersonalField) -> bool:
        return bool(self.roles & PERSONAL_DATA_ROLES[field])

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
