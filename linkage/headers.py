"""Columns of enterprise record files: what a header means and how a cell is read.

Registry (工商), tax (税务) and enforcement-system exports name the same column many ways
(统一社会信用代码, 信用代码, USCC ...). This module maps header cells, in English or Chinese,
to canonical field names, describes each :class:`Source`'s identifier and columns, and reads
the cells that need more than stripping: dates, shareholders with their shares, name lists.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "FIELD_LABELS",
    "SCHEMAS",
    "STRUCTURED_FIELDS",
    "SYNONYMS",
    "Column",
    "Shareholder",
    "Source",
    "SourceSchema",
    "canonical_field",
    "cell_text",
    "clean_header",
    "map_header",
    "parse_date",
    "parse_shareholders",
    "split_names",
]


class Source(enum.StrEnum):
    """The system an enterprise record file was exported from."""

    # Business registry (工商, now market regulation), keyed by the USCC.
    REGISTRY = "registry"
    # Tax administration (税务), keyed by the taxpayer id (纳税人识别号).
    TAX = "tax"
    # The environmental enforcement system (环境执法), keyed by its own record id.
    ENV = "env"


# Canonical field -> header synonyms. The first entry is the Chinese label used in messages.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "uscc": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "USCC",
        "credit code",
        "social credit code",
        "unified social credit code",
    ),
    "name": (
        "企业名称",
        "名称",
        "纳税人名称",
        "单位名称",
        "公司名称",
        "主体名称",
        "市场主体名称",
        "name",
        "enterprise name",
        "company name",
        "company",
    ),
    "legal_rep": (
        "法定代表人",
        "法人",
        "负责人",
        "法人代表",
        "经营者",
        "legal rep",
        "legal representative",
        "representative",
    ),
    "address": (
        "住所",
        "地址",
        "注册地址",
        "经营地址",
        "经营场所",
        "生产经营地址",
        "address",
        "registered address",
    ),
    "reg_date": (
        "成立日期",
        "注册日期",
        "登记日期",
        "成立时间",
        "reg date",
        "registration date",
        "established",
    ),
    "status": ("登记状态", "经营状态", "企业状态", "status", "registration status"),
    "phone": ("联系电话", "电话", "联系方式", "电话号码", "手机", "phone", "telephone", "tel"),
    "taxpayer_id": (
        "纳税人识别号",
        "税号",
        "纳税识别号",
        "税务登记号",
        "taxpayer id",
        "tax id",
        "tin",
    ),
    "record_id": ("记录号", "记录编号", "案件编号", "record id", "case no", "case number"),
    "shareholders": ("股东", "出资比例", "股东及出资比例", "股东信息", "shareholders"),
    "branches": ("分支机构", "分支机构名称", "branches"),
    "former_names": ("曾用名", "历史名称", "原名称", "former names", "former name"),
    # 承继: the enterprises this one succeeded (by merger or division), as USCCs or names.
    "predecessors": (
        "前身企业",
        "被承继企业",
        "被合并企业",
        "合并前企业",
        "predecessors",
        "predecessor",
    ),  # fmt: skip
}

# Canonical field -> "field (中文)" as shown in messages about missing columns.
FIELD_LABELS: dict[str, str] = {field: f"{field} ({names[0]})" for field, names in SYNONYMS.items()}

# Fields that hold lists (parsed into tuples on a row) rather than one text value.
STRUCTURED_FIELDS = ("shareholders", "branches", "former_names", "predecessors")

# Decorations around header text: a required-field star, a trailing colon.
_DECORATION = "*:"
# Characters ignored when matching: spaces, underscores, hyphens, dots.
_IGNORED = re.compile(r"[\s_\-.]+")
# Separators of compound headers: "纳税人识别号(统一社会信用代码)", "法定代表人/负责人".
_PARTS = re.compile(r"[/()\[\]|、]+")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXACT_FLOAT = 2**53  # a spreadsheet number at least this large may have lost digits
_LIST_SEPARATORS = re.compile(r"[;；、|,，\n\r]+")
_SHARE = re.compile(r"(?P<name>.*?)[\s:：(（]*(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>[%％])?\s*[)）]?")


def _key(text: str) -> str:
    return _IGNORED.sub("", text).casefold()


_LOOKUP: dict[str, str] = {_key(name): field for field, names in SYNONYMS.items() for name in names}
_LOOKUP.update({_key(field): field for field in SYNONYMS})


def clean_header(text: str) -> str:
    """Clean a header cell for display and matching.

    Applies NFKC (full-width letters, digits, brackets and the ideographic space become
    half-width), removes byte-order marks and zero-width characters, collapses runs of
    whitespace and strips a leading required-field star and a trailing colon.

    Parameters
    ----------
    text : str
        The header cell as read from the file.

    Returns
    -------
    str
        The cleaned header.

    Examples
    --------
    >>> clean_header("\\ufeff＊企业名称：")
    '企业名称'
    >>> clean_header(" Legal  Rep ")
    'Legal Rep'
    """
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "").replace("\u200b", "")
    return " ".join(text.split()).strip(_DECORATION).strip()


def canonical_field(header: str, *, prefer: str | None = None) -> str | None:
    """Map a header cell to its canonical field name.

    The whole cleaned header is looked up first; a compound header such as
    ``纳税人识别号(统一社会信用代码)`` is then split at ``/ ( ) [ ] | 、`` and its parts looked up,
    the `prefer` field winning if a part names it, else the first part that is known.

    Parameters
    ----------
    header : str
        The header cell; it is cleaned with :func:`clean_header`.
    prefer : str, optional
        The field to choose when a compound header names several, usually the source's
        identifier.

    Returns
    -------
    str or None
        The canonical field, or None for a header this module does not know.

    Examples
    --------
    >>> canonical_field("信用代码"), canonical_field("Legal_Rep"), canonical_field("注册资本")
    ('uscc', 'legal_rep', None)
    >>> canonical_field("统一社会信用代码/纳税人识别号", prefer="taxpayer_id")
    'taxpayer_id'
    >>> canonical_field("法定代表人（负责人）")
    'legal_rep'
    """
    cleaned = clean_header(header)
    field = _LOOKUP.get(_key(cleaned))
    if field is not None:
        return field
    found = [_LOOKUP[k] for part in _PARTS.split(cleaned) if (k := _key(part)) in _LOOKUP]
    if prefer is not None and prefer in found:
        return prefer
    return found[0] if found else None


@dataclass(frozen=True)
class SourceSchema:
    """The columns of one source's file.

    Attributes
    ----------
    identifier : str
        The field that identifies a record within the file; required and unique.
    columns : tuple of str
        The text fields every row of this source carries (empty when the file lacks them).
    """

    identifier: str
    columns: tuple[str, ...]

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have: the identifier and the name."""
        return (self.identifier, "name")


