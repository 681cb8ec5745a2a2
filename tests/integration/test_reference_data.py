"""Guizhou reference data: divisions, inspection units and basins (DOMAIN.md §5.3, §5.4)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casemgr.models import Basin, Division, DivisionLevel, InspectionUnit, InspectionUnitKind
from casemgr.policy import Role
from casemgr.services import reference

# County-level units per prefecture, DOMAIN.md §5.3 (NBS 2023).
COUNTIES_PER_PREFECTURE = {
    "520100": 10,
    "520200": 4,
    "520300": 14,
    "520400": 6,
    "520500": 8,
    "520600": 10,
    "522300": 8,
    "522600": 16,
    "522700": 12,
}


def _count(session, level):
    return session.scalar(select(func.count()).where(Division.level == level))


def test_the_province_has_9_prefectures_and_88_counties(session):
    assert _count(session, DivisionLevel.PROVINCE) == 1
    assert _count(session, DivisionLevel.PREFECTURE) == 9
    assert _count(session, DivisionLevel.COUNTY) == 88
    for code, n in COUNTIES_PER_PREFECTURE.items():
        counted = session.scalar(select(func.count()).where(Division.parent_code == code))
        assert counted == n, code


def test_inspection_units_cover_prefectures_guian_and_the_pilots(session):
    units = {u.code: u for u in session.scalars(select(InspectionUnit))}
    kinds = [u.kind for u in units.values()]
    assert kinds.count(InspectionUnitKind.PREFECTURE) == 9
    assert units["GA0001"].kind is InspectionUnitKind.NEW_AREA
    assert [c.code for c in units["GA0001"].counties] == ["520111", "520181", "520402", "520403"]
    assert {c for c, u in units.items() if u.kind is InspectionUnitKind.PILOT_COUNTY} == {
        "520382",
        "520526",
    }
    assert len(units["520300"].counties) == 14


def test_the_eight_basins_split_between_yangtze_and_pearl(session):
    basins = session.scalars(select(Basin)).all()
    assert len(basins) == 8
    assert sorted(b.parent_system for b in basins) == ["珠江"] * 4 + ["长江"] * 4
    assert all(b.source for b in basins)


def test_reloading_is_idempotent_and_follows_the_pilot_setting(session):
    reference.load_reference_data(session, pilot_counties=["520382", "522702"])
    reference.load_reference_data(session, pilot_counties=["520382", "522702"])
    pilots = session.scalars(
        select(InspectionUnit.code).where(InspectionUnit.kind == InspectionUnitKind.PILOT_COUNTY)
    ).all()
    assert sorted(pilots) == ["520382", "522702"]
    assert session.scalar(select(func.count()).select_from(Division)) == 98
    reference.load_reference_data(session, pilot_counties=["520382", "520526"])  # restore


@pytest.mark.parametrize("bad", ["520300", "999999"])
def test_a_pilot_that_is_not_a_county_is_refused(session, bad):
    with pytest.raises(ValueError, match=bad):
        reference.load_reference_data(session, pilot_counties=[bad])
    pilots = session.scalars(
        select(InspectionUnit.code).where(InspectionUnit.kind == InspectionUnitKind.PILOT_COUNTY)
    ).all()
    assert sorted(pilots) == ["520382", "520526"]  # nothing half-written


def test_reference_data_through_the_api(client, auth):
    login = auth.login(Role.INSPECTION_PLANNER)
    prefectures = client.get("/api/v1/divisions?level=prefecture", headers=login.headers)
    assert len(prefectures.get_json()) == 9
    counties = client.get("/api/v1/divisions?parent_code=520300", headers=login.headers)
    assert len(counties.get_json()) == 14
    units = client.get("/api/v1/inspection-units", headers=login.headers).get_json()
    guian = next(u for u in units if u["code"] == "GA0001")
    assert guian["name"] == "贵安新区" and len(guian["county_codes"]) == 4
    assert (
        client.get("/api/v1/divisions/520382", headers=login.headers).get_json()["name"] == "仁怀市"
    )
    assert client.get("/api/v1/divisions/123456", headers=login.headers).status_code == 404
    assert len(client.get("/api/v1/basins", headers=login.headers).get_json()) == 8
