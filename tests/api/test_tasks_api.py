"""Queued long operations through HTTP and the worker: submitted by a request, run once by a
worker as their submitter, progress and outcome kept; bad input refused at submission."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from casemgr.extensions import db
from casemgr.models import Task, TaskStatus
from casemgr.policy import Permission, Role
from casemgr.services import tasks
from casemgr.services.tasks import TaskKind
from tests.factories import EnterpriseFactory


@pytest.fixture
def regulator(auth):
    return auth.login(Role.CREDIT_REGULATOR, jurisdictions=("520000",))


def _submit(client, login, kind, expect=202, **params):
    resp = client.post(
        "/api/v1/tasks", headers=login.headers, json={"kind": kind, "params": params}
    )
    assert resp.status_code == expect, resp.get_json()
    return resp


def _get(client, login, task_id):
    return client.get(f"/api/v1/tasks/{task_id}", headers=login.headers).get_json()


def test_a_queued_rescoring_runs_in_the_worker_as_its_submitter(
    app, client, session, regulator, auth
):
    for _ in range(3):
        EnterpriseFactory()
    session.commit()
    resp = _submit(client, regulator, "credit_rescore", as_of="2026-11-01")
    task = resp.get_json()
    assert resp.headers["Location"] == f"/api/v1/tasks/{task['id']}"
    assert (task["status"], task["progress"]) == ("queued", 0.0)
    other = auth.login(Role.CREDIT_REGULATOR, jurisdictions=("520000",))
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=other.headers).status_code == 404

    ran = tasks.run_next(session, app.config)
    assert ran.id == task["id"]
    done = _get(client, regulator, task["id"])
    assert done["status"] == "done" and done["progress"] == 1.0
    assert done["result"]["enterprises"] == 3 and done["result"]["as_of"] == "2026-11-01"
    assert done["started_at"] and done["finished_at"] and done["attempts"] == 1
    assert tasks.run_next(session, app.config) is None  # nothing left, nothing run twice
    listed = client.get("/api/v1/tasks", headers=regulator.headers).get_json()
    assert [t["id"] for t in listed["items"]] == [task["id"]]


def test_an_export_task_leaves_its_file_to_download(app, client, session, regulator):
    EnterpriseFactory()
    session.commit()
    task = _submit(client, regulator, "credit_export", as_of="2026-11-01", format="csv").get_json()
    url = f"/api/v1/tasks/{task['id']}/file"
    assert client.get(url, headers=regulator.headers).status_code == 404  # not run yet
    tasks.run_next(session, app.config)
    result = _get(client, regulator, task["id"])["result"]
    resp = client.get(url, headers=regulator.headers)
    assert resp.status_code == 200
    assert resp.data.startswith("\ufeff".encode())  # CSV with a BOM, for Excel
    assert hashlib.sha256(resp.data).hexdigest() == result["sha256"]


def test_bad_submissions_are_refused_at_once_naming_the_field(client, regulator, auth):
    unknown = _submit(client, regulator, "reboot", expect=422).get_json()
    assert "kind" in unknown["errors"]
    no_day = _submit(client, regulator, "credit_export", expect=422, format="csv").get_json()
    assert "params.as_of" in no_day["errors"]
    bad_day = _submit(client, regulator, "credit_rescore", expect=422, as_of="2026-13-01")
    assert "params.as_of" in bad_day.get_json()["errors"]
    officer = auth.login(Role.OFFICER, jurisdictions=("520302",))
    _submit(client, officer, "credit_rescore", expect=403)


def test_a_queued_import_runs_from_the_stored_upload_and_removes_it(app, client, session, auth):
    head = auth.login(Role.ADMIN, jurisdictions=("520000",))
    csv = (
        "统一社会信用代码,企业名称,住所,法定代表人\n"
        "91520302MA6DLDQR9C,遵义测试化工有限公司,遵义市红花岗区,王建国\n"
    )
    resp = client.post(
        "/api/v1/tasks/imports",
        headers=head.headers,
        data={"source": "registry", "file": (io.BytesIO(csv.encode("utf-8")), "registry.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202, resp.get_json()
    stored = resp.get_json()["params"]["stored_as"]
    path = Path(app.config["UPLOAD_FOLDER"]) / "imports" / stored
    assert path.is_file()
    tasks.run_next(session, app.config)
    done = _get(client, head, resp.get_json()["id"])
    assert done["status"] == "done", done
    assert done["result"]["rows_read"] == 1 and done["result"]["batch_id"]
    assert not path.exists()


def test_only_a_queued_task_can_be_cancelled(app, client, session, regulator):
    first = _submit(client, regulator, "credit_rescore").get_json()
    cancel = client.post(f"/api/v1/tasks/{first['id']}/cancel", headers=regulator.headers)
    assert cancel.status_code == 200 and cancel.get_json()["status"] == "cancelled"
    assert tasks.run_next(session, app.config) is None
    second = _submit(client, regulator, "credit_rescore").get_json()
    tasks.run_next(session, app.config)
    late = client.post(f"/api/v1/tasks/{second['id']}/cancel", headers=regulator.headers)
    assert late.status_code == 409


@pytest.fixture
def test_kinds():
    calls: Counter[int] = Counter()
    lock = threading.Lock()

    def count(session, actor, params, progress, settings):
        with lock:
            calls[params["n"]] += 1
        progress(0.5, "counting")
        return {"n": params["n"]}

    def boom(session, actor, params, progress, settings):
        raise RuntimeError("the disk is full")

    tasks.register(TaskKind("test_count", Permission.READ_CASES, count))
    tasks.register(TaskKind("test_boom", Permission.READ_CASES, boom))
    yield calls
    tasks.KINDS.pop("test_count")
    tasks.KINDS.pop("test_boom")


def test_a_failing_task_ends_failed_with_its_error_and_the_worker_goes_on(
    app, session, auth, test_kinds
):
    actor = auth.login(Role.OFFICER, jurisdictions=("520302",)).actor
    failing = tasks.submit(session, actor, "test_boom", {})
    fine = tasks.submit(session, actor, "test_count", {"n": 1})
    assert tasks.run_next(session, app.config).status is TaskStatus.FAILED
    assert "the disk is full" in session.get(Task, failing.id).error
    assert tasks.run_next(session, app.config).status is TaskStatus.DONE
    assert session.get(Task, fine.id).result == {"n": 1}


def test_several_workers_run_each_task_exactly_once(app, session, auth, test_kinds):
    actor = auth.login(Role.OFFICER, jurisdictions=("520302",)).actor
    for n in range(24):
        tasks.submit(session, actor, "test_count", {"n": n})
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        with app.app_context():
            own = Session(bind=db.engine)
            try:
                while tasks.run_next(own, app.config, runner=name) is not None:
                    pass
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                own.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert test_kinds == Counter(range(24))  # each once
    session.expire_all()
    rows = session.query(Task).all()
    assert {t.status for t in rows} == {TaskStatus.DONE}
    assert all(t.attempts == 1 for t in rows)


def test_a_task_whose_worker_died_is_queued_again_then_failed(app, session, auth, test_kinds):
    from datetime import timedelta

    actor = auth.login(Role.OFFICER, jurisdictions=("520302",)).actor
    task = tasks.submit(session, actor, "test_count", {"n": 7})
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        assert tasks.claim(session, runner="dead") == task.id
        assert tasks.requeue_stale(session, stale_after=timedelta(0)) == 1
        session.expire_all()
        expected = TaskStatus.FAILED if attempt == tasks.MAX_ATTEMPTS else TaskStatus.QUEUED
        assert session.get(Task, task.id).status is expected
    assert tasks.run_next(session, app.config) is None


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("credit_rescore", {"as_of": "2026-01-01", "note": "\u0000"}, "params.note"),
        ("credit_rescore", {"\udc09": 1}, "params.\udc09"),
        ("link_run", {"batch_id": 99999999999999999999}, "params.batch_id"),
        ("link_run", {"batch_id": True}, "params.batch_id"),
        ("credit_export", {"as_of": "2026-01-01", "filters": {"owner": ["x"]}}, "params.filters"),
        ("credit_export", {"as_of": "2026-01-01", "filters": {"county": ["52\u0000"]}},
         "params.filters.county"),
        ("credit_export", {"as_of": "2026-01-01", "recipients": ["\udc09"]}, "params.recipients"),
    ],
)  # fmt: skip
def test_only_checked_parameters_are_stored(client, regulator, auth, kind, params, field):
    login = regulator if kind.startswith("credit") else auth.login(Role.ADMIN)
    body = _submit(client, login, kind, expect=422, **params).get_json()
    assert field in body["errors"]


def test_a_task_stores_the_parameters_it_checked(client, regulator):
    task = _submit(
        client, regulator, "credit_export", as_of="2026-11-01", filters={"county": "520302"}
    ).get_json()
    assert task["params"] == {
        "as_of": "2026-11-01",
        "format": "csv",
        "filters": {"county": ["520302"]},
        "since_export_id": None,
        "recipients": [],
    }