SCHEMAS: dict[Source, SourceSchema] = {
    Source.REGISTRY: SourceSchema(
        "uscc", ("uscc", "name", "legal_rep", "address", "reg_date", "status", "phone")
    ),
    Source.TAX: SourceSchema(
        "taxpayer_id", ("taxpayer_id", "name", "legal_rep", "address", "phone")
    ),
    Source.ENV: SourceSchema(
        "record_id", ("record_id", "name", "uscc", "legal_rep", "address", "phone")
    ),
}


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a file: its cleaned header, its field (None if unknown) and its row key.

    The key is the field, or for an unknown column the header (``column N`` when the header
    cell is empty), under which a row keeps the value.
    """

    header: str
    field: str | None
    key: str


def map_header(cells: list[str], source: Source) -> tuple[tuple[Column, ...], list[str]]:
    """Map a header row to columns and list the source's required fields it lacks.

    The first column of a field wins; a later one for the same field is kept as unknown, so
    that its values stay visible.

    Parameters
    ----------
    cells : list of str
        The header row.
    source : Source
        Whose schema to check against (compound headers prefer its identifier).

    Returns
    -------
    columns : tuple of Column
    missing : list of str
        Required fields (identifier, name) with no column.

    Examples
    --------
    >>> columns, missing = map_header(["纳税人识别号", "名称", "注册资本", "名称"], Source.TAX)
    >>> [(c.field, c.key) for c in columns], missing
    ([('taxpayer_id', 'taxpayer_id'), ('name', 'name'), (None, '注册资本'), (None, '名称')], [])
    >>> map_header(["企业名称", "地址"], Source.REGISTRY)[1]
    ['uscc']
    """
    prefer = SCHEMAS[source].identifier
    columns: list[Column] = []
    taken: set[str] = set()
    for index, raw in enumerate(cells):
        header = clean_header(raw)
        field = canonical_field(header, prefer=prefer) if header else None
        if field in taken:
            field = None
        key = field or header or f"column {index + 1}"
        if field is None and key in taken:
            key = f"{header} (column {index + 1})"
        taken.add(key)
        columns.append(Column(header, field, key))
    found = {column.field for column in columns}
    return tuple(columns), [name for name in SCHEMAS[source].required if name not in found]


def cell_text(value: object) -> tuple[str, bool]:
    """Turn a spreadsheet or JSON value into text, telling whether a number lost digits.

    None is empty; dates and times are ISO; whole numbers lose their ``.0``. A float of
    2**53 or more (an 18-digit code typed into Excel as a number) is flagged as lossy.

    Parameters
    ----------
    value : object
        The cell value as openpyxl or the JSON parser gives it.

    Returns
    -------
    text : str
        The stripped text.
    lossy : bool
        True if the value is a number too large to be exact.

    Examples
    --------
    >>> cell_text(dt.datetime(2015, 6, 30)), cell_text(13800138000.0), cell_text(0.25)
    (('2015-06-30', False), ('13800138000', False), ('0.25', False))
    >>> cell_text(9.14403001922038e17)
    ('914403001922038016', True)
    """
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat(), False
    if isinstance(value, dt.date | dt.time):
        return value.isoformat(), False
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), abs(value) >= _EXACT_FLOAT
    if isinstance(value, float):
        return repr(value), False
    return str(value).strip(), False


@dataclass(frozen=True, slots=True)
class Shareholder:
    """A shareholder (股东) and its share in percent (出资比例), None when not given."""

    name: str
    share: float | None = None


def parse_date(text: str) -> str | None:
    """Read a registration date (成立日期) as written in Chinese exports.

    Parameters
    ----------
    text : str
        ``2015-06-30``, ``2015/6/30``, ``2015.06.30``, ``20150630`` or ``2015年6月30日``,
        optionally followed by a time; full-width digits are accepted.

    Returns
    -------
    str or None
        The ISO date ``YYYY-MM-DD``, or None if the text is not a calendar date.

    Examples
    --------
    >>> parse_date("２０１５年6月3日"), parse_date("2015/06/30 00:00:00"), parse_date("2015-02-30")
    ('2015-06-03', '2015-06-30', None)
    """
    if _ISO_DATE.fullmatch(text):  # the common case, fast
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    text = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def split_names(text: str) -> tuple[str, ...]:
    """Split a list cell (分支机构, 曾用名) at ``; ； 、 | , ，`` and line breaks.

    Blanks and repeats are dropped; the order is kept.

    Examples
    --------
    >>> split_names("贵阳分公司；遵义分公司、贵阳分公司")
    ('贵阳分公司', '遵义分公司')
    """
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip()))


def parse_shareholders(text: str) -> tuple[Shareholder, ...]:
    """Parse a shareholders cell (股东及出资比例) such as ``张三:60%;李四:40%``.

    Items are separated as in :func:`split_names`; a share follows the name after ``:``,
    ``：`` or a bracket, or directly. Shares are percentages, except that when no item has a
    ``%`` and the shares add up to at most 1 they are read as fractions.

    Parameters
    ----------
    text : str
        The cell.

    Returns
    -------
    tuple of Shareholder

    Examples
    --------
    >>> parse_shareholders("张三:60%；贵州某某（集团）有限公司（40%）")
    (Shareholder(name='张三', share=60.0), Shareholder(name='贵州某某（集团）有限公司', share=40.0))
    >>> [(s.name, s.share) for s in parse_shareholders("王五 0.5, 赵六 0.5; 钱七")]
    [('王五', 50.0), ('赵六', 50.0), ('钱七', None)]
    """
    parsed: list[tuple[str, float | None, bool]] = []
    for item in split_names(text):
        match = _SHARE.fullmatch(item)
        if match is None or not match["name"]:
            parsed.append((item, None, False))
        else:
            parsed.append((match["name"], float(match["num"]), match["pct"] is not None))
    shares = [share for _, share, _ in parsed if share is not None]
    fractions = bool(shares) and not any(pct for *_, pct in parsed) and sum(shares) <= 1.0001
    return tuple(
        Shareholder(name, None if share is None else round(share * 100, 6) if fractions else share)
        for name, share, _ in parsed
    )
