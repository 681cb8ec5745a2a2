"""Loading the Guizhou reference data: divisions, inspection units, basins (idempotent)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.models import (
    Basin,
    Division,
    DivisionLevel,
    InspectionUnit,
    InspectionUnitKind,
    JudicialOrgan,
    OrganKind,
    OrganLevel,
)
from casemgr.services.calendars import load_packaged_years

REFDATA = resources.files("casemgr") / "refdata"
DIVISION_SOURCE = (
    "NBS 2023 statistical division codes (GB/T 2260), modood/Administrative-divisions-of-China"
)
PILOT_SOURCE = (
    "贵州省人民政府办公厅《关于推进省直接管理县(市)体制改革试点工作的实施意见》(2013-05); "
    "DOMAIN.md §5.3 [V: hnsyszj.com]"
)


@dataclass(frozen=True)
class LoadReport:
    divisions: int
    inspection_units: int
    basins: int
    judicial_organs: int
    holiday_years: list[int]


def _rows(name: str) -> list[dict[str, str]]:
    with (REFDATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_reference_data(
    session: Session, *, pilot_counties: Iterable[str], divisions_csv: Path | None = None
) -> LoadReport:
    """Insert or update divisions, inspection units (prefectures, 贵安新区, pilots) and basins.

    Raises ValueError when a pilot county code is not a county of the division table.
    """
    with transaction(session):
        if divisions_csv is not None:
            with divisions_csv.open(encoding="utf-8") as fh:
                division_rows = list(csv.DictReader(fh))
        else:
            division_rows = _rows("guizhou-divisions.csv")
        existing = {d.code: d for d in session.scalars(select(Division))}
        # Parents before children so the self-referencing key is always satisfied.
        order = {"province": 0, "prefecture": 1, "county": 2}
        for row in sorted(division_rows, key=lambda r: (order[r["level"]], r["code"])):
            div = existing.get(row["code"]) or Division(code=row["code"])
            div.name = row["name"]
            div.level = DivisionLevel(row["level"])
            div.parent_code = row["parent_code"] or None
            div.source = DIVISION_SOURCE
            session.add(div)
            existing[div.code] = div
        session.flush()

        units = {u.code: u for u in session.scalars(select(InspectionUnit))}

        def unit(
            code: str, name: str, kind: InspectionUnitKind, source: str, counties: list[Division]
        ) -> None:
            u = units.get(code) or InspectionUnit(code=code)
            u.name, u.kind, u.source = name, kind, source
            u.counties = counties
            session.add(u)
            units[code] = u

        by_parent: dict[str, list[Division]] = {}
        for d in existing.values():
            if d.level is DivisionLevel.COUNTY and d.parent_code:
                by_parent.setdefault(d.parent_code, []).append(d)
        for d in existing.values():
            if d.level is DivisionLevel.PREFECTURE:
                unit(
                    d.code,
                    d.name,
                    InspectionUnitKind.PREFECTURE,
                    DIVISION_SOURCE,
                    sorted(by_parent.get(d.code, []), key=lambda c: c.code),
                )
        for row in _rows("inspection_units.csv"):
            unit(
                row["code"],
                row["name"],
                InspectionUnitKind(row["kind"]),
                row["source"],
                [existing[c] for c in row["counties"].split()],
            )
        wanted_pilots = list(dict.fromkeys(pilot_counties))
        for code in wanted_pilots:
            county = existing.get(code)
            if county is None or county.level is not DivisionLevel.COUNTY:
                raise ValueError(f"pilot county {code!r} is not a county in the division table")
            unit(code, county.name, InspectionUnitKind.PILOT_COUNTY, PILOT_SOURCE, [county])
        # A county dropped from the configured pilot set stops being its own inspection unit.
        for code, u in list(units.items()):
            if u.kind is InspectionUnitKind.PILOT_COUNTY and code not in wanted_pilots:
                session.delete(u)

        basins = {b.code: b for b in session.scalars(select(Basin))}
        basin_rows = _rows("basins.csv")
        for row in basin_rows:
            b = basins.get(row["code"]) or Basin(code=row["code"])
            b.name, b.parent_system = row["name"], row["parent_system"]
            b.note, b.source = row["note"], row["source"]
            session.add(b)
        organs = _load_judicial_organs(session, existing)
        counts = dict(
            judicial_organs=organs,
            divisions=len(division_rows),
            inspection_units=len(units)
            - sum(
                1
                for c, u in units.items()
                if u.kind is InspectionUnitKind.PILOT_COUNTY and c not in wanted_pilots
            ),
            basins=len(basin_rows),
        )
    # The holiday table is its own unit of work (the legal clock's calendar, DOMAIN.md §0).
    holidays = load_packaged_years(session)
    return LoadReport(**counts, holiday_years=holidays.years)


ORGAN_SOURCE = (
    "Generated from the divisions: one police bureau, procuratorate and court per division at its "
    "level (人民法院组织法 2018 arts. 13, 22-24; 人民检察院组织法 2018 art. 12; 公安机关组织管理"
    "条例 art. 6); names after common usage [R]; Guizhou's centralised environmental "
    "jurisdiction (designated courts) is not modelled [R]"
)
_LEVEL_OF = {
    DivisionLevel.PROVINCE: OrganLevel.HIGH,
    DivisionLevel.PREFECTURE: OrganLevel.INTERMEDIATE,
    DivisionLevel.COUNTY: OrganLevel.BASIC,
}
_LETTER = {OrganKind.POLICE: "G", OrganKind.PROCURATORATE: "P", OrganKind.COURT: "C"}


def organ_code(kind: OrganKind, division_code: str) -> str:
    """The internal code of the organ of ``kind`` at a division (``C520300``: its court)."""
    return _LETTER[kind] + division_code


def organ_name(kind: OrganKind, division: Division, parent: Division | None) -> str:
    """The usual name, e.g. 贵州省高级人民法院, 贵阳市公安局南明分局, 仁怀市人民法院."""
    name = division.name
    if division.level is DivisionLevel.PROVINCE:
        return {
            OrganKind.POLICE: f"{name}公安厅",
            OrganKind.PROCURATORATE: f"{name}人民检察院",
            OrganKind.COURT: f"{name}高级人民法院",
        }[kind]
    if division.level is DivisionLevel.PREFECTURE:
        return {
            OrganKind.POLICE: f"{name}公安局",
            OrganKind.PROCURATORATE: f"{name}人民检察院",
            OrganKind.COURT: f"{name}中级人民法院",
        }[kind]
    district = name.endswith("区") and not name.endswith("特区") and parent is not None
    prefix = parent.name if district and parent is not None else ""
    if kind is OrganKind.POLICE:
        return f"{prefix}公安局{name}分局" if district else f"{name}公安局"
    return f"{prefix}{name}{'人民检察院' if kind is OrganKind.PROCURATORATE else '人民法院'}"


def _load_judicial_organs(session: Session, divisions: dict[str, Division]) -> int:
    organs = {o.code: o for o in session.scalars(select(JudicialOrgan))}
    for division in divisions.values():
        parent = divisions.get(division.parent_code or "")
        for kind in OrganKind:
            code = organ_code(kind, division.code)
            organ = organs.get(code) or JudicialOrgan(code=code)
            organ.kind, organ.level = kind, _LEVEL_OF[division.level]
            organ.name = organ_name(kind, division, parent)
            organ.division_code, organ.source = division.code, ORGAN_SOURCE
            session.add(organ)
            organs[code] = organ
    return len(divisions) * len(OrganKind)
