"""Tier-list exports for regulators: real files from the demo families, rescored."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, insert, select

from casemgr.exceptions import Conflict, InvalidInput, OutsideJurisdiction, PermissionDenied
from casemgr.models import CreditScore, Enterprise, User
from casemgr.policy import SYSTEM_ACTOR
from casemgr.services import credit
from casemgr.services.access import actor_for
from casemgr.services.credit_export import (
    COLUMNS,
    add_recipients,
    export_tiers,
    manifest,
    recipients_to_notify,
    regenerate,
)
from casemgr.services.demo import load_demo
from casemgr.services.demo_families import load_demo_families
from casemgr.services.localtime import local_today
from tests.factories import EnterpriseFactory

SCHEME = credit.scheme_named("guizhou-2019")
HEADERS = [title for _key, title in COLUMNS]
TODAY = local_today()
YESTERDAY = TODAY - timedelta(days=1)


def _actor(session, username):
    return actor_for(session, session.scalars(select(User).where(User.username == username)).one())


@pytest.fixture
def regulator(session):
    return _actor(session, "credit.province")


@pytest.fixture
def families(session):
    """The demo (200 enterprises, two case families recorded today), scored as of yesterday
    (nothing recorded yet: every rateable enterprise green) and as of today (the convicted
    enterprise red, the fined one blue)."""
    load_demo(session, enterprises=200)
    assert load_demo_families(session) == 2
    renhuai = session.scalars(
        select(Enterprise)
        .where(Enterprise.county_code == "520382", Enterprise.status == "operating")
        .order_by(Enterprise.id)
    ).all()
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=YESTERDAY)
    return {"convicted": renhuai[-1], "fined": renhuai[-2]}


def _rescore_today(session):
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=TODAY)


def _export(session, actor, path, **kwargs):
    kwargs.setdefault("as_of", YESTERDAY)
    kwargs.setdefault("file_format", "csv")
    kwargs.setdefault("filters", {})
    with path.open("wb") as out:
        export = export_tiers(session, actor, SCHEME, out=out, **kwargs)
    return export, path.read_bytes()


def _regenerate(session, actor, export, path):
    with path.open("wb") as out:
        regenerate(session, actor, export.id, out)
    return path.read_bytes()


def _csv_rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _rated(session):
    return session.scalar(select(func.count(func.distinct(CreditScore.enterprise_id))))


def _enterprises(session):
    return session.scalar(select(func.count()).select_from(Enterprise))


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_an_export_as_of_a_past_day_is_identical_after_new_scores_were_stored(
    session, families, regulator, tmp_path, file_format
):
    first, data = _export(session, regulator, tmp_path / "d.out", file_format=file_format)
    assert first.sha256 == hashlib.sha256(data).hexdigest()

    # New events were scored for the next day: the convicted enterprise is red today.
    _rescore_today(session)
    assert _regenerate(session, regulator, first, tmp_path / "again.out") == data
    again, same = _export(session, regulator, tmp_path / "d2.out", file_format=file_format)
    assert same == data and again.sha256 == first.sha256 and again.id != first.id

    # A score stored later but dated on or before the day (a correction) does not change what
    # the first export was: regenerating it reads only the scores stored when it was made ...
    convicted = families["convicted"].id
    row = credit.in_force(session, SCHEME.key, TODAY, [convicted])[convicted]
    values = {c.key: getattr(row, c.key) for c in CreditScore.__table__.columns if c.key != "id"}
    session.execute(insert(CreditScore), [{**values, "as_of": YESTERDAY}])
    session.commit()
    assert _regenerate(session, regulator, first, tmp_path / "third.out") == data
    # ... while a new export as of that day shows it.
    _, corrected = _export(session, regulator, tmp_path / "d3.out", file_format=file_format)
    assert corrected != data


def test_the_csv_has_a_bom_chinese_headers_and_one_row_per_scored_enterprise(
    session, families, regulator, tmp_path
):
    _rescore_today(session)
    export, data = _export(session, regulator, tmp_path / "tiers.csv", as_of=TODAY)
    assert data.startswith(codecs.BOM_UTF8)
    assert data.split(b"\r\n", 1)[0].decode("utf-8-sig").split(",") == HEADERS
    rows = _csv_rows(data)
    assert len(rows) == export.rows == _rated(session) == _enterprises(session)
    keys = [(r["区县代码"], r["统一社会信用代码"]) for r in rows]
    assert keys == sorted(keys), "rows are ordered by county code, then USCC"

    red = next(r for r in rows if r["统一社会信用代码"] == families["convicted"].uscc)
    assert (red["信用等级代码"], red["信用等级"], red["评价状态"]) == (
        "red",
        "环保不良企业",
        "rated",
    )
    assert (red["区县代码"], red["区县"], red["市州代码"], red["市州"]) == (
        "520382",
        "仁怀市",
        "520300",
        "遵义市",
    )
    assert (red["评价日期"], red["评价方案"]) == (TODAY.isoformat(), SCHEME.key)
    blue = next(r for r in rows if r["统一社会信用代码"] == families["fined"].uscc)
    assert (blue["信用等级代码"], blue["等级档次"], blue["评价得分"]) == ("blue", "3", "83.8")
    closed = [r for r in rows if r["信用等级代码"] == "abnormal"]
    assert closed and all((r["信用等级"], r["等级档次"]) == ("异常", "") for r in closed)


def test_the_xlsx_opens_in_openpyxl_and_carries_no_time_of_making(
    session, families, regulator, tmp_path
):
    _rescore_today(session)
    export, data = _export(session, regulator, tmp_path / "t.xlsx", file_format="xlsx", as_of=TODAY)
    book = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and len(rows) - 1 == export.rows == _enterprises(session)
    by_uscc = {r[0]: r for r in rows[1:]}
    assert by_uscc[families["convicted"].uscc][8:10] == ("red", "环保不良企业")
    assert book.properties.created.date() == book.properties.modified.date() == TODAY
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert _regenerate(session, regulator, export, tmp_path / "again.xlsx") == data


def test_the_json_is_one_canonical_document(session, families, regulator, tmp_path):
    export, data = _export(
        session,
        regulator,
        tmp_path / "t.json",
        file_format="json",
        filters={"county": "520382"},
    )
    doc = json.loads(data)
    canonical = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert canonical.encode() == data
    assert (doc["scheme"], doc["as_of"], doc["filters"]) == (
        SCHEME.key,
        YESTERDAY.isoformat(),
        {"county": ["520382"]},
    )
    assert [c["title"] for c in doc["columns"]] == HEADERS
    assert len(doc["rows"]) == export.rows > 0
    assert {r["county_code"] for r in doc["rows"]} == {"520382"}
    assert "since_export_id" not in doc
    assert export.generated_at.strftime("%Y-%m-%dT%H:%M") not in data.decode()


def test_filters_narrow_the_list(session, families, regulator, tmp_path):
    _rescore_today(session)

    def usccs(**filters):
        _, data = _export(session, regulator, tmp_path / "f.csv", as_of=TODAY, filters=filters)
        return {r["统一社会信用代码"] for r in _csv_rows(data)}

    everyone = session.scalars(select(Enterprise)).all()
    assert usccs(tier="red") == {families["convicted"].uscc}
    assert usccs(tier=["red", "blue"]) == {families["convicted"].uscc, families["fined"].uscc}
    assert usccs(tier="abnormal") == {
        e.uscc for e in everyone if e.status in ("revoked", "deregistered")
    }
    assert usccs(county="520382") == {e.uscc for e in everyone if e.county_code == "520382"}
    zunyi = {e.uscc for e in everyone if e.county_code.startswith("5203")}
    assert usccs(prefecture="520300") == zunyi and zunyi
    industry = families["convicted"].industry_code[:3]
    assert usccs(industry=industry) == {
        e.uscc for e in everyone if e.industry_code.startswith(industry)
    }
    assert usccs(prefecture="520300", tier="red", industry=industry) == {families["convicted"].uscc}
    assert usccs(county="520102", tier="red") == set()


def _shown_by_uscc(session, day):
    """(tier, sub-level, status) in force on a day, by USCC, through credit.in_force."""
    usccs = dict(session.execute(select(Enterprise.id, Enterprise.uscc)).all())
    return {
        usccs[eid]: (row.tier or "abnormal", row.sublevel, row.status)
        for eid, row in credit.in_force(session, SCHEME.key, day).items()
    }


def test_a_delta_lists_what_changed_since_an_earlier_export(session, families, regulator, tmp_path):
    base, _ = _export(session, regulator, tmp_path / "base.csv")
    _rescore_today(session)
    newcomer = EnterpriseFactory(county_code="520382")
    session.commit()
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=TODAY, enterprise_ids=[newcomer.id])
    before, after = _shown_by_uscc(session, YESTERDAY), _shown_by_uscc(session, TODAY)
    # Besides the two families, enterprises revoked or deregistered today left the ratings.
    changed = {u: ("changed", t[0]) for u, t in after.items() if u in before and before[u] != t}
    assert changed[families["convicted"].uscc] == ("changed", "red")
    assert changed[families["fined"].uscc] == ("changed", "blue")

    delta, data = _export(
        session, regulator, tmp_path / "delta.csv", as_of=TODAY, since_export_id=base.id
    )
    rows = {r["统一社会信用代码"]: r for r in _csv_rows(data)}
    assert data.decode("utf-8-sig").split(",", 1)[0] == "变动"
    assert {u: (r["变动"], r["信用等级代码"]) for u, r in rows.items()} == {
        **changed,
        newcomer.uscc: ("new", "green"),
    }
    assert delta.rows == len(changed) + 1 and manifest(delta)["since_export_id"] == base.id
    assert _regenerate(session, regulator, delta, tmp_path / "again.csv") == data

    # Against a list of green enterprises only, those that left green are removed, shown as
    # the earlier list had them.
    greens, _ = _export(session, regulator, tmp_path / "g.csv", filters={"tier": "green"})
    _, data = _export(
        session,
        regulator,
        tmp_path / "g-delta.csv",
        as_of=TODAY,
        filters={"tier": "green"},
        since_export_id=greens.id,
    )
    rows = {r["统一社会信用代码"]: r for r in _csv_rows(data)}
    removed = {u: ("removed", "green", YESTERDAY.isoformat()) for u in changed}
    assert {u: (r["变动"], r["信用等级代码"], r["评价日期"]) for u, r in rows.items()} == {
        **removed,
        newcomer.uscc: ("new", "green", TODAY.isoformat()),
    }


def test_the_manifest_describes_the_file(session, families, regulator, tmp_path):
    export, data = _export(
        session,
        regulator,
        tmp_path / "m.csv",
        filters={"tier": ["green", "abnormal"], "prefecture": "520300"},
        recipients=["人民银行贵阳中心支行", "贵州电网", "贵州电网"],
    )
    m = manifest(export)
    assert m == {
        "id": export.id,
        "scheme": SCHEME.key,
        "as_of": YESTERDAY.isoformat(),
        "filters": {"prefecture": ["520300"], "tier": ["abnormal", "green"]},
        "format": "csv",
        "generated_at": export.generated_at.isoformat(),
        "generated_by": regulator.user_id,
        "rows": len(_csv_rows(data)),
        "sha256": hashlib.sha256(data).hexdigest(),
        "recipients": ["人民银行贵阳中心支行", "贵州电网"],
        "since_export_id": None,
        "scores_through": session.scalar(select(func.max(CreditScore.id))),
    }


def test_recipients_of_an_export_that_showed_another_tier_are_to_be_notified(
    session, families, regulator, tmp_path
):
    convicted, fined = families["convicted"], families["fined"]
    bank, _ = _export(session, regulator, tmp_path / "a.csv", recipients=["人民银行贵阳中心支行"])
    other_county, _ = _export(
        session, regulator, tmp_path / "b.csv", filters={"county": "520102"}, recipients=["某银行"]
    )
    silent, _ = _export(session, regulator, tmp_path / "c.csv")  # no recipients
    add_recipients(session, regulator, bank.id, ["贵州电网", "人民银行贵阳中心支行"])
    assert manifest(bank)["recipients"] == ["人民银行贵阳中心支行", "贵州电网"]

    # Nothing changed yet: nobody to tell.
    assert recipients_to_notify(session, regulator, convicted.id, SCHEME.key) == []
    _rescore_today(session)
    expected = [(bank.id, "人民银行贵阳中心支行"), (bank.id, "贵州电网")]
    assert recipients_to_notify(session, regulator, convicted.id, SCHEME.key) == expected
    assert recipients_to_notify(session, regulator, fined.id, SCHEME.key) == expected
    assert recipients_to_notify(session, regulator, convicted.id, SCHEME.key, TODAY) == expected
    later = TODAY + timedelta(days=1)
    assert recipients_to_notify(session, regulator, convicted.id, SCHEME.key, later) == []
    unchanged = session.scalars(
        select(Enterprise.id).where(Enterprise.county_code == "520102").order_by(Enterprise.id)
    ).first()
    assert recipients_to_notify(session, regulator, unchanged, SCHEME.key) == []

    # A list made today already shows the red tier: its recipients need no correction.
    today, _ = _export(session, regulator, tmp_path / "d.csv", as_of=TODAY, recipients=["新"])
    assert (today.id, "新") not in recipients_to_notify(
        session, regulator, convicted.id, SCHEME.key
    )
    assert other_county.id not in {
        e for e, _ in recipients_to_notify(session, regulator, convicted.id, SCHEME.key)
    }
    assert silent.recipients == []


def test_a_judge_may_not_export(session, families, tmp_path):
    judge = _actor(session, "judge.guiyang")
    with pytest.raises(PermissionDenied):
        _export(session, judge, tmp_path / "x.csv")
    export, _ = _export(session, _actor(session, "credit.province"), tmp_path / "y.csv")
    with pytest.raises(PermissionDenied):
        _regenerate(session, judge, export, tmp_path / "z.csv")
    with pytest.raises(PermissionDenied):
        add_recipients(session, judge, export.id, ["某银行"])
    with pytest.raises(PermissionDenied):
        recipients_to_notify(session, judge, families["fined"].id, SCHEME.key)


def test_a_local_regulator_exports_only_their_counties(session, families, regulator, tmp_path):
    from dataclasses import replace

    local = replace(regulator, counties=frozenset({"520382"}))
    with pytest.raises(OutsideJurisdiction):
        _export(session, local, tmp_path / "x.csv")
    with pytest.raises(OutsideJurisdiction):
        _export(session, local, tmp_path / "x.csv", filters={"prefecture": "520300"})
    export, _ = _export(session, local, tmp_path / "y.csv", filters={"county": "520382"})
    assert export.rows > 0


@pytest.mark.parametrize(
    ("kwargs", "field", "named"),
    [
        ({"file_format": "pdf"}, "format", "pdf"),
        ({"as_of": TODAY + timedelta(days=1)}, "as_of", (TODAY + timedelta(days=1)).isoformat()),
        ({"filters": {"tier": "purple"}}, "tier", "purple"),
        ({"filters": {"county": ["520382", "529999"]}}, "county", "529999"),
        ({"filters": {"prefecture": "520382"}}, "prefecture", "520382"),
        ({"filters": {"industry": "26"}}, "industry", "26"),
        ({"filters": {"basin": "wujiang"}}, "filters", "basin"),
        ({"since_export_id": 999_999}, "since_export_id", "999999"),
        ({"recipients": ["某银行", " "]}, "recipients", ""),
    ],
)
def test_bad_input_names_the_field(session, families, regulator, tmp_path, kwargs, field, named):
    with pytest.raises(InvalidInput) as info:
        _export(session, regulator, tmp_path / "x.csv", **kwargs)
    (message,) = info.value.errors[field]
    assert named in message.format(**info.value.params)


def test_a_delta_against_another_scheme_is_refused(session, families, regulator, tmp_path):
    export, _ = _export(session, regulator, tmp_path / "x.csv")
    national = credit.scheme_named("national-2013")
    with pytest.raises(InvalidInput) as info, (tmp_path / "y.csv").open("wb") as out:
        export_tiers(
            session,
            regulator,
            national,
            as_of=YESTERDAY,
            file_format="csv",
            filters={},
            since_export_id=export.id,
            out=out,
        )
    assert list(info.value.errors) == ["since_export_id"]


def test_regenerating_after_the_register_was_edited_in_place_is_a_conflict(
    session, families, regulator, tmp_path
):
    export, _ = _export(session, regulator, tmp_path / "x.csv")
    families["fined"].name = "贵州改名后有限公司"
    session.commit()
    with pytest.raises(Conflict) as info:
        _regenerate(session, regulator, export, tmp_path / "y.csv")
    assert export.sha256 in info.value.message
