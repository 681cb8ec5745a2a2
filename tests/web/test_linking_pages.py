"""Pages: the record-linkage review queue, deciding a pair, undoing it, and who may."""

from __future__ import annotations

import re

import pytest

from casemgr.models import (
    Decision,
    ImportBatch,
    LinkCandidate,
    ReviewState,
    SourceRecord,
)
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import linking
from tests.factories import EnterpriseFactory


def _evidence(name_level: str, name_weight: float) -> dict:
    """Evidence in the shape a link run stores (casemgr.services.link_run._evidence)."""
    return {
        "source": "tax",
        "fields": [
            {"field": "identifier", "level": "MISSING", "weight": 0.0, "detail": ""},
            {"field": "name", "level": name_level, "weight": name_weight, "detail": "鑫源酒业"},
            {"field": "place", "level": "COUNTY", "weight": 2.5, "detail": "仁怀市"},
            {"field": "legal_rep", "level": "EXACT", "weight": 3.1, "detail": ""},
            {"field": "address", "level": "DIFFERENT", "weight": -1.25, "detail": ""},
            {"field": "phone", "level": "MISSING", "weight": 0.0, "detail": ""},
            {"field": "prior", "level": "", "weight": -9.0, "detail": "0.900 of records match"},
        ],
        "alternatives": [{"uscc": "91520382MA6DKXXX1X", "weight": 1.5}],
    }


@pytest.fixture
def pairs(session):
    """Two pairs waiting for review: one of a 仁怀 (520382) enterprise, one of 南明 (520102)."""
    renhuai = EnterpriseFactory(
        name="仁怀市茅台镇鑫源酒业有限公司", county_code="520382", legal_representative="张三"
    )
    nanming = EnterpriseFactory(name="贵阳南明别处化工有限公司", county_code="520102")
    batch = ImportBatch(
        source="tax", filename="税务登记2026.csv", sha256="0" * 64, file_format="csv",
        status="committed",
    )  # fmt: skip
    session.add(batch)
    session.flush()
    records = [
        SourceRecord(
            batch_id=batch.id, source="tax", record_key="520382714305801", row_number=2,
            name="仁怀鑫源酒业有限责任公司", legal_rep="张三", address="仁怀市茅台镇酒谷路",
        ),
        SourceRecord(
            batch_id=batch.id, source="tax", record_key="520102000000001", row_number=3,
            name="南明别处化工", legal_rep="李四",
        ),
    ]  # fmt: skip
    session.add_all(records)
    session.commit()
    out = {}
    for key, record, ent, score, level in (
        ("renhuai", records[0], renhuai, 6.2, "CORE"),
        ("nanming", records[1], nanming, 4.0, "SIMILAR"),
    ):
        out[key] = linking.propose(
            session, record_id=record.id, enterprise_id=ent.id, rule="model", score=score,
            decision=Decision.REVIEW, evidence=_evidence(level, 8.1), actor=SYSTEM_ACTOR,
        ).id  # fmt: skip
    session.commit()
    return out


def test_the_queue_shows_each_pair_side_by_side_with_its_evidence(browser_as, pairs):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    resp = browser.get("/linking/review")
    assert resp.status_code == 200
    page = resp.text
    # Both sides of the pair, the Chinese agreement levels, the weights and the score.
    assert "仁怀鑫源酒业有限责任公司" in page and "仁怀市茅台镇鑫源酒业有限公司" in page
    assert "名称核心相同" in page and "+8.10" in page and "-1.25" in page
    assert "6.20" in page and "税务登记2026.csv" in page and "91520382MA6DKXXX1X" in page
    # Most uncertain first by default is the highest score first; the other order reverses it.
    assert page.index(f"pair-{pairs['renhuai']}") < page.index(f"pair-{pairs['nanming']}")
    low = browser.get("/linking/review?sort=score").text
    assert low.index(f"pair-{pairs['nanming']}") < low.index(f"pair-{pairs['renhuai']}")
    assert "没有待复核" not in browser.get("/linking/review?source=tax").text
    assert "没有待复核" in browser.get("/linking/review?source=env").text


