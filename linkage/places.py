"""Chinese place names (行政区划) for parsing enterprise names and addresses.

The gazetteer holds the 34 province-level divisions and Guizhou's prefecture- and county-level
divisions (DOMAIN.md 5.3), each under its official name and the short forms people write:
遵义市 → 遵义, 黔南布依族苗族自治州 → 黔南州 / 黔南, 威宁彝族回族苗族自治县 → 威宁县 / 威宁,
六枝特区 → 六枝. One-character abbreviations (黔, 川, 渝) are never place prefixes: in a name they
are part of the trade name (黔能, 川渝).

Guizhou's divisions are read from a CSV file (``code,name,level,parent_code``, GB/T 2260 codes),
by default the one shipped with the application. Divisions of other provinces below the
province level are not known.
"""

from __future__ import annotations

import csv
import enum
import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_DIVISIONS_PATH",
    "PROVINCES",
    "Gazetteer",
    "Level",
    "Place",
    "PlaceMatch",
    "PlacePrefix",
    "load_gazetteer",
    "read_divisions",
    "short_forms",
]

DEFAULT_DIVISIONS_PATH = (
    Path(__file__).resolve().parents[1] / "casemgr" / "refdata" / "guizhou-divisions.csv"
)

# GB/T 2260 codes of the 34 province-level divisions, official name, short forms.
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("110000", "北京市", ("北京",)),
    ("120000", "天津市", ("天津",)),
    ("130000", "河北省", ("河北",)),
    ("140000", "山西省", ("山西",)),
    ("150000", "内蒙古自治区", ("内蒙古", "内蒙")),
    ("210000", "辽宁省", ("辽宁",)),
    ("220000", "吉林省", ("吉林",)),
    ("230000", "黑龙江省", ("黑龙江",)),
    ("310000", "上海市", ("上海",)),
    ("320000", "江苏省", ("江苏",)),
    ("330000", "浙江省", ("浙江",)),
    ("340000", "安徽省", ("安徽",)),
    ("350000", "福建省", ("福建",)),
    ("360000", "江西省", ("江西",)),
    ("370000", "山东省", ("山东",)),
    ("410000", "河南省", ("河南",)),
    ("420000", "湖北省", ("湖北",)),
    ("430000", "湖南省", ("湖南",)),
    ("440000", "广东省", ("广东",)),
    ("450000", "广西壮族自治区", ("广西", "广西自治区")),
    ("460000", "海南省", ("海南",)),
    ("500000", "重庆市", ("重庆",)),
    ("510000", "四川省", ("四川",)),
    ("520000", "贵州省", ("贵州",)),
    ("530000", "云南省", ("云南",)),
    ("540000", "西藏自治区", ("西藏",)),
    ("610000", "陕西省", ("陕西",)),
    ("620000", "甘肃省", ("甘肃",)),
    ("630000", "青海省", ("青海",)),
    ("640000", "宁夏回族自治区", ("宁夏", "宁夏自治区")),
    ("650000", "新疆维吾尔自治区", ("新疆", "新疆自治区")),
    ("710000", "台湾省", ("台湾",)),
    ("810000", "香港特别行政区", ("香港",)),
    ("820000", "澳门特别行政区", ("澳门",)),
)

# Official names used before a renaming, still found in old registry and tax records. They are
# matched as full names only (遵义县 must not yield a short form 遵义, the prefecture).
# [R] from public renaming notices, not checked against the NBS tables.
_FORMER_NAMES: dict[str, tuple[str, ...]] = {
    "520111": ("小河区",),  # merged into 花溪区, 2012
    "520204": ("水城县",),  # became 水城区, 2020
    "520281": ("盘县",),  # became 盘州市, 2017
    "520304": ("遵义县",),  # became 播州区, 2016
    "520403": ("平坝县",),  # became 平坝区, 2014
    "520500": ("毕节地区",),  # became 毕节市, 2011 (old code 522400)
    "520581": ("黔西县",),  # became 黔西市, 2021
    "520600": ("铜仁地区",),  # became 铜仁市, 2011 (old code 522200)
    "520603": ("万山特区",),  # became 万山区, 2011
    "522302": ("兴仁县",),  # became 兴仁市, 2018
}

