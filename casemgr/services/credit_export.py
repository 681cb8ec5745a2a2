"""Tier lists for regulators, banks and the grid company (信用评价结果推送): CSV, XLSX, JSON.

* :func:`export_tiers` writes the tier list in force on a day (the latest stored
  :class:`CreditScore` on or before it, as :func:`casemgr.services.credit.in_force` reads it),
  filtered by prefecture, county, tier and industry, or a delta against an earlier export, and
  stores its manifest as a :class:`CreditExport` row; :func:`manifest` returns it as a dict.
* :func:`regenerate` writes an export again, byte for byte.
* :func:`add_recipients` and :func:`recipients_to_notify` keep whom an export went to, so that a
  later correction of a tier lists whom to tell.

Reproducibility. A file holds nothing that depends on when it was made: no generation time (it
is in the manifest only), rows in a fixed order (county code, then USCC), numbers and dates in
one spelling, JSON with sorted keys and no optional whitespace, XLSX with fixed document
properties and fixed zip entry dates. An export also remembers the highest score id stored when
it was made (``CreditExport.scores_through``), and reads only scores up to it. Scores stored
later, even ones dated on or before the as-of day (a rescore later the same day), therefore
never change a regenerated file. What can
change one is the enterprise register itself (a name, county or industry edited in place, which
keeps no dated history): :func:`regenerate` checks the SHA-256 and raises ``Conflict`` then.
XLSX bytes also depend on the libraries that write them (openpyxl's version, whether lxml is
installed, zlib's deflate): the same deployment regenerates them exactly; an upgrade may not.

Membership. Which enterprises an export listed is not stored (a million rows per export): it is
recomputed for one enterprise at a time from the export's scheme, as-of day, filters and
``scores_through``, by the very query that wrote the file, narrowed to that enterprise. So
:func:`recipients_to_notify` costs a few indexed queries per export of the scheme.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.xml.functions import tostring
from sqlalchemy import Select, case, func, literal, or_, select, text
from sqlalchemy.orm import Session, aliased

from casemgr.db import transaction, utcnow
from casemgr.exceptions import Conflict, InvalidInput, NotFound, OutsideJurisdiction
from casemgr.i18n import N_
from casemgr.models import CreditExport, CreditScore, Division, Enterprise
from casemgr.models.territories import DivisionLevel
from casemgr.policy import Actor, Permission
from casemgr.services.access import require
from casemgr.services.credit import in_force, scheme_named
from casemgr.services.localtime import LOCAL, local_today
from credit.schemes import SHIPPED, Scheme

__all__ = [
    "ABNORMAL",
    "COLUMNS",
    "FILTERS",
    "FORMATS",
    "add_recipients",
    "export_tiers",
    "manifest",
    "recipients_to_notify",
    "regenerate",
]

FORMATS = ("csv", "xlsx", "json")
FILTERS = ("prefecture", "county", "tier", "industry")
ABNORMAL = "abnormal"  # the tier filter and tier code of a score with no tier (异常, not rateable)
ABNORMAL_NAME = "异常"

# (key in JSON, header in CSV and XLSX), in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("uscc", "统一社会信用代码"),
    ("name", "企业名称"),
    ("prefecture_code", "市州代码"),
    ("prefecture", "市州"),
    ("county_code", "区县代码"),
    ("county", "区县"),
    ("industry_code", "行业代码"),
    ("industry", "行业"),
    ("tier", "信用等级代码"),
    ("tier_name", "信用等级"),
    ("sublevel", "等级档次"),
    ("points", "评价得分"),
    ("status", "评价状态"),
    ("score_as_of", "评价日期"),
    ("scheme", "评价方案"),
)
CHANGE = ("change", "变动")  # first column of a delta export: new / changed / removed
SHEET_ROWS = 1_048_575  # an XLSX sheet holds 1,048,576 rows, one of them the header
SHEET_TITLE = "信用评价结果"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
BATCH = 5000
_INDUSTRY = re.compile(r"[A-T]\d{0,4}")  # GB/T 4754-2017: a section letter, up to 4 digits

County = aliased(Division, name="county")
Prefecture = aliased(Division, name="prefecture")


@dataclass(frozen=True)
class _Spec:
    """What determines an export's rows: scheme, day, filters, the scores it may read, and for
    a delta the previous export's spec."""

    scheme: str
    as_of: date
    filters: Mapping[str, Sequence[str]]
    through: int
    previous: _Spec | None = None