def test_accepting_links_the_record_and_a_second_decision_is_refused_clearly(
    browser_as, session, pairs
):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    cid = pairs["renhuai"]
    resp = browser.post(
        f"/linking/review/{cid}/decision",
        {"decision": "accept", "note": "同一企业，税号含组织机构代码", "version": "1", "page": "1"},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/linking/review")
    session.expire_all()
    candidate = session.get(LinkCandidate, cid)
    assert candidate.state is ReviewState.ACCEPTED
    assert candidate.note == "同一企业，税号含组织机构代码"
    assert candidate.record.enterprise_id == candidate.enterprise_id
    queue = browser.get("/linking/review").text
    assert "已关联" in queue  # the flash message
    assert f"pair-{cid}" not in queue and f"pair-{pairs['nanming']}" in queue

    # The page opened before the decision still posts version 1: refused, and says why.
    again = browser.post(f"/linking/review/{cid}/decision", {"decision": "reject", "version": "1"})
    assert again.status_code == 409
    assert "该记录对已处理。" in again.text
    session.expire_all()
    assert session.get(LinkCandidate, cid).state is ReviewState.ACCEPTED

    # The decided pair shows who decided and offers the undo; undone, it waits again.
    decided = browser.get(f"/linking/review/{cid}").text
    assert "撤销关联" in decided and "同一企业，税号含组织机构代码" in decided
    undone = browser.post(f"/linking/review/{cid}/undo")
    assert undone.status_code == 302
    session.expire_all()
    candidate = session.get(LinkCandidate, cid)
    assert candidate.state is ReviewState.PENDING and candidate.record.enterprise_id is None


def test_rejecting_keeps_the_pair_as_evidence(browser_as, session, pairs):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    cid = pairs["nanming"]
    resp = browser.post(f"/linking/review/{cid}/decision", {"decision": "reject", "version": "1"})
    assert resp.status_code == 302
    session.expire_all()
    candidate = session.get(LinkCandidate, cid)
    assert candidate.state is ReviewState.REJECTED and candidate.record.enterprise_id is None
    assert "不予关联" in browser.get(f"/linking/review/{cid}").text


def test_a_note_too_long_is_422_with_the_note_kept_and_the_error_beside_it(
    browser_as, session, pairs
):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    cid = pairs["renhuai"]
    note = "核" * 501
    resp = browser.post(
        f"/linking/review/{cid}/decision", {"decision": "accept", "note": note, "version": "1"}
    )
    assert resp.status_code == 422
    field = re.search(
        rf'<textarea id="note-{cid}" name="note"[^>]*aria-invalid="true"[^>]*>{note}</textarea>',
        resp.text,
    )
    assert field, "the typed note is kept in the invalid field"
    assert f'id="note-{cid}-error">长度不得超过 500。' in resp.text
    session.expire_all()
    assert session.get(LinkCandidate, cid).state is ReviewState.PENDING


def test_a_county_reviewer_sees_and_decides_only_pairs_of_their_county(browser_as, session, pairs):
    browser, _ = browser_as(Role.OFFICER, jurisdictions=("520382",))
    page = browser.get("/linking/review").text
    assert f"pair-{pairs['renhuai']}" in page and f"pair-{pairs['nanming']}" not in page
    other = pairs["nanming"]
    assert browser.get(f"/linking/review/{other}").status_code == 403
    resp = browser.post(f"/linking/review/{other}/decision", {"decision": "accept", "version": "1"})
    assert resp.status_code == 403
    session.expire_all()
    assert session.get(LinkCandidate, other).state is ReviewState.PENDING
    assert browser.get("/linking/review/99999").status_code == 404


def test_a_reader_without_write_permission_sees_the_queue_but_cannot_decide(
    browser_as, session, pairs
):
    browser, _ = browser_as(Role.JUDGE)
    page = browser.get("/linking/review")
    assert page.status_code == 200 and "仁怀鑫源酒业有限责任公司" in page.text
    assert "/decision" not in page.text
    cid = pairs["renhuai"]
    resp = browser.post(f"/linking/review/{cid}/decision", {"decision": "accept", "version": "1"})
    assert resp.status_code == 403
    session.expire_all()
    assert session.get(LinkCandidate, cid).state is ReviewState.PENDING


def test_the_queue_in_english(browser_as, pairs):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    page = browser.get("/linking/review?lang=en").text
    assert "Record linkage review" in page and "same core name" in page
    assert "Link: the same enterprise" in page and "Reject: different enterprises" in page
