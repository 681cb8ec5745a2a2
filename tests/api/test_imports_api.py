"""Imports through the HTTP stack and the command line: real files, translated row reasons."""

from __future__ import annotations

import io

from casemgr.policy import Role
from tests.integration.test_imports import REGISTRY_HEADER, _uscc


def _upload(client, login, content: bytes, name="registry.csv", source="registry", **form):
    return client.post(
        "/api/v1/imports",
        data={"source": source, "file": (io.BytesIO(content), name), **form},
        headers={**login.headers, "Accept-Language": "zh-CN"},
        content_type="multipart/form-data",
    )


def test_an_upload_imports_a_batch_and_lists_its_bad_rows_in_chinese(client, auth):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    body = (
        REGISTRY_HEADER
        + f"{_uscc(7)},贵州某某酒业有限公司,张三,,2011-01-01,存续,\n"
        + f"{_uscc(8)},,李四,,,,\n"
    ).encode()
    resp = _upload(client, regulator, body, source_date="2026-11-01")
    assert resp.status_code == 201, resp.get_json()
    batch = resp.get_json()
    assert (batch["status"], batch["rows_imported"], batch["rows_rejected"]) == ("committed", 1, 1)
    assert batch["source_date"] == "2026-11-01" and batch["filename"] == "registry.csv"
    rejected = client.get(
        f"/api/v1/imports/{batch['id']}/rejections",
        headers={**regulator.headers, "Accept-Language": "zh-CN"},
    ).get_json()["items"]
    assert rejected == [{"row_number": 3, "field": "name", "reason": "此项必填。"}]


def test_an_unreadable_upload_is_a_failed_batch_naming_the_reason(client, auth):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    resp = _upload(client, regulator, b"\xff\xfe\xfa\xfb garbage \x80\x81", name="x.csv")
    assert resp.status_code == 201
    assert resp.get_json()["status"] == "failed"
    assert "encoding is unknown" in resp.get_json()["error"]


def test_bad_form_fields_are_named(client, auth):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    resp = _upload(client, regulator, b"x", source="bank")
    assert resp.status_code == 422 and "source" in str(resp.get_json()["errors"])
    officer_less = auth.login(Role.JUDGE)
    assert _upload(client, officer_less, REGISTRY_HEADER.encode()).status_code == 403


def test_the_command_line_imports_a_file(runner, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY_HEADER + f"{_uscc(9)},某某公司,张三,,,,\n", encoding="utf-8")
    result = runner.invoke(args=["linkage", "import", str(path), "--source", "registry"])
    assert result.exit_code == 0, result.output
    assert "committed, 1 imported, 0 rejected of 1" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称\n某某公司\n", encoding="utf-8")
    result = runner.invoke(args=["linkage", "import", str(bad), "--source", "registry"])
    assert result.exit_code == 1 and "uscc" in result.output
