"""The home page of each role (工作台): what each section shows from real records, what it
leaves out (another county's records, another court's families), the inbox, English."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from casemgr.models import (
    AuditEntry,
    Case,
    CreditObjection,
    CreditScore,
    Deadline,
    InspectionDraw,
    JobRun,
    Notification,
    RequestState,
    ScoreReason,
)
from casemgr.policy import Role
from casemgr.schemas.cases import CaseOpenSchema
from casemgr.schemas.violations import ViolationCreateSchema
from casemgr.services import cases, credit, notifications, violations
from casemgr.services.access import actor_for
from casemgr.services.localtime import LOCAL, local_today
from casemgr.services.notifications import NewNotification
from tests.api import test_cases_api
from tests.api.test_cases_api import FILED, _to_review
from tests.factories import EnterpriseFactory
from tests.web.conftest import csrf_of, login

RENHUAI, NANMING = "520382", "520102"  # 仁怀市 (遵义市), 南明区 (贵阳市)
CERTIFIED = {"certificate_valid_until": date(2030, 1, 1)}
world = test_cases_api.world  # the API tests' county world (a fixture)


def open_case(session, user, enterprise, *, received: date, summary: str) -> Case:
    """A violation and its administrative case (a lead, 线索), through the services."""
    actor = actor_for(session, user)
    found = datetime.combine(received - timedelta(days=1), time(9), tzinfo=LOCAL)
    v = violations.log_violation(
        session,
        actor,
        ViolationCreateSchema().load(
            {
                "found_at": found.isoformat(),
                "county_code": enterprise.county_code,
                "enterprise_ids": [enterprise.id],
                "summary": summary,
                "origin": "inspection",
            }
        ),
    )
    data = CaseOpenSchema().load({"violation_id": v.id, "lead_received_on": received.isoformat()})
    return cases.open_case(session, actor, v.id, data)


def filing_deadline(session, case: Case) -> Deadline:
    return session.scalar(
        select(Deadline).where(
            Deadline.case_id == case.id, Deadline.rule_code == "admin.filing_decision"
        )
    )


@pytest.fixture
def counties(auth, session):
    """An enterprise, an officer and a case in 仁怀 and the same in 南明 (another prefecture)."""
    today = local_today()
    ours = EnterpriseFactory(name="仁怀市国酱酒业有限公司", county_code=RENHUAI)
    theirs = EnterpriseFactory(name="南明区别处化工有限公司", county_code=NANMING)
    session.commit()
    officer = auth.user(Role.OFFICER, jurisdictions=(RENHUAI,), display_name="王执法", **CERTIFIED)
    other = auth.user(Role.OFFICER, jurisdictions=(NANMING,), **CERTIFIED)
    late = open_case(
        session, officer, ours, received=today - timedelta(days=20), summary="超标排放酿酒废水"
    )
    fresh = open_case(session, officer, ours, received=today, summary="未批先建酒糟堆场")
    foreign = open_case(
        session, other, theirs, received=today - timedelta(days=20), summary="南明区偷排化工废液"
    )
    return {
        "ours": ours,
        "theirs": theirs,
        "officer": officer,
        "other": other,
        "late": late,
        "fresh": fresh,
        "foreign": foreign,
    }


def test_an_officer_sees_their_cases_and_deadlines_not_another_countys(client, session, counties):
    assert login(client, counties["officer"].username).status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "王执法" in html and "我的案件" in html and "我的期限" in html
    assert "超标排放酿酒废水" in html and "未批先建酒糟堆场" in html
    assert f'href="/cases/{counties["late"].id}"' in html
    assert "仁怀市国酱酒业有限公司" in html
    assert "南明区偷排化工废液" not in html and "南明区别处化工有限公司" not in html
    # The lead received 20 days ago is past its 15-day filing review (立案审查期限): overdue.
    late = filing_deadline(session, counties["late"])
    overdue_days = (local_today() - late.due_on).days
    assert overdue_days > 0
    assert f"已逾期{overdue_days}天" in html
    assert "《生态环境行政处罚办法》（2023）第18条" in html  # the rule's legal basis
    assert "立案审查期限" in html


def test_a_bureau_head_sees_what_waits_for_approval_within_their_jurisdiction(
    client, auth, session, counties
):
    head = auth.user(Role.BUREAU_HEAD, jurisdictions=("520300",))  # 遵义市 covers 仁怀
    session.commit()
    login(client, head.username)
    html = client.get("/").text
    assert "待您审批" in html
    assert "超标排放酿酒废水" in html and "未批先建酒糟堆场" in html
    assert "南明区偷排化工废液" not in html
    # Overdue deadlines of the jurisdiction: the late filing review only, not the fresh one.
    section = html.split('id="h-overdue"', 1)[1].split("</section>", 1)[0]
    assert f'href="/cases/{counties["late"].id}"' in section
    assert f'href="/cases/{counties["fresh"].id}"' not in section
    assert f'href="/cases/{counties["foreign"].id}"' not in section


def test_a_legal_reviewer_sees_the_cases_sent_for_legal_review(client, auth, session, world):
    case = _to_review(client, world)
    case.step(world["officer"], "request_legal_review", on=FILED.isoformat())
    assert case.body["status"] == "legal_review"
    reviewer = auth.user(Role.LEGAL_REVIEWER, jurisdictions=("520300",))
    outsider = auth.user(Role.LEGAL_REVIEWER, jurisdictions=(NANMING,))
    session.commit()
    login(client, reviewer.username)
    html = client.get("/").text
    section = html.split('id="h-review"', 1)[1].split("</section>", 1)[0]
    assert f'href="/cases/{case.body["id"]}"' in section
    # The stage by its name in the reader's language, as the case pages name it.
    assert "<td>法制审核<br>" in section and "法制审核 legal_review" not in section
    english = client.get("/?lang=en").text.split('id="h-review"', 1)[1].split("</section>")[0]
    assert "<td>Legal review<br>" in english and "<td>法制审核" not in english
    login(client, outsider.username)
    section = client.get("/").text.split('id="h-review"', 1)[1].split("</section>", 1)[0]
    assert f'href="/cases/{case.body["id"]}"' not in section
    assert "暂无待法制审核的案件" in section


def test_a_judge_sees_the_families_before_their_court_and_the_read_is_audited(
    client, auth, session, counties
):
    before = counties["late"]
    before.court_code = f"C{RENHUAI}"  # 仁怀市人民法院
    counties["foreign"].court_code = f"C{NANMING}"
    session.commit()
    judge = auth.user(Role.JUDGE, jurisdictions=("520300",), organ_code=f"C{RENHUAI}")
    session.commit()
    login(client, judge.username)
    html = client.get("/").text
    assert "人民法院" in html  # the organ's name from the reference data
    assert f'href="/violations/{before.violation_id}/family"' in html
    assert "超标排放酿酒废水" in html
    assert "南明区偷排化工废液" not in html
    assert "未批先建酒糟堆场" not in html  # a family with no case before the court
    audited = session.scalars(
        select(AuditEntry.record_key).where(AuditEntry.actor_id == judge.id)
    ).all()
    assert any("families" in key for key in audited)


def test_a_judge_without_an_organ_is_told_so(client, auth, session):
    judge = auth.user(Role.JUDGE, jurisdictions=("520300",))
    session.commit()
    login(client, judge.username)
    assert "您的账号未设置所属法院或检察院" in client.get("/").text


def _score(session, enterprise, tier, points, as_of, key):
    session.add(
        CreditScore(
            enterprise_id=enterprise.id,
            scheme=key,
            as_of=as_of,
            reason=ScoreReason.RESCORE,
            status="rated",
            points=points,
            score_tier=tier,
            own_tier=tier,
            tier=tier,
            contributions=[],
            digest=f"{enterprise.id}-{tier}-{points}",
        )
    )


def test_a_credit_regulator_sees_tier_changes_and_pending_requests_in_scope(
    client, auth, session, app
):
    key = credit.scheme_named(app.config["CREDIT_SCHEME"]).key
    ours = EnterpriseFactory(name="仁怀市降级酒业有限公司", county_code=RENHUAI)
    steady = EnterpriseFactory(name="仁怀市稳定酒业有限公司", county_code=RENHUAI)
    theirs = EnterpriseFactory(name="南明区降级化工有限公司", county_code=NANMING)
    session.flush()
    _score(session, ours, "blue", 85.0, date(2026, 1, 1), key)
    _score(session, steady, "green", 95.0, date(2026, 1, 1), key)
    _score(session, theirs, "blue", 85.0, date(2026, 1, 1), key)
    session.flush()
    _score(session, ours, "yellow", 70.0, date(2026, 6, 1), key)
    _score(session, steady, "green", 94.0, date(2026, 6, 1), key)  # points only: no change
    _score(session, theirs, "red", 50.0, date(2026, 6, 1), key)
    for ent, record in ((ours, "transition:1"), (theirs, "transition:2")):
        session.add(
            CreditObjection(
                enterprise_id=ent.id,
                record=record,
                scheme=key,
                reason="处罚主体错误",
                filed_on=date(2026, 6, 10),
                state=RequestState.PENDING,
            )
        )
    session.commit()
    regulator = auth.user(Role.CREDIT_REGULATOR, jurisdictions=("520300",))
    session.commit()
    login(client, regulator.username)
    html = client.get("/").text
    tiers = html.split('id="h-tiers"', 1)[1].split("</section>", 1)[0]
    assert "仁怀市降级酒业有限公司" in tiers
    assert "蓝牌（环保良好）" in tiers and "黄牌（环保警示）" in tiers
    assert "2026-06-01" in tiers and "70.0" in tiers
    assert tiers.count("仁怀市稳定酒业有限公司") == 1  # its first rating, not the points change
    assert "南明区降级化工有限公司" not in tiers
    requests = html.split('id="h-requests"', 1)[1].split("</section>", 1)[0]
    mine = session.scalar(
        select(CreditObjection.id).where(CreditObjection.enterprise_id == ours.id)
    )
    assert f'href="/credit/requests/objections/{mine}"' in requests
    assert "transition:1" in requests and "transition:2" not in requests


def test_an_inspection_planner_sees_the_current_round_and_the_draws(client, auth, session, app):
    planner = auth.login(Role.INSPECTION_PLANNER, jurisdictions=("520000",))
    team = client.post(
        "/api/v1/inspection-teams",
        headers=planner.headers,
        json={"code": "T1", "name": "第一督察组"},
    ).get_json()
    today = local_today()
    rnd = client.post(
        "/api/v1/inspection-rounds",
        headers=planner.headers,
        json={
            "name": "本轮省级生态环境保护督察",
            "cycle_start": date(today.year, 1, 1).isoformat(),
            "cycle_end": date(today.year + 1, 12, 31).isoformat(),
            "team_ids": [team["id"]],
        },
    )
    assert rnd.status_code == 201, rnd.get_json()
    coming = sorted(
        (v for v in rnd.get_json()["visits"] if v["end_on"] >= today.isoformat()),
        key=lambda v: (v["start_on"], v["id"]),
    )
    assert coming, "the two-year plan has stays after today"
    label = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    session.add(
        InspectionDraw(
            title=f"贵州省 {label} 双随机抽查",
            scope_code="520000",
            level="province",
            period="quarter",
            period_label=label,
            draw_on=today,
            seed="0" * 64,
            config={},
            config_digest="c" * 64,
            pool_digest="p" * 64,
            roster_digest="r" * 64,
            exclusions_digest="e" * 64,
            pool_size=100,
            roster_size=10,
            status="drawn",
        )
    )
    session.commit()
    login(client, planner.actor.username)
    html = client.get("/").text
    assert "本轮省级生态环境保护督察" in html
    assert f'href="/inspections/rounds/{rnd.get_json()["id"]}"' in html
    assert f'href="/inspections/units/{coming[0]["id"]}"' in html
    assert "第一督察组" in html
    # The stays' stage in the reader's language, as the inspection pages name it.
    assert "<td>督察准备</td>" in html and "督察准备 preparation" not in html
    assert "<td>Preparation</td>" in client.get("/?lang=en").text
    draw = session.scalar(select(InspectionDraw.id))
    assert f'href="/inspections/draws/{draw}"' in html and "已抽取，待审核" in html
    q = (today.month - 1) // 3
    following = date(today.year + 1, 1, 1) if q == 3 else date(today.year, 3 * q + 4, 1)
    next_label = f"{following.year}Q{(following.month - 1) // 3 + 1}"
    assert f"下次抽取：{next_label}，于{following.isoformat()}" in html


def test_a_county_planner_is_not_shown_the_province_draw(client, auth, session):
    planner = auth.user(Role.INSPECTION_PLANNER, jurisdictions=(RENHUAI,))
    session.commit()
    login(client, planner.username)
    html = client.get("/").text
    assert "没有覆盖您管辖范围的定期抽查" in html
    assert "尚未制定督察轮次" in html


def test_an_administrator_sees_the_system_status(client, auth, session):
    EnterpriseFactory(county_code=RENHUAI)
    EnterpriseFactory(county_code=NANMING)
    session.add_all(
        [
            JobRun(job_id="refresh_deadlines", runner="host:1", outcome="ok", detail="old run"),
            JobRun(job_id="refresh_deadlines", runner="host:1", outcome="failed", detail="boom 42"),
            JobRun(job_id="send_reminders", runner="host:1", outcome="ok", detail="read 7"),
        ]
    )
    session.commit()
    admin = auth.user(Role.ADMIN, jurisdictions=("520000",))
    session.commit()
    login(client, admin.username)
    html = client.get("/").text
    section = html.split('id="h-system"', 1)[1].split("</section>", 1)[0]
    assert '<dt><a href="/enterprises">企业</a></dt>\n    <dd>2</dd>' in section
    assert "refresh_deadlines" in section and "boom 42" in section and "失败" in section
    assert "old run" not in section  # only the latest run of each job
    assert "send_reminders" in section


def test_unread_notifications_are_listed_translated_and_can_be_marked_read(client, auth, session):
    user = auth.user(Role.OFFICER, jurisdictions=(RENHUAI,), **CERTIFIED)
    notifications.add(
        session,
        [
            NewNotification(
                user.id,
                "deadline_due_soon",
                "k1",
                "Deadline due on {due_on}: {title} (case {case_id})",
                {"due_on": "2026-12-01", "title": "立案审查期限", "case_id": 7},
                link="/cases/7",
            )
        ],
    )
    session.commit()
    login(client, user.username)
    html = client.get("/").text
    assert 'href="/cases/7"' in html and "2026-12-01" in html and "立案审查期限" in html
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and "未读" in inbox.text
    done = client.post("/inbox/read", data={"csrf_token": csrf_of(inbox.text)})
    assert done.status_code == 302
    assert session.scalar(select(Notification.read_at)) is not None
    assert "您没有未读通知" in client.get("/").text


def test_the_home_page_speaks_english_on_request(client, session, counties):
    login(client, counties["officer"].username)
    html = client.get("/?lang=en").text
    assert "My cases" in html and "My deadlines" in html and "Unread notifications" in html
    assert "Enforcement officer" in html
    assert "day(s) overdue" in html
    assert "我的案件" not in html
