"""Evidence files, chain of custody, issued documents and their service, through HTTP."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest

from casemgr.policy import Role
from tests.api.test_cases_api import DECISION, _notified

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client, login, case_id, content, filename, **fields):
    data = {
        "kind": "document",
        "title": "现场照片",
        "collected_at": "2026-03-04T10:00:00+08:00",
        **fields,
    }
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return client.post(
        f"/api/v1/cases/{case_id}/evidence",
        data=data,
        headers=login.headers,
        content_type="multipart/form-data",
    )


def test_a_file_is_stored_by_its_sha256_and_served_back(client, world, app):
    case = _notified(client, world, date(2026, 4, 1))
    resp = _upload(
        client,
        world["officer"],
        case.body["id"],
        PDF,
        "监测报告.pdf",
        kind="expert_opinion",
        title="监测报告",
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (body["content_type"], body["size_bytes"]) == ("application/pdf", len(PDF))
    assert [c["action"] for c in body["custody"]] == ["collected"]
    stored = Path(app.config["UPLOAD_FOLDER"]) / "evidence" / body["sha256"][:2] / body["sha256"]
    assert stored.read_bytes() == PDF
    download = client.get(f"/api/v1/evidence/{body['id']}/file", headers=world["officer"].headers)
    assert download.status_code == 200 and download.data == PDF


def test_a_file_altered_on_disk_is_reported_not_served(client, world, app):
    case = _notified(client, world, date(2026, 4, 1))
    body = _upload(client, world["officer"], case.body["id"], PNG, "照片.png").get_json()
    stored = Path(app.config["UPLOAD_FOLDER"]) / "evidence" / body["sha256"][:2] / body["sha256"]
    stored.write_bytes(PNG + b"tampered")
    resp = client.get(f"/api/v1/evidence/{body['id']}/file", headers=world["officer"].headers)
    assert resp.status_code == 409
    assert str(body["id"]) in resp.get_json()["message"]


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"MZ\x90\x00 not a pdf", "report.pdf"),
        (PDF, "report.exe"),
        (b"", "empty.txt"),
        (b"\x00\x01binary", "notes.txt"),
    ],
)
def test_files_outside_the_allow_list_are_422_and_leave_nothing(
    client, world, app, content, filename
):
    case = _notified(client, world, date(2026, 4, 1))
    folder = Path(app.config["UPLOAD_FOLDER"]) / "evidence"

    def files():
        return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()

    before = files()
    resp = _upload(client, world["officer"], case.body["id"], content, filename)
    assert resp.status_code == 422, resp.get_json()
    assert "file" in resp.get_json()["errors"]
    assert files() == before  # no stored file, no temporary file left behind
    listing = client.get(
        f"/api/v1/cases/{case.body['id']}/evidence", headers=world["officer"].headers
    ).get_json()
    assert listing == []


def test_a_file_over_the_limit_is_413(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1000)
    case = _notified(client, world, date(2026, 4, 1))
    resp = _upload(client, world["officer"], case.body["id"], PDF + b"x" * 2000, "big.pdf")
    assert resp.status_code == 413


def test_the_chain_of_custody_only_grows_forward(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    ev = _upload(
        client, world["officer"], case.body["id"], None, None, kind="physical", title="废水样品"
    ).get_json()
    url = f"/api/v1/evidence/{ev['id']}/custody"
    ok = client.post(
        url,
        headers=world["officer"].headers,
        json={
            "action": "examined",
            "at": "2026-03-05T09:00:00+08:00",
            "place": "省监测中心",
            "handed_to": "贵州省环境监测中心站",
        },
    )
    assert ok.status_code == 201
    back = client.post(
        url,
        headers=world["officer"].headers,
        json={"action": "stored", "at": "2026-03-03T09:00:00+08:00"},
    )
    assert back.status_code == 422 and "at" in back.get_json()["errors"]


def test_evidence_of_another_county_does_not_exist(client, world, auth):
    case = _notified(client, world, date(2026, 4, 1))
    ev = _upload(client, world["officer"], case.body["id"], PNG, "a.png").get_json()
    stranger = auth.login(Role.OFFICER, jurisdictions=("520102",))
    assert (
        client.get(f"/api/v1/evidence/{ev['id']}/file", headers=stranger.headers).status_code == 404
    )
    assert _upload(client, stranger, case.body["id"], PNG, "b.png").status_code == 404


DECISION_DOC = {
    "kind": "decision",
    "legal_basis": "《中华人民共和国水污染防治法》第八十三条第二项",
    "performance_manner": "将罚款缴至指定银行账户",
    "reconsideration_body": "遵义市人民政府",
    "court": "遵义市汇川区人民法院",
    "agency": "遵义市生态环境局",
    "issued_on": "2026-04-20",
}


def test_a_decision_document_needs_the_six_items_of_article_59(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    case.step(world["head"], "decide", on="2026-04-20", **DECISION)
    _upload(client, world["officer"], case.body["id"], PNG, "现场.png", title="现场检查照片")
    case.reload(world["officer"])
    url = f"{case.url}/documents"
    headers = {**world["head"].headers, "If-Match": f'"v{case.body["version"]}"'}
    missing = client.post(
        url, json={"kind": "decision", "agency": "遵义市生态环境局"}, headers=headers
    )
    assert missing.status_code == 422
    assert {"penalty_and_basis", "performance", "remedies"} <= set(missing.get_json()["errors"])
    assert "第五十九条" in missing.get_json()["message"]
    issued = client.post(url, json=DECISION_DOC, headers=headers)
    assert issued.status_code == 201, issued.get_json()
    doc = issued.get_json()
    assert doc["number"] == case.body["number"]
    assert doc["content"]["facts_and_evidence"]["evidence"] == ["现场检查照片"]
    assert doc["content"]["penalty_and_basis"]["fine_cny"] == "80,000.00"
    served = client.post(
        f"/api/v1/documents/{doc['id']}/services",
        headers=world["head"].headers,
        json={"method": "electronic", "served_on": "2026-04-22", "recipient": "当事人"},
    )
    assert served.status_code == 422 and "consent_on_file" in served.get_json()["errors"]
    served = client.post(
        f"/api/v1/documents/{doc['id']}/services",
        headers=world["head"].headers,
        json={"method": "direct", "served_on": "2026-04-22", "recipient": "法定代表人 王建国"},
    )
    assert served.status_code == 201


def test_the_decision_prints_with_its_six_items(client, world, auth):
    from tests.conftest import PASSWORD
    from tests.web.test_pages import _login

    case = _notified(client, world, date(2026, 4, 1))
    case.step(world["head"], "decide", on="2026-04-20", **DECISION)
    _upload(client, world["officer"], case.body["id"], PNG, "现场.png", title="现场检查照片")
    case.reload(world["officer"])
    doc = client.post(
        f"{case.url}/documents",
        json=DECISION_DOC,
        headers={**world["head"].headers, "If-Match": f'"v{case.body["version"]}"'},
    ).get_json()
    viewer = auth.user(Role.OFFICER, jurisdictions=("520382",))
    assert _login(client, viewer.username, PASSWORD).status_code == 302
    page = client.get(f"/documents/{doc['id']}/print")
    assert page.status_code == 200
    for text in (
        "行政处罚决定书",
        "当事人",
        "罚款人民币80,000.00元",
        "遵义市人民政府",
        "遵义市汇川区人民法院",
        "遵义市生态环境局",
        "2026-04-20",
        case.body["number"],
    ):
        assert text in page.text, text