# -- input ------------------------------------------------------------------------------------


def _check_format(file_format: str) -> str:
    fmt = (file_format or "").strip().lower()
    if fmt not in FORMATS:
        raise InvalidInput.field(
            "format",
            N_("Unknown export format {format}: use csv, xlsx or json."),
            format=file_format,
        )
    return fmt


def _check_as_of(as_of: date) -> None:
    if as_of > local_today():
        raise InvalidInput.field(
            "as_of", N_("The as-of date {as_of} is in the future."), as_of=as_of.isoformat()
        )


def _codes_of(session: Session, level: DivisionLevel, codes: Iterable[str]) -> set[str]:
    return set(
        session.scalars(
            select(Division.code).where(Division.level == level, Division.code.in_(codes))
        )
    )


def _normalise_filters(
    session: Session, scheme: Scheme, filters: Mapping[str, object] | None
) -> dict[str, list[str]]:
    """The filters as sorted lists of distinct values, checked (InvalidInput names the field)."""
    clean: dict[str, list[str]] = {}
    for key, value in (filters or {}).items():
        if key not in FILTERS:
            raise InvalidInput.field(
                "filters",
                N_("Unknown filter {name}: filter by prefecture, county, tier or industry."),
                name=key,
            )
        if value is None:
            continue
        raw = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        values = sorted({str(v).strip() for v in raw if str(v).strip()})
        if values:
            clean[key] = values
    tiers = {rule.tier.value for rule in scheme.tiers} | {ABNORMAL}
    for tier in clean.get("tier", []):
        if tier not in tiers:
            raise InvalidInput.field(
                "tier",
                N_("Unknown tier {tier}: scheme {scheme} has {tiers}."),
                tier=tier,
                scheme=scheme.key,
                tiers=", ".join([r.tier.value for r in scheme.tiers] + [ABNORMAL]),
            )
    for key, level, message in (
        ("county", DivisionLevel.COUNTY, N_("Unknown county code {code}.")),
        ("prefecture", DivisionLevel.PREFECTURE, N_("Unknown prefecture code {code}.")),
    ):
        if key in clean:
            unknown = sorted(set(clean[key]) - _codes_of(session, level, clean[key]))
            if unknown:
                raise InvalidInput.field(key, message, code=", ".join(unknown))
    for prefix in clean.get("industry", []):
        if not _INDUSTRY.fullmatch(prefix):
            raise InvalidInput.field(
                "industry",
                N_(
                    "Invalid industry code prefix {code}: a GB/T 4754 section letter and up "
                    "to four digits, e.g. C26."
                ),
                code=prefix,
            )
    return clean


def _check_scope(session: Session, actor: Actor, filters: Mapping[str, Sequence[str]]) -> None:
    """An actor with a local jurisdiction exports only counties inside it."""
    if actor.province_wide:
        return
    stmt = select(Division.code).where(Division.level == DivisionLevel.COUNTY)
    if "county" in filters:
        stmt = stmt.where(Division.code.in_(filters["county"]))
    if "prefecture" in filters:
        stmt = stmt.where(Division.parent_code.in_(filters["prefecture"]))
    if not set(session.scalars(stmt)) <= (actor.counties or set()):
        raise OutsideJurisdiction()


def _clean_recipients(recipients: Iterable[str]) -> list[str]:
    out: list[str] = []
    for r in recipients:
        name = (r or "").strip()
        if not name:
            raise InvalidInput.field("recipients", N_("A recipient must not be empty."))
        if name not in out:
            out.append(name)
    return out


def _export(session: Session, export_id: int) -> CreditExport:
    export = session.get(CreditExport, export_id)
    if export is None:
        raise NotFound(kind="Credit export", key=export_id)
    return export


def get_export(session: Session, actor: Actor, export_id: int) -> CreditExport:
    """An export (for its manifest). Raises PermissionDenied, NotFound."""
    require(actor, Permission.MANAGE_CREDIT)
    return _export(session, export_id)


def _spec_of(export: CreditExport, previous: CreditExport | None) -> _Spec:
    filters = {k: list(v) for k, v in export.filters.items()}  # type: ignore[call-overload]
    return _Spec(
        export.scheme,
        export.as_of,
        filters,
        export.scores_through,
        None if previous is None else _spec_of(previous, None),
    )


def _stored_spec(session: Session, export: CreditExport) -> _Spec:
    previous = None if export.since_export_id is None else _export(session, export.since_export_id)
    return _spec_of(export, previous)


