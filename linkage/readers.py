"""Streaming readers of enterprise record files from the registry (工商), tax (税务) and
enforcement systems.

CSV (UTF-8 with or without BOM, or GB18030), XLSX and JSON Lines files with English or Chinese
headers (see :mod:`linkage.headers`) are read as a stream of :class:`Row` items, in chunks. Memory
stays constant except for the index of identifiers seen, used to reject duplicates (about 150
bytes per record). A problem with one row becomes a :class:`BadRow` in the stream, never an
exception, so the caller decides what to import; a problem with the whole file (unknown encoding,
missing required column, broken CSV quoting) raises :class:`ReadError`. Messages are fixed
English templates (:class:`Reason`, :class:`Problem`) with parameters, for the application to
translate.
"""

from __future__ import annotations

import codecs
import csv
import enum
import json
import re
import zipfile
from collections.abc import Generator, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import closing
from dataclasses import dataclass
from dataclasses import field as dc_field
from itertools import chain, islice
from os import PathLike
from pathlib import Path
from typing import Any

from linkage.headers import (
    FIELD_LABELS,
    SCHEMAS,
    STRUCTURED_FIELDS,
    Column,
    Shareholder,
    Source,
    cell_text,
    map_header,
    parse_date,
    parse_shareholders,
    split_names,
)
from linkage.identifiers import (
    USCC_CHARSET,
    UsccStatus,
    normalise_code,
    uscc_is_valid,
    validate_uscc,
)

__all__ = [
    "ROW_FIELD_MESSAGE",
    "ROW_MESSAGE",
    "BadRow",
    "FileFormat",
    "Problem",
    "ReadError",
    "Reason",
    "RecordFile",
    "Row",
    "RowWarning",
    "open_records",
    "sniff_format",
]

Params = Mapping[str, str | int]
# Frames around a row's reason in BadRow.message; translated like the reasons.
ROW_MESSAGE = "Row {row}: {reason}"
ROW_FIELD_MESSAGE = "Row {row}, column {field}: {reason}"

_SNIFF_BLOCK = 1 << 20  # bytes scanned at a time for the first non-ASCII byte
_SNIFF_SAMPLE = 1 << 16  # bytes decoded from there to choose the encoding
_HEADER_SCAN = 10  # non-empty rows searched for the header: exports put title rows first
_NONE: frozenset[str | None] = frozenset()
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_CLEAN_CODE = re.compile(r"[0-9A-Z]+")  # already what normalise_code would return
# Excel's rendering of a long number: 9.15206E+17 (a dot or a plus sign; 9E5206266403657454 is a
# well-formed USCC, E being one of its characters).
_SCIENTIFIC = re.compile(r"\d(?:\.\d+[eE]\+?|[eE]\+)\d+")


class FileFormat(enum.StrEnum):
    """A file format that :func:`open_records` reads."""

    CSV = "csv"  # comma-, tab-, semicolon- or bar-separated text with a header row
    XLSX = "xlsx"  # Office Open XML workbook (a zip archive)
    JSONL = "jsonl"  # JSON Lines: one JSON object per line, its keys as headers


class Problem(enum.StrEnum):
    """Why a whole file cannot be read; each value is the English message template."""

    UNKNOWN_ENCODING = "{file}: the encoding is unknown (UTF-8 or GB18030 expected)."
    BAD_BYTES = (
        "{file}: near line {line} the text is not valid {encoding}; "
        "the file mixes encodings or is damaged."
    )
    LEGACY_XLS = "{file}: this is a legacy .xls workbook; save it as .xlsx or CSV."
    BAD_XLSX = "{file}: this is not a readable .xlsx workbook ({detail})."
    JSON_ARRAY = "{file}: this is a JSON array; JSON Lines (one object per line) is expected."
    NO_SHEET = "{file}: there is no sheet named {sheet}; the sheets are {sheets}."
    EMPTY = "{file}: the file is empty (no header row or JSON object found)."
    MISSING_COLUMNS = (
        "{file}: the required column(s) {missing} are missing; the header has {found}."
    )
    BROKEN_CSV = (
        "{file}: the CSV structure is broken from line {line} on ({detail}); "
        "an unclosed quote is the usual cause."
    )
    CHANGED = "{file}: the header changed after the file was opened."


