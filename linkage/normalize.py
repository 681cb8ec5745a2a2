"""Normalisation of Chinese enterprise names, person names, addresses and phone numbers.

The first stage of linkage: turn what officers typed and what registries exported into
comparable values. Every function is pure, never raises on odd text and is deterministic,
so two records that differ only in writing (traditional characters, full-width letters,
punctuation, 有限责任公司 for 有限公司, a dropped place prefix) get equal keys.

An enterprise name (企业名称) is parsed as ``place + trade name + industry + organisation
form [+ branch]`` (企业名称登记管理规定); the *core* is trade name + industry. A branch
(分公司, 分厂 ...) is a distinct entity: :func:`same_entity_key` keeps it apart from its parent.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import opencc
from pypinyin import Style, pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.phrases_dict import phrases_dict as PHRASES_DICT

from linkage.phone_numbers import clean_phone, phones
from linkage.places import Gazetteer, Place, PlaceMatch, load_gazetteer

__all__ = [
    "AddressParts", "NameParts", "OrgForm", "clean", "clean_address", "clean_person",
    "clean_phone", "parse_name", "phones", "pinyin_key", "same_entity_key",
]  # fmt: skip


class OrgForm(enum.StrEnum):
    """Canonical organisation form (组织形式) of an enterprise name."""

    LLC = "llc"  # 有限公司, 有限责任公司 (Company Law: limited liability company)
    JSC = "jsc"  # 股份有限公司 (Company Law: joint-stock company)
    COMPANY = "company"  # bare 公司 / 总公司, e.g. older state-owned enterprises
    PARTNERSHIP = "partnership"  # 合伙企业, (有限合伙), (普通合伙), (特殊普通合伙)
    SOLE = "sole"  # 个人独资企业
    INDIVIDUAL = "individual"  # 个体工商户; 经营部 / 门市部 when no company form precedes
    COOP = "coop"  # 农民专业合作社 and other 合作社
    NONE = "none"  # no recognised form


_FORMS = {
    "股份有限责任公司": OrgForm.JSC, "股份有限公司": OrgForm.JSC, "股份公司": OrgForm.JSC,
    "有限责任公司": OrgForm.LLC, "责任有限公司": OrgForm.LLC, "有限公司": OrgForm.LLC,
    "特殊普通合伙": OrgForm.PARTNERSHIP, "有限合伙企业": OrgForm.PARTNERSHIP,
    "普通合伙企业": OrgForm.PARTNERSHIP, "合伙企业": OrgForm.PARTNERSHIP,
    "有限合伙": OrgForm.PARTNERSHIP, "普通合伙": OrgForm.PARTNERSHIP,
    "个人独资企业": OrgForm.SOLE, "个人独资": OrgForm.SOLE,
    "农民专业合作社联合社": OrgForm.COOP, "农民专业合作社": OrgForm.COOP,
    "专业合作社": OrgForm.COOP, "合作社": OrgForm.COOP,
    "个体工商户": OrgForm.INDIVIDUAL, "个体户": OrgForm.INDIVIDUAL,
    "经营部": OrgForm.INDIVIDUAL, "门市部": OrgForm.INDIVIDUAL,
    "总公司": OrgForm.COMPANY, "公司": OrgForm.COMPANY,
}  # fmt: skip
# Suffixes that always make a branch (分支机构), even when the parent's form was left out.
_BRANCH_TOKENS = (
    "分公司", "分厂", "分店", "分部", "分行", "支行", "分理处", "营业部", "营业所", "办事处",
    "代表处", "分社", "分所", "分院", "分中心", "分场", "分支机构",
)  # fmt: skip
_LATIN_FORMS = {
    "COMPANYLIMITED": OrgForm.LLC, "COLTD": OrgForm.LLC, "LIMITED": OrgForm.LLC,
    "LTD": OrgForm.LLC, "CORPORATION": OrgForm.COMPANY, "CORP": OrgForm.COMPANY,
    "INC": OrgForm.COMPANY,
}  # fmt: skip
_GROUP = "集团"


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_FORM_RE = re.compile(_alternation([*_FORMS, *_BRANCH_TOKENS]))
# Industry words (行业表述): a remainder made only of these is not a trade name, so the place
# before it stays in the core (贵州酒业 is a name; 酒业 alone is not).
_INDUSTRY_WORDS = """
实业 商贸 贸易 科技 化工 磷化工 精细化工 建材 建筑 建设 工程 矿业 煤业 煤矿 磷矿 能源 电力
水泥 置业 房地产 开发 物流 运输 药业 制药 医药 食品 农业 林业 牧业 畜牧 养殖 种植 旅游 投资
发展 电子 机械 机电 环保 环境 化肥 酒业 酿酒 白酒 酒 茶业 茶叶 饮料 冶金 铝业 锰业 钢铁 汽车
汽修 路桥 交通 水务 燃气 石油 石化 化学 材料 新材料 信息 技术 网络 传媒 文化 教育 咨询 服务
管理 物业 餐饮 酒店 印务 印刷 包装 纸业 塑料 橡胶 纺织 服装 家具 装饰 设计 劳务 安装 市政
园林 绿化 生态 生物 资源 再生 回收 金属 冶炼 采矿 矿产 产业 控股 供应链 电器 五金 设备 销售
经营 商行 商店 加油站 厂 店 矿
""".split()
_INDUSTRY_RE = re.compile(f"(?:{_alternation(_INDUSTRY_WORDS)})+")

_TOWN_RE = re.compile("[^镇乡]{1,3}?[镇乡](?!村)")
_OPEN, _CLOSE = "([{【〔〖〘", ")]}】〕〗〙"
_DASHES = frozenset("-‐‑‒–—―−~")


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _t2s(text: str) -> str:
    out: str = _converter().convert(text)
    # OpenCC t2s has a few chains (薴 → 苧 → 苎): convert until stable so clean() is idempotent.
    for _ in range(3 if out != text else 0):
        if (again := _converter().convert(out)) == out:
            break
        out = again
    return out


# Runs of everything but letters and digits: sre's \w is exactly str.isalnum() plus "_".
_NOT_ALNUM = re.compile(r"[\W_]+")
# Characters the slow path of _prepare must see one by one.
_BRACKET_CHARS = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")
_DASH_CHARS = re.compile("[" + re.escape("".join(sorted(_DASHES))) + "]")


def _prepare(raw: str, *, brackets: bool = False, dashes: bool = False) -> tuple[str, list[int]]:
    """Clean `raw`; return the text and, with `brackets`, the bracket-group boundaries in it."""
    upper = unicodedata.normalize("NFKC", raw).upper()
    if not (brackets and _BRACKET_CHARS.search(upper)) and not (
        dashes and _DASH_CHARS.search(upper)
    ):
        # Fast path (about 97 % of names, nearly every address): with no bracket or dash to
        # track, dropping non-alphanumerics is one regex pass instead of a loop per character.
        return _t2s(_NOT_ALNUM.sub("", upper)), []
    chars: list[str] = []
    bounds: list[int] = []  # start, end, start, end ... of top-level bracket groups
    depth = 0
    for ch in upper:
        if ch.isalnum():
            chars.append(ch)
        elif dashes and ch in _DASHES and chars and chars[-1].isdigit():
            chars.append("-")
        elif brackets and ch in _OPEN:
            depth += 1
            if depth == 1:
                bounds.append(len(chars))
        elif brackets and ch in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                bounds.append(len(chars))
    if depth:
        bounds.pop()
    flat = "".join(chars)
    if dashes:  # keep one hyphen between digits (12-3号), drop the others
        flat = re.sub(r"-+(?!\d)", "", re.sub("-+", "-", flat))
    text = _t2s(flat)
    # t2s maps characters one to one; were a phrase to change length, ignore the brackets.
    return text, bounds if len(text) == len(flat) else []


def clean(text: str) -> str:
    """Normalise text for comparison.

    NFKC (which turns full-width forms half-width), traditional to simplified Chinese
    (OpenCC ``t2s``), Latin letters upper-cased, and everything but letters and digits
    removed: whitespace, Chinese and ASCII punctuation, brackets (their content is kept).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The cleaned text; ``clean(clean(t)) == clean(t)``.

    Examples
    --------
    >>> clean("貴州茅臺酒股份有限公司")
    '贵州茅台酒股份有限公司'
    >>> clean("ＧＵＩＺＨＯＵ　Moutai （集团）·《酒》、")
    'GUIZHOUMOUTAI集团酒'
    """
    return _prepare(text)[0]


@dataclass(frozen=True)
class NameParts:
    """An enterprise name parsed into comparable parts (see :func:`parse_name`).

    Attributes
    ----------
    raw, clean : str
        The name as given, and :func:`clean` of it.
    province, prefecture, county : str or None
        GB/T 2260 codes of the places named before the trade name or in brackets, with those
        they imply (仁怀 gives 520000, 520300, 520382). Only Guizhou has the lower levels.
    core : str
        Trade name and industry (字号 + 行业): no places, organisation form, group or branch.
    org_form : OrgForm
        The (parent's) organisation form.
    is_group, is_branch : bool
        集团 or (集团) precedes the form; the name is a branch (分支机构) of `parent_clean`.
    branch_name, branch_place, branch_suffix : str or None
        For a branch: the part after the parent (``"仁怀分公司"``), the code of the most
        specific place leading it (``"520382"``) and the rest (``"分公司"``).
    parent_clean : str
        The cleaned name without the branch part; equals `clean` when not a branch.
    pinyin_core, pinyin_initials : str
        Toneless pinyin of `core` joined without spaces, and its initials; Latin letters
        and digits are kept, lower-cased.
    """

    raw: str
    clean: str
    province: str | None
    prefecture: str | None
    county: str | None
    core: str
    org_form: OrgForm
    is_group: bool
    is_branch: bool
    branch_name: str | None
    branch_place: str | None
    branch_suffix: str | None
    parent_clean: str
    pinyin_core: str
    pinyin_initials: str


def _plausible_core(rest: str) -> bool:
    return len(rest) >= 2 and not _INDUSTRY_RE.fullmatch(rest)


def _drop_groups(
    text: str, bounds: list[int], gaz: Gazetteer
) -> tuple[str, Sequence[int], list[PlaceMatch], bool]:
    """Remove bracket groups that hold a place, 集团 or a former name (原...)."""
    if not bounds:  # most names: nothing to remove, skip the per-character index
        return text, range(len(text)), [], False
    places: list[PlaceMatch] = []
    group = False
    dropped: set[int] = set()
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        content = text[start:end]
        if (place := gaz.lookup(content)) is not None:
            places.append(PlaceMatch(place, content))
        elif content == _GROUP:
            group = True
        elif not content.startswith(("原", "曾用名")):
            continue
        dropped.update(range(start, end))
    index = [i for i in range(len(text)) if i not in dropped]
    return "".join(text[i] for i in index), index, places, group


def _split_without_form(text: str, token_start: int, gaz: Gazetteer) -> int:
    """Where a branch part starts when the parent's form is missing (某某建材仁怀分公司)."""
    split = token_start
    while (match := gaz.match_suffix(text[:split])) is not None and split > len(match.text):
        split -= len(match.text)
    if split == token_start:
        ordinal = re.search(r"第?[一二三四五六七八九十0-9]+$", text[:split])
        industry = [m.end() for m in _INDUSTRY_RE.finditer(text, 2, split) if m.start() >= 2]
        if ordinal and ordinal.start() >= 2:
            split = ordinal.start()
        elif industry and split - industry[-1] <= 6:
            split = industry[-1]
    return split


def parse_name(raw: str, *, gazetteer: Gazetteer | None = None) -> NameParts:
    """Parse an enterprise name into places, core, organisation form and branch.

    Parameters
    ----------
    raw : str
        The name as typed or exported.
    gazetteer : Gazetteer, optional
        Places to recognise; by default :func:`linkage.places.load_gazetteer`.

    Returns
    -------
    NameParts
        Never raises: unrecognised text simply stays in the core.

    Examples
    --------
    >>> p = parse_name("遵义市汇川区鑫源化工有限责任公司")
    >>> p.core, p.org_form.value, p.prefecture, p.county, p.pinyin_core
    ('鑫源化工', 'llc', '520300', '520303', 'xinyuanhuagong')
    >>> b = parse_name("贵州鑫源建材有限公司仁怀分公司")
    >>> b.is_branch, b.branch_place, b.branch_suffix, b.parent_clean
    (True, '520382', '分公司', '贵州鑫源建材有限公司')
    >>> parse_name("茅台酒业（贵州）有限公司").core
    '茅台酒业'
    """
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    cleaned, bounds = _prepare(raw, brackets=True)
    text, index, bracket_places, is_group = _drop_groups(cleaned, bounds, gaz)

    form, head, branch_at = OrgForm.NONE, text, None
    if (m := _FORM_RE.search(text)) is not None and m.group() in _FORMS:
        form, head = _FORMS[m.group()], text[: m.start()]
        branch_at = m.end() if m.end() < len(text) else None
    elif m is not None:
        split = _split_without_form(text, m.start(), gaz)
        if split > 0:
            head, branch_at = text[:split], split
    else:
        latin = next((w for w in _LATIN_FORMS if text.endswith(w) and len(text) > len(w)), None)
        if latin is not None:
            form, head = _LATIN_FORMS[latin], text[: -len(latin)]
    if head.endswith(_GROUP) and len(head) >= 2 + len(_GROUP):
        is_group, head = True, head[: -len(_GROUP)]

    # Leading places: 中国 only counts before a place (中国贵州茅台酒厂, not 中国石油).
    core = head[2:] if head.startswith("中国") and gaz.match_prefix(head[2:]) else head
    last: Place | None = None
    while (match := gaz.match_prefix(core, after=last)) is not None:
        last, rest = match.place, core[len(match.text) :]
        if not _plausible_core(rest):
            core = match.place.short + rest  # a place that is part of the name: 遵义化工
            break
        core = rest
    else:  # a town after a place: 仁怀市茅台镇鑫源酒坊
        if last and (town := _TOWN_RE.match(core)) and _plausible_core(core[town.end() :]):
            core = core[town.end() :]
    for match in bracket_places:
        if last is None or gaz.encloses(last, match.place):
            last = match.place
    province, prefecture, county = gaz.lineage(last.code) if last else (None, None, None)
    core = core or head or text

    branch_name = branch_place = branch_suffix = None
    parent_clean = cleaned
    if branch_at is not None:
        branch_name = text[branch_at:]
        tail = gaz.parse_prefix(branch_name, accept=lambda _m, _rest: True)
        branch_place = tail.county or tail.prefecture or tail.province
        branch_suffix = tail.rest
        parent_clean = cleaned[: index[branch_at]]
    pinyin_core, pinyin_initials = _core_pinyin(core)
    return NameParts(
        raw=raw,
        clean=cleaned,
        province=province,
        prefecture=prefecture,
        county=county,
        core=core,
        org_form=form,
        is_group=is_group,
        is_branch=branch_at is not None,
        branch_name=branch_name,
        branch_place=branch_place,
        branch_suffix=branch_suffix,
        parent_clean=parent_clean,
        pinyin_core=pinyin_core,
        pinyin_initials=pinyin_initials,
    )


# One core per name, and cores repeat across sources (宏达化工, a registry name and its tax
# record's variant): both pinyin keys at once, cached.
@functools.lru_cache(maxsize=1 << 16)
def _core_pinyin(core: str) -> tuple[str, str]:
    """The toneless pinyin of a core joined in lower case, and its initials."""
    syllables = _syllables(core)
    # Syllables are lower-case ASCII; other runs are upper-case Latin, digits or not ASCII.
    initials = (s[0] if s.isascii() and s.islower() else s.lower() for s in syllables)
    return "".join(syllables).lower(), "".join(initials)


def same_entity_key(parts: NameParts) -> str:
    """Key equal for names of the same entity, different for a branch and its parent.

    Made of the core, the group flag and, for a branch, its place and suffix; places before
    the core and the organisation form are left to the comparators, because typists drop them.

    Parameters
    ----------
    parts : NameParts
        A parsed name.

    Returns
    -------
    str

    Examples
    --------
    >>> same_entity_key(parse_name("鑫源建材有限公司仁怀市分公司"))
    '鑫源建材|branch:520382:分公司'
    >>> same_entity_key(parse_name("鑫源酒业（集团）有限公司"))
    '鑫源酒业|group'
    """
    key = parts.core + ("|group" if parts.is_group else "")
    if parts.is_branch:
        key += f"|branch:{parts.branch_place or ''}:{parts.branch_suffix}"
    return key


_READINGS: dict[str, tuple[str, bool]] = {}  # character -> (toneless default or "", polyphonic)
_PHRASES: dict[str, list[str]] = {}
_PHRASE_LEN = 4  # longest phrase looked up: covers 93 % of pypinyin's polyphone phrases


def _reading(ch: str) -> tuple[str, bool]:
    if (known := _READINGS.get(ch)) is None:
        readings = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
        polyphonic = len(set(readings)) > 1
        known = _READINGS[ch] = ("", False) if readings == [ch] else (readings[0], polyphonic)
    return known


def _phrase(text: str) -> list[str]:
    if (known := _PHRASES.get(text)) is None:
        known = _PHRASES[text] = [to_normal(readings[0]) for readings in PHRASES_DICT[text]]
    return known


def _syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of `text`; a run of other characters is one item.

    What ``lazy_pinyin`` gives, several times faster: each character takes its default
    reading unless a phrase of pypinyin's polyphone dictionary covers it (银行 → yin hang).
    """
    readings = [_READINGS.get(ch) or _reading(ch) for ch in text]
    polyphonic = any(poly for _, poly in readings)
    out: list[str] = []
    run = ""
    i = 0
    while i < len(text):
        reading = readings[i][0]
        if not reading:
            run, i = run + text[i], i + 1
            continue
        if run:
            out.append(run)
            run = ""
        for size in range(min(_PHRASE_LEN, len(text) - i) if polyphonic else 0, 1, -1):
            if text[i : i + size] in PHRASES_DICT:
                out.extend(_phrase(text[i : i + size]))
                i += size
                break
        else:
            out.append(reading)
            i += 1
    return (*out, run) if run else tuple(out)


def pinyin_key(text: str) -> str:
    """Toneless pinyin of the cleaned text, joined, lower case; for homophone matching.

    Examples
    --------
    >>> pinyin_key("鑫源"), pinyin_key("新源"), pinyin_key("張 三")
    ('xinyuan', 'xinyuan', 'zhangsan')
    """
    return "".join(_syllables(clean(text))).lower()


def clean_person(name: str) -> str:
    """Normalise a person's name: simplified characters, no spaces or dots (·, •, .).

    Examples
    --------
    >>> clean_person(" 阿卜杜·熱合曼 "), clean_person("zhang san")
    ('阿卜杜热合曼', 'ZHANGSAN')
    """
    return clean(name)


@dataclass(frozen=True)
class AddressParts:
    """An address (住所) split into GB/T 2260 place codes and the rest (see clean_address)."""

    province: str | None
    prefecture: str | None
    county: str | None
    rest: str


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_HOUSE_NUMBER_RE = re.compile(
    "([零〇一二两三四五六七八九十百千]+)(?=号|弄|栋|幢|单元|室|楼|层|组|期|排|座|户)"
)
_STREET_START = tuple("路街道巷桥大广村")


def _cn_number(numeral: str) -> str:
    if not any(ch in _CN_UNITS for ch in numeral):
        return "".join(str(_CN_DIGITS[ch]) for ch in numeral)  # 一〇三 → 103
    total = digit = 0
    for ch in numeral:
        if ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return str(total + digit)


def _address_accepts(match: PlaceMatch, rest: str) -> bool:
    # 遵义路 and 花溪大道 are streets, not places: a short form must not start a street name.
    return bool(rest) and (match.is_full or not rest.startswith(_STREET_START))


def clean_address(text: str, *, gazetteer: Gazetteer | None = None) -> AddressParts:
    """Clean an address and parse its leading province, prefecture and county.

    The text is cleaned as by :func:`clean` (號 becomes 号 by t2s), except that a hyphen
    after a digit is kept (12-3号). A leading 中国 is dropped. Chinese numerals before a
    unit (号 弄 栋 幢 单元 室 楼 层 组 期 排 座 户) become digits; the units are kept.

    Parameters
    ----------
    text : str
        The address as given.
    gazetteer : Gazetteer, optional
        By default :func:`linkage.places.load_gazetteer`.

    Returns
    -------
    AddressParts
        Place codes (implied ancestors included) and the rest of the address.

    Examples
    --------
    >>> clean_address("貴州省遵義市匯川區上海路十二號")
    AddressParts(province='520000', prefecture='520300', county='520303', rest='上海路12号')
    >>> clean_address("贵阳市遵义路一百零三号3栋二单元")
    AddressParts(province='520000', prefecture='520100', county=None, rest='遵义路103号3栋2单元')
    """
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    cleaned = _prepare(text, dashes=True)[0].removeprefix("中国")
    parsed = gaz.parse_prefix(cleaned, accept=_address_accepts)
    rest = _HOUSE_NUMBER_RE.sub(lambda m: _cn_number(m.group(1)), parsed.rest)
    return AddressParts(parsed.province, parsed.prefecture, parsed.county, rest)
