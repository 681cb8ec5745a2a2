"""Vocabularies, places and text mutations for :mod:`linkage.synthetic`.

Data tables (industries, regional industry mix, trade-name characters, surnames, roads, towns)
follow the demo generator of the application, copied here because ``linkage`` is a pure library
that must not import ``casemgr``. The mutations reproduce how another system spells the same
enterprise: traditional characters (OpenCC ``s2t``), full-width ASCII, same-pinyin characters
picked from a pinyin input method's candidate list, place names shortened step by step
(黔南布依族苗族自治州 → 黔南州 → 黔南) or dropped, organisation-form variants, a mistyped USCC
and phone numbers in another format. Each mutation takes ``rnd``, a ``random.random``.

Examples
--------
>>> place_ladder("黔南布依族苗族自治州")
('黔南布依族苗族自治州', '黔南州', '黔南')
>>> to_fullwidth("0851-86541234")
'０８５１－８６５４１２３４'
"""

from __future__ import annotations

import csv
import functools
import random
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date
from itertools import accumulate, product
from math import gcd
from os import PathLike
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:
    from opencc import OpenCC

__all__ = [
    "B31_3",
    "FORMS",
    "GIVEN_CHARS",
    "INDUSTRIES",
    "INDUSTRY_BIAS",
    "LAST_DAY",
    "POPULAR_TRADE_NAMES",
    "PROVINCE",
    "PROVINCE_PREFIXES",
    "ROAD_WORDS",
    "STATUSES",
    "SURNAMES",
    "TOWN_WORDS",
    "TRADE_CHARS",
    "USCC_CHARS",
    "USCC_ERA",
    "YEARS",
    "Affine",
    "County",
    "Industry",
    "Place",
    "abbreviate_address",
    "chinese_ordinal",
    "cut",
    "expand",
    "homophone_typo",
    "homophones",
    "load_counties",
    "mix64",
    "person",
    "phone",
    "place_ladder",
    "reformat_phone",
    "street",
    "to_fullwidth",
    "to_traditional",
    "trade_name",
    "uscc_typo",
    "vary_form",
    "vary_places",
]

T = TypeVar("T")


class Industry(NamedTuple):
    """An industry as it shows in enterprise names (GB/T 4754-2017 class `code`)."""

    code: str
    words: tuple[str, ...]  # industry word inside a company name: 煤业, 化工 ...
    unit: str | None  # name of a non-company unit (煤矿, 水泥厂), or None
    coop: str | None  # word of a 专业合作社, or None when cooperatives do not occur
    weight: float  # province-wide base weight


def _ind(code: str, words: str, unit: str | None, coop: str | None, weight: float) -> Industry:
    return Industry(code, tuple(words.split()), unit, coop, weight)