class Reason(enum.StrEnum):
    """Why a row is rejected (:class:`BadRow`) or flagged (:class:`RowWarning`).

    Each value is the English message template, filled from the item's ``params``.
    """

    REQUIRED = "The field is required."
    WIDTH = "The row has {found} fields; the header has {expected}."
    QUOTING = "A quoted field is followed by other characters before the next separator."
    USCC_LENGTH = "The code {value} has {length} characters; a USCC has 18."
    USCC_CHAR = "The code {value} has {char} at position {position}, which a USCC cannot contain."
    USCC_REGION = "Positions 3-8 of the code {value} are not a six-digit division code."
    # A failing check character is evidence, not proof of a typo (DOMAIN.md 6.4): flag, keep.
    USCC_CHECK = (
        "The code {value} fails its check character at position {position} "
        "(expected {expected}); the row is kept as evidence."
    )
    SCIENTIFIC = "The code {value} looks like a number in scientific notation; export it as text."
    LOST_DIGITS = "The code {value} was stored as a number and has lost digits; store it as text."
    TAX_ID_SHAPE = "The taxpayer id {value} must be 15 to 20 letters and digits."
    DATE = "The date {value} cannot be read; write it like 2015-06-30 or 2015年6月30日."
    DUPLICATE = "The identifier {value} already appears in row {first_row}."
    NOT_JSON = "The line is not valid JSON (column {column})."
    NOT_OBJECT = "The line holds a JSON {kind}, not an object."
    NOT_TEXT = "The value is a JSON {kind}, not text."
    SHARES_OVER = "The shareholders' shares add up to {total}%, more than 100%."


class ReadError(Exception):
    """A file cannot be read at all; nothing from it should be imported.

    Attributes
    ----------
    problem : Problem
        The message template.
    params : dict
        Its parameters; ``file`` is the file's name (without its directory).
    """

    def __init__(self, problem: Problem, **params: str | int) -> None:
        self.problem = problem
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The English message."""
        return self.problem.format(**self.params)


@dataclass(frozen=True, slots=True)
class RowWarning:
    """Something doubtful about a kept row, e.g. a USCC failing its check character."""

    field: str
    reason: Reason
    params: Params = dc_field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Row:
    """One record of a file.

    Attributes
    ----------
    number : int
        Where a person finds it: the spreadsheet row (the header counts) for CSV and XLSX,
        the line number for JSON Lines.
    fields : dict of str to str
        Every column of the source's schema (``""`` when absent) and any other known field.
        Identifiers (uscc, taxpayer_id) are normalised, ``reg_date`` is ISO; other values are
        stripped but otherwise as in the file (normalising names is a later stage).
    extra : dict of str to str
        Unknown columns, by cleaned header.
    shareholders, branches, former_names, predecessors : tuple
        Parsed from 股东/出资比例, 分支机构, 曾用名 and 前身企业 (USCCs or names of the
        enterprises this one succeeded) where the file has them.
    warnings : tuple of RowWarning
        Doubts that do not reject the row.
    """

    number: int
    fields: dict[str, str]
    extra: dict[str, str] = dc_field(default_factory=dict)
    shareholders: tuple[Shareholder, ...] = ()
    branches: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    warnings: tuple[RowWarning, ...] = ()
    predecessors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BadRow:
    """A rejected row: its number, the column at fault (None for the whole row) and why."""

    number: int
    field: str | None
    reason: Reason
    params: Params = dc_field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message, e.g. ``Row 7, column name: The field is required.``"""
        reason = self.reason.format(**self.params)
        if self.field is None:
            return ROW_MESSAGE.format(row=self.number, reason=reason)
        return ROW_FIELD_MESSAGE.format(row=self.number, field=self.field, reason=reason)


