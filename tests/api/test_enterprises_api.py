"""Enterprises through the HTTP stack: creation, validation, errors, access, concurrency."""

from __future__ import annotations

import pytest

from casemgr.policy import Role
from tests.factories import EnterpriseFactory, SourceFactory, uscc_for

MOUTAI = "9152000071430580XT"


def _new(uscc: str = MOUTAI, county: str = "520382", **extra):
    return {"uscc": uscc, "name": "贵州茅台酒股份有限公司", "county_code": county, **extra}


def test_creating_an_enterprise_with_a_valid_uscc_succeeds(client, auth):
    login = auth.login(Role.OFFICER, jurisdictions=("520382",))
    resp = client.post(
        "/api/v1/enterprises",
        json=_new(
            industry_code="C1512",
            aliases=[{"kind": "org_code", "value": "71430580X"}],
            former_names=[{"name": "中国贵州茅台酒厂", "valid_to": "1999-11-20"}],
        ),
        headers=login.headers,
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["uscc"] == MOUTAI
    assert body["uscc_status"] == "ok"
    assert body["aliases"] == [{"kind": "org_code", "value": "71430580-X"}]
    assert body["former_names"][0]["name"] == "中国贵州茅台酒厂"
    assert resp.headers["ETag"] == '"v1"'


def test_a_wrong_check_character_gets_422_naming_the_expected_one(client, auth):
    login = auth.login(Role.OFFICER)
    resp = client.post(
        "/api/v1/enterprises", json=_new("91520000714308124W"), headers=login.headers
    )
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
    assert "“D”" in body["message"]  # GB 32100 check character for these 17 characters
    assert "uscc" in body["errors"]


def test_a_wrong_final_check_character_names_it(client, auth):
    login = auth.login(Role.OFFICER)
    bad = MOUTAI[:17] + "A"
    resp = client.post("/api/v1/enterprises", json=_new(bad), headers=login.headers)
    assert resp.status_code == 422
    assert "“T”" in resp.get_json()["message"]


def test_an_overridden_code_is_accepted_and_flagged(client, auth):
    admin = auth.login(Role.ADMIN)
    anomaly = "91350203M0001QAY9B"
    resp = client.post("/api/v1/enterprises", json=_new(anomaly, "520102"), headers=admin.headers)
    assert resp.status_code == 422
    resp = client.post(
        "/api/v1/uscc-overrides",
        json={"uscc": anomaly, "reason": "营业执照原件核验，登记机关确认", "evidence": "扫描件"},
        headers=admin.headers,
    )
    assert resp.status_code == 201, resp.get_json()
    resp = client.post("/api/v1/enterprises", json=_new(anomaly, "520102"), headers=admin.headers)
    assert resp.status_code == 201
    assert resp.get_json()["uscc_status"] == "override"


def test_only_administrators_may_override(client, auth):
    officer = auth.login(Role.OFFICER)
    resp = client.post(
        "/api/v1/uscc-overrides",
        json={"uscc": "91350203M0001QAY9B", "reason": "need it"},
        headers=officer.headers,
    )
    assert resp.status_code == 403


def test_malformed_json_is_400(client, auth):
    login = auth.login(Role.OFFICER)
    resp = client.post(
        "/api/v1/enterprises",
        data='{"uscc": ',
        headers={**login.headers, "Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    body = resp.get_json()
    assert set(body) >= {"code", "status", "message"}


def test_unknown_and_invalid_fields_are_422_naming_each_field(client, auth):
    login = auth.login(Role.OFFICER)
    resp = client.post(
        "/api/v1/enterprises",
        json={"uscc": MOUTAI, "name": "", "county_code": "52", "bogus": 1, "status": "alive"},
        headers=login.headers,
    )
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert {"name", "county_code", "bogus", "status"} <= set(errors)


def test_a_body_over_the_limit_is_413(client, auth):
    login = auth.login(Role.OFFICER)
    resp = client.post(
        "/api/v1/enterprises",
        json=_new(address="贵" * 70_000),
        headers=login.headers,
    )
    assert resp.status_code == 413
    assert resp.get_json()["code"] == 413


def test_missing_token_is_401_with_json(client):
    resp = client.get("/api/v1/enterprises")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert resp.get_json()["code"] == 401


def test_an_unknown_county_is_422(client, auth):
    login = auth.login(Role.OFFICER)
    resp = client.post("/api/v1/enterprises", json=_new(county="520100"), headers=login.headers)
    assert resp.status_code == 422
    assert "county_code" in resp.get_json()["errors"]


def test_registering_the_same_uscc_twice_is_409(client, auth):
    login = auth.login(Role.OFFICER)
    assert client.post("/api/v1/enterprises", json=_new(), headers=login.headers).status_code == 201
    resp = client.post("/api/v1/enterprises", json=_new(), headers=login.headers)
    assert resp.status_code == 409


class TestJurisdiction:
    def test_an_officer_cannot_read_or_change_another_countys_enterprise(self, client, auth):
        foreign = EnterpriseFactory(county_code="520102")
        auth.session.commit()
        officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
        assert (
            client.get(f"/api/v1/enterprises/{foreign.id}", headers=officer.headers).status_code
            == 403
        )
        resp = client.patch(
            f"/api/v1/enterprises/{foreign.id}",
            json={"address": "改"},
            headers={**officer.headers, "If-Match": '"v1"'},
        )
        assert resp.status_code == 403

    def test_an_officer_cannot_register_in_another_county(self, client, auth):
        officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
        resp = client.post(
            "/api/v1/enterprises", json=_new(county="520102"), headers=officer.headers
        )
        assert resp.status_code == 403

    def test_search_only_returns_the_officers_counties(self, client, auth):
        EnterpriseFactory.create_batch(3, county_code="520382")
        EnterpriseFactory.create_batch(2, county_code="520102")
        auth.session.commit()
        officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
        body = client.get("/api/v1/enterprises", headers=officer.headers).get_json()
        assert body["total"] == 3
        assert {e["county_code"] for e in body["items"]} == {"520382"}

    def test_a_prefecture_scope_covers_its_counties(self, client, auth):
        EnterpriseFactory(county_code="520382")  # 仁怀, in 遵义 520300
        EnterpriseFactory(county_code="520102")
        auth.session.commit()
        head = auth.login(Role.BUREAU_HEAD, jurisdictions=("520300",))
        body = client.get("/api/v1/enterprises", headers=head.headers).get_json()
        assert [e["county_code"] for e in body["items"]] == ["520382"]

    def test_the_guian_unit_covers_its_overlapping_counties(self, client, auth):
        inside = EnterpriseFactory(county_code="520181")  # 清镇
        EnterpriseFactory(county_code="520382")
        auth.session.commit()
        officer = auth.login(Role.OFFICER, jurisdictions=("GA0001",))
        body = client.get("/api/v1/enterprises", headers=officer.headers).get_json()
        assert [e["id"] for e in body["items"]] == [inside.id]


class TestOptimisticConcurrency:
    def _setup(self, client, auth):
        login = auth.login(Role.OFFICER)
        ent = client.post("/api/v1/enterprises", json=_new(), headers=login.headers).get_json()
        return login, ent

    def test_update_without_if_match_is_428(self, client, auth):
        login, ent = self._setup(client, auth)
        resp = client.patch(
            f"/api/v1/enterprises/{ent['id']}", json={"address": "x"}, headers=login.headers
        )
        assert resp.status_code == 428

    def test_a_stale_update_is_412_and_changes_nothing(self, client, auth):
        login, ent = self._setup(client, auth)
        url = f"/api/v1/enterprises/{ent['id']}"
        first = client.patch(
            url,
            json={"address": "贵州省仁怀市茅台镇1号"},
            headers={**login.headers, "If-Match": '"v1"'},
        )
        assert first.status_code == 200 and first.headers["ETag"] == '"v2"'
        stale = client.patch(
            url, json={"address": "lost write"}, headers={**login.headers, "If-Match": '"v1"'}
        )
        assert stale.status_code == 412
        assert (
            client.get(url, headers=login.headers).get_json()["address"] == "贵州省仁怀市茅台镇1号"
        )

    def test_renaming_keeps_the_former_name(self, client, auth):
        login, ent = self._setup(client, auth)
        url = f"/api/v1/enterprises/{ent['id']}"
        resp = client.patch(
            url,
            json={"name": "贵州茅台酒业集团", "renamed_on": "2026-01-01"},
            headers={**login.headers, "If-Match": '"v1"'},
        )
        assert resp.status_code == 200
        body = resp.get_json()
        assert body["name"] == "贵州茅台酒业集团"
        assert body["former_names"] == [
            {"name": "贵州茅台酒股份有限公司", "valid_to": "2026-01-01"}
        ]


class TestSearch:
    @pytest.fixture
    def data(self, auth):
        a = EnterpriseFactory(
            name="贵州宏达煤业有限公司", county_code="520281", industry_code="B0610"
        )
        b = EnterpriseFactory(
            name="遵义金鼎化工有限公司", county_code="520382", industry_code="C2611"
        )
        c = EnterpriseFactory(
            name="凯里绿源污水处理有限公司", county_code="522601", industry_code="D4620"
        )
        SourceFactory(enterprise=b, basin_code="chishui")
        SourceFactory(enterprise=c, basin_code="yuan")
        auth.session.commit()
        return a, b, c

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("q=煤业", [0]),
            ("q=化工", [1]),
            ("county=520300", [1]),
            ("county=520281", [0]),
            ("industry=C26", [1]),
            ("industry=D", [2]),
            ("basin=chishui", [1]),
            ("basin=yuan&county=522600", [2]),
            ("q=有限公司&sort=-name", [1, 0, 2]),  # code-point order: 遵 > 贵 > 凯
        ],
    )
    def test_filters(self, client, auth, data, query, expected):
        login = auth.login(Role.CREDIT_REGULATOR)
        body = client.get(f"/api/v1/enterprises?{query}", headers=login.headers).get_json()
        assert [e["id"] for e in body["items"]] == [data[i].id for i in expected]

    def test_uscc_and_alias_lookup(self, client, auth, data):
        login = auth.login(Role.CREDIT_REGULATOR)
        uscc = data[1].uscc
        for query in (f"q={uscc}", f"uscc={uscc}", f"q={uscc.lower()}"):
            body = client.get(f"/api/v1/enterprises?{query}", headers=login.headers).get_json()
            assert [e["id"] for e in body["items"]] == [data[1].id], query

    def test_former_names_are_searched(self, client, auth):
        login = auth.login(Role.OFFICER)
        ent = client.post("/api/v1/enterprises", json=_new(), headers=login.headers).get_json()
        client.patch(
            f"/api/v1/enterprises/{ent['id']}",
            json={"name": "新名称有限公司"},
            headers={**login.headers, "If-Match": '"v1"'},
        )
        body = client.get("/api/v1/enterprises?q=茅台酒", headers=login.headers).get_json()
        assert [e["id"] for e in body["items"]] == [ent["id"]]

    def test_pagination(self, client, auth):
        EnterpriseFactory.create_batch(25)
        auth.session.commit()
        login = auth.login(Role.CREDIT_REGULATOR)
        p1 = client.get("/api/v1/enterprises?per_page=10", headers=login.headers).get_json()
        p3 = client.get("/api/v1/enterprises?per_page=10&page=3", headers=login.headers).get_json()
        assert (p1["total"], p1["pages"], p1["total_exact"]) == (25, 3, True)
        assert len(p1["items"]) == 10 and len(p3["items"]) == 5
        assert not {e["id"] for e in p1["items"]} & {e["id"] for e in p3["items"]}

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("sort=colour", "sort"),
            ("per_page=0", "per_page"),
            ("county=ZZZZZZ", "county"),
            ("industry=2611", "industry"),
            ("page=abc", "page"),
        ],
    )
    def test_bad_arguments_are_422_naming_the_field(self, client, auth, query, field):
        login = auth.login(Role.CREDIT_REGULATOR)
        resp = client.get(f"/api/v1/enterprises?{query}", headers=login.headers)
        assert resp.status_code == 422
        assert field in resp.get_json()["errors"]