# Ethnic groups named in autonomous-division names, stripped to find the short form.
_ETHNIC_GROUPS = (
    "维吾尔", "布依", "仡佬", "土家", "哈尼", "蒙古", "毛南", "仫佬", "傈僳",
    "苗", "侗", "彝", "回", "水", "壮", "瑶", "白", "藏", "满", "黎", "傣", "羌",
)  # fmt: skip
_MIN_STEM = 2  # a short form must keep at least two characters


class Level(enum.StrEnum):
    """Administrative level of a division (GB/T 2260)."""

    PROVINCE = "province"  # 省级: 省, 自治区, 直辖市, 特别行政区
    PREFECTURE = "prefecture"  # 地级: 地级市, 自治州, (former) 地区
    COUNTY = "county"  # 县级: 市辖区, 县级市, 县, 自治县, 特区

    @property
    def depth(self) -> int:
        """0 for a province, 1 for a prefecture, 2 for a county."""
        return _DEPTH[self]


_DEPTH = {Level.PROVINCE: 0, Level.PREFECTURE: 1, Level.COUNTY: 2}


@dataclass(frozen=True)
class Place:
    """An administrative division.

    Attributes
    ----------
    code : str
        Six-digit GB/T 2260 code.
    name : str
        Official name, e.g. ``"黔南布依族苗族自治州"``.
    level : Level
        Province, prefecture or county.
    parent_code : str or None
        Code of the enclosing division; None for a province.
    short : str
        Canonical short form (``"黔南"``), or the name itself when there is none.
    aliases : tuple of str
        Every written form that identifies the place: the name, former names, short forms.
    """

    code: str
    name: str
    level: Level
    parent_code: str | None
    short: str
    aliases: tuple[str, ...]

    def is_full_form(self, text: str) -> bool:
        """True if `text` is the official or a former official name, not a short form."""
        return text == self.name or text in _FORMER_NAMES.get(self.code, ())


@dataclass(frozen=True)
class PlaceMatch:
    """A place name found in a text: the place and the written form that named it."""

    place: Place
    text: str

    @property
    def is_full(self) -> bool:
        """True if the written form is an official (or former official) name."""
        return self.place.is_full_form(self.text)


@dataclass(frozen=True)
class PlacePrefix:
    """Place names parsed off the start of a text (see :meth:`Gazetteer.parse_prefix`).

    The three codes include the divisions implied by a more specific one: 仁怀 alone gives
    county 520382, prefecture 520300 (遵义) and province 520000 (贵州).
    """

    province: str | None
    prefecture: str | None
    county: str | None
    rest: str
    matches: tuple[PlaceMatch, ...] = ()


