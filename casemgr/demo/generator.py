"""Deterministic generator of demo enterprises (企业) and pollution sources (污染源) in Guizhou.

Pure: stdlib plus :func:`linkage.identifiers.make_uscc`; no Flask, no database. The same generator
feeds ``make run`` (a few hundred enterprises) and the one-million-row PostgreSQL benchmark, so it
yields plain dicts lazily and draws from pre-expanded lookup tables instead of ``random.choices``.

Identifiers are unique by construction: the 8-character organisation-code body is a bijective,
seed-keyed permutation of a running sequence number (8 digits for pre-2015 registrations,
``MA`` + 6 characters afterwards), so USCCs, organisation codes, legacy tax ids and permit numbers
never repeat within a run and never equal the two real enterprises emitted first.

This module is mostly data tables (industries, places, name parts); that is why it is long.

Examples
--------
>>> divs = load_divisions("casemgr/refdata/guizhou-divisions.csv")  # doctest: +SKIP
>>> rows = list(generate_enterprises(divs, count=500, seed=2026))  # doctest: +SKIP
>>> rows[0]["name"]  # doctest: +SKIP
'贵州茅台酒股份有限公司'
"""

from __future__ import annotations

import csv
import random
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from math import gcd
from os import PathLike
from typing import Any

from linkage import synthetic_pools as pools  # name, place and industry tables, shared
from linkage.identifiers import make_uscc

__all__ = [
    "BASINS",
    "INDUSTRIES",
    "PERMIT_CLASSES",
    "STATUSES",
    "Division",
    "Industry",
    "generate_enterprises",
    "gs15_check_digit",
    "is_valid_regno15",
    "load_divisions",
]

# --------------------------------------------------------------------------------------------
# Public vocabularies
# --------------------------------------------------------------------------------------------

#: The eight river systems (八大水系), DOMAIN.md §5.4: code -> Chinese name.
BASINS: dict[str, str] = {
    "wujiang": "乌江",
    "chishui": "赤水河",
    "yuan": "沅水",
    "niulan_hengjiang": "牛栏江–横江",
    "nanpan": "南盘江",
    "beipan": "北盘江",
    "hongshui": "红水河",
    "duliu": "都柳江",
}

#: 排污许可管理类别: 重点 / 简化 / 登记 (排污许可管理条例 2021 art. 5).
PERMIT_CLASSES = ("key", "simplified", "registration")

STATUSES = ("operating", "suspended", "revoked", "deregistered")


@dataclass(frozen=True)
class Division:
    """Administrative division (行政区划) by GB/T 2260 code; level: province/prefecture/county."""

    code: str
    name: str
    level: str
    parent_code: str | None


