"""Task pages: long operations queued from forms (never run in the request), run by the real
worker code, followed through the stored progress, their outcome and file shown to their
submitter only."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from casemgr.models import CreditExport, Task, TaskStatus
from casemgr.policy import Role
from casemgr.services import task_kinds, tasks
from casemgr.services.access import actor_for
from tests.factories import EnterpriseFactory

REGISTRY_CSV = (
    "统一社会信用代码,企业名称,住所,法定代表人\n"
    "91520302MA6DLDQR9C,遵义测试化工有限公司,遵义市红花岗区,王建国\n"
)


def _task_id(resp) -> int:
    assert resp.status_code == 302, resp.text
    match = re.search(r"/tasks/(\d+)$", resp.headers["Location"])
    assert match, resp.headers["Location"]
    return int(match.group(1))


def _only_task(session) -> Task:
    session.expire_all()
    rows = session.scalars(select(Task)).all()
    assert len(rows) == 1, rows
    return rows[0]


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert match, f"no error shown next to {field}"
    return match.group(1)


def _exports(app) -> list[Path]:
    folder = Path(app.config["INSTANCE_PATH"]) / task_kinds.EXPORT_FOLDER
    return sorted(folder.glob("*")) if folder.is_dir() else []


@pytest.fixture
def regulator(browser_as):
    return browser_as(Role.CREDIT_REGULATOR, jurisdictions=("520000",), display_name="李信用")


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_my_tasks_newest_first_and_not_another_users(session, auth, browser_as):
    other = auth.user(Role.CREDIT_REGULATOR)
    theirs = tasks.submit(session, actor_for(session, other), "credit_rescore", {})
    browser, me = browser_as(Role.CREDIT_REGULATOR)
    actor = actor_for(session, me)
    first = tasks.submit(session, actor, "credit_rescore", {"as_of": "2026-01-01"})
    second = tasks.submit(session, actor, "credit_export", {"as_of": "2026-01-01"})

    page = browser.get("/tasks").text
    assert "全量信用评价" in page and "信用等级名单导出" in page
    assert "排队中" in page
    assert page.index(f"#{second.id}<") < page.index(f"#{first.id}<")  # newest first
    assert f"#{theirs.id}<" not in page
    # The forms a credit regulator may use are offered.
    for url in ("/tasks/new/credit-export", "/tasks/new/credit-rescore", "/tasks/new/import"):
        assert f'href="{url}"' in page

    english = browser.get("/tasks?lang=en").text
    assert "Full credit rescoring" in english and "Queued" in english
    assert "My tasks" in english


def test_an_administrator_lists_every_users_tasks_others_only_their_own(session, auth, browser_as):
    officer = auth.user(Role.OFFICER, jurisdictions=("520000",), display_name="张执法")
    theirs = tasks.submit(session, actor_for(session, officer), "link_run", {})
    browser, _ = browser_as(Role.ADMIN)
    everyone = browser.get("/tasks?all=1").text
    assert f"#{theirs.id}<" in everyone and "张执法" in everyone
    assert f"#{theirs.id}<" not in browser.get("/tasks").text

    regulator, _ = browser_as(Role.CREDIT_REGULATOR)
    assert f"#{theirs.id}<" not in regulator.get("/tasks?all=1").text  # not theirs to see


def test_forms_are_offered_only_to_the_roles_that_may_queue_them(browser_as):
    county_officer, _ = browser_as(Role.OFFICER, jurisdictions=("520382",))
    page = county_officer.get("/tasks").text
    assert 'href="/tasks/new/import"' in page
    for url in ("/tasks/new/credit-export", "/tasks/new/credit-rescore", "/tasks/new/link-run"):
        assert f'href="{url}"' not in page
    assert county_officer.get("/tasks/new/credit-export").status_code == 403
    assert county_officer.get("/tasks/new/link-run").status_code == 403  # local jurisdiction
    assert county_officer.post("/tasks/new/credit-rescore", {}).status_code == 403

    judge, _ = browser_as(Role.JUDGE, jurisdictions=("520000",))
    assert 'href="/tasks/new/' not in judge.get("/tasks").text
    assert judge.get("/tasks/new/import").status_code == 403


# --- Queuing from the forms ------------------------------------------------------------------


def test_an_export_is_queued_from_its_form_with_the_checked_filters_and_nothing_runs(
    app, session, regulator
):
    browser, user = regulator
    form = browser.get("/tasks/new/credit-export").text
    assert 'name="as_of"' in form and "环保诚信企业" in form and "遵义市" in form
    resp = browser.post(
        "/tasks/new/credit-export",
        {
            "as_of": "2026-11-01",
            "format": "xlsx",
            "tier": ["red", "yellow"],
            "county": ["520302", "520382"],
            "industry": "C26，D44",
            "recipients": "贵州电网有限责任公司\n\n中国人民银行贵阳中心支行\n",
        },
    )
    task_id = _task_id(resp)
    task = _only_task(session)
    assert task.id == task_id and task.status is TaskStatus.QUEUED and task.progress == 0.0
    assert task.created_by_id == user.id
    assert task.params == {
        "as_of": "2026-11-01",
        "format": "xlsx",
        "filters": {
            "tier": ["red", "yellow"],
            "county": ["520302", "520382"],
            "industry": ["C26", "D44"],
        },
        "since_export_id": None,
        "recipients": ["贵州电网有限责任公司", "中国人民银行贵阳中心支行"],
    }
    assert session.scalar(select(func.count()).select_from(CreditExport)) == 0
    assert _exports(app) == []
    page = browser.get(f"/tasks/{task_id}").text
    assert "已加入队列" in page  # the flash message
    assert "贵州电网有限责任公司" in page and "520302" in page


def test_a_bad_export_form_is_shown_again_with_the_values_and_errors_beside_the_fields(
    session, regulator
):
    browser, _ = regulator
    resp = browser.post(
        "/tasks/new/credit-export",
        {"as_of": "2026-13-01", "format": "csv", "tier": ["red"], "since_export_id": "abc"},
    )
    assert resp.status_code == 422
    html = resp.text
    assert 'value="2026-13-01"' in html and 'value="abc"' in html
    assert re.search(r'value="red" id="f-tier-\d+" checked', html)
    assert "不是日期" in _error_of(html, "as_of")
    assert "部分字段填写有误" in html
    # The kind's check names one field at a time, as the API does.
    since = browser.post(
        "/tasks/new/credit-export",
        {"as_of": "2026-11-01", "format": "csv", "since_export_id": "abc"},
    )
    assert since.status_code == 422 and 'value="abc"' in since.text
    assert "正整数" in _error_of(since.text, "since_export_id")
    assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_a_county_regulator_exports_their_own_counties_when_none_is_chosen(session, browser_as):
    browser, _ = browser_as(Role.CREDIT_REGULATOR, jurisdictions=("520300",))
    form = browser.get("/tasks/new/credit-export").text
    assert "红花岗区" in form and "南明区" not in form  # only counties inside the jurisdiction
    _task_id(browser.post("/tasks/new/credit-export", {"as_of": "2026-11-01", "format": "csv"}))
    counties = _only_task(session).params["filters"]["county"]
    assert "520302" in counties and all(c.startswith("5203") for c in counties)


def test_a_rescoring_is_queued_and_a_bad_day_is_refused_beside_the_field(session, regulator):
    browser, _ = regulator
    bad = browser.post("/tasks/new/credit-rescore", {"as_of": "2026-02-30"})
    assert bad.status_code == 422 and 'value="2026-02-30"' in bad.text
    assert "不是日期" in _error_of(bad.text, "as_of")
    assert session.scalar(select(func.count()).select_from(Task)) == 0
    _task_id(browser.post("/tasks/new/credit-rescore", {"as_of": "2026-11-01"}))
    task = _only_task(session)
    assert (task.kind, task.params) == ("credit_rescore", {"as_of": "2026-11-01"})


def test_a_linkage_run_is_queued_and_a_bad_batch_number_is_refused(session, browser_as):
    browser, _ = browser_as(Role.OFFICER, jurisdictions=("520000",))
    bad = browser.post("/tasks/new/link-run", {"batch_id": "第3批"})
    assert bad.status_code == 422 and 'value="第3批"' in bad.text
    assert "正整数" in _error_of(bad.text, "batch_id")
    _task_id(browser.post("/tasks/new/link-run", {"batch_id": "7"}))
    task = _only_task(session)
    assert (task.kind, task.params, task.status) == ("link_run", {"batch_id": 7}, TaskStatus.QUEUED)


def test_an_import_is_queued_from_an_upload_and_bad_input_is_refused(app, session, browser_as):
    browser, _ = browser_as(Role.OFFICER, jurisdictions=("520000",))
    assert 'enctype="multipart/form-data"' in browser.get("/tasks/new/import").text
    missing = browser.post("/tasks/new/import", {"source": "tax", "source_date": "2026-10-31"})
    assert missing.status_code == 422
    assert "请选择要导入的文件" in _error_of(missing.text, "file")
    assert 'value="2026-10-31"' in missing.text
    bad_source = browser.post(
        "/tasks/new/import",
        {"source": "bank", "file": (io.BytesIO(REGISTRY_CSV.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    assert bad_source.status_code == 422 and _error_of(bad_source.text, "source")
    assert session.scalar(select(func.count()).select_from(Task)) == 0
    assert not list((Path(app.config["UPLOAD_FOLDER"]) / "imports").glob("*"))

    resp = browser.post(
        "/tasks/new/import",
        {"source": "registry", "file": (io.BytesIO(REGISTRY_CSV.encode()), "工商.csv")},
        content_type="multipart/form-data",
    )
    task_id = _task_id(resp)
    task = _only_task(session)
    assert task.params["filename"] == "工商.csv" and task.params["source"] == "registry"
    stored = Path(app.config["UPLOAD_FOLDER"]) / "imports" / task.params["stored_as"]
    assert stored.read_text(encoding="utf-8") == REGISTRY_CSV  # stored, not imported yet

    tasks.run_next(session, app.config)  # what `casemgr worker run --once` does
    page = browser.get(f"/tasks/{task_id}").text
    assert "已完成" in page and "读取行数" in page
    assert not stored.exists()


# --- Progress, outcome, download -------------------------------------------------------------


def test_the_status_json_reports_the_stored_progress_and_the_outcome_when_done(
    app, session, regulator
):
    browser, _ = regulator
    EnterpriseFactory()
    session.commit()
    task_id = _task_id(
        browser.post("/tasks/new/credit-export", {"as_of": "2026-11-01", "format": "csv"})
    )
    queued = browser.get(f"/tasks/{task_id}/status").get_json()
    assert queued["status"] == "queued" and queued["status_label"] == "排队中"
    assert queued["progress"] == 0.0 and queued["finished"] is False and "html" not in queued
    assert queued["cancellable"] is True

    # A worker elsewhere writes its progress into the database: the page reads it back.
    session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(status=TaskStatus.RUNNING, progress=0.42, step="Writing the file")
    )
    session.commit()
    running = browser.get(f"/tasks/{task_id}/status").get_json()
    assert (running["status"], running["percent"], running["step"]) == (
        "running",
        42,
        "正在写入文件",
    )
    page = browser.get(f"/tasks/{task_id}").text
    assert 'id="task-progress" value="0.42" max="1"' in page and "42%" in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page refreshes itself
    assert "js/progress.js" in page and "data-task-status-url" in page

    session.execute(update(Task).where(Task.id == task_id).values(status=TaskStatus.QUEUED))
    session.commit()
    tasks.run_next(session, app.config)
    done = browser.get(f"/tasks/{task_id}/status?lang=en").get_json()
    assert done["status"] == "done" and done["progress"] == 1.0 and done["finished"] is True
    assert done["status_label"] == "Done" and done["cancellable"] is False
    assert (
        f'href="/tasks/{task_id}/download"' in done["html"] and "Download the file" in done["html"]
    )


def test_an_export_run_by_the_worker_shows_its_result_and_serves_its_file(app, session, regulator):
    browser, _ = regulator
    for _ in range(3):
        EnterpriseFactory()
    session.commit()
    rescore = _task_id(browser.post("/tasks/new/credit-rescore", {"as_of": "2026-11-01"}))
    export = _task_id(
        browser.post("/tasks/new/credit-export", {"as_of": "2026-11-01", "format": "csv"})
    )
    assert tasks.run_next(session, app.config).id == rescore
    assert tasks.run_next(session, app.config).id == export
    assert tasks.run_next(session, app.config) is None

    scored = browser.get(f"/tasks/{rescore}").text
    assert "已完成" in scored and "各等级企业数" in scored
    assert "环保诚信企业" in scored or "环保良好企业" in scored

    page = browser.get(f"/tasks/{export}").text
    assert '<meta http-equiv="refresh"' not in page
    assert 'value="1.0" max="1"' in page and "100%" in page
    result = session.get(Task, export).result
    assert result["rows"] == 3 and result["sha256"] in page
    assert f'href="/tasks/{export}/download"' in page

    file = browser.get(f"/tasks/{export}/download")
    assert file.status_code == 200
    assert file.mimetype == "text/csv"
    disposition = file.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment")
        and f"credit-2026-11-01-{result['export_id']}.csv" in disposition
    )
    assert file.data.startswith("\ufeff".encode())
    assert hashlib.sha256(file.data).hexdigest() == result["sha256"]


def test_a_failed_task_shows_its_error_in_the_readers_language(app, session, browser_as):
    browser, _ = browser_as(Role.CREDIT_REGULATOR, jurisdictions=("520300",))
    # A county outside the jurisdiction passes the shape check; the export itself refuses it.
    task_id = _task_id(
        browser.post(
            "/tasks/new/credit-export", {"as_of": "2026-11-01", "format": "csv", "county": "520102"}
        )
    )
    assert tasks.run_next(session, app.config).status is TaskStatus.FAILED
    page = browser.get(f"/tasks/{task_id}").text
    assert "任务失败" in page and "该记录不在您的管辖范围内" in page
    assert "Traceback" not in page  # the technical details are for administrators
    assert "download" not in page
    assert browser.get(f"/tasks/{task_id}/download").status_code == 404
    english = browser.get(f"/tasks/{task_id}/status?lang=en").get_json()
    assert "This record lies outside your jurisdiction." in english["html"]

    # A field the export refuses is named, with its message in the reader's language.
    purple = _task_id(
        browser.post(
            "/tasks/new/credit-export", {"as_of": "2026-11-01", "format": "csv", "tier": "purple"}
        )
    )
    tasks.run_next(session, app.config)
    page = browser.get(f"/tasks/{purple}").text
    assert "<b>信用等级</b>: 未知的信用等级 purple：评价方案 guizhou-2019@1" in page


def test_a_queued_task_can_be_cancelled_a_finished_one_not(app, session, regulator):
    browser, _ = regulator
    first = _task_id(browser.post("/tasks/new/credit-rescore", {}))
    assert "取消任务" in browser.get(f"/tasks/{first}").text
    resp = browser.post(f"/tasks/{first}/cancel")
    assert resp.status_code == 302
    page = browser.get(f"/tasks/{first}").text
    assert "已取消" in page and "取消任务" not in page
    assert tasks.run_next(session, app.config) is None

    second = _task_id(browser.post("/tasks/new/credit-rescore", {}))
    tasks.run_next(session, app.config)
    late = browser.post(f"/tasks/{second}/cancel", follow_redirects=True)
    assert "只有排队中的任务可以取消" in late.text
    assert session.get(Task, second).status is TaskStatus.DONE


def test_another_users_task_is_not_found(app, session, browser_as):
    owner, _ = browser_as(Role.CREDIT_REGULATOR)
    task_id = _task_id(
        owner.post("/tasks/new/credit-export", {"as_of": "2026-11-01", "format": "csv"})
    )
    tasks.run_next(session, app.config)
    intruder, _ = browser_as(Role.CREDIT_REGULATOR)
    for url in (f"/tasks/{task_id}", f"/tasks/{task_id}/status", f"/tasks/{task_id}/download"):
        assert intruder.get(url).status_code == 404, url
    assert intruder.post(f"/tasks/{task_id}/cancel").status_code == 404
    assert f"#{task_id}<" not in intruder.get("/tasks").text


def test_task_pages_need_a_login(client):
    for url in ("/tasks", "/tasks/1", "/tasks/1/status", "/tasks/new/import"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url


def test_the_export_form_names_the_tiers_in_the_pages_language(regulator):
    browser, _user = regulator
    chinese = browser.get("/tasks/new/credit-export").text
    assert "环保诚信企业 (green)" in chinese
    english = browser.get("/tasks/new/credit-export?lang=en").text
    assert "Environmentally trustworthy enterprise (green)" in english
    assert "环保诚信企业" not in english
