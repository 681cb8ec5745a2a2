"""The demo data set: users for every role and realistic Guizhou enterprises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.demo.generator import generate_enterprises, load_divisions
from casemgr.models import (
    AliasKind,
    Enterprise,
    EnterpriseAlias,
    EnterpriseName,
    EnterpriseStatus,
    PermitClass,
    PollutionSource,
    User,
    UserJurisdiction,
    UserRole,
)
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services.accounts import hash_password

DEMO_PASSWORD = "guizhou-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    jurisdictions: tuple[str, ...]
    certificate: str | None = None
    organ: str | None = None  # a prosecutor's procuratorate, a judge's court


DEMO_USERS = (
    DemoUser("admin", "系统管理员", (Role.ADMIN,), ("520000",)),
    DemoUser("officer.renhuai", "王建国 (仁怀执法)", (Role.OFFICER,), ("520382",), "52038200101"),
    DemoUser("officer.renhuai2", "李秀英 (仁怀执法)", (Role.OFFICER,), ("520382",), "52038200102"),
    DemoUser("officer.nanming", "张伟 (南明执法)", (Role.OFFICER,), ("520102",), "52010200101"),
    DemoUser("officer.guian", "刘洋 (贵安执法)", (Role.OFFICER,), ("GA0001",), "52990000101"),
    DemoUser("head.zunyi", "陈明 (遵义局负责人)", (Role.BUREAU_HEAD,), ("520300",)),
    DemoUser("reviewer.zunyi", "杨静 (遵义法制审核)", (Role.LEGAL_REVIEWER,), ("520300",)),
    DemoUser(
        "prosecutor.zunyi", "赵磊 (仁怀市检察院)", (Role.PROSECUTOR,), ("520300",), None, "P520382"
    ),
    DemoUser("judge.renhuai", "孙婷 (仁怀市法院)", (Role.JUDGE,), ("520300",), None, "C520382"),
    DemoUser("judge.zunyi", "马骏 (遵义中院环资庭)", (Role.JUDGE,), ("520300",), None, "C520300"),
    DemoUser("judge.guiyang", "黄丽 (贵阳中院环资庭)", (Role.JUDGE,), ("520100",), None, "C520100"),
    DemoUser("compensation.province", "周强 (损害赔偿)", (Role.COMPENSATION_OFFICER,), ("520000",)),
    DemoUser("credit.province", "吴芳 (信用监管)", (Role.CREDIT_REGULATOR,), ("520000",)),
    DemoUser("planner.province", "徐涛 (督察办)", (Role.INSPECTION_PLANNER,), ("520000",)),
)


@dataclass(frozen=True)
class DemoReport:
    users: int
    enterprises: int
    sources: int
    skipped: bool

    def summary(self) -> str:
        if self.skipped:
            return "demo data already present; nothing loaded"
        return (
            f"demo data: {self.users} users, {self.enterprises} enterprises, "
            f"{self.sources} pollution sources"
        )


def load_demo(session: Session, *, enterprises: int = 600, seed: int = 2026) -> DemoReport:
    """Load demo users and enterprises once; a second call changes nothing."""
    if session.scalar(select(User.id).where(User.username == DEMO_USERS[0].username)):
        return DemoReport(0, 0, 0, skipped=True)
    password_hash = hash_password(DEMO_PASSWORD)
    n_sources = 0
    with transaction(session, actor=SYSTEM_ACTOR):
        for u in DEMO_USERS:
            session.add(
                User(
                    username=u.username,
                    display_name=u.display_name,
                    password_hash=password_hash,
                    certificate_number=u.certificate,
                    certificate_valid_until=date(2028, 12, 31) if u.certificate else None,
                    organ_code=u.organ,
                    role_rows=[UserRole(role=r) for r in u.roles],
                    jurisdiction_rows=[UserJurisdiction(code=c) for c in u.jurisdictions],
                )
            )
        with resources.as_file(
            resources.files("casemgr") / "refdata" / "guizhou-divisions.csv"
        ) as p:
            divisions = load_divisions(p)
        taken = set(session.scalars(select(Enterprise.uscc)))
        for rec in generate_enterprises(divisions, count=enterprises, seed=seed):
            if rec["uscc"] in taken:
                continue
            ent = Enterprise(
                uscc=rec["uscc"],
                name=rec["name"],
                legal_representative=rec["legal_representative"],
                address=rec["address"],
                county_code=rec["county_code"],
                industry_code=rec["industry_code"],
                industry_name=rec["industry_name"],
                status=EnterpriseStatus(rec["status"]),
                registered_on=rec["registered_on"],
                aliases=[EnterpriseAlias(kind=AliasKind(k), value=v) for k, v in rec["aliases"]],
                name_history=[
                    EnterpriseName(name=h["name"], valid_to=h["valid_to"])
                    for h in rec["name_history"]
                ],
                sources=[
                    PollutionSource(
                        name=s["name"],
                        permit_number=s["permit_number"],
                        permit_class=PermitClass(s["permit_class"]),
                        key_pollutant_unit=s["key_pollutant_unit"],
                        county_code=s["county_code"],
                        basin_code=s["basin_code"],
                        latitude=s["latitude"],
                        longitude=s["longitude"],
                    )
                    for s in rec["sources"]
                ],
            )
            n_sources += len(ent.sources)
            session.add(ent)
    return DemoReport(len(DEMO_USERS), enterprises, n_sources, skipped=False)