def load_divisions(path: str | PathLike[str]) -> list[Division]:
    """Read a ``code,name,level,parent_code`` CSV (e.g. ``guizhou-divisions.csv``)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            Division(
                code=row["code"].strip(),
                name=row["name"].strip(),
                level=row["level"].strip(),
                parent_code=(row.get("parent_code") or "").strip() or None,
            )
            for row in csv.DictReader(fh)
        ]


# --------------------------------------------------------------------------------------------
# GS 15-2006 registration number (工商注册号): ISO 7064 MOD 11,10 (DOMAIN.md §6.3, §6.5)
# --------------------------------------------------------------------------------------------


def gs15_check_digit(first14: str) -> str:
    """Check digit of a 15-digit business registration number (GS 15-2006, ISO 7064 MOD 11,10).

    >>> gs15_check_digit("52000000000501")  # 中航重机, DOMAIN.md §6.4
    '8'
    """
    p = 10
    for ch in first14:
        s = (p % 11 + ord(ch) - 48) % 10 or 10
        p = s * 2
    return str((11 - p % 11) % 10)


def is_valid_regno15(value: str) -> bool:
    """True if ``value`` is 15 digits with a valid GS 15-2006 check digit."""
    return (
        len(value) == 15
        and value.isascii()
        and value.isdigit()
        and gs15_check_digit(value[:14]) == value[14]
    )


# --------------------------------------------------------------------------------------------
# Industries (GB/T 4754-2017 classes relevant to pollution control in Guizhou)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Industry:
    code: str  # GB/T 4754-2017 class, with its section letter
    name: str
    profile: str  # heavy / medium / light / minor: drives permit class and number of sources
    words: tuple[str, ...]  # industry word inside a company name (煤业, 化工 ...)
    unit: str | None  # name of a non-company unit (煤矿, 水泥厂, 加油站), or None
    coop: str | None  # word for a 专业合作社, or None when cooperatives do not occur
    sources: tuple[str, ...]  # typical pollution sources / outlets
    weight: float  # province-wide base weight


def _ind(
    code: str,
    name: str,
    profile: str,
    words: str,
    unit: str | None,
    coop: str | None,
    sources: str,
    weight: float,
) -> Industry:
    return Industry(
        code, name, profile, tuple(words.split()), unit, coop, tuple(sources.split()), weight
    )


# fmt: off
INDUSTRIES: tuple[Industry, ...] = (
    _ind("B0610", "烟煤和无烟煤开采洗选", "medium", "煤业 矿业 能源 煤矿", "煤矿", None,
         "矿井水处理站 矿井水排放口 煤矸石堆场 洗选车间 储煤场 1号锅炉", 6),
    _ind("B0916", "铝矿采选", "light", "矿业 铝土矿业", "铝土矿", None,
         "采矿场 矿区废水排放口 废石场 破碎车间", 1.5),
    _ind("B1020", "化学矿开采", "medium", "矿业 磷矿业 磷业", "磷矿", None,
         "磷矿采场 矿井水处理站 废石堆场 选矿车间", 1.5),
    _ind("B1011", "石灰石、石膏开采", "light", "建材 矿业 石料", "采石场", None,
         "采石场 破碎筛分车间 成品堆场", 4),
    _ind("B0912", "铅锌矿采选", "medium", "矿业 有色矿业", "铅锌矿", None,
         "选矿车间 尾矿库 矿井水处理站", 1),
    _ind("C1512", "白酒制造", "medium", "酒业 酿酒 酱酒 酒厂", "酒厂", None,
         "发酵车间废水排放口 酿酒车间 污水处理站 1号锅炉 酒糟堆场", 5),
    _ind("C1469", "其他调味品、发酵制品制造", "light", "食品 调味食品", "食品厂", None,
         "生产车间废水排放口 燃气锅炉 污水处理站", 3),
    _ind("C1351", "牲畜屠宰", "light", "肉联 食品", "屠宰场", None,
         "屠宰车间 污水处理站 废水总排放口", 3),
    _ind("C1530", "精制茶加工", "light", "茶业 茶叶", "茶厂", "茶叶",
         "加工车间 生物质锅炉", 3),
    _ind("C1713", "棉印染精加工", "heavy", "印染 纺织", "印染厂", None,
         "印染车间废水排放口 定型机废气排放口 污水处理站 1号锅炉", 0.8),
    _ind("C2221", "机制纸及纸板制造", "heavy", "纸业 造纸", "造纸厂", None,
         "制浆车间 碱回收炉 污水处理站 1号锅炉", 1),
    _ind("C2521", "炼焦", "heavy", "焦化 煤焦化", "焦化厂", None,
         "1号焦炉烟囱 推焦除尘排放口 化产回收车间 酚氰废水处理站", 1),
    _ind("C2611", "无机酸制造", "heavy", "化工 磷化工 磷化", "化工厂", None,
         "硫酸装置尾气排放口 磷酸装置 磷石膏渣场 污水处理站", 1),
    _ind("C2613", "无机盐制造", "heavy", "化工 磷化 新材料", "化工厂", None,
         "黄磷电炉尾气排放口 磷泥处理车间 污水处理站 危废暂存库", 1),
    _ind("C2621", "氮肥制造", "heavy", "化肥 化工", "化肥厂", None,
         "合成氨装置 尿素造粒塔 1号锅炉 污水处理站", 0.5),
    _ind("C2622", "磷肥制造", "heavy", "磷肥 磷化 化肥", "磷肥厂", None,
         "磷铵装置尾气排放口 磷石膏渣场 硫酸装置 污水处理站", 1),
    _ind("C2631", "化学农药制造", "heavy", "农药 农化 化工", "农药厂", None,
         "合成车间废气排放口 RTO焚烧炉 污水处理站 危废暂存库", 0.5),
    _ind("C2710", "化学药品原料药制造", "heavy", "制药 药业 医药化工", "制药厂", None,
         "发酵车间废水排放口 合成车间废气排放口 污水处理站 危废暂存库", 1),
    _ind("C2740", "中成药生产", "medium", "制药 药业 中药", "制药厂", None,
         "提取车间 燃气锅炉 污水处理站", 2),
    _ind("C3011", "水泥制造", "heavy", "水泥 建材", "水泥厂", None,
         "回转窑窑尾 回转窑窑头 水泥磨 原料磨 煤磨", 3),
    _ind("C3021", "水泥制品制造", "light", "建材 商品混凝土 新型建材", "混凝土搅拌站", None,
         "搅拌楼 砂石料堆场 沉淀池", 6),
    _ind("C3091", "石墨及碳素制品制造", "heavy", "碳素 炭素", "碳素厂", None,
         "焙烧炉 煅烧炉 沥青熔化车间 石墨化车间", 0.5),
    _ind("C3120", "炼钢", "heavy", "钢铁 特钢", "钢铁厂", None,
         "转炉二次除尘排放口 电炉 烧结机机头 污水处理站", 0.5),
    _ind("C3140", "铁合金冶炼", "heavy", "铁合金 冶金", "铁合金厂", None,
         "1号矿热炉 2号矿热炉 原料场 冶炼渣场", 1),
    _ind("C3212", "铅锌冶炼", "heavy", "冶炼 锌业 有色金属", "冶炼厂", None,
         "烧结机烟气排放口 电解车间 冶炼渣场 污水处理站", 0.5),
    _ind("C3216", "铝冶炼", "heavy", "铝业 冶金", "铝厂", None,
         "电解槽烟气净化系统 阳极焙烧炉 铸造车间 大修渣暂存库", 0.8),
    _ind("C3360", "金属表面处理及热处理加工", "heavy", "电镀 表面处理 金属制品", "电镀厂", None,
         "电镀车间废水排放口 酸雾净化塔 危废暂存库", 2),
    # C3393 is also the class used for 中航重机 (forgings); see _REAL_ENTERPRISES.
    _ind("C3393", "锻件及粉末冶金制品制造", "light", "锻造 精密锻造 机械", "锻造厂", None,
         "锻造车间 热处理炉 机加工车间", 1),
    _ind("D4411", "火力发电", "heavy", "发电 电力 能源", "发电厂", None,
         "1号机组烟囱 2号机组烟囱 灰渣场 脱硫废水处理站 储煤场", 1.5),
    # Municipal sewage works are D4620 in GB/T 4754-2017 (N7721 is 水污染治理, not 污水处理).
    _ind("D4620", "污水处理及其再生利用", "medium", "污水处理 水务 环保", "污水处理厂", None,
         "污水处理厂总排放口 污泥脱水车间 除臭装置", 5),
    _ind("N7724", "危险废物治理", "heavy", "环保 环境科技 固废处置", None, None,
         "回转窑焚烧炉 危废暂存库 物化处理车间 安全填埋场", 1.5),
    _ind("A0313", "猪的饲养", "medium", "牧业 农牧 生猪养殖", "养殖场", "生猪养殖",
         "养殖场废水排放口 粪污处理站 沼气池", 8),
    _ind("F5265", "机动车燃油零售", "minor", "石油 能源 石化", "加油站", None,
         "油气回收装置 储油罐区", 10),
    _ind("O8111", "汽车修理与维护", "minor", "汽车维修 汽修", "汽修厂", None,
         "喷漆房 危废暂存间", 10),
)
# fmt: on
_INDUSTRY_BY_CODE = {ind.code: ind for ind in INDUSTRIES}


# Permit class weights (key, simplified, registration) and source counts (1, 2, 3) by profile.
_PROFILE_CLASSES = {"heavy": (70, 25, 5), "medium": (35, 45, 20), "light": (5, 35, 60),
                    "minor": (0, 10, 90)}  # fmt: skip
_PROFILE_NSOURCES = {"heavy": (30, 40, 30), "medium": (45, 35, 20), "light": (60, 30, 10),
                     "minor": (85, 15, 0)}  # fmt: skip
# Probability that a source of each class belongs to a 重点排污单位 (key pollutant unit).
_KEY_UNIT_P = {"key": 0.85, "simplified": 0.15, "registration": 0.02}

# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------


# Basins (code, weight) by prefecture, with county overrides. AN APPROXIMATION from the main rivers
# draining each area (DOMAIN.md §5.4), not a hydrological assignment: e.g. 仁怀/赤水/习水 drain to
# the Chishui, 威宁 to the Niulan-Hengjiang and Wujiang, 黔东南 to the Yuan (清水江/舞阳河) and the
# Duliu, 黔西南 to the Nanpan and Beipan, 紫云/惠水/罗甸 to the Hongshui.
_BASINS_BY_DIVISION: dict[str, tuple[tuple[str, int], ...]] = {
    # prefectures
    "520100": (("wujiang", 9), ("hongshui", 1)),
    "520200": (("beipan", 7), ("wujiang", 3)),
    "520300": (("wujiang", 7), ("chishui", 3)),
    "520400": (("wujiang", 5), ("beipan", 4), ("hongshui", 1)),
    "520500": (("wujiang", 8), ("chishui", 1), ("niulan_hengjiang", 1)),
    "520600": (("wujiang", 5), ("yuan", 5)),
    "522300": (("nanpan", 5), ("beipan", 5)),
    "522600": (("yuan", 7), ("duliu", 3)),
    "522700": (("hongshui", 4), ("duliu", 3), ("wujiang", 3)),
    # counties
    "520330": (("chishui", 9), ("wujiang", 1)),
    "520381": (("chishui", 1),),
    "520382": (("chishui", 8), ("wujiang", 2)),
    "520423": (("beipan", 1),),
    "520424": (("beipan", 1),),
    "520425": (("hongshui", 6), ("beipan", 4)),
    "520502": (("wujiang", 7), ("chishui", 3)),
    "520523": (("wujiang", 6), ("chishui", 4)),
    "520526": (("niulan_hengjiang", 5), ("wujiang", 4), ("beipan", 1)),
    "520527": (("wujiang", 8), ("niulan_hengjiang", 2)),
    "520602": (("yuan", 1),),
    "520603": (("yuan", 1),),
    "520621": (("yuan", 1),),
    "520622": (("yuan", 1),),
    "520628": (("yuan", 8), ("wujiang", 2)),
    "520623": (("wujiang", 1),),
    "520624": (("wujiang", 1),),
    "520625": (("wujiang", 1),),
    "520626": (("wujiang", 1),),
    "520627": (("wujiang", 1),),
    "522301": (("nanpan", 7), ("beipan", 3)),
    "522326": (("beipan", 5), ("hongshui", 5)),
    "522327": (("nanpan", 6), ("beipan", 4)),
    "522631": (("duliu", 5), ("yuan", 5)),
    "522632": (("duliu", 1),),
    "522633": (("duliu", 1),),
    "522634": (("duliu", 5), ("yuan", 5)),
    "522701": (("yuan", 1),),
    "522702": (("yuan", 6), ("wujiang", 4)),
    "522722": (("duliu", 1),),
    "522723": (("wujiang", 5), ("yuan", 5)),
    "522725": (("wujiang", 1),),
    "522726": (("duliu", 5), ("hongshui", 5)),
    "522727": (("hongshui", 1),),
    "522728": (("hongshui", 1),),
    "522729": (("hongshui", 1),),
    "522731": (("hongshui", 1),),
    "522732": (("duliu", 1),),
}
_DEFAULT_BASINS = (("wujiang", 1),)

# Approximate seats of the prefectures (lat, lon); sources are scattered around them.
_PREFECTURE_CENTRE = {
    "520100": (26.647, 106.630), "520200": (26.593, 104.830), "520300": (27.726, 106.927),
    "520400": (26.245, 105.932), "520500": (27.302, 105.285), "520600": (27.718, 109.191),
    "522300": (25.088, 104.898), "522600": (26.583, 107.977), "522700": (26.258, 107.517),
}  # fmt: skip
_LAT_RANGE = (24.6, 29.2)
_LON_RANGE = (103.6, 109.6)

# A few real towns (乡镇/街道) for counties that matter to the demo; other towns are synthetic.
_REAL_TOWNS = {
    "520382": ("茅台镇", "茅台镇", "茅台镇", "坛厂街道", "中枢街道", "盐津街道", "鲁班街道"),
    "520121": ("双流镇", "金中镇"),
    "522702": ("马场坪街道", "牛场镇"),
}

# fmt: off
BRAND_WORDS = tuple(dict.fromkeys((
    "宏达 金鼎 国酱 绿源 鑫源 华鑫 恒通 兴盛 鸿运 盛达 永兴 鼎盛 金诚 富源 瑞丰 天成 众鑫 昌盛 "
    "隆鑫 宏远 宏盛 宏鑫 宏发 宏图 华兴 华丰 华源 华联 华美 华盛 华泰 华腾 金源 金鑫 金泰 金辉 "
    "金龙 金山 金桥 金阳 金穗 金凤 金海 鑫达 鑫盛 鑫泰 鑫隆 鑫磊 鑫宇 恒达 恒丰 恒源 恒盛 恒信 "
    "恒远 恒昌 永盛 永达 永泰 永利 永丰 永鑫 永恒 兴达 兴旺 兴发 兴隆 兴源 兴华 兴业 盛源 盛丰 "
    "盛世 盛泰 盛隆 天宇 天瑞 天源 天鸿 天泰 天元 天和 天润 瑞达 瑞祥 瑞源 瑞鑫 润丰 润达 润泽 "
    "润发 佳源 佳禾 嘉禾 嘉诚 嘉盛 顺达 顺发 顺通 顺鑫 福源 福兴 福瑞 福达 泰和 泰丰 泰源 泰达 "
    "安达 安泰 长兴 长鑫 东方 东升 东盛 西南 黔丰 黔源 黔鑫 黔兴 黔泰 黔峰 黔龙 黔盛 筑城 筑兴 "
    "青山 绿洲 绿野 绿康 蓝天 碧水 清源 清泉 新源 新亚 新天 新兴 新盛 中天 中鼎 中盛 中联 大成 "
    "大地 大兴 大华 万盛 万隆 万源 万通 万鑫 同心 同创 同兴 合力 合众 和盛 和兴 祥瑞 祥和 祥云 "
    "吉祥 吉源 德源 德盛 德丰 德兴 仁和 信达 信诚 博大 博源 卓越 远大 远航 亿达 亿鑫 亿丰 开元 "
    "开源 凯达 凯盛 凯旋 龙腾 龙兴 龙源 凤凰 飞龙 腾达 腾飞 腾龙 丰源 丰泽 丰达 益民 利民 惠民 "
    "聚源 聚鑫 聚丰 汇鑫 汇通 银河 宇通 科达 科兴 正源 正泰 广源 广达 国泰 国鑫 国盛 宝鼎 宝丰 "
    "宝源 乾元 乾坤 坤达 鼎鑫 鼎泰 鼎立 巨龙 鹏程 鹏达 宏伟 伟业 富民 富强 旺达 欣达 欣源 荣达 "
    "荣盛 荣鑫 茂源 茂盛 春晖 朝阳 旭日 旭东 晨光 曙光 星辉 明珠 光明 阳光 红星 山城 峰源 磊鑫"
).split()))
# fmt: on

# Organisational forms of a non-cooperative enterprise; "unit" = 煤矿 / 水泥厂 / 加油站 ...
_FORMS = (("有限公司", 56), ("有限责任公司", 24), ("股份有限公司", 5), ("branch", 2), ("unit", 13))
_STATUS_WEIGHTS = (("operating", 92), ("suspended", 3), ("revoked", 2.5), ("deregistered", 2.5))
_COOP_SHARE = 0.45  # share of cooperatives (农民专业合作社) among industries that have them

# Registration years: older polluters dominate, so about 60 % registered before 三证合一.
_YEAR_WEIGHTS = tuple((y, 1.5 if y < 2000 else 2.5 if y < 2010 else 3.5 if y < 2015 else 4.0)
                      for y in range(1990, 2026))  # fmt: skip

_DIGIT_SPACE = 10**8  # 8-digit organisation-code bodies (pre-2015)
_MA_SPACE = 31**6  # "MA" + 6 charset characters (from 2015-10-01)


def _expand(items: Sequence[Any], weights: Sequence[float], bits: int) -> list[Any]:
    """Lookup table of 2**bits slots: ``table[getrandbits(bits)]`` is a weighted draw."""
    size = 1 << bits
    cum = list(accumulate(weights))
    total = cum[-1]
    last = len(items) - 1
    return [items[min(bisect_right(cum, (j + 0.5) * total / size), last)] for j in range(size)]


_AUTONOMOUS = re.compile(r"^(.+?)(?:(?:布依|苗|侗|仡佬|彝|回|土家|水)族)+自治[县州]$")


def _short_name(name: str) -> str:
    """Short place name used in company names: 盘州市 → 盘州, 道真仡佬族苗族自治县 → 道真."""
    m = _AUTONOMOUS.match(name)
    if m:
        return m.group(1)
    if name.endswith("特区"):
        return name[:-2]
    if len(name) > 2 and name[-1] in "市县区州":
        return name[:-1]
    return name


def _county_weight(d: Division) -> float:
    if d.code in pools.COUNTY_WEIGHT:
        return pools.COUNTY_WEIGHT[d.code]
    if d.name.endswith("自治县"):
        return 1.2
    if d.name.endswith(("区", "市")):
        return 3.0
    return 1.8


class _County:
    """Pre-computed name parts and lookup tables for one county."""

    __slots__ = (
        "code", "full", "short", "local", "alt", "pref_code", "pref_full", "pref_abbr",
        "pref_short", "towns", "real_towns", "industries", "basins", "lat", "lon", "siblings",
    )  # fmt: skip

    def __init__(self, d: Division, pref: Division, town_rng: random.Random) -> None:
        self.code = d.code
        self.full = d.name
        self.short = _short_name(d.name)
        self.pref_code = pref.code
        self.pref_full = pref.name
        self.pref_short = _short_name(pref.name)
        self.pref_abbr = self.pref_short + "州" if pref.name.endswith("自治州") else pref.name
        # a city district rarely stands alone in a name: 遵义市红花岗区…, not 红花岗区…
        district = d.name.endswith("区") and not d.name.endswith("特区")
        self.local = self.pref_abbr + d.name if district else d.name
        # 威宁彝族回族苗族自治县 is often written 威宁县 in company names
        self.alt = self.short + "县" if d.name.endswith("自治县") else self.local
        self.real_towns = _REAL_TOWNS.get(d.code, ())
        words = town_rng.sample(pools.TOWN_WORDS, 9)
        suffixes = ("街道", "街道", "镇", "镇", "镇", "镇", "镇", "乡", "乡")
        synthetic = [w + s for w, s in zip(words, suffixes, strict=True)]
        synthetic.append(self.short + ("经济开发区" if town_rng.random() < 0.5 else "工业园区"))
        self.towns = tuple(synthetic) + self.real_towns * 2
        bias = {**pools.INDUSTRY_BIAS.get(pref.code, {})}
        for code, factor in pools.INDUSTRY_BIAS.get(d.code, {}).items():
            bias[code] = bias.get(code, 1.0) * factor
        self.industries = _expand(
            INDUSTRIES, [i.weight * bias.get(i.code, 1.0) for i in INDUSTRIES], 12
        )
        basins = _BASINS_BY_DIVISION.get(d.code) or _BASINS_BY_DIVISION.get(
            pref.code, _DEFAULT_BASINS
        )
        self.basins = _expand([b for b, _ in basins], [w for _, w in basins], 5)
        self.lat, self.lon = _PREFECTURE_CENTRE.get(pref.code, (26.8, 106.7))
        self.siblings: tuple[_County, ...] = ()


class _Model:
    """Tables derived from the division list; built once per generate_enterprises() call."""

    def __init__(self, divisions: Sequence[Division], seed: int) -> None:
        by_code = {d.code: d for d in divisions}
        town_rng = random.Random(f"casemgr.demo.towns:{seed}")
        prefs: dict[str, list[_County]] = {}
        for d in divisions:
            if d.level != "county" or d.parent_code not in by_code:
                continue
            prefs.setdefault(d.parent_code, []).append(_County(d, by_code[d.parent_code], town_rng))
        if not prefs:
            raise ValueError("generate_enterprises needs county-level divisions with parents")
        self.counties_by_code: dict[str, _County] = {}
        self.prefectures: list[tuple[str, list[_County]]] = list(prefs.items())
        counties: list[_County] = []
        weights: list[float] = []
        self.pref_tables: list[list[_County]] = []
        for pref_code, members in self.prefectures:
            cw = [_county_weight(by_code[c.code]) for c in members]
            total = sum(cw)
            pw = pools.PREFECTURE_WEIGHT.get(pref_code, 5)
            for c, w in zip(members, cw, strict=True):
                c.siblings = tuple(members)
                counties.append(c)
                weights.append(pw * w / total)
                self.counties_by_code[c.code] = c
            self.pref_tables.append(_expand(members, cw, 8))
        self.county_table = _expand(counties, weights, 13)


# --------------------------------------------------------------------------------------------
# The two real enterprises (DOMAIN.md §6.4), always first in the stream when include_real=True
# --------------------------------------------------------------------------------------------

# legal_representative values are FICTITIOUS demo data, not the companies' real representatives.
# registered_on values are approximate [R].
_REAL_ENTERPRISES: tuple[dict[str, Any], ...] = (
    {
        "uscc": "9152000071430580XT",
        "name": "贵州茅台酒股份有限公司",
        "legal_representative": "王建国",
        "address": "贵州省仁怀市茅台镇",
        "county_code": "520382",
        "industry_code": "C1512",
        "status": "operating",
        "registered_on": date(1999, 11, 20),
        "aliases": [("org_code", "71430580-X")],
        "name_history": [],
        "sources": [
            ("制酒车间废水排放口", "key", True, "chishui", 27.858, 106.372),
            ("污水处理厂总排放口", "key", True, "chishui", 27.851, 106.381),
            ("1号锅炉", "key", True, "chishui", 27.862, 106.369),
        ],
    },
    {
        "uscc": "91520000214434146R",
        "name": "中航重机股份有限公司",
        "legal_representative": "李明华",
        "address": "贵州省贵阳市观山湖区",
        "county_code": "520115",
        # Forgings and hydraulics; C3393 锻件及粉末冶金制品制造 chosen as the main class [R]
        # (C3444 液压动力机械及元件制造 would fit the hydraulics business).
        "industry_code": "C3393",
        "status": "operating",
        "registered_on": date(1996, 11, 14),
        "aliases": [
            ("org_code", "21443414-6"),
            ("regno15", "520000000005018"),
        ],
        "name_history": [],
        "sources": [
            ("锻造车间", "simplified", False, "wujiang", 26.628, 106.627),
            ("热处理炉", "simplified", False, "wujiang", 26.631, 106.622),
        ],
    },
)
_RESERVED_DIGIT_BODIES = (71430580, 21443414)  # org-code bodies of the two real enterprises
_RESERVED_REGNO_SEQ = 501  # 520000 00000501 8 = 中航重机's registration number


def _real_records() -> Iterator[dict[str, Any]]:
    for real in _REAL_ENTERPRISES:
        rec = {k: v for k, v in real.items() if k != "sources"}
        rec["industry_name"] = _INDUSTRY_BY_CODE[rec["industry_code"]].name
        rec["aliases"] = list(real["aliases"])
        rec["name_history"] = []
        rec["sources"] = [
            {
                "name": name,
                # USCC + 3-digit sequence + P (key/simplified) or W (registration) [R: unverified]
                "permit_number": f"{real['uscc']}{j:03d}{'W' if cls == 'registration' else 'P'}",
                "permit_class": cls,
                "key_pollutant_unit": key_unit,
                "county_code": real["county_code"],
                "basin_code": basin,
                "latitude": lat,
                "longitude": lon,
            }
            for j, (name, cls, key_unit, basin, lat, lon) in enumerate(real["sources"], 1)
        ]
        yield rec


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------


def _coprime_multiplier(rng: random.Random, modulus: int) -> int:
    a = rng.randrange(modulus // 7, modulus)
    while gcd(a, modulus) != 1:
        a += 1
    return a


def _company_name(
    rnd: Any, c: _County, ind: Industry, brand: str, town: str, form: str, coop: bool
) -> str:
    if coop:
        place = c.full if rnd() < 0.6 else c.alt
        return f"{place}{brand}{ind.coop}专业合作社"
    word = ind.words[int(rnd() * len(ind.words))]
    if form == "unit":
        if ind.unit is not None:
            place = c.local if rnd() < 0.6 else c.pref_abbr + c.full
            return f"{place}{brand}{ind.unit}"
        form = "有限公司"
    if form == "branch":
        return f"贵州{brand}{word}有限公司{c.short}分公司"
    if form == "股份有限公司":
        return f"{'贵州' if rnd() < 0.8 else c.pref_short}{brand}{word}股份有限公司"
    p = rnd()
    if p < 0.25:
        place = "贵州" + c.short
    elif p < 0.45:
        place = c.pref_abbr + c.full
    elif p < 0.70:
        place = c.local if rnd() < 0.7 else c.alt
        if town in c.real_towns and rnd() < 0.5:
            place += town  # 仁怀市茅台镇国酱酒业有限公司
    elif p < 0.85:
        place = "贵州"
    elif p < 0.93:
        place = c.pref_abbr if rnd() < 0.5 else c.pref_short
    else:
        place = "贵州省"
    return f"{place}{brand}{word}{form}"


def generate_enterprises(
    divisions: Sequence[Division],
    *,
    count: int,
    seed: int = 2026,
    include_real: bool = True,
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` realistic, deterministic enterprise records with their pollution sources.

    Parameters
    ----------
    divisions
        Province, prefectures and counties (see :func:`load_divisions`); enterprises are placed in
        county-level divisions only.
    count
        Total number of records, including the real enterprises when ``include_real``.
    seed
        Same seed and divisions give the same stream.
    include_real
        Start with 贵州茅台酒股份有限公司 and 中航重机股份有限公司 (DOMAIN.md §6.4).

    Returns
    -------
    Iterator of dicts with keys ``uscc, name, legal_representative, address, county_code,
    industry_code, industry_name, status, registered_on, aliases, name_history, sources``.
    ``aliases`` is a list of ``(kind, value)`` tuples, ``name_history`` a list of
    ``{"name", "valid_to"}`` dicts, ``sources`` a list of dicts with ``name, permit_number,
    permit_class, key_pollutant_unit, county_code, basin_code, latitude, longitude``.

    Examples
    --------
    >>> rows = list(generate_enterprises(divs, count=3))  # doctest: +SKIP
    >>> [r["uscc"] for r in rows][:2]  # doctest: +SKIP
    ['9152000071430580XT', '91520000214434146R']
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    model = _Model(divisions, seed)  # validate eagerly, before the first next()
    return _generate(model, count, seed, include_real)


def _generate(model: _Model, count: int, seed: int, include_real: bool) -> Iterator[dict[str, Any]]:
    emitted = 0
    if include_real:
        for rec in _real_records():
            if emitted >= count:
                return
            if rec["county_code"] in model.counties_by_code:
                yield rec
                emitted += 1

    rng = random.Random(seed)
    rnd = rng.random
    rb = rng.getrandbits
    perm = random.Random(f"casemgr.demo.identifiers:{seed}")
    a_num, b_num = _coprime_multiplier(perm, _DIGIT_SPACE), perm.randrange(_DIGIT_SPACE)
    a_ma, b_ma = _coprime_multiplier(perm, _MA_SPACE), perm.randrange(_MA_SPACE)
    a_reg, b_reg = _coprime_multiplier(perm, _DIGIT_SPACE), perm.randrange(_DIGIT_SPACE)
    n_num = n_ma = n_reg = 0  # sequence numbers fed through the permutations above

    county_table = model.county_table
    pref_tables = model.pref_tables
    n_forced = len(pref_tables)  # the first records visit every prefecture once
    forms = _expand([f for f, _ in _FORMS], [w for _, w in _FORMS], 10)
    statuses = _expand([s for s, _ in _STATUS_WEIGHTS], [w for _, w in _STATUS_WEIGHTS], 10)
    years = _expand(
        [(date(y, 1, 1).toordinal(), 366 if y % 4 == 0 else 365) for y, _ in _YEAR_WEIGHTS],
        [w for _, w in _YEAR_WEIGHTS],
        10,
    )
    surnames = _expand([s for s, _ in pools.SURNAMES], [w for _, w in pools.SURNAMES], 12)
    given = pools.GIVEN_CHARS
    n_given = len(given)
    brands = BRAND_WORDS
    n_brands = len(brands)
    road_words = pools.ROAD_WORDS
    n_roads = len(road_words)
    town_words = pools.TOWN_WORDS
    n_town_words = len(town_words)
    class_tables = {p: _expand(PERMIT_CLASSES, w, 6) for p, w in _PROFILE_CLASSES.items()}
    nsrc_tables = {p: _expand((1, 2, 3), w, 5) for p, w in _PROFILE_NSOURCES.items()}
    key_unit_p = _KEY_UNIT_P
    lat_lo, lat_hi = _LAT_RANGE
    lon_lo, lon_hi = _LON_RANGE
    fromordinal = date.fromordinal
    b31 = pools.B31_3
    reserved = _RESERVED_DIGIT_BODIES

    for i in range(count - emitted):
        c: _County = pref_tables[i][rb(8)] if i < n_forced else county_table[rb(13)]
        ind: Industry = c.industries[rb(12)]
        coop = ind.coop is not None and rnd() < _COOP_SHARE
        towns = c.towns
        town = towns[int(rnd() * len(towns))]
        brand = brands[int(rnd() * n_brands)]
        form = forms[rb(10)]
        name = _company_name(rnd, c, ind, brand, town, form, coop)

        start, ndays = years[rb(10)]
        reg_ord = min(start + int(rnd() * ndays), pools.LAST_DAY)
        legacy = reg_ord < pools.USCC_ERA

        # registering authority: county AMR mostly, sometimes the prefecture or the province
        p = rnd()
        if coop or p < 0.75:
            div6 = c.code
        elif p < 0.95:
            div6 = c.pref_code
        else:
            div6 = "520000"
        if legacy:
            x = (a_num * n_num + b_num) % _DIGIT_SPACE
            n_num += 1
            while x in reserved:
                x = (a_num * n_num + b_num) % _DIGIT_SPACE
                n_num += 1
            body = f"{x:08d}"
        else:
            x = (a_ma * n_ma + b_ma) % _MA_SPACE
            n_ma += 1
            body = "MA" + b31[x // 29791] + b31[x % 29791]
        uscc = make_uscc("9", "3" if coop else "1", div6, body)
        org = uscc[8:17]
        aliases: list[tuple[str, str]] = [("org_code", f"{org[:8]}-{org[8]}")]
        if legacy:
            seq = (a_reg * n_reg + b_reg) % _DIGIT_SPACE
            n_reg += 1
            if seq == _RESERVED_REGNO_SEQ:
                seq = (a_reg * n_reg + b_reg) % _DIGIT_SPACE
                n_reg += 1
            first14 = f"{div6}{seq:08d}"
            aliases.append(("regno15", first14 + gs15_check_digit(first14)))
            if rnd() < 0.5:
                # old tax ids used the tax office's division, usually the county (DOMAIN.md §6.3)
                aliases.append(("legacy_tax_id", (c.code if rnd() < 0.7 else div6) + org))

        history: list[dict[str, Any]] = []
        if rnd() < 0.12 and reg_ord < pools.LAST_DAY - 1200:  # ~10 % have a former name
            n_old = 1 if rnd() < 0.8 else 2
            span = pools.LAST_DAY - 90 - (reg_ord + 180)
            ends = sorted(reg_ord + 180 + int(rnd() * span) for _ in range(n_old))
            for end in ends:
                old_brand = brands[int(rnd() * n_brands)] if rnd() < 0.6 else brand
                old_form = "unit" if rnd() < 0.3 else forms[rb(10)]
                old = _company_name(rnd, c, ind, old_brand, town, old_form, coop)
                if old != name:
                    history.append({"name": old, "valid_to": fromordinal(end)})

        r = rnd()
        if r < 0.55:
            road = road_words[int(rnd() * n_roads)] + ("路" if rnd() < 0.8 else "大道")
        elif r < 0.8:
            road = town_words[int(rnd() * n_town_words)] + "村"
        else:
            road = ""
        number = 1 + int(rnd() * rnd() * 400)
        legal_rep = surnames[rb(12)] + given[int(rnd() * n_given)]
        if rnd() < 0.75:
            legal_rep += given[int(rnd() * n_given)]

        profile = ind.profile
        class_table = class_tables[profile]
        pool = ind.sources
        n_pool = len(pool)
        first = int(rnd() * n_pool)
        sources = []
        for j in range(1, min(nsrc_tables[profile][rb(5)], n_pool) + 1):
            cls = class_table[rb(6)]
            sc = c if rnd() < 0.9 else c.siblings[int(rnd() * len(c.siblings))]
            lat = sc.lat + (rnd() - 0.5) * 0.7
            lon = sc.lon + (rnd() - 0.5) * 0.9
            sources.append(
                {
                    "name": pool[(first + j - 1) % n_pool],
                    # 排污许可证编号 = USCC + 3-digit sequence + P (重点/简化 permit) or W
                    # (登记 registration receipt). Format unverified [R].
                    "permit_number": f"{uscc}{j:03d}{'W' if cls == 'registration' else 'P'}",
                    "permit_class": cls,
                    "key_pollutant_unit": rnd() < key_unit_p[cls],
                    "county_code": sc.code,
                    "basin_code": sc.basins[rb(5)],
                    "latitude": round(min(max(lat, lat_lo), lat_hi), 5),
                    "longitude": round(min(max(lon, lon_lo), lon_hi), 5),
                }
            )

        yield {
            "uscc": uscc,
            "name": name,
            "legal_representative": legal_rep,
            "address": f"贵州省{c.pref_full}{c.full}{town}{road}{number}号",
            "county_code": c.code,
            "industry_code": ind.code,
            "industry_name": ind.name,
            "status": statuses[rb(10)],
            "registered_on": fromordinal(reg_ord),
            "aliases": aliases,
            "name_history": history,
            "sources": sources,
        }