def short_forms(name: str) -> tuple[str, ...]:
    """Derive the short forms of a prefecture- or county-level division name.

    The generic suffix (市, 区, 县, 州, 地区, 特区) is dropped; an autonomous division also
    loses its ethnic groups and keeps 州/县 as an alternative. A form shorter than two
    characters is never produced, because what remains must still be a plausible name.

    Parameters
    ----------
    name : str
        The official name.

    Returns
    -------
    tuple of str
        Short forms, the canonical (shortest) one last; empty if there is none.

    Examples
    --------
    >>> short_forms("黔南布依族苗族自治州")
    ('黔南州', '黔南自治州', '黔南')
    >>> short_forms("威宁彝族回族苗族自治县")
    ('威宁县', '威宁自治县', '威宁')
    >>> short_forms("六枝特区"), short_forms("南明区"), short_forms("盘县")
    (('六枝',), ('南明',), ())
    """
    for suffix in ("自治州", "自治县"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            stripped = True
            while stripped:
                stripped = False
                for group in _ETHNIC_GROUPS:
                    if stem.endswith(group + "族") and len(stem) > len(group) + 1:
                        stem, stripped = stem[: -len(group) - 1], True
                        break
            if len(stem) < _MIN_STEM:
                return ()
            return (stem + suffix[-1], stem + suffix, stem)
    for suffix in ("特区", "地区", "市", "区", "县", "州"):
        if name.endswith(suffix) and len(name) - len(suffix) >= _MIN_STEM:
            return (name[: -len(suffix)],)
    return ()


def read_divisions(path: str | os.PathLike[str]) -> tuple[Place, ...]:
    """Read prefecture- and county-level divisions from a CSV file.

    Parameters
    ----------
    path : str or path-like
        UTF-8 CSV with the header ``code,name,level,parent_code``; ``level`` is ``province``,
        ``prefecture`` or ``county``. Province rows are checked against :data:`PROVINCES`.

    Returns
    -------
    tuple of Place
        The divisions below province level, in file order.

    Raises
    ------
    ValueError
        If the header, a code, a level or a parent is wrong; the message names the line.
    """
    provinces = {code for code, _, _ in PROVINCES}
    places: list[Place] = []
    known: set[str] = set(provinces)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["code", "name", "level", "parent_code"]:
            raise ValueError(f"{path}: header must be code,name,level,parent_code")
        for line, row in enumerate(reader, start=2):
            code, name, parent = row["code"], row["name"], row["parent_code"] or None
            if len(code) != 6 or not code.isdigit() or not name:
                raise ValueError(f"{path}:{line}: bad code or empty name: {code!r} {name!r}")
            try:
                level = Level(row["level"])
            except ValueError:
                raise ValueError(f"{path}:{line}: unknown level {row['level']!r}") from None
            if level is Level.PROVINCE:
                if code not in provinces:
                    raise ValueError(f"{path}:{line}: {code} is not a province-level code")
                continue
            if parent not in known:
                raise ValueError(f"{path}:{line}: parent {parent!r} of {code} not defined before")
            shorts = short_forms(name)
            aliases = (name, *_FORMER_NAMES.get(code, ()), *shorts)
            places.append(Place(code, name, level, parent, shorts[-1] if shorts else name, aliases))
            known.add(code)
    return tuple(places)


class Gazetteer:
    """Index of places by every written form, with a longest-match prefix parser.

    Parameters
    ----------
    places : iterable of Place
        Divisions below province level (see :func:`read_divisions`); the provinces of
        :data:`PROVINCES` are always included.

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> gaz.lookup("黔南州").name
    '黔南布依族苗族自治州'
    >>> gaz.lineage("520382")
    ('520000', '520300', '520382')
    >>> gaz.lookup("黔") is None
    True
    """

    def __init__(self, places: Iterable[Place]) -> None:
        provinces = [
            Place(code, name, Level.PROVINCE, None, shorts[0], (name, *shorts))
            for code, name, shorts in PROVINCES
        ]
        self._by_code: dict[str, Place] = {}
        self._by_alias: dict[str, list[Place]] = {}
        for place in (*provinces, *places):
            self._by_code[place.code] = place
            for alias in place.aliases:
                self._by_alias.setdefault(alias, []).append(place)
        # Alias lengths by first and by last character, longest first, for longest matches.
        self._heads: dict[str, list[int]] = {}
        self._tails: dict[str, list[int]] = {}
        for alias in sorted(self._by_alias, key=len, reverse=True):
            for index, ends in ((alias[0], self._heads), (alias[-1], self._tails)):
                if len(alias) not in (lengths := ends.setdefault(index, [])):
                    lengths.append(len(alias))
        # Lineages are asked for on every parsed name and address: computed once here.
        self._lineages = {code: self._walk(code) for code in self._by_code}

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Place | None:
        """Return the place with this GB/T 2260 code, or None."""
        return self._by_code.get(code)

    def lookup(self, text: str) -> Place | None:
        """Return the place written exactly as `text` (any alias), or None."""
        found = self._by_alias.get(text)
        return found[0] if found else None

    def lineage(self, code: str) -> tuple[str | None, str | None, str | None]:
        """Return the (province, prefecture, county) codes of a place and its ancestors."""
        return self._lineages.get(code) or (None, None, None)

    def _walk(self, code: str) -> tuple[str | None, str | None, str | None]:
        result: list[str | None] = [None, None, None]
        place = self._by_code.get(code)
        while place is not None:
            result[place.level.depth] = place.code
            place = self._by_code.get(place.parent_code) if place.parent_code else None
        return result[0], result[1], result[2]

    def encloses(self, outer: Place, inner: Place) -> bool:
        """True if `inner` lies strictly inside `outer`."""
        return (
            inner.level.depth > outer.level.depth
            and self.lineage(inner.code)[outer.level.depth] == outer.code
        )

    def match_prefix(self, text: str, *, after: Place | None = None) -> PlaceMatch | None:
        """Find the longest place name at the start of `text`.

        Parameters
        ----------
        text : str
            Cleaned text (see :func:`linkage.normalize.clean`).
        after : Place, optional
            The place already parsed before `text`: only places inside it are accepted, so
            贵州 may be followed by 遵义 but not by 四川, and 遵义 by 仁怀 but not by 南明.

        Returns
        -------
        PlaceMatch or None
        """
        for length in self._heads.get(text[:1], ()):
            for place in self._by_alias.get(text[:length], ()) if length <= len(text) else ():
                if after is None or self.encloses(after, place):
                    return PlaceMatch(place, text[:length])
        return None

    def match_suffix(self, text: str) -> PlaceMatch | None:
        """Find the longest place name at the end of `text`."""
        for length in self._tails.get(text[-1:], ()):
            if length <= len(text) and (found := self._by_alias.get(text[-length:])):
                return PlaceMatch(found[0], text[-length:])
        return None

    def parse_prefix(
        self, text: str, *, accept: Callable[[PlaceMatch, str], bool] | None = None
    ) -> PlacePrefix:
        """Parse province, prefecture and county names off the start of `text`.

        Levels may be skipped (贵州仁怀, 遵义汇川区) but must nest. Parsing stops at the first
        name that does not nest or that `accept` refuses.

        Parameters
        ----------
        text : str
            Cleaned text.
        accept : callable, optional
            ``accept(match, rest)`` decides whether to strip `match` given the text left after
            it. By default a place is stripped when something follows it.

        Returns
        -------
        PlacePrefix

        Examples
        --------
        >>> p = load_gazetteer().parse_prefix("贵州省遵义市汇川区上海路")
        >>> p.province, p.prefecture, p.county, p.rest
        ('520000', '520300', '520303', '上海路')
        >>> load_gazetteer().parse_prefix("四川南明").rest
        '南明'
        """
        matches: list[PlaceMatch] = []
        last: Place | None = None
        while (match := self.match_prefix(text, after=last)) is not None:
            rest = text[len(match.text) :]
            if not (accept(match, rest) if accept else bool(rest)):
                break
            matches.append(match)
            last, text = match.place, rest
        codes = self.lineage(last.code) if last else (None, None, None)
        return PlacePrefix(*codes, rest=text, matches=tuple(matches))


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Gazetteer:
    return Gazetteer(read_divisions(path))


def load_gazetteer(path: str | os.PathLike[str] | None = None) -> Gazetteer:
    """Build (once per file) the gazetteer of provinces and Guizhou's divisions.

    Parameters
    ----------
    path : str or path-like, optional
        The divisions CSV; by default :data:`DEFAULT_DIVISIONS_PATH`.

    Returns
    -------
    Gazetteer
        A shared, cached instance; treat it as read-only.

    Examples
    --------
    >>> len(load_gazetteer())  # 34 provinces, 9 prefectures, 88 counties
    131
    """
    if path is None:
        return _default()
    return _load(str(Path(path).resolve()))


@functools.cache
def _default() -> Gazetteer:
    return _load(str(DEFAULT_DIVISIONS_PATH))
