"""Legal bases (法律依据) as data: which law, which articles, what note, rendered per locale.

A rule of the legal clock or a lifecycle guard cites its source as a tuple of
:class:`Citation`. Law names and notes are English msgids marked with ``N_`` whose zh-CN
translations are the Chinese citation; :func:`render_basis` puts them together in the
language of the ``gettext`` it is given, so a Chinese page reads
"《行政处罚法》（2021）第60条；《生态环境行政处罚办法》（2023）第57条（负责人批准）" and an
English page "Administrative Penalty Law (2021) art. 60; Measures for Eco-environmental
Administrative Penalties (2023) art. 57 (agency-head approval)".

Articles are written in a neutral notation: ``"60"``, ``"44, 45"`` (several), ``"63–65"``
(a range), ``"64(2)"`` (article 64, paragraph 2), ``"18(3)"``. A citation marked
``recalled`` is a fact DOMAIN.md tags [R] (not checked against the gazette): it is shown
with "[R]" in both languages.

This module is pure: no Flask. Callers in the web and API layers pass
``flask_babel.gettext``; the identity gives the canonical English text, which is what
databases store beside the rule's code (see :func:`basis_text`).

Examples
--------
>>> basis = (Citation(Law.ADMIN_PENALTY_LAW, "60"), Citation(Law.ADMIN_COERCION_LAW, "54"))
>>> basis_text(basis)
'Administrative Penalty Law (2021) art. 60; Administrative Coercion Law art. 54'
>>> render_basis((Citation(Law.ADMIN_PENALTY_LAW, "64(2)", recalled=True),), lambda s: s)
'Administrative Penalty Law (2021) art. 64(2) [R]'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from casemgr.i18n import N_

__all__ = ["LAW_NAMES", "Basis", "Citation", "Law", "basis_text", "render_articles", "render_basis"]

Gettext = Callable[[str], str]


class Law(StrEnum):
    """A law, regulation, judicial interpretation or normative document the rules cite."""

    ADMIN_PENALTY_LAW = "admin_penalty_law"
    """行政处罚法 (2021 revision)."""
    ECO_PENALTY_MEASURES = "eco_penalty_measures"
    """生态环境行政处罚办法 (MEE Order 30, 2023)."""
    ADMIN_COERCION_LAW = "admin_coercion_law"
    """行政强制法."""
    MEP_ORDER_28 = "mep_order_28"
    """环境保护主管部门实施按日连续处罚办法 (MEP Order 28, 2014)."""
    MEP_ORDER_29 = "mep_order_29"
    """环境保护主管部门实施查封、扣押办法 (MEP Order 29, 2014)."""
    MEP_ORDER_30 = "mep_order_30"
    """环境保护主管部门实施限制生产、停产整治办法 (MEP Order 30, 2014)."""
    ENV_PROTECTION_LAW = "env_protection_law"
    """环境保护法 (2014)."""
    CRIMINAL_LAW = "criminal_law"
    """刑法."""
    CRIMINAL_PROCEDURE_LAW = "criminal_procedure_law"
    """刑事诉讼法 (2018)."""
    CIVIL_PROCEDURE_LAW = "civil_procedure_law"
    """民事诉讼法 (2023)."""
    ADMIN_LITIGATION_LAW = "admin_litigation_law"
    """行政诉讼法."""
    SPC_ADMIN_LITIGATION_INTERPRETATION = "spc_admin_litigation_interpretation"
    """最高人民法院关于适用《中华人民共和国行政诉讼法》的解释 (2018)."""
    ADMIN_RECONSIDERATION_LAW = "admin_reconsideration_law"
    """行政复议法 (2023 revision)."""
    SPC_CIVIL_PROCEDURE_INTERPRETATION = "spc_civil_procedure_interpretation"
    """最高人民法院关于适用《中华人民共和国民事诉讼法》的解释."""
    DETENTION_TRANSFER_MEASURES = "detention_transfer_measures"
    """行政主管部门移送适用行政拘留环境违法案件暂行办法."""
    ENV_CIVIL_PIL_INTERPRETATION = "env_civil_pil_interpretation"
    """最高人民法院关于审理环境民事公益诉讼案件适用法律若干问题的解释 (2020)."""
    PROCURATORATE_PIL_INTERPRETATION = "procuratorate_pil_interpretation"
    """最高人民法院、最高人民检察院关于检察公益诉讼案件适用法律若干问题的解释 (2018)."""
    TRANSFER_PROVISIONS = "transfer_provisions"
    """行政执法机关移送涉嫌犯罪案件的规定 (State Council Order 310, revised 2020)."""
    ENV_LINKAGE_MEASURES = "env_linkage_measures"
    """环境保护行政执法与刑事司法衔接工作办法 (2017)."""
    POLICE_PROCEDURE_PROVISIONS = "police_procedure_provisions"
    """公安机关办理刑事案件程序规定."""
    ECO_DAMAGE_COMPENSATION_RULES = "eco_damage_compensation_rules"
    """生态环境损害赔偿管理规定 (环法规〔2022〕31号)."""
    ECO_DAMAGE_COMPENSATION_OPINION = "eco_damage_compensation_opinion"
    """关于推进生态环境损害赔偿制度改革若干具体问题的意见 (MEE et al., 2020)."""
    SPC_ECO_DAMAGE_COMPENSATION_PROVISIONS = "spc_eco_damage_compensation_provisions"
    """最高人民法院关于审理生态环境损害赔偿案件的若干规定（试行） (2019, amended 2020)."""
    NATIONAL_ENV_EMERGENCY_PLAN = "national_env_emergency_plan"
    """国家突发环境事件应急预案 (2014)."""
    CENTRAL_INSPECTION_PROVISIONS = "central_inspection_provisions"
    """中央生态环境保护督察工作规定 (2019)."""
    INSPECTION_REGULATIONS = "inspection_regulations"
    """生态环境保护督察工作条例 (2025)."""
    SPC_SPP_INCIDENTAL_PIL_REPLY = "spc_spp_incidental_pil_reply"
    """最高人民法院、最高人民检察院关于人民检察院提起刑事附带民事公益诉讼应否履行诉前公告程序问题的批复
    (法释〔2019〕18号)."""
    ENV_CRIME_INTERPRETATION_2016 = "env_crime_interpretation_2016"
    """最高人民法院、最高人民检察院关于办理环境污染刑事案件适用法律若干问题的解释 (法释〔2016〕29号,
    in force 2017-01-01, repealed by 法释〔2023〕7号)."""
    ENV_CRIME_INTERPRETATION_2023 = "env_crime_interpretation_2023"
    """最高人民法院、最高人民检察院关于办理环境污染刑事案件适用法律若干问题的解释 (法释〔2023〕7号,
    in force 2023-08-15)."""
    RANDOM_INSPECTION_NOTICE = "random_inspection_notice"
    """国务院办公厅关于推广随机抽查规范事中事后监管的通知 (国办发〔2015〕58号)."""
    POLLUTION_SOURCE_RANDOM_INSPECTION_PLAN = "pollution_source_random_inspection_plan"
    """环境保护部办公厅关于在污染源日常环境监管领域推广随机抽查制度的实施方案 (环办〔2015〕88号)."""
    ENV_CREDIT_EVALUATION_MEASURES = "env_credit_evaluation_measures"
    """企业环境信用评价办法（试行） (环发〔2013〕150号; MEP, NDRC, PBOC, CBRC)."""
    CREDIT_REPAIR_MEASURES = "credit_repair_measures"
    """国家发展改革委 失信行为纠正后的信用信息修复管理办法 (2023; DOMAIN.md §4.4)."""


# The name of each law as an English msgid; its zh-CN translation in the catalogue is the
# Chinese short title in 《》 (with the year of the version cited where it matters).
LAW_NAMES: Mapping[Law, str] = MappingProxyType(
    {
        Law.ADMIN_PENALTY_LAW: N_("Administrative Penalty Law (2021)"),
        Law.ECO_PENALTY_MEASURES: N_(
            "Measures for Eco-environmental Administrative Penalties (2023)"
        ),
        Law.ADMIN_COERCION_LAW: N_("Administrative Coercion Law"),
        Law.MEP_ORDER_28: N_("Measures for Continuous Daily Penalties (MEP Order 28, 2014)"),
        Law.MEP_ORDER_29: N_("Measures for Seizure and Detention (MEP Order 29, 2014)"),
        Law.MEP_ORDER_30: N_(
            "Measures for Restricting or Suspending Production (MEP Order 30, 2014)"
        ),
        Law.ENV_PROTECTION_LAW: N_("Environmental Protection Law"),
        Law.CRIMINAL_LAW: N_("Criminal Law"),
        Law.CRIMINAL_PROCEDURE_LAW: N_("Criminal Procedure Law (2018)"),
        Law.CIVIL_PROCEDURE_LAW: N_("Civil Procedure Law (2023)"),
        Law.ADMIN_LITIGATION_LAW: N_("Administrative Litigation Law"),
        Law.SPC_ADMIN_LITIGATION_INTERPRETATION: N_(
            "SPC Interpretation of the Administrative Litigation Law (2018)"
        ),
        Law.ADMIN_RECONSIDERATION_LAW: N_("Administrative Reconsideration Law (2023)"),
        Law.SPC_CIVIL_PROCEDURE_INTERPRETATION: N_("SPC Interpretation of the Civil Procedure Law"),
        Law.DETENTION_TRANSFER_MEASURES: N_(
            "Interim Measures for Transferring Environmental Violations for Administrative "
            "Detention"
        ),
        Law.ENV_CIVIL_PIL_INTERPRETATION: N_(
            "SPC Interpretation on Environmental Civil Public Interest Litigation (2020)"
        ),
        Law.PROCURATORATE_PIL_INTERPRETATION: N_(
            "SPC and SPP Interpretation on Procuratorial Public Interest Litigation (2018)"
        ),
        Law.TRANSFER_PROVISIONS: N_(
            "Provisions on the Transfer of Suspected Criminal Cases by Administrative "
            "Law-enforcement Organs (2020)"
        ),
        Law.ENV_LINKAGE_MEASURES: N_(
            "Measures for Linking Environmental Administrative Enforcement and Criminal "
            "Justice (2017)"
        ),
        Law.POLICE_PROCEDURE_PROVISIONS: N_(
            "Provisions on the Procedures of Public Security Organs in Criminal Cases"
        ),
        Law.ECO_DAMAGE_COMPENSATION_RULES: N_(
            "Provisions on the Management of Eco-environmental Damage Compensation (2022)"
        ),
        Law.ECO_DAMAGE_COMPENSATION_OPINION: N_(
            "Opinions on Specific Issues in the Reform of Eco-environmental Damage "
            "Compensation (2020)"
        ),
        Law.SPC_ECO_DAMAGE_COMPENSATION_PROVISIONS: N_(
            "SPC Provisions on Eco-environmental Damage Compensation Cases (2019, amended 2020)"
        ),
        Law.NATIONAL_ENV_EMERGENCY_PLAN: N_("National Environmental Emergency Plan (2014)"),
        Law.CENTRAL_INSPECTION_PROVISIONS: N_(
            "Provisions on Central Eco-environmental Protection Inspections (2019)"
        ),
        Law.INSPECTION_REGULATIONS: N_(
            "Regulations on Eco-environmental Protection Inspections (2025)"
        ),
        Law.SPC_SPP_INCIDENTAL_PIL_REPLY: N_(
            "SPC and SPP Reply on the Pre-suit Announcement in Incidental Civil Public Interest "
            "Litigation (2019)"
        ),
        Law.ENV_CRIME_INTERPRETATION_2016: N_(
            "SPC and SPP Interpretation on Environmental Pollution Crimes (2016)"
        ),
        Law.ENV_CRIME_INTERPRETATION_2023: N_(
            "SPC and SPP Interpretation on Environmental Pollution Crimes (2023)"
        ),
        Law.RANDOM_INSPECTION_NOTICE: N_(
            "State Council General Office Notice on Promoting Random Inspections (2015)"
        ),
        Law.POLLUTION_SOURCE_RANDOM_INSPECTION_PLAN: N_(
            "MEP General Office Plan for Random Inspections of Pollution Sources (2015)"
        ),
        Law.ENV_CREDIT_EVALUATION_MEASURES: N_(
            "Measures for Enterprise Environmental Credit Evaluation (Trial) "
            "(Huanfa [2013] No. 150)"
        ),
        Law.CREDIT_REPAIR_MEASURES: N_(
            "NDRC Measures for Repairing Credit Information after Dishonest Conduct Is "
            "Corrected (2023)"
        ),
    }
)

# The joining words, as msgids so that each locale has its own punctuation.
_ARTICLE = N_("{law} art. {articles}")
_NOTE = N_("{citation} ({note})")
_SEPARATOR = N_("; ")
_RECALLED = N_("{citation} [R]")
_PARAGRAPH = re.compile(r"^(\d+)\((\d+)\)$")


@dataclass(frozen=True, slots=True)
class Citation:
    """One source of a rule: a law, its articles (may be empty) and a note.

    ``note`` is an English msgid marked with ``N_`` (translated when rendered);
    ``recalled`` marks a fact DOMAIN.md tags [R].
    """

    law: Law
    articles: str = ""
    note: str = ""
    recalled: bool = False

    def __post_init__(self) -> None:
        if self.articles and not all(
            re.fullmatch(r"\d+(\(\d+\))?(–\d+)?", part) for part in self.articles.split(", ")
        ):
            raise ValueError(
                f"articles {self.articles!r} of {self.law} is not like '60', "
                "'44, 45', '63–65' or '64(2)'"
            )

    def __str__(self) -> str:
        """The citation in canonical English (what an English log line or message shows)."""
        return _render_one(self, lambda message: message, False)


Basis = tuple[Citation, ...]


def _is_chinese(gettext: Gettext) -> bool:
    return gettext(_ARTICLE) != _ARTICLE


def render_articles(articles: str, *, chinese: bool) -> str:
    """Articles in the reader's notation, without the 第…条 frame of the Chinese line.

    >>> render_articles("44, 45", chinese=True)
    '44、45'
    >>> render_articles("64(2)", chinese=True)
    '64条第2款'
    """
    if not chinese:
        return articles
    parts = []
    for part in articles.split(", "):
        paragraph = _PARAGRAPH.match(part)
        parts.append(f"{paragraph[1]}条第{paragraph[2]}款" if paragraph else part)
    return "、".join(parts)


def _render_one(citation: Citation, gettext: Gettext, chinese: bool) -> str:
    text = gettext(LAW_NAMES[citation.law])
    if citation.articles:
        articles = render_articles(citation.articles, chinese=chinese)
        text = gettext(_ARTICLE).format(law=text, articles=articles)
        if chinese and articles.endswith("款"):
            text = text.removesuffix("条")  # "第64条第2款条" → "第64条第2款"
    if citation.note:
        text = gettext(_NOTE).format(citation=text, note=gettext(citation.note))
    if citation.recalled:
        text = gettext(_RECALLED).format(citation=text)
    return text


def render_basis(basis: Iterable[Citation], gettext: Gettext) -> str:
    """The basis as one line in the language of ``gettext`` (identity: canonical English)."""
    chinese = _is_chinese(gettext)
    return gettext(_SEPARATOR).join(_render_one(c, gettext, chinese) for c in basis)


def basis_text(basis: Iterable[Citation]) -> str:
    """The canonical English line stored beside a rule code (audit rows, old exports)."""
    return render_basis(basis, lambda message: message)
