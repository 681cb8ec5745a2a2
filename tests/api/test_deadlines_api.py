"""Deadlines through the API: the rule's title and legal basis in the request's language, and
the basis as structured citations (law, name, articles, note, [R])."""

from __future__ import annotations

import re

import pytest

from casemgr.models import Deadline
from tests.api.test_cases_api import FILED, _open

DECISION_CITATIONS = {
    "zh": [
        ("admin_penalty_law", "《行政处罚法》（2021）", "60", "", False),
        (
            "eco_penalty_measures",
            "《生态环境行政处罚办法》（2023）",
            "57",
            "中止、听证、公告、监测或者检测、评估、鉴定、认定、送达等期间不计入",
            False,
        ),
        (
            "env_linkage_measures",
            "《环境保护行政执法与刑事司法衔接工作办法》（2017）",
            "16",
            "移送涉嫌犯罪案件期间不计入",
            False,
        ),
    ],
    "en": [
        ("admin_penalty_law", "Administrative Penalty Law (2021)", "60", "", False),
        (
            "eco_penalty_measures",
            "Measures for Eco-environmental Administrative Penalties (2023)",
            "57",
            "suspension, hearing, public notice, monitoring or testing, assessment, appraisal, "
            "identification and service time excluded",
            False,
        ),
        (
            "env_linkage_measures",
            "Measures for Linking Environmental Administrative Enforcement and Criminal Justice "
            "(2017)",
            "16",
            "time with a criminal transfer pending excluded",
            False,
        ),
    ],
}
DECISION_TITLE = {"zh": "作出处罚决定期限", "en": "Time limit for the penalty decision"}
_CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _board(client, login, language):
    resp = client.get(
        "/api/v1/deadlines",
        query_string={"rule_code": "admin.decision"},
        headers={**login.headers, "Accept-Language": language},
    )
    assert resp.status_code == 200, resp.get_json()
    (item,) = resp.get_json()["items"]
    return item


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_board_gives_title_basis_and_citations_in_the_requested_language(
    client, world, language
):
    case = _open(client, world)
    case.step(world["head"], "file", on=FILED.isoformat())
    item = _board(client, world["head"], "zh-CN" if language == "zh" else "en")
    assert item["title"] == DECISION_TITLE[language]
    cited = [
        (c["law"], c["law_name"], c["articles"], c["note"], c["recalled"])
        for c in item["citations"]
    ]
    assert cited == DECISION_CITATIONS[language]
    for _, name, articles, note, _ in cited:
        assert name in item["basis"] and articles in item["basis"] and note in item["basis"]
    if language == "en":
        assert _CJK.search(item["basis"]) is None and _CJK.search(item["title"]) is None
    else:
        assert re.search("[A-Za-z]", item["basis"] + item["title"]) is None


def test_a_case_lists_its_deadlines_with_their_citations(client, world):
    case = _open(client, world)
    resp = client.get(case.url, headers={**world["officer"].headers, "Accept-Language": "en"})
    (filing,) = resp.get_json()["deadlines"]
    assert filing["title"] == "Time limit for the filing review"
    assert filing["citations"] == [
        {
            "law": "eco_penalty_measures",
            "law_name": "Measures for Eco-environmental Administrative Penalties (2023)",
            "articles": "18",
            "note": "counted from the discovery of the lead or the receipt of the materials",
            "recalled": True,
        }
    ]
    assert filing["basis"].endswith("[R]")


def test_a_deadline_of_an_unknown_rule_keeps_its_stored_text(client, world, session):
    case = _open(client, world)
    row = session.get(Deadline, case.body["deadlines"][0]["id"])
    row.rule_code, row.title, row.basis = "admin.retired_rule", "旧规则期限", "某旧办法 art. 9"
    session.commit()
    body = case.reload(world["officer"])
    (item,) = body["deadlines"]
    assert (item["title"], item["basis"], item["citations"]) == (
        "旧规则期限",
        "某旧办法 art. 9",
        [],
    )


def test_the_openapi_document_describes_the_citations(client):
    spec = client.get("/api/openapi.json").get_json()
    deadline = spec["components"]["schemas"]["Deadline"]["properties"]
    assert deadline["citations"]["type"] == "array"
    citation = spec["components"]["schemas"]["Citation"]["properties"]
    assert set(citation) == {"law", "law_name", "articles", "note", "recalled"}