def _scheme_for(key: str) -> Scheme:
    for name in SHIPPED:
        scheme = scheme_named(name)
        if scheme.key == key:
            return scheme
    raise InvalidInput.field(
        "scheme",
        N_("Scheme {scheme} is not shipped with this version: pass the scheme itself."),
        scheme=key,
    )


# -- the rows, in SQL -------------------------------------------------------------------------


def _listing(spec: _Spec, enterprise_id: int | None, *columns: Any) -> Select[Any]:
    """The scores in force on ``spec.as_of`` (the latest row on or before it, as
    :func:`casemgr.services.credit.in_force`, among the ids up to ``spec.through``), joined to
    their enterprise and filtered; ``columns`` chosen by the caller."""
    latest = select(CreditScore.enterprise_id, func.max(CreditScore.id).label("score_id")).where(
        CreditScore.scheme == spec.scheme,
        CreditScore.as_of <= spec.as_of,
        CreditScore.id <= spec.through,
    )
    if enterprise_id is not None:
        latest = latest.where(CreditScore.enterprise_id == enterprise_id)
    found = latest.group_by(CreditScore.enterprise_id).subquery("latest")
    stmt = (
        select(*columns)
        .select_from(found)
        .join(CreditScore, CreditScore.id == found.c.score_id)
        .join(Enterprise, Enterprise.id == CreditScore.enterprise_id)
    )
    f = spec.filters
    if "county" in f:
        stmt = stmt.where(Enterprise.county_code.in_(f["county"]))
    if "prefecture" in f:
        counties = select(Division.code).where(Division.parent_code.in_(f["prefecture"]))
        stmt = stmt.where(Enterprise.county_code.in_(counties))
    if "industry" in f:
        stmt = stmt.where(or_(*(Enterprise.industry_code.startswith(p) for p in f["industry"])))
    if "tier" in f:
        named = [t for t in f["tier"] if t != ABNORMAL]
        stmt = stmt.where(
            or_(
                CreditScore.tier.in_(named),
                *([CreditScore.tier.is_(None)] if ABNORMAL in f["tier"] else []),
            )
        )
    return stmt


def _shown_columns(names: Mapping[str, str]) -> tuple[Any, ...]:
    """The shown columns in file order; the tier's code and name computed by the database
    (``names``: the scheme's tier names), so rows go to the file as they come."""
    tier_name = (
        case(dict(names), value=CreditScore.tier, else_=literal(ABNORMAL_NAME))
        if names
        else literal(ABNORMAL_NAME)
    )
    return (
        Enterprise.uscc,
        Enterprise.name,
        Prefecture.code,
        Prefecture.name,
        County.code,
        County.name,
        Enterprise.industry_code,
        Enterprise.industry_name,
        func.coalesce(CreditScore.tier, literal(ABNORMAL)),
        tier_name,
        CreditScore.sublevel,
        CreditScore.points,
        CreditScore.status,
        CreditScore.as_of,
        CreditScore.scheme,
    )


_KEY = (CreditScore.enterprise_id, CreditScore.id, CreditScore.tier, CreditScore.sublevel)


def _with_places(stmt: Select[Any], postgresql: bool) -> Select[Any]:
    # Byte order ("C") on PostgreSQL: the same order as SQLite's, whatever the database locale.
    uscc = Enterprise.uscc.collate("C") if postgresql else Enterprise.uscc
    return (
        stmt.join(County, County.code == Enterprise.county_code)
        .outerjoin(Prefecture, Prefecture.code == County.parent_code)
        .order_by(County.code, uscc)
    )


def _rows_statement(
    spec: _Spec, names: Mapping[str, str], postgresql: bool, enterprise_id: int | None = None
) -> Select[Any]:
    """The export's rows in file order: the shown columns, after a ``change`` for a delta."""
    if spec.previous is None:
        return _with_places(_listing(spec, enterprise_id, *_shown_columns(names)), postgresql)
    key = (*_KEY, CreditScore.status)
    cur = _listing(spec, enterprise_id, *key).subquery("cur")
    prev = _listing(spec.previous, enterprise_id, *key).subquery("prev")
    change = case(
        (prev.c.enterprise_id.is_(None), "new"),
        (cur.c.enterprise_id.is_(None), "removed"),
        else_="changed",
    )
    diff = (
        select(
            func.coalesce(cur.c.enterprise_id, prev.c.enterprise_id).label("enterprise_id"),
            # a removed row shows what the previous export showed
            func.coalesce(cur.c.id, prev.c.id).label("score_id"),
            change.label("change"),
        )
        .select_from(cur.join(prev, cur.c.enterprise_id == prev.c.enterprise_id, full=True))
        .where(
            or_(
                cur.c.enterprise_id.is_(None),
                prev.c.enterprise_id.is_(None),
                cur.c.tier.is_distinct_from(prev.c.tier),
                cur.c.sublevel.is_distinct_from(prev.c.sublevel),
                cur.c.status.is_distinct_from(prev.c.status),
            )
        )
        .subquery("diff")
    )
    stmt = (
        select(diff.c.change, *_shown_columns(names))
        .select_from(diff)
        .join(CreditScore, CreditScore.id == diff.c.score_id)
        .join(Enterprise, Enterprise.id == diff.c.enterprise_id)
    )
    return _with_places(stmt, postgresql)