# Same classes and weights as casemgr.demo.generator.INDUSTRIES.
INDUSTRIES: tuple[Industry, ...] = (
    _ind("B0610", "煤业 矿业 能源 煤矿", "煤矿", None, 6),
    _ind("B0916", "矿业 铝土矿业", "铝土矿", None, 1.5),
    _ind("B1020", "矿业 磷矿业 磷业", "磷矿", None, 1.5),
    _ind("B1011", "建材 矿业 石料", "采石场", None, 4),
    _ind("B0912", "矿业 有色矿业", "铅锌矿", None, 1),
    _ind("C1512", "酒业 酿酒 酱酒 酒厂", "酒厂", None, 5),
    _ind("C1469", "食品 调味食品", "食品厂", None, 3),
    _ind("C1351", "肉联 食品", "屠宰场", None, 3),
    _ind("C1530", "茶业 茶叶", "茶厂", "茶叶", 3),
    _ind("C1713", "印染 纺织", "印染厂", None, 0.8),
    _ind("C2221", "纸业 造纸", "造纸厂", None, 1),
    _ind("C2521", "焦化 煤焦化", "焦化厂", None, 1),
    _ind("C2611", "化工 磷化工 磷化", "化工厂", None, 1),
    _ind("C2613", "化工 磷化 新材料", "化工厂", None, 1),
    _ind("C2621", "化肥 化工", "化肥厂", None, 0.5),
    _ind("C2622", "磷肥 磷化 化肥", "磷肥厂", None, 1),
    _ind("C2631", "农药 农化 化工", "农药厂", None, 0.5),
    _ind("C2710", "制药 药业 医药化工", "制药厂", None, 1),
    _ind("C2740", "制药 药业 中药", "制药厂", None, 2),
    _ind("C3011", "水泥 建材", "水泥厂", None, 3),
    _ind("C3021", "建材 商品混凝土 新型建材", "混凝土搅拌站", None, 6),
    _ind("C3091", "碳素 炭素", "碳素厂", None, 0.5),
    _ind("C3120", "钢铁 特钢", "钢铁厂", None, 0.5),
    _ind("C3140", "铁合金 冶金", "铁合金厂", None, 1),
    _ind("C3212", "冶炼 锌业 有色金属", "冶炼厂", None, 0.5),
    _ind("C3216", "铝业 冶金", "铝厂", None, 0.8),
    _ind("C3360", "电镀 表面处理 金属制品", "电镀厂", None, 2),
    _ind("C3393", "锻造 精密锻造 机械", "锻造厂", None, 1),
    _ind("D4411", "发电 电力 能源", "发电厂", None, 1.5),
    _ind("D4620", "污水处理 水务 环保", "污水处理厂", None, 5),
    _ind("N7724", "环保 环境科技 固废处置", None, None, 1.5),
    _ind("A0313", "牧业 农牧 生猪养殖", "养殖场", "生猪养殖", 8),
    _ind("F5265", "石油 能源 石化", "加油站", None, 10),
    _ind("O8111", "汽车维修 汽修", "汽修厂", None, 10),
)

# Regional multipliers by prefecture or county code, as in the demo generator: liquor along the
# Chishui (仁怀, 习水), phosphorus in 开阳/息烽/福泉/瓮安, coal, coke and steel in 六盘水/毕节 ...
INDUSTRY_BIAS: dict[str, dict[str, float]] = {
    "520100": {"C2710": 3, "C2740": 3, "C3393": 3, "C3360": 2, "N7724": 2, "C1469": 2,
               "A0313": 0.3, "B0610": 0.3},
    "520121": {"B1020": 8, "C2622": 5, "C2611": 4, "C2613": 3},
    "520122": {"B1020": 5, "C2622": 5, "C2611": 4, "C2613": 3},
    "520123": {"B0916": 5, "C3216": 2},
    "520181": {"B0916": 6, "C3216": 5, "C3011": 2, "D4411": 2},
    "520200": {"B0610": 6, "C2521": 5, "C3120": 5, "D4411": 3, "C3011": 1.5},
    "520300": {"C1512": 3, "C3140": 3, "C3216": 2, "C2740": 1.5},
    "520326": {"B0916": 8},
    "520327": {"C1530": 8},
    "520328": {"C1530": 10},
    "520330": {"C1512": 8},
    "520381": {"C2221": 6, "C2621": 6},
    "520382": {"C1512": 15},
    "520400": {"C3393": 3, "C2740": 2, "C3011": 1.5},
    "520500": {"B0610": 5, "D4411": 2, "C2521": 2},
    "520526": {"B0912": 8, "C3212": 6},
    "520527": {"B0912": 8, "C3212": 8},
    "520600": {"C1530": 2.5},
    "522300": {"B0610": 3, "D4411": 2.5, "C3011": 1.5},
    "522600": {"A0313": 2, "C1530": 2, "C2221": 1.5, "C1713": 2, "B0610": 0.3},
    "522700": {"C1530": 1.5},
    "522701": {"C1530": 3},
    "522702": {"B1020": 6, "C2622": 8, "C2611": 6, "C2613": 5},
    "522725": {"B1020": 8, "C2622": 6, "C2611": 4, "C2613": 3},
}  # fmt: skip