Item = Row | BadRow
# Row number, stripped cells (None for a CSV row whose quoting is broken), lossy cell indices.
_Cells = tuple[int, list[str] | None, frozenset[int]]


def sniff_format(path: str | PathLike[str]) -> FileFormat:
    """Tell a file's format from its first bytes and its extension.

    A zip archive is XLSX whatever its name. Otherwise ``.jsonl``, ``.ndjson`` and ``.json``
    are JSON Lines, ``.csv``, ``.tsv`` and ``.txt`` are CSV, and any other name is JSON Lines
    if its text starts with ``{``, else CSV.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    FileFormat

    Raises
    ------
    ReadError
        For a legacy ``.xls`` workbook, an ``.xlsx`` that is not a zip archive, a JSON array.
    OSError
        If the file cannot be opened.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp, "records.dat")
    ...     _ = path.write_text('{"uscc": "9152000071430580XT"}\\n')
    ...     sniff_format(path)
    <FileFormat.JSONL: 'jsonl'>
    """
    path = Path(path)
    with path.open("rb") as file:
        head = file.read(512)
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return FileFormat.XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 compound document: Excel 97-2003
        raise ReadError(Problem.LEGACY_XLS, file=path.name)
    if suffix in (".xlsx", ".xlsm"):
        raise ReadError(Problem.BAD_XLSX, file=path.name, detail="not a zip archive")
    first = head.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    textual = suffix in (".csv", ".tsv", ".txt")
    if first == b"[" and not textual:
        raise ReadError(Problem.JSON_ARRAY, file=path.name)
    if suffix in (".jsonl", ".ndjson", ".json") or (first == b"{" and not textual):
        return FileFormat.JSONL
    return FileFormat.CSV


def _detect_encoding(path: Path) -> str:
    """BOM → utf-8-sig; else strict UTF-8, then strict GB18030, on the first non-ASCII bytes."""
    with path.open("rb") as file:
        if file.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        file.seek(0)
        while block := file.read(_SNIFF_BLOCK):
            if (found := _NON_ASCII.search(block)) is None:
                continue
            # All before is ASCII, so a multi-byte character starts here in either encoding.
            sample = block[found.start() : found.start() + _SNIFF_SAMPLE]
            if len(sample) == _SNIFF_SAMPLE:
                at_end = False  # the sample is cut inside the block: a character may be too
            else:
                sample += file.read(_SNIFF_SAMPLE - len(sample))
                at_end = file.read(1) == b""
            for encoding in ("utf-8", "gb18030"):
                try:
                    codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=at_end)
                except UnicodeDecodeError:
                    continue
                return encoding
            raise ReadError(Problem.UNKNOWN_ENCODING, file=path.name)
    return "utf-8"  # pure ASCII reads the same in both


def _csv_rows(path: Path, encoding: str) -> Generator[_Cells, None, None]:
    with path.open(encoding=encoding, errors="strict", newline="") as file:
        number = start = 0
        reader: Any = None
        try:
            first = file.readline()
            counts = {sep: first.count(sep) for sep in ",\t;|"}
            delimiter = max(counts, key=counts.__getitem__) if any(counts.values()) else ","
            # strict: text after a closing quote, or a quote left open at the end, is an error.
            reader = csv.reader(chain([first], file), delimiter=delimiter, strict=True)
            while True:
                start, number = reader.line_num, number + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error:
                    if reader.line_num - start > 1:  # an open quote swallowed the lines after
                        raise
                    yield number, None, frozenset()  # the parser resumes at the next line
                    continue
                yield number, [cell.strip() for cell in cells], frozenset()
        except UnicodeDecodeError:
            line = reader.line_num + 1 if reader is not None else 1
            raise ReadError(
                Problem.BAD_BYTES, file=path.name, line=line, encoding=encoding
            ) from None
        except csv.Error as exc:
            line = start + 1
            raise ReadError(
                Problem.BROKEN_CSV, file=path.name, line=line, detail=str(exc)
            ) from None


