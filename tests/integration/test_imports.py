"""Importing registry, tax and enforcement records: real files, a real database, all or
nothing per batch."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casemgr.db import utcnow
from casemgr.models import BatchStatus, ImportBatch, RowRejection, SourceRecord
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import imports
from linkage.identifiers import make_uscc

REGISTRY_HEADER = "统一社会信用代码,企业名称,法定代表人,住所,成立日期,登记状态,联系电话\n"


def _uscc(n: int) -> str:
    body = f"{n:08d}"
    return make_uscc("9", "1", "520382", body)


def _count(session, model, batch_id):
    return session.scalar(select(func.count()).select_from(model).where(model.batch_id == batch_id))


def test_a_registry_file_with_chinese_headers_imports_with_provenance(session, tmp_path):
    path = tmp_path / "registry.csv"
    rows = [
        f"{_uscc(1)},贵州仁怀某某酒业有限公司,张三,贵州省仁怀市茅台镇1号,2010-05-01,存续,0851-22345678",
        f"{_uscc(2)},遵义某某化工有限责任公司,李四,遵义市汇川区2号,2012年3月4日,在业,",
        ",缺少代码的企业,王五,,,,",  # no identifier: rejected
        f"{_uscc(1)},重复的企业,赵六,,,,",  # duplicated identifier: rejected
    ]
    path.write_text("\ufeff" + REGISTRY_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    report = imports.import_file(
        session, SYSTEM_ACTOR, path, "registry", source_date=date(2026, 11, 1)
    )
    assert (report.status, report.rows_read, report.rows_imported, report.rows_rejected) == (
        "committed",
        4,
        2,
        2,
    )
    batch = session.get(ImportBatch, report.batch_id)
    assert (batch.filename, batch.encoding, batch.source_date) == (
        "registry.csv",
        "utf-8-sig",
        date(2026, 11, 1),
    )
    assert len(batch.sha256) == 64
    records = session.scalars(select(SourceRecord).order_by(SourceRecord.row_number)).all()
    assert [(r.row_number, r.record_key, r.reg_date) for r in records] == [
        (2, _uscc(1), date(2010, 5, 1)),
        (3, _uscc(2), date(2012, 3, 4)),
    ]
    assert records[0].name_core and records[0].pinyin_core
    assert [(j.row_number, j.field) for j in report.rejections] == [(4, "uscc"), (5, "uscc")]
    assert "row 2" in report.rejections[1].reason.format(**report.rejections[1].params)


def test_a_gb18030_tax_file_imports(session, tmp_path):
    path = tmp_path / "tax.csv"
    text = (
        "纳税人识别号,纳税人名称,法定代表人,地址,联系电话\n"
        "520382000000018,仁怀某某酒厂,张三,仁怀市,\n"
    )
    path.write_bytes(text.encode("gb18030"))
    report = imports.import_file(session, SYSTEM_ACTOR, path, "tax")
    assert (report.status, report.rows_imported) == ("committed", 1)
    assert session.get(ImportBatch, report.batch_id).encoding == "gb18030"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("统一社会信用代码,企业名称\n".encode() + b"\xff\xfe\xfa broken", "encoding is unknown"),
        ("企业名称,法定代表人\n某某公司,张三\n".encode(), "uscc"),
    ],
    ids=["unknown encoding", "missing column"],
)
def test_an_unreadable_file_fails_with_its_reason_and_keeps_nothing(
    session, tmp_path, content, expected
):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    report = imports.import_file(session, SYSTEM_ACTOR, path, "registry")
    assert report.status == "failed" and expected in report.error
    batch = session.get(ImportBatch, report.batch_id)
    assert batch.status is BatchStatus.FAILED and expected in batch.error
    assert _count(session, SourceRecord, batch.id) == 0


def test_a_file_damaged_half_way_keeps_none_of_its_rows(session, tmp_path):
    path = tmp_path / "damaged.csv"
    good = "".join(f"{_uscc(i)},某某企业{i}有限公司,张三,,,,\n" for i in range(1, 3000))
    # Valid UTF-8 for the first chunks, then bytes that are neither UTF-8 nor GB18030.
    path.write_bytes(REGISTRY_HEADER.encode() + good.encode() + b"\x80\x80\xff\n")
    report = imports.import_file(session, SYSTEM_ACTOR, path, "registry", chunk_size=500)
    assert report.status == "failed", report
    assert _count(session, SourceRecord, report.batch_id) == 0
    assert _count(session, RowRejection, report.batch_id) == 0


def test_a_batch_left_running_by_a_dead_writer_is_rolled_back(session):
    batch = ImportBatch(
        source="registry",
        filename="x.csv",
        sha256="0" * 64,
        file_format="csv",
        status=BatchStatus.RUNNING,
        started_at=utcnow() - timedelta(hours=7),
    )
    fresh = ImportBatch(
        source="tax", filename="y.csv", sha256="1" * 64, file_format="csv", status="running"
    )
    session.add_all([batch, fresh])
    session.commit()
    assert imports.recover_stale_batches(session) == 1
    session.refresh(batch)
    session.refresh(fresh)
    assert (batch.status, fresh.status) == (BatchStatus.ROLLED_BACK, BatchStatus.RUNNING)


def test_only_a_role_that_writes_enterprises_imports(session, tmp_path, auth):
    from casemgr.exceptions import PermissionDenied
    from casemgr.services.access import actor_for

    judge = actor_for(session, auth.user(Role.JUDGE))
    path = tmp_path / "r.csv"
    path.write_text(REGISTRY_HEADER, encoding="utf-8")
    with pytest.raises(PermissionDenied):
        imports.import_file(session, judge, path, "registry")
    assert session.scalar(select(func.count()).select_from(ImportBatch)) == 0
