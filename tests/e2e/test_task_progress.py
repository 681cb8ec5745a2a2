"""In the browser: a credit regulator queues an export, a worker runs it while the task page is
open, and the page follows the stored progress to the download link without a reload."""

from __future__ import annotations

import re

import pytest

from casemgr.models import Task, TaskStatus
from casemgr.policy import Role
from casemgr.services import tasks
from casemgr.services.access import actor_for
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.factories import EnterpriseFactory

expect = pytest.importorskip("playwright.sync_api").expect


def test_a_regulator_follows_an_export_to_its_download_without_a_reload(
    page, app, session, auth, shot
):
    user = auth.user(Role.CREDIT_REGULATOR, jurisdictions=("520000",), display_name="李信用")
    for _ in range(3):
        EnterpriseFactory()
    auth.session.commit()
    # Tiers to export: a rescoring queued and run beforehand.
    tasks.submit(session, actor_for(session, user), "credit_rescore", {"as_of": "2026-11-01"})
    assert tasks.run_next(session, app.config).status is TaskStatus.DONE
    log_in(page, user.username, PASSWORD)

    page.goto("/tasks")
    page.click("a.button:has-text('信用等级名单导出')")
    page.fill("#f-as_of", "2026-11-01")
    page.select_option("#f-format", "csv")
    page.fill("#f-recipients", "贵州电网有限责任公司")
    shot("export-form")
    page.click("button[type=submit]:has-text('提交任务')")
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    task_id = int(page.url.rsplit("/", 1)[1])
    assert page.inner_text("#task-status") == "排队中"
    assert page.locator("#task-download").count() == 0
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # The worker (what `casemgr worker run` does: claim, then run) takes the task; the page,
    # polling its status, sees it running and the progress it reports.
    assert tasks.claim(session, runner="e2e") == task_id
    expect(page.locator("#task-status")).to_have_attribute("data-status", "running")
    session.query(Task).filter_by(id=task_id).update({"progress": 0.35, "step": "Writing the file"})
    session.commit()
    expect(page.locator("#task-percent")).to_have_text("35%")
    assert page.inner_text("#task-step") == "正在写入文件"
    shot("running")

    done = tasks.run_claimed(session, task_id, app.config)
    assert done.status is TaskStatus.DONE
    page.wait_for_selector("#task-download", state="visible")
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator("#task-progress").evaluate("e => e.value") == 1
    assert page.inner_text("#task-percent") == "100%"
    assert page.inner_text("#task-status") == "已完成"
    assert page.inner_text("#task-attempts") == "1"
    assert done.result["rows"] == 3
    assert done.result["sha256"] in page.inner_text("#task-outcome")
    assert page.locator("[data-while-running]").first.is_hidden()
    shot("done")

    with page.expect_download() as info:
        page.click("#task-download")
    download = info.value
    assert download.suggested_filename == f"credit-2026-11-01-{done.result['export_id']}.csv"
    with open(download.path(), "rb") as fh:
        assert fh.read(3) == "\ufeff".encode()  # CSV with a BOM, for Excel

    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet
    page.goto("/tasks")
    assert page.locator("table.tasks tbody tr").count() == 2
    shot("list-tablet")


def test_the_task_list_follows_each_running_task_without_a_reload(page, app, session, auth, shot):
    user = auth.user(Role.CREDIT_REGULATOR, jurisdictions=("520000",), display_name="李信用")
    EnterpriseFactory()
    auth.session.commit()
    actor = actor_for(session, user)
    first = tasks.submit(session, actor, "credit_rescore", {"as_of": "2026-11-01"})
    second = tasks.submit(session, actor, "credit_rescore", {"as_of": "2026-11-02"})
    log_in(page, user.username, PASSWORD)
    page.goto("/tasks")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    row = page.locator("table.tasks tbody tr", has=page.locator(f"a:has-text('#{first.id}')"))
    other = page.locator("table.tasks tbody tr", has=page.locator(f"a:has-text('#{second.id}')"))
    expect(row.locator(".badge")).to_have_text("排队中")

    assert tasks.claim(session, runner="e2e") == first.id
    session.query(Task).filter_by(id=first.id).update({"progress": 0.4})
    session.commit()
    expect(row.locator(".badge")).to_have_attribute("data-status", "running")
    expect(row.locator(".task-pct")).to_have_text("40%")
    expect(other.locator(".badge")).to_have_text("排队中")
    shot("list-running")

    assert tasks.run_claimed(session, first.id, app.config).status is TaskStatus.DONE
    expect(row.locator(".badge")).to_have_text("已完成")
    expect(row).to_have_attribute("data-finished", "true")
    assert row.locator(".task-finished-cell").inner_text().strip() != ""
    assert other.get_attribute("data-task-status-url") is not None  # still followed
    assert page.evaluate("window.__sameDocument") is True