def _xlsx_rows(path: Path, sheet: str | None) -> Generator[_Cells, None, None]:
    import openpyxl  # here, not at the top: only XLSX files need it
    from openpyxl.utils.exceptions import InvalidFileException

    with path.open("rb") as file:  # a file object, as openpyxl refuses a zip named .csv
        try:
            book: Any = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
            raise ReadError(Problem.BAD_XLSX, file=path.name, detail=str(exc)) from None
        try:
            if sheet is not None and sheet not in book.sheetnames:
                sheets = ", ".join(str(name) for name in book.sheetnames)
                raise ReadError(Problem.NO_SHEET, file=path.name, sheet=sheet, sheets=sheets)
            worksheet = book[sheet] if sheet is not None else book.worksheets[0]
            worksheet.reset_dimensions()  # exporters write wrong <dimension> tags; read all cells
            # Read-only sheets yield missing rows as empty ones, so rows count from 1.
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                texts = [cell_text(value) for value in values]
                lossy = frozenset(i for i, (_, lost) in enumerate(texts) if lost)
                yield number, [text for text, _ in texts], lossy
        finally:
            book.close()


def _jsonl_lines(path: Path, encoding: str) -> Generator[tuple[int, Any], None, None]:
    """Yield (line number, parsed object or BadRow) for each non-blank line."""
    with path.open(encoding=encoding, errors="strict") as file:
        number = 0
        try:
            for number, line in enumerate(file, start=1):  # noqa: B007 (used below)
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, BadRow(number, None, Reason.NOT_JSON, {"column": exc.colno})
                    continue
                if not isinstance(value, dict):
                    value = BadRow(number, None, Reason.NOT_OBJECT, {"kind": _kind(value)})
                yield number, value
        except UnicodeDecodeError:
            near = number + 1
            raise ReadError(
                Problem.BAD_BYTES, file=path.name, line=near, encoding=encoding
            ) from None