def test_a_prosecutors_read_is_audited(client, auth, session):
    from sqlalchemy import select

    from casemgr.models import AuditEntry

    ent = EnterpriseFactory(county_code="520382")
    session.commit()
    prosecutor = auth.login(Role.PROSECUTOR, jurisdictions=("520300",))
    assert (
        client.get(f"/api/v1/enterprises/{ent.id}", headers=prosecutor.headers).status_code == 200
    )
    reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert [(r.table_name, r.record_key, r.actor_id) for r in reads] == [
        ("enterprises", str(ent.id), prosecutor.user_id)
    ]


def test_unknown_api_route_is_json_404(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.get_json()["code"] == 404


def test_uscc_for_factory_helper_makes_valid_codes():
    from linkage.identifiers import validate_uscc

    assert validate_uscc(uscc_for(12345)).is_valid


def test_messages_follow_the_requested_language(client, auth):
    login = auth.login(Role.OFFICER)
    bad = MOUTAI[:17] + "A"
    zh = client.post("/api/v1/enterprises", json=_new(bad), headers=login.headers).get_json()
    en = client.post("/api/v1/enterprises?lang=en", json=_new(bad), headers=login.headers)
    assert zh["message"].startswith("统一社会信用代码")
    assert en.get_json()["message"].startswith("Invalid Unified Social Credit Code")
    assert "'T'" in en.get_json()["message"]


@pytest.mark.parametrize("where", ["query", "body"])
def test_nul_characters_are_422_naming_the_field(client, auth, where):
    login = auth.login(Role.OFFICER)
    if where == "query":
        resp = client.get("/api/v1/enterprises?q=%00abc", headers=login.headers)
        field = "q"
    else:
        resp = client.post(
            "/api/v1/enterprises", json=_new(address="a\x00b"), headers=login.headers
        )
        field = "address"
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]