def _tier_names(scheme: Scheme) -> dict[str, str]:
    return {rule.tier.value: rule.name for rule in scheme.tiers}


def _batches(session: Session, scheme: Scheme, spec: _Spec) -> Iterator[Sequence[Sequence[Any]]]:
    """The rows as written, in batches, streamed from the database (no ORM objects)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        # For this transaction only. A server-side cursor is planned for its first rows
        # (cursor_tuple_fraction 0.1), but every row is read; JIT compiling costs seconds and
        # saves none on this plan; the sort of a million rows stays in memory (about 250 MB).
        for setting in ("cursor_tuple_fraction = 1.0", "jit = off", "work_mem = '256MB'"):
            session.execute(text(f"SET LOCAL {setting}"))
    stmt = _rows_statement(spec, _tier_names(scheme), postgresql)
    yield from session.execute(stmt, execution_options={"yield_per": BATCH}).partitions()


# -- files ------------------------------------------------------------------------------------


Batches = Iterable[Sequence[Sequence[Any]]]


class _Sink:
    """Writes to the caller's binary file, hashing and counting the bytes."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.sha256.update(data)


def _columns(delta: bool) -> tuple[tuple[str, str], ...]:
    return (CHANGE, *COLUMNS) if delta else COLUMNS


def _write_csv(batches: Batches, delta: bool, sink: _Sink, **_: Any) -> int:
    """UTF-8 with a BOM (Excel reads the Chinese headers right), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _key, title in _columns(delta)])
    sink.write(codecs.BOM_UTF8)
    n = 0
    for batch in batches:
        writer.writerows(batch)
        n += len(batch)
        sink.write(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    sink.write(buffer.getvalue().encode("utf-8"))
    return n


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _dumps(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def _write_json(
    batches: Batches, delta: bool, sink: _Sink, *, meta: Mapping[str, Any], **_: Any
) -> int:
    """One document, as ``json.dumps(doc, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` would write it, with the rows streamed in place."""
    keys = [key for key, _title in _columns(delta)]
    doc = {**meta, "columns": [{"key": k, "title": t} for k, t in _columns(delta)], "rows": None}
    n = 0
    sink.write(b"{")
    for i, name in enumerate(sorted(doc)):
        sink.write((b"," if i else b"") + _dumps(name) + b":")
        if name != "rows":
            sink.write(_dumps(doc[name]))
            continue
        sink.write(b"[")
        for batch in batches:
            rows = (_dumps(dict(zip(keys, map(_json_value, row), strict=True))) for row in batch)
            sink.write((b"," if n else b"") + b",".join(rows))
            n += len(batch)
        sink.write(b"]")
    sink.write(b"}")
    return n


def _write_xlsx(batches: Batches, delta: bool, sink: _Sink, *, as_of: date, **_: Any) -> int:
    """A write-only workbook (a sheet per 1,048,575 rows), then its zip rewritten with fixed
    entry dates and fixed document properties, so the same rows give the same bytes."""
    wb = Workbook(write_only=True)
    headers = [title for _key, title in _columns(delta)]
    sheet, n = None, 0
    for n, row in enumerate(chain.from_iterable(batches), 1):  # noqa: B007 - n is the count
        if sheet is None or (n - 1) % SHEET_ROWS == 0:
            number = (n - 1) // SHEET_ROWS + 1
            sheet = wb.create_sheet(SHEET_TITLE if number == 1 else f"{SHEET_TITLE}{number}")
            sheet.append(headers)
        sheet.append(tuple(row))
    if sheet is None:
        wb.create_sheet(SHEET_TITLE).append(headers)
    day = datetime.combine(as_of, time.min)
    props = wb.properties
    props.creator = "casemgr"
    props.lastModifiedBy = None
    props.title = f"{SHEET_TITLE} {as_of.isoformat()}"
    props.created = props.modified = day  # openpyxl stamps "now" on save: core.xml is rewritten
    core = tostring(props.to_tree())
    with tempfile.TemporaryFile() as raw, tempfile.TemporaryFile() as fixed:
        wb.save(raw)
        raw.seek(0)
        with (
            zipfile.ZipFile(raw) as src,
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst,
        ):
            for info in src.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.create_system = 3
                entry.external_attr = 0o644 << 16
                if info.filename == "docProps/core.xml":
                    dst.writestr(entry, core)
                    continue
                entry.file_size = info.file_size  # decides zip64 the same way every time
                with src.open(info) as r, dst.open(entry, "w") as w:
                    shutil.copyfileobj(r, w, 1 << 20)
        fixed.seek(0)
        while block := fixed.read(1 << 20):
            sink.write(block)
    return n


_WRITERS: dict[str, Callable[..., int]] = {
    "csv": _write_csv,
    "json": _write_json,
    "xlsx": _write_xlsx,
}


def _write(
    session: Session,
    scheme: Scheme,
    spec: _Spec,
    file_format: str,
    since_export_id: int | None,
    out: IO[bytes],
) -> tuple[str, int]:
    """Write the file; return its SHA-256 and row count."""
    sink = _Sink(out)
    meta: dict[str, Any] = {
        "scheme": spec.scheme,
        "as_of": spec.as_of.isoformat(),
        "filters": spec.filters,
    }
    if since_export_id is not None:
        meta["since_export_id"] = since_export_id
    rows = _WRITERS[file_format](
        _batches(session, scheme, spec),
        spec.previous is not None,
        sink,
        meta=meta,
        as_of=spec.as_of,
    )
    return sink.sha256.hexdigest(), rows


# -- services ---------------------------------------------------------------------------------


def export_tiers(
    session: Session,
    actor: Actor,
    scheme: Scheme,
    *,
    as_of: date,
    file_format: str,
    filters: Mapping[str, str | Sequence[str]] | None = None,
    since_export_id: int | None = None,
    recipients: Iterable[str] = (),
    out: IO[bytes],
) -> CreditExport:
    """Write the tier list in force on ``as_of`` to ``out`` (a binary file) and store its
    manifest.

    ``file_format`` is csv, xlsx or json; ``filters`` maps ``prefecture``, ``county`` (GB/T 2260
    codes), ``tier`` (a tier of the scheme or ``abnormal``) and ``industry`` (GB/T 4754 code
    prefixes) to one value or a list (any of them matches). With ``since_export_id`` only what
    changed since that export: rows whose tier, sub-level or status differ from what it showed,
    or that appeared or disappeared, with a ``change`` column (new, changed, removed). The
    file never holds the time it was made, so :func:`regenerate` gives the same bytes.

    Raises PermissionDenied, OutsideJurisdiction, InvalidInput (naming the field: format,
    as_of, filters, prefecture, county, tier, industry, since_export_id, recipients).
    """
    require(actor, Permission.MANAGE_CREDIT)
    fmt = _check_format(file_format)
    _check_as_of(as_of)
    clean = _normalise_filters(session, scheme, filters)
    _check_scope(session, actor, clean)
    people = _clean_recipients(recipients)
    previous = None
    if since_export_id is not None:
        before = session.get(CreditExport, since_export_id)
        if before is None:
            raise InvalidInput.field(
                "since_export_id", N_("There is no export {id}."), id=since_export_id
            )
        if before.scheme != scheme.key:
            raise InvalidInput.field(
                "since_export_id",
                N_("Export {id} lists scheme {other}, not {scheme}."),
                id=since_export_id,
                other=before.scheme,
                scheme=scheme.key,
            )
        previous = _spec_of(before, None)
    through = int(session.scalar(select(func.coalesce(func.max(CreditScore.id), 0))) or 0)
    spec = _Spec(scheme.key, as_of, clean, through, previous)
    sha256, rows = _write(session, scheme, spec, fmt, since_export_id, out)
    with transaction(session, actor=actor):
        export = CreditExport(
            scheme=scheme.key,
            as_of=as_of,
            file_format=fmt,
            filters=clean,
            scores_through=through,
            since_export_id=since_export_id,
            rows=rows,
            sha256=sha256,
            recipients=people,
            generated_at=utcnow(),
            created_by_id=actor.user_id or None,
        )
        session.add(export)
    return export


def regenerate(
    session: Session, actor: Actor, export_id: int, out: IO[bytes], *, scheme: Scheme | None = None
) -> CreditExport:
    """Write an export again to ``out``, byte for byte (same SHA-256 as its manifest).

    ``scheme`` is needed only for a scheme that is not shipped (its tier names are in the
    file). Raises PermissionDenied, NotFound, InvalidInput (scheme), Conflict when the bytes
    differ (the enterprise register changed since: discard ``out`` then).
    """
    require(actor, Permission.MANAGE_CREDIT)
    export = _export(session, export_id)
    scheme = scheme or _scheme_for(export.scheme)
    spec = _stored_spec(session, export)
    sha256, rows = _write(session, scheme, spec, export.file_format, export.since_export_id, out)
    if sha256 != export.sha256:
        raise Conflict(
            N_(
                "Export {id} cannot be regenerated byte for byte: the file now has SHA-256 "
                "{actual} ({rows} rows), its manifest {expected} ({expected_rows} rows). The "
                "enterprises' names, counties or industries changed since it was made."
            ),
            id=export_id,
            actual=sha256,
            rows=rows,
            expected=export.sha256,
            expected_rows=export.rows,
        )
    return export


def manifest(export: CreditExport) -> dict[str, Any]:
    """The export's manifest as plain values (what the API and the CLI show)."""
    stored = dict(export.filters)
    return {
        "id": export.id,
        "scheme": export.scheme,
        "as_of": export.as_of.isoformat(),
        "filters": stored,
        "format": export.file_format,
        "generated_at": export.generated_at.isoformat(),
        "generated_by": export.created_by_id,
        "rows": export.rows,
        "sha256": export.sha256,
        "recipients": list(export.recipients),
        "since_export_id": export.since_export_id,
        "scores_through": export.scores_through,
    }


def add_recipients(
    session: Session, actor: Actor, export_id: int, recipients: Iterable[str]
) -> CreditExport:
    """Record more recipients of an export (kept in order, once each). Raises
    PermissionDenied, NotFound, InvalidInput (recipients)."""
    require(actor, Permission.MANAGE_CREDIT)
    with transaction(session, actor=actor):
        export = _export(session, export_id)
        new = [r for r in _clean_recipients(recipients) if r not in export.recipients]
        if new:
            export.recipients = [*export.recipients, *new]
    return export


def _shown(session: Session, export: CreditExport, enterprise_id: int) -> tuple[Any, ...] | None:
    """The (tier, sub-level, status) the export showed for the enterprise, or None when it did
    not list it (or listed it as removed): the export's own query narrowed to one enterprise."""
    spec = _stored_spec(session, export)
    delta = spec.previous is not None
    postgresql = session.get_bind().dialect.name == "postgresql"
    row = session.execute(_rows_statement(spec, {}, postgresql, enterprise_id)).first()
    if row is None or (delta and row[0] == "removed"):
        return None
    values = row[1:] if delta else row
    return values[8], values[10], values[12]  # tier code, sub-level, status


def recipients_to_notify(
    session: Session,
    actor: Actor,
    enterprise_id: int,
    scheme_key: str,
    since: date | None = None,
) -> list[tuple[int, str]]:
    """``(export id, recipient)`` for every export of the scheme (made on or after ``since``,
    a local date) that listed the enterprise with a tier, sub-level or status other than the
    one in force today: the recipients to tell of the correction. Raises PermissionDenied,
    NotFound."""
    require(actor, Permission.MANAGE_CREDIT)
    if session.get(Enterprise, enterprise_id) is None:
        raise NotFound(kind="Enterprise", key=enterprise_id)
    now = in_force(session, scheme_key, local_today(), [enterprise_id]).get(enterprise_id)
    current = None if now is None else (now.tier or ABNORMAL, now.sublevel, now.status)
    stmt = select(CreditExport).where(CreditExport.scheme == scheme_key).order_by(CreditExport.id)
    if since is not None:
        stmt = stmt.where(CreditExport.generated_at >= datetime.combine(since, time.min, LOCAL))
    out: list[tuple[int, str]] = []
    for export in session.scalars(stmt):
        if not export.recipients:
            continue
        shown = _shown(session, export, enterprise_id)
        if shown is not None and shown != current:
            out.extend((export.id, r) for r in export.recipients)
    return out