# Share of enterprises per prefecture (Guiyang and Zunyi heaviest) and notable county weights.
PREFECTURE_WEIGHT = {"520100": 22, "520300": 20, "520500": 10, "522700": 9, "520200": 8,
                     "522300": 8, "522600": 8, "520600": 7, "520400": 6}  # fmt: skip
COUNTY_WEIGHT = {"520382": 7, "520281": 5, "520102": 4.5, "520103": 4.5, "520115": 4,
                 "520181": 4, "520113": 3.5, "520302": 4, "520303": 4, "520304": 3.5,
                 "522301": 4.5, "522601": 4, "522701": 3.5, "522702": 3, "520502": 4,
                 "520581": 3, "520402": 3.5, "520602": 3, "520201": 3.5}  # fmt: skip
REAL_TOWNS = {
    "520382": ("茅台镇", "茅台镇", "坛厂街道", "中枢街道", "盐津街道", "鲁班街道"),
    "520121": ("双流镇", "金中镇"),
    "522702": ("马场坪街道", "牛场镇"),
}

# Organisation forms of a non-cooperative enterprise, with weights; "unit" = 煤矿 / 水泥厂 ...
FORMS = (("有限公司", 56), ("有限责任公司", 24), ("股份有限公司", 5), ("unit", 13))
# Registry status (登记状态) as exported by the enterprise credit publicity system, with weights.
STATUSES = (("存续", 70), ("在业", 22), ("吊销", 3), ("注销", 3.5), ("迁出", 1.5))

