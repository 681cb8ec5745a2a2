"""Demo case families across the four channels, walked through the real services.

One violation of 仁怀 with 3.5 t of hazardous waste goes through every channel: the referral is
refused, supervised and filed, the procuratorate indicts and files an incidental civil claim,
the court convicts; the provincial claimant's agreement is judicially confirmed and the
restoration is under way. A second violation over the threshold was closed with only a fine, so
the 以罚代刑 risk list is not empty. Dates are counted back from today, so every deadline on the
way is real.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemgr.lifecycles.administrative import AdminEvent
from casemgr.models import Case, Enterprise, EnterpriseStatus, EvasiveMethod, User
from casemgr.policy import Actor
from casemgr.services import cases, channel_opening, channels, ledger, penalties, violations
from casemgr.services.access import actor_for
from casemgr.services.localtime import LOCAL, local_today

_ATTACHMENTS = [
    "transfer_letter",
    "investigation_report",
    "seized_items_list",
    "inspection_or_appraisal_report",
]


class _Walker:
    def __init__(self, session: Session, start: date) -> None:
        self.session = session
        self.start = start

    def day(self, offset: int) -> date:
        return self.start + timedelta(days=offset)

    def step(self, actor: Actor, case: Case, event: str, offset: int, **data: Any) -> None:
        channels.apply_channel_event(
            self.session,
            actor,
            case.id,
            event,
            {"on": self.day(offset), **data},
            expected_version=case.version,
        )

    def inspection(
        self, officer: Actor, colleague: Actor, case: Case, enterprise: Enterprise, offset: int
    ) -> None:
        """An on-site inspection record made by two certified officers."""
        cases.add_record(
            self.session,
            officer,
            case.id,
            {
                "kind": "inspection",
                "place": enterprise.address,
                "held_at": datetime.combine(self.day(offset), time(9), tzinfo=LOCAL),
                "officer_ids": [officer.user_id, colleague.user_id],
            },
            expected_version=case.version,
        )

    def admin(self, actor: Actor, case: Case, event: str, offset: int, **data: Any) -> None:
        cases.apply_event(
            self.session,
            actor,
            case.id,
            AdminEvent(event),
            {"on": self.day(offset), **data},
            expected_version=case.version,
        )


def load_demo_families(session: Session) -> int:
    """Load the demo families once; 0 when already loaded or the demo users are missing."""
    if session.scalar(select(func.count()).select_from(Case).where(Case.track != "administrative")):
        return 0
    users = {u.username: u for u in session.scalars(select(User))}
    needed = (
        "officer.renhuai",
        "officer.renhuai2",
        "head.zunyi",
        "prosecutor.zunyi",
        "judge.renhuai",
        "judge.zunyi",
        "compensation.province",
    )
    if any(name not in users for name in needed):
        return 0
    who = {name: actor_for(session, users[name]) for name in needed}
    enterprises = session.scalars(
        select(Enterprise)
        .where(
            Enterprise.county_code == "520382",
            Enterprise.status == EnterpriseStatus.OPERATING,  # a live polluter, rateable
        )
        .order_by(Enterprise.id)
    ).all()
    if len(enterprises) < 2:
        return 0
    today = local_today()
    _four_channels(session, who, enterprises[-1], start=today - timedelta(days=240))
    _fine_instead_of_referral(session, who, enterprises[-2], start=today - timedelta(days=150))
    return 2


def _log(
    session: Session, officer: Actor, enterprise: Enterprise, start: date, **facts: Any
) -> Any:
    return violations.log_violation(
        session,
        officer,
        {
            "found_at": datetime.combine(start, time(10), tzinfo=LOCAL),
            "occurred_from": datetime.combine(start - timedelta(days=10), time(0), tzinfo=LOCAL),
            "county_code": "520382",
            "basin_code": "chishui",
            "enterprise_ids": [enterprise.id],
            "origin": "inspection",
            **facts,
        },
    )


def _four_channels(
    session: Session, who: Mapping[str, Actor], enterprise: Enterprise, *, start: date
) -> None:
    officer, head = who["officer.renhuai"], who["head.zunyi"]
    prosecutor, judge = who["prosecutor.zunyi"], who["judge.renhuai"]
    mid_judge, claimant = who["judge.zunyi"], who["compensation.province"]
    colleague = who["officer.renhuai2"]
    w = _Walker(session, start)
    v = _log(
        session,
        officer,
        enterprise,
        start,
        summary="向溶洞非法倾倒危险废物（废矿物油）",
        hazardous_waste_tonnes=Decimal("3.500"),
        evasive_methods=[EvasiveMethod.KARST_CAVE],
        toxic_substance=True,
        ecological_damage=True,
        loss_cents=42_000_000,
    )
    admin = cases.open_case(session, officer, v.id, {"lead_received_on": start})
    w.admin(head, admin, "file", 2)
    w.admin(officer, admin, "start_investigation", 3)
    w.inspection(officer, colleague, admin, enterprise, 3)
    crim = channel_opening.open_channel_case(
        session,
        officer,
        v.id,
        {
            "track": "criminal",
            "on": w.day(8),
            "source_case_id": admin.id,
            "report_officer_ids": [officer.user_id, colleague.user_id],
            "parties": [
                {"name": enterprise.name, "is_organisation": True, "enterprise_id": enterprise.id},
                {
                    "name": enterprise.legal_representative or "张某",
                    "id_number": "520382197805061234",
                    "phone": "13908512345",
                    "address": "贵州省仁怀市茅台镇某某村12号",
                },
            ],
        },
    )
    w.step(head, crim, "approve_transfer", 9)
    w.step(officer, crim, "hand_over", 10, attachments=_ATTACHMENTS)
    w.step(officer, crim, "acknowledge_receipt", 10, filing_limit="standard")
    w.step(officer, crim, "refuse_to_file", 12, reason="公安机关认为危废数量尚需鉴定")
    w.step(officer, crim, "request_supervision", 14, reason="危废数量已有鉴定意见，请求立案监督")
    w.step(prosecutor, crim, "order_filing", 16)
    w.step(officer, crim, "file_case", 20)
    w.step(officer, crim, "hand_over_seized_items", 21)
    w.step(prosecutor, crim, "refer_for_prosecution", 60)
    civil = channel_opening.open_channel_case(
        session,
        prosecutor,
        v.id,
        {"track": "civil_pil", "kind": "incidental", "source_case_id": crim.id, "on": w.day(50)},
    )
    w.step(prosecutor, civil, "announce", 50)
    w.step(prosecutor, crim, "indict", 85)
    w.step(prosecutor, civil, "file_with_indictment", 85)
    w.step(judge, crim, "accept_for_trial", 88)
    w.step(judge, civil, "accept", 88)
    w.step(judge, civil, "start_trial", 100)
    w.step(judge, crim, "judge_first_instance", 140, verdict="conviction", fine_cents=10_000_000)
    w.step(judge, crim, "become_final", 160)

    comp = channel_opening.open_channel_case(
        session, claimant, v.id, {"track": "compensation", "on": w.day(6)}
    )
    w.step(claimant, comp, "start_screening", 7)
    w.step(claimant, comp, "start_claim", 12)
    channels.notify_procuratorate(
        session, claimant, comp.id, {"on": w.day(12)}, expected_version=comp.version
    )
    w.step(claimant, comp, "start_assessment", 30, assessment_method="full")
    w.step(claimant, comp, "serve_consultation_notice", 60, notice_served_on=w.day(60))
    w.step(claimant, comp, "record_round", 75, round_summary="第一轮磋商：对修复方案达成一致")
    w.step(
        claimant,
        comp,
        "reach_agreement",
        90,
        agreed_cents=50_000_000,
        restoration=True,
        performance_due_on=w.day(300),
    )
    w.step(claimant, comp, "apply_confirmation", 95)
    w.step(mid_judge, comp, "publish_confirmation_notice", 96)
    w.step(mid_judge, comp, "confirm_agreement", 130)
    ledger.add_project(
        session,
        claimant,
        comp.id,
        {
            "title": "溶洞危险废物清理与地下水修复",
            "budget_cents": 35_000_000,
            "start_on": w.day(135),
            "due_on": w.day(300),
            "milestones": [
                {"title": "溶洞危险废物清运处置", "due_on": w.day(180)},
                {"title": "地下水监测井布设与修复", "due_on": w.day(270)},
            ],
        },
        expected_version=comp.version,
    )
    ledger.record_compensation_payment(
        session,
        claimant,
        comp.id,
        {
            "kind": "compensation",
            "amount_cents": 15_000_000,
            "paid_on": w.day(140),
            "reference": "黔非税赔2026-0001",
        },
        expected_version=comp.version,
    )


def _fine_instead_of_referral(
    session: Session, who: Mapping[str, Actor], enterprise: Enterprise, *, start: date
) -> None:
    officer, head = who["officer.renhuai"], who["head.zunyi"]
    colleague = who["officer.renhuai2"]
    w = _Walker(session, start)
    v = _log(
        session,
        officer,
        enterprise,
        start,
        summary="危险废物（含重金属污泥）4.2吨未按规定处置",
        hazardous_waste_tonnes=Decimal("4.200"),
    )
    case = cases.open_case(session, officer, v.id, {"lead_received_on": start})
    w.admin(head, case, "file", 2)
    w.admin(officer, case, "start_investigation", 3)
    w.inspection(officer, colleague, case, enterprise, 3)
    w.admin(officer, case, "conclude_investigation", 10)
    w.admin(
        officer,
        case,
        "notify",
        20,
        proposed_penalty_types=["fine"],
        proposed_fine_cents=15_000_000,
        rights_waived_in_writing=True,
    )
    w.admin(officer, case, "end_reply_period", 21)
    w.admin(
        head,
        case,
        "decide",
        30,
        penalty_types=["fine"],
        correction_ordered_on=w.day(30),
        fines=[{"act": v.summary, "amount_cents": 15_000_000}],
    )
    w.admin(officer, case, "serve", 32)
    penalties.record_payment(
        session,
        officer,
        case.id,
        {
            "kind": "fine",
            "amount_cents": 15_000_000,
            "paid_on": w.day(44),
            "reference": "黔非税2026-0002",
        },
        expected_version=case.version,
    )
    w.admin(officer, case, "record_performance", 45)