def _kind(value: object) -> str:
    kinds = {list: "array", dict: "object", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def _header(path: Path, source: Source, candidates: Iterator[list[str]]) -> tuple[Column, ...]:
    """Map the first of the first rows that has the required columns, or raise.

    Consumes `candidates` up to that row and no further.
    """
    first: tuple[tuple[Column, ...], list[str]] | None = None
    for cells in islice(candidates, _HEADER_SCAN):
        columns, missing = map_header(cells, source)
        if not missing:
            return columns
        first = first or (columns, missing)
    if first is None:
        raise ReadError(Problem.EMPTY, file=path.name)
    columns, missing = first
    raise ReadError(
        Problem.MISSING_COLUMNS,
        file=path.name,
        missing=", ".join(FIELD_LABELS[name] for name in missing),
        found=", ".join(column.header for column in columns if column.header) or "no names",
    )


@dataclass(frozen=True)
class RecordFile:
    """An opened enterprise record file; iterate it, or its :meth:`chunks`, for the rows.

    Each iteration streams the file again from the start; the object holds no open file.
    Items come in file order, a :class:`BadRow` in place of each rejected row.

    Attributes
    ----------
    path : Path
    source : Source
    format : FileFormat
    encoding : str or None
        ``utf-8``, ``utf-8-sig`` (with BOM) or ``gb18030``; None for XLSX.
    columns : tuple of Column
        The header as read and mapped (for JSON Lines, the first object's keys).
    sheet : str or None
        The XLSX sheet read; None for the first.
    chunk_size : int
        Items per list from :meth:`chunks`.
    check_duplicates : bool
        Whether a repeated identifier rejects the later row.
    """

    path: Path
    source: Source
    format: FileFormat
    encoding: str | None
    columns: tuple[Column, ...]
    sheet: str | None = None
    chunk_size: int = 10_000
    check_duplicates: bool = True

    def chunks(self) -> Iterator[list[Item]]:
        """Yield the items in lists of up to `chunk_size`."""
        items = iter(self)
        while chunk := list(islice(items, self.chunk_size)):
            yield chunk

    def __iter__(self) -> Iterator[Item]:
        build = _RowBuilder(self)
        if self.format is FileFormat.JSONL:
            with closing(_jsonl_lines(self.path, self.encoding or "utf-8")) as lines:
                for number, value in lines:
                    yield value if isinstance(value, BadRow) else build.from_object(number, value)
            return
        with closing(_table_rows(self.path, self.encoding, self.sheet)) as rows:
            candidates = (cells for _, cells, _ in rows if cells and any(cells))
            if _header(self.path, self.source, candidates) != self.columns:
                raise ReadError(Problem.CHANGED, file=self.path.name)
            for number, cells, lossy in rows:
                if cells is None:
                    yield BadRow(number, None, Reason.QUOTING)
                elif any(cells):  # blank rows (common at the end of exports) are not records
                    yield build.from_cells(number, cells, lossy)


def _table_rows(
    path: Path, encoding: str | None, sheet: str | None
) -> Generator[_Cells, None, None]:
    return _xlsx_rows(path, sheet) if encoding is None else _csv_rows(path, encoding)


class _RowBuilder:
    """Turns cells or JSON objects into items; holds one iteration's identifier index."""

    def __init__(self, records: RecordFile) -> None:
        self.source = records.source
        self.identifier = SCHEMAS[records.source].identifier
        self.columns = records.columns
        named = [i for i, column in enumerate(records.columns) if column.header]
        self.width = named[-1] + 1 if named else 0
        # A CSV row short of fields has shifted columns; a spreadsheet row just ends early.
        self.strict_width = records.format is FileFormat.CSV
        self.blank = dict.fromkeys(SCHEMAS[records.source].columns, "")
        self.field_slots = [(i, c.field) for i, c in enumerate(self.columns) if c.field]
        self.extra_slots = [(i, c.key, c.header) for i, c in enumerate(self.columns) if not c.field]
        self.seen: dict[str, int] | None = {} if records.check_duplicates else None
        self.json_keys: dict[str, Column] = {}

    def from_cells(self, number: int, cells: list[str], lossy: frozenset[int]) -> Item:
        width = self.width
        if len(cells) > width and any(cells[width:]):
            found = max(i for i, cell in enumerate(cells) if cell) + 1
            return BadRow(number, None, Reason.WIDTH, {"found": found, "expected": width})
        if self.strict_width and len(cells) < width:
            return BadRow(number, None, Reason.WIDTH, {"found": len(cells), "expected": width})
        fields = self.blank.copy()
        extra: dict[str, str] = {}
        size = len(cells)
        for index, name in self.field_slots:
            fields[name] = cells[index] if index < size else ""
        for index, key, header in self.extra_slots:
            if (value := cells[index] if index < size else "") or header:
                extra[key] = value
        lost = {self.columns[i].field for i in lossy if i < len(self.columns)} if lossy else _NONE
        return self.finish(number, fields, extra, lost)

    def from_object(self, number: int, obj: dict[str, Any]) -> Item:
        values: dict[str, str] = {}
        extra: dict[str, str] = {}
        lost: set[str | None] = set()
        for key, value in obj.items():
            if (column := self.json_keys.get(key)) is None:
                column = self.json_keys[key] = map_header([key], self.source)[0][0]
            if column.field is None or column.field in values:  # unknown, or a second key
                nested = isinstance(value, list | dict)
                text = json.dumps(value, ensure_ascii=False) if nested else cell_text(value)[0]
                extra[column.key if column.field is None else key] = text
                continue
            if isinstance(value, list) and column.field in STRUCTURED_FIELDS:
                value = ";".join(_list_item(item) for item in value)
            elif isinstance(value, list | dict):
                return BadRow(number, column.field, Reason.NOT_TEXT, {"kind": _kind(value)})
            values[column.field], lossy = cell_text(value)
            if lossy:
                lost.add(column.field)
        return self.finish(number, self.blank | values, extra, lost)

    def finish(
        self,
        number: int,
        fields: dict[str, str],
        extra: dict[str, str],
        lost: AbstractSet[str | None],
    ) -> Item:
        """Check and complete a row; `fields` holds the blank schema updated with its values."""
        holders, branches, former, before = (fields.pop(name, "") for name in STRUCTURED_FIELDS)
        warnings: list[RowWarning] = []
        identifier = self.identifier
        if not (key := fields[identifier]):
            return BadRow(number, identifier, Reason.REQUIRED)
        if identifier in lost:
            return BadRow(number, identifier, Reason.LOST_DIGITS, {"value": key})
        if identifier != "record_id":
            key, issue, fatal = _check_code(identifier, key)
            if issue is not None and fatal:
                return BadRow(number, identifier, *issue)
            if issue is not None:
                warnings.append(RowWarning(identifier, *issue))
            fields[identifier] = key
        if not fields["name"]:
            return BadRow(number, "name", Reason.REQUIRED)
        if raw_date := fields.get("reg_date"):
            if (iso := parse_date(raw_date)) is None:
                return BadRow(number, "reg_date", Reason.DATE, {"value": raw_date})
            fields["reg_date"] = iso
        if identifier != "uscc" and (uscc := fields.get("uscc")):
            # A USCC typed into a tax or enforcement record is evidence only: flag, never reject.
            fields["uscc"], issue, _ = _check_code("uscc", uscc)
            if "uscc" in lost:
                issue = (Reason.LOST_DIGITS, {"value": uscc})
            if issue is not None:
                warnings.append(RowWarning("uscc", *issue))
        if self.seen is not None and (first := self.seen.setdefault(key, number)) != number:
            params: Params = {"value": key, "first_row": first}
            return BadRow(number, identifier, Reason.DUPLICATE, params)
        shareholders = parse_shareholders(holders) if holders else ()
        if (total := sum(holder.share or 0 for holder in shareholders)) > 100.5:
            warnings.append(RowWarning("shareholders", Reason.SHARES_OVER, {"total": f"{total:g}"}))
        return Row(
            number,
            fields,
            extra,
            shareholders,
            split_names(branches),
            split_names(former),
            tuple(warnings),
            split_names(before),
        )


def _list_item(item: object) -> str:
    """One element of a JSON list of shareholders, branches or names, as cell text."""
    if isinstance(item, dict):
        name, share = cell_text(item.get("name"))[0], cell_text(item.get("share"))[0]
        return f"{name}:{share}" if share else name
    return cell_text(item)[0]


def _check_code(field: str, raw: str) -> tuple[str, tuple[Reason, Params] | None, bool]:
    """Normalise an identifier; return it, its problem if any, and whether that is fatal."""
    if _SCIENTIFIC.fullmatch(raw):
        return raw, (Reason.SCIENTIFIC, {"value": raw}), True
    code = raw if _CLEAN_CODE.fullmatch(raw) else normalise_code(raw)
    if field == "taxpayer_id":
        # 15 (legacy: division + organisation code), 18 (USCC), 17 or 20 (personal) characters.
        if not (15 <= len(code) <= 20 and code.isascii() and code.isalnum()):
            return code, (Reason.TAX_ID_SHAPE, {"value": raw}), True
        if len(code) != 18:
            return code, None, False
    if uscc_is_valid(code):  # the usual case, without building validate_uscc's result
        return code, None, False
    result = validate_uscc(code)
    status = result.status
    if status in (UsccStatus.BAD_FORMAT, UsccStatus.BAD_REGION) and field == "taxpayer_id":
        return code, None, False  # an 18-character tax id need not be a USCC
    if status is UsccStatus.BAD_FORMAT and len(code) != 18:
        return code, (Reason.USCC_LENGTH, {"value": raw, "length": len(code)}), True
    if status is UsccStatus.BAD_FORMAT:
        position, char = next((p, c) for p, c in enumerate(code, 1) if c not in USCC_CHARSET)
        return code, (Reason.USCC_CHAR, {"value": raw, "char": char, "position": position}), True
    if status is UsccStatus.BAD_REGION:
        return code, (Reason.USCC_REGION, {"value": raw}), True
    if status in (UsccStatus.BAD_ORG_CHECK, UsccStatus.BAD_CHECK):
        position = 17 if status is UsccStatus.BAD_ORG_CHECK else 18
        params: Params = {
            "value": raw,
            "position": position,
            "expected": result.expected_check or "",
        }
        return code, (Reason.USCC_CHECK, params), False
    return code, None, False


def open_records(
    path: str | PathLike[str],
    source: Source | str,
    *,
    sheet: str | None = None,
    chunk_size: int = 10_000,
    check_duplicates: bool = True,
) -> RecordFile:
    """Open an enterprise record file: detect its format and encoding, map its header.

    Parameters
    ----------
    path : str or path-like
        A CSV, XLSX or JSON Lines file (see :func:`sniff_format`).
    source : Source or str
        ``registry`` (identified by uscc), ``tax`` (taxpayer_id) or ``env`` (record_id).
    sheet : str, optional
        The XLSX sheet to read; the first by default.
    chunk_size : int, optional
        Items per list from :meth:`RecordFile.chunks`.
    check_duplicates : bool, optional
        Reject a row whose identifier an earlier row has. The index of identifiers seen is
        the only memory that grows with the file.

    Returns
    -------
    RecordFile
        Iterate it for :class:`Row` and :class:`BadRow` items.

    Raises
    ------
    ReadError
        If the format, encoding or sheet is wrong, or a required column (the identifier or
        the name) is missing; while iterating, if the file turns out broken further on.
    ValueError
        If `source` is unknown, `chunk_size` is below 1 or `sheet` is given for a text file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name, "tax.csv")
    >>> _ = path.write_text(
    ...     "纳税人识别号,纳税人名称\\n52000071430580X,贵州茅台酒股份有限公司\\n,无税号公司\\n",
    ...     encoding="gb18030",
    ... )
    >>> records = open_records(path, "tax")
    >>> records.encoding, [column.field for column in records.columns]
    ('gb18030', ['taxpayer_id', 'name'])
    >>> for item in records:
    ...     print(item.fields["name"] if isinstance(item, Row) else item.message)
    贵州茅台酒股份有限公司
    Row 3, column taxpayer_id: The field is required.
    >>> tmp.cleanup()
    """
    path = Path(path)
    source = Source(source)
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    file_format = sniff_format(path)
    if sheet is not None and file_format is not FileFormat.XLSX:
        raise ValueError(f"sheet applies to XLSX files only; {path.name} is {file_format}")
    encoding = None if file_format is FileFormat.XLSX else _detect_encoding(path)
    if file_format is FileFormat.JSONL:
        with closing(_jsonl_lines(path, encoding or "utf-8")) as lines:
            keys = (list(value) for _, value in lines if not isinstance(value, BadRow))
            columns = _header(path, source, keys)
    else:
        with closing(_table_rows(path, encoding, sheet)) as rows:
            candidates = (cells for _, cells, _ in rows if cells and any(cells))
            columns = _header(path, source, candidates)
    return RecordFile(
        path, source, file_format, encoding, columns, sheet, chunk_size, check_duplicates
    )