# fmt: off
TOWN_WORDS = (
    "城关 新华 红旗 龙井 清水 白岩 大坝 沙坝 石门 青龙 黄泥 双龙 高坡 新场 马场 龙场 羊场 "
    "猫场 鸡场 大田 小河 河坝 坪坝 新店 长坡 三合 两河 桥头 平寨 松林 岩脚 大湾 水口 中坝 安场 "
    "茶园 花桥 新民 和平 团结 龙潭 凉水 石板 田坝 兴隆 永安 太平 金竹 麻园 白泥 营盘 观音"
).split()
ROAD_WORDS = (
    "人民 中山 解放 延安 幸福 文化 建设 新华 北京 上海 迎宾 滨河 环城 工业 兴业 开发 "
    "光明 朝阳 黔灵 阳明 龙泉 南湖 东风 友谊 和谐 学府 创业 金融 园区 长征 育才 民主"
).split()
# The trade names (字号) that recur all over the province; also used by the demo generator.
POPULAR_TRADE_NAMES = tuple(dict.fromkeys((
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
# Characters of the long tail of trade names: two or three of them, e.g. 铭浩, 黔润昌.
TRADE_CHARS = tuple(dict.fromkeys(
    "金鑫华宏恒永兴盛天瑞润佳嘉顺福泰安长东中新大万同合和祥吉德仁信博卓远亿开凯龙凤飞腾丰聚"
    "汇银宇科正广国宝乾坤鼎巨鹏伟富旺欣荣茂春朝旭晨曙星明光阳红山峰磊黔筑贵林森绿蓝碧清青紫"
    "云海江河湖泉源石铭创智力众诚捷达通航乐康健美雅尚优品惠益利民启辉耀煌昌隆弘鸿洪伦俊豪杰"
    "昊昱晟昶烨炜骏驰胜威雄英秀慧泽浩涛沛溢锦绣彩丽盈誉景致睿哲思文武勤钧锐铁钢川岭松柏竹梅"
    "兰菊桂枫杉桦玉琦瑜璟琪珑翔鹤鸣雁凌霄宸轩恺悦怡然逸帆舟远途路桥城邦郡府苑庭鹰麒麟骐骥"
))
# Surnames with rough weights (national frequency, nudged for Guizhou: 杨 吴 龙 罗 田 潘 石 韦 ...).
SURNAMES = (
    ("王", 80), ("李", 75), ("张", 70), ("刘", 55), ("陈", 50), ("杨", 60), ("黄", 25),
    ("赵", 25), ("吴", 30), ("周", 23), ("徐", 18), ("孙", 15), ("马", 15), ("朱", 15),
    ("胡", 15), ("郭", 14), ("何", 13), ("罗", 14), ("高", 12), ("林", 12), ("龙", 12),
    ("田", 10), ("潘", 8), ("石", 8), ("谢", 8), ("宋", 7), ("唐", 8), ("韩", 6), ("冯", 6),
    ("邓", 8), ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("蔡", 5), ("袁", 6), ("许", 5),
    ("熊", 6), ("蒋", 5), ("余", 5), ("杜", 4), ("叶", 4), ("程", 4), ("魏", 4), ("谭", 4),
    ("雷", 4), ("沈", 4), ("韦", 3), ("向", 3), ("付", 3), ("廖", 3), ("邹", 3), ("夏", 3),
    ("钟", 3), ("陆", 3), ("汪", 3), ("范", 3), ("苏", 3), ("吕", 3), ("丁", 3), ("任", 3),
    ("姚", 3), ("卢", 3), ("姜", 3), ("冉", 2), ("蒙", 2), ("覃", 2), ("聂", 2), ("安", 2),
    ("侯", 2), ("崔", 2), ("金", 2), ("岑", 1), ("穆", 1), ("申", 1), ("欧阳", 0.5),
    ("令狐", 0.3),
)
GIVEN_CHARS = tuple(dict.fromkeys(
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰文辉建国红林波斌宇浩凯鹏俊峰琳婷雪梅莉飞"
    "鑫海东志永成德福荣贵兴昌发江云春燕庆学松家佳欣怡晨阳龙光亮忠诚祥朝和义仁武金秋菊芬琴丹萍"
    "蓉倩颖瑶彬翔宏毅坤锋锐健鸣进清顺安乐正开元富才邦勤友岚璐晓"
))
# fmt: on


def expand(items: Sequence[T], weights: Sequence[float], bits: int) -> list[T]:
    """Lookup table of ``2**bits`` slots: ``table[getrandbits(bits)]`` is a weighted draw.

    >>> expand("ab", [3, 1], 2)
    ['a', 'a', 'a', 'b']
    """
    size = 1 << bits
    cum = list(accumulate(weights))
    total = cum[-1]
    last = len(items) - 1
    return [items[min(bisect_right(cum, (j + 0.5) * total / size), last)] for j in range(size)]


_ETHNIC = r"(?:(?:布依|苗|侗|仡佬|彝|回|土家|水)族)+"
_AUTONOMOUS = re.compile(rf"^(.+?){_ETHNIC}自治([县州])$")


def place_ladder(name: str) -> tuple[str, ...]:
    """The ways a place name is written, longest first, each step dropping more.

    >>> place_ladder("威宁彝族回族苗族自治县")
    ('威宁彝族回族苗族自治县', '威宁县', '威宁')
    >>> place_ladder("六枝特区"), place_ladder("贵州省"), place_ladder("金沙县")
    (('六枝特区', '六枝'), ('贵州省', '贵州'), ('金沙县', '金沙'))
    """
    m = _AUTONOMOUS.match(name)
    if m:
        return (name, m.group(1) + m.group(2), m.group(1))
    if name.endswith("特区"):
        return (name, name[:-2])
    if len(name) > 2 and name[-1] in "省市县区州":
        return (name, name[:-1])
    return (name,)


# Full-width forms U+FF01..U+FF5E of printable ASCII, and the ideographic space U+3000.
_FULLWIDTH = {cp: cp + 0xFEE0 for cp in range(0x21, 0x7F)} | {0x20: 0x3000}


def to_fullwidth(text: str) -> str:
    """Replace printable ASCII by its full-width form, as typed with a Chinese IME in SBC mode."""
    return text.translate(_FULLWIDTH)


@functools.cache
def _s2t() -> OpenCC:
    from opencc import OpenCC

    return OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Convert simplified to traditional Chinese with OpenCC (``s2t``).

    >>> to_traditional("遵义市宏达煤业有限责任公司")
    '遵義市宏達煤業有限責任公司'
    """
    result: str = _s2t().convert(text)
    return result


@functools.cache
def homophones() -> dict[str, tuple[str, ...]]:
    """Map each GB 2312 character to the common characters with the same toneless pinyin.

    The candidates are GB 2312 level 1 (3,755 characters, those a pinyin input method offers
    first); tones are ignored because pinyin IMEs ignore them. Built once, on first use.

    >>> "新" in homophones()["鑫"] and "鑫" not in homophones()["鑫"]
    True
    """
    from pypinyin import Style, lazy_pinyin

    chars: list[str] = []
    level1 = 0
    for hi in range(0xB0, 0xF8):  # GB 2312 rows 16-55 are level 1, rows 56-87 level 2
        if hi == 0xD8:
            level1 = len(chars)
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    syllables = lazy_pinyin(chars, style=Style.NORMAL)
    common: dict[str, list[str]] = {}
    for ch, syllable in zip(chars[:level1], syllables, strict=False):
        common.setdefault(syllable, []).append(ch)
    table: dict[str, tuple[str, ...]] = {}
    for ch, syllable in zip(chars, syllables, strict=True):
        candidates = tuple(c for c in common.get(syllable, ()) if c != ch)
        if candidates:
            table[ch] = candidates
    return table


# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------

#: A place as written in a name: its ladder (see :func:`place_ladder`) and the rung used.
Place = tuple[tuple[str, ...], int]
PROVINCE = ("贵州省", "贵州")
_PREFIX_BITS = 5


class County:
    """A county-level division with its name prefixes, towns and industry mix."""

    __slots__ = ("code", "pref_code", "ladder", "pref_ladder", "towns", "industries",
                 "county_prefixes", "pref_prefixes", "position")  # fmt: skip

    def __init__(self, code: str, name: str, pref_code: str, pref_name: str, position: int):
        self.code, self.pref_code, self.position = code, pref_code, position
        self.ladder = cl = place_ladder(name)
        self.pref_ladder = pl = place_ladder(pref_name)
        town_rng = random.Random(f"towns:{code}")  # the same towns whatever the seed
        words = town_rng.sample(TOWN_WORDS, 9)
        suffixes = ("街道", "街道", "镇", "镇", "镇", "镇", "镇", "乡", "乡")
        towns = [w + s for w, s in zip(words, suffixes, strict=True)]
        towns.append(cl[-1] + ("经济开发区" if town_rng.random() < 0.5 else "工业园区"))
        self.towns = tuple(towns) + REAL_TOWNS.get(code, ()) * 2
        bias = dict(INDUSTRY_BIAS.get(pref_code, {}))
        for ind, factor in INDUSTRY_BIAS.get(code, {}).items():
            bias[ind] = bias.get(ind, 1.0) * factor
        self.industries = expand(
            INDUSTRIES, [i.weight * bias.get(i.code, 1) for i in INDUSTRIES], 10
        )
        # How a county-registered enterprise writes its place (the registering authority's).
        prov, pref, cty = (PROVINCE, 0), (pl, 0), (cl, 0)
        options: list[tuple[tuple[Place, ...], float]]
        if name.endswith("区") and not name.endswith("特区"):  # a district rarely stands alone
            options = [((pref, cty), 55), (((pl, len(pl) - 1), cty), 20), ((prov, pref, cty), 15),
                       ((cty,), 10)]  # fmt: skip
        else:
            options = [((cty,), 50), ((prov, cty), 20), (((PROVINCE, 1), (cl, len(cl) - 1)), 15),
                       ((pref, cty), 5)]  # fmt: skip
            if len(cl) == 3:  # 威宁彝族回族苗族自治县 is often registered as 威宁县
                options.append((((cl, 1),), 25))
        self.county_prefixes = expand([o for o, _ in options], [w for _, w in options], 5)
        self.pref_prefixes = expand([(pref,), ((pl, 1),)], [55, 45], _PREFIX_BITS)


PROVINCE_PREFIXES = expand([((PROVINCE, 1),), ((PROVINCE, 0),)], [80, 20], _PREFIX_BITS)


def load_counties(path: str | PathLike[str]) -> tuple[list[County], list[float]]:
    """Read a ``code,name,level,parent_code`` division CSV; return counties and their weights.

    A county's weight is its prefecture's share of enterprises split among its counties
    (districts and county-level cities count more than rural and autonomous counties).
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]
    names = {r["code"]: r["name"] for r in rows}
    counties: list[County] = []
    raw: list[float] = []
    for r in rows:
        if r["level"] != "county" or r["parent_code"] not in names:
            continue
        counties.append(County(r["code"], r["name"], r["parent_code"], names[r["parent_code"]],
                               len(counties)))  # fmt: skip
        default = 1.2 if r["name"].endswith("自治县") else 3.0 if r["name"][-1] in "区市" else 1.8
        raw.append(COUNTY_WEIGHT.get(r["code"], default))
    if not counties:
        raise ValueError(f"{path}: no county-level divisions with a known parent")
    totals: dict[str, float] = {}
    for c, w in zip(counties, raw, strict=True):
        totals[c.pref_code] = totals.get(c.pref_code, 0) + w
    weights = [PREFECTURE_WEIGHT.get(c.pref_code, 5) * w / totals[c.pref_code]
               for c, w in zip(counties, raw, strict=True)]  # fmt: skip
    return counties, weights


# --------------------------------------------------------------------------------------------
# Mutations: how another system writes the same thing
# --------------------------------------------------------------------------------------------


def vary_places(places: tuple[Place, ...], rnd: Callable[[], float]) -> tuple[Place, ...]:
    """Drop or shorten the place prefix of a name (遵义市 → 遵义 → none).

    >>> vary_places(((("遵义市", "遵义"), 0),), lambda: 0.5)
    ((('遵义市', '遵义'), 1),)
    """
    u = rnd()
    if u < 0.35 or not places:
        return ()
    if u < 0.7:  # every place at its shortest: 黔南布依族苗族自治州 → 黔南, 贵州省仁怀市 → 贵州仁怀
        return tuple((ladder, len(ladder) - 1) for ladder, _ in places)
    if u < 0.85:  # the province dropped, or added by whoever typed it
        if places[0][0] is PROVINCE:
            return places[1:]
        return ((PROVINCE, int(rnd() * 2)), *places)
    ladder, rung = places[-1]  # only the most local place, one step shorter
    return ((ladder, min(rung + 1, len(ladder) - 1)),)


_FORM_VARIANTS = {"有限公司": "有限责任公司", "有限责任公司": "有限公司",
                  "股份有限公司": "股份公司", "专业合作社": "农民专业合作社",
                  "农民专业合作社": "专业合作社"}  # fmt: skip
_GROUP_VARIANTS = {"（集团）": ("集团", "(集团)"), "集团": ("（集团）", "(集团)")}


def vary_form(group: str, form: str, rnd: Callable[[], float]) -> tuple[str, str]:
    """Rewrite the organisation form (有限公司 ↔ 有限责任公司, （集团） → 集团), or drop it.

    >>> vary_form("（集团）", "有限公司", lambda: 0.5)
    ('集团', '有限责任公司')
    """
    if group in _GROUP_VARIANTS:
        group = _GROUP_VARIANTS[group][int(rnd() < 0.3)]
    if form in _FORM_VARIANTS:
        form = "" if rnd() < 0.15 and form.endswith("公司") else _FORM_VARIANTS[form]
    return group, form


def homophone_typo(text: str, rnd: Callable[[], float]) -> str:
    """Replace one character by a same-pinyin one, as picked from a pinyin IME's candidates.

    >>> homophone_typo("宏达", lambda: 0.0)
    '轰达'
    """
    table = homophones()
    positions = [k for k, ch in enumerate(text) if ch in table]
    if not positions:
        return text
    k = positions[int(rnd() * len(positions))]
    candidates = table[text[k]]
    return text[:k] + candidates[int(rnd() * len(candidates))] + text[k + 1 :]


# Characters that people and OCR confuse; the letters I, O, S, Z are not in the USCC charset.
_CONFUSABLE = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "B": "8", "D": "0"}
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_typo(code: str, rnd: Callable[[], float]) -> str:
    """Mistype one character of an 18-character code, so that its check fails.

    A substitution or a transposition of two different neighbours always breaks the GB 32100
    check (its weights are non-zero modulo the prime 31); a confusable letter (O for 0) also
    breaks the format.

    >>> uscc_typo("9152000071430580XT", lambda: 0.0)
    '1952000071430580XT'
    """
    k = int(rnd() * (len(code) - 1))
    if rnd() < 0.2 and code[k] != code[k + 1]:
        return code[:k] + code[k + 1] + code[k] + code[k + 2 :]
    old = code[k]
    if old in _CONFUSABLE and rnd() < 0.5:
        new = _CONFUSABLE[old]
    else:
        new = USCC_CHARS[(USCC_CHARS.index(old) + 1 + int(rnd() * 30)) % 31]
    return code[:k] + new + code[k + 1 :]


def reformat_phone(phone: str, rnd: Callable[[], float]) -> str:
    """Write a ``0851-86541234`` or ``13812345678`` number another way.

    >>> reformat_phone("0851-86541234", lambda: 0.3), reformat_phone("13812345678", lambda: 0.9)
    ('(0851)86541234', '+8613812345678')
    """
    k = int(rnd() * 4)
    if "-" in phone:
        area, local = phone.split("-", 1)
        return (area + local, f"({area}){local}", f"{area} {local}", local)[k]
    p = phone
    return (f"{p[:3]}-{p[3:7]}-{p[7:]}", f"{p[:3]} {p[3:7]} {p[7:]}", "+86 " + p, "+86" + p)[k]


_ZH_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """第一 … 第九十九, as in 第二分厂.

    >>> chinese_ordinal(2), chinese_ordinal(10), chinese_ordinal(23)
    ('第二', '第十', '第二十三')
    """
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _ZH_DIGITS[tens] + "十"
    return "第" + head + (_ZH_DIGITS[ones] if ones else "")


# --------------------------------------------------------------------------------------------
# Draws: deterministic hashing and permutations, people, streets, phones, trade names
# --------------------------------------------------------------------------------------------

USCC_ERA = date(2015, 10, 1).toordinal()  # 三证合一: USCCs with "MA" bodies from 2015-10-01 [R]
LAST_DAY = date(2025, 12, 31).toordinal()
# Registration years: older polluters dominate, so about 60 % registered before 三证合一.
YEARS = tuple((y, 1.5 if y < 2000 else 2.5 if y < 2010 else 3.5 if y < 2015 else 4.0)
              for y in range(1990, 2026))  # fmt: skip
B31_3 = tuple("".join(t) for t in product(USCC_CHARS, repeat=3))  # 29,791 triples
_MOBILE = tuple("130 131 132 133 135 136 137 138 139 150 151 152 155 157 158 159 166 170 173 "
                "176 177 180 181 182 183 185 186 187 188 189 191 198 199".split())  # fmt: skip
_EXTRAS = expand(("", "附1号", "附2号", "1栋", "2栋", "3楼", "综合楼"), (85, 3, 2, 3, 2, 3, 2), 7)
_SURNAME_TABLE = expand([s for s, _ in SURNAMES], [w for _, w in SURNAMES], 12)
_M64 = (1 << 64) - 1


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a well-spread 64-bit hash of an integer.

    >>> mix64(1) != mix64(2) and 0 <= mix64(1) < 2**64
    True
    """
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def cut(rate: float) -> int:
    """The 64-bit threshold below which a :func:`mix64` hash falls with probability `rate`."""
    return int(rate * (1 << 64))


class Affine:
    """A bijection of ``range(n)``: ``x -> (a*x + b) mod n`` with ``gcd(a, n) = 1``.

    >>> p = Affine(10, random.Random(1))
    >>> sorted(p(x) for x in range(10)) == list(range(10))
    True
    """

    __slots__ = ("n", "a", "b")

    def __init__(self, n: int, rng: random.Random) -> None:
        self.n = max(n, 1)
        a = rng.randrange(self.n // 3, self.n) if self.n > 3 else 1
        while gcd(a, self.n) != 1:
            a += 1
        self.a, self.b = a, rng.randrange(self.n)

    def __call__(self, x: int) -> int:
        return (self.a * x + self.b) % self.n


def person(rng: random.Random) -> str:
    """A Chinese personal name: surname and one or two given characters."""
    rnd = rng.random
    name = _SURNAME_TABLE[rng.getrandbits(12)] + GIVEN_CHARS[int(rnd() * len(GIVEN_CHARS))]
    return name + GIVEN_CHARS[int(rnd() * len(GIVEN_CHARS))] if rnd() < 0.75 else name


def street(rng: random.Random) -> str:
    """The part of an address after the town: 人民路123号, 龙井村8号, 45号附1号."""
    rnd = rng.random
    r = rnd()
    if r < 0.55:
        road = ROAD_WORDS[int(rnd() * len(ROAD_WORDS))] + ("路" if rnd() < 0.8 else "大道")
    else:
        road = TOWN_WORDS[int(rnd() * len(TOWN_WORDS))] + "村" if r < 0.8 else ""
    return f"{road}{1 + int(rnd() * rnd() * 400)}号{_EXTRAS[rng.getrandbits(7)]}"


def phone(rng: random.Random) -> str:
    """A Guizhou landline (one area code, 0851, since 2015) or a mobile number."""
    if rng.random() < 0.45:
        return f"0851-{2 + rng.getrandbits(16) % 7}{rng.getrandbits(24) % 10**7:07d}"
    return _MOBILE[rng.getrandbits(10) % len(_MOBILE)] + f"{rng.getrandbits(27) % 10**8:08d}"


def trade_name(rnd: Callable[[], float], popular: float) -> str:
    """A trade name (字号): a popular one at rate `popular`, else two or three characters."""
    if rnd() < popular:
        return POPULAR_TRADE_NAMES[int(rnd() * len(POPULAR_TRADE_NAMES))]
    n = len(TRADE_CHARS)
    a, b = int(rnd() * n), int(rnd() * (n - 1))
    name = TRADE_CHARS[a] + TRADE_CHARS[b + (b >= a)]  # two different characters
    return name + TRADE_CHARS[int(rnd() * n)] if rnd() < 0.3 else name


def abbreviate_address(
    pref: tuple[str, ...], county: tuple[str, ...], town: str, tail: str, rnd: Callable[[], float]
) -> str:
    """An address without the province, and maybe without prefecture, county or town.

    >>> abbreviate_address(("遵义市", "遵义"), ("仁怀市", "仁怀"), "茅台镇", "1号", lambda: 0.9)
    '遵义市仁怀市茅台镇1号'
    """
    head = "" if rnd() < 0.5 else pref[-1 if rnd() < 0.4 else 0]
    head += "" if rnd() < 0.25 else county[-1 if rnd() < 0.3 else 0]
    return head + ("" if rnd() < 0.3 else town) + tail
