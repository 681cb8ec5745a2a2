"""The enterprise graph through HTTP: related parties, connections, groups, what each caller
may see, and every error status."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from casemgr.models import AuditEntry, GraphEdge, GraphNode
from casemgr.policy import Role
from tests.factories import EnterpriseFactory

RENHUAI, NANMING = "520382", "520102"
MOBILE = "13800000001"


@pytest.fixture
def web(session):
    """A and B (仁怀) share a legal representative; A and C (南明) a mobile phone; C and D
    (南明) a legal representative; B owns 60 % of E (仁怀)."""
    a, b, e = (EnterpriseFactory(county_code=RENHUAI) for _ in range(3))
    c, d = (EnterpriseFactory(county_code=NANMING) for _ in range(2))
    session.flush()
    nodes = {
        "zhang": GraphNode(kind="person", key="张三|ent:1", label="张三", degree=2),
        "wang": GraphNode(kind="person", key="王五|ent:2", label="王五", degree=2),
        "phone": GraphNode(kind="phone", key=MOBILE, label=MOBILE, degree=2),
    }
    session.add_all(nodes.values())
    session.flush()
    z, w, p = nodes["zhang"].id, nodes["wang"].id, nodes["phone"].id
    edges = [
        ("legal_rep", "person", z, "enterprise", a.id, None),
        ("legal_rep", "person", z, "enterprise", b.id, None),
        ("has_phone", "enterprise", a.id, "phone", p, None),
        ("has_phone", "enterprise", c.id, "phone", p, None),
        ("legal_rep", "person", w, "enterprise", c.id, None),
        ("legal_rep", "person", w, "enterprise", d.id, None),
        ("shareholder", "enterprise", b.id, "enterprise", e.id, 0.6),
    ]
    session.execute(
        insert(GraphEdge),
        [
            dict(
                zip(("kind", "src_kind", "src_id", "dst_kind", "dst_id", "share"), row, strict=True)
            )
            | {"source": "registry:test"}
            for row in edges
        ],
    )
    session.commit()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "zhang": z, "wang": w, "phone": p}


def _get(client, login, url, **headers):
    return client.get(f"/api/v1{url}", headers={**login.headers, **headers})


def _related(body):
    return {item["node"]["id"]: item for item in body["related"]}


def test_related_parties_come_with_their_paths(client, auth, web):
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI,))
    resp = _get(client, officer, f"/enterprises/{web['a'].id}/related?hops=1")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["enterprise"]["id"] == web["a"].id and body["hops"] == 1
    related = _related(body)
    assert set(related) == {web["b"].id, web["c"].id}
    b = related[web["b"].id]
    assert (b["distance"], b["strength"]) == (1, "control")
    assert b["node"] | {"id": 0} == {
        "kind": "enterprise", "id": 0, "label": web["b"].name, "visible": True,
        "uscc": web["b"].uscc, "county_code": RENHUAI, "degree": None, "note": "",
    }  # fmt: skip
    (path,) = b["paths"]
    assert [n["label"] for n in path["nodes"]] == [web["a"].name, "张三", web["b"].name]
    assert [link["kind"] for link in path["links"]] == ["legal_rep", "legal_rep"]
    assert path["links"][0]["source"] == "registry:test"


def test_an_enterprise_outside_the_jurisdiction_shows_only_its_id_and_county(client, auth, web):
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI,))
    body = _get(
        client, officer, f"/enterprises/{web['a'].id}/related?hops=2", **{"Accept-Language": "en"}
    ).get_json()
    related = _related(body)
    c, d = related[web["c"].id], related[web["d"].id]
    assert c["node"] == {
        "kind": "enterprise", "id": web["c"].id, "label": "", "visible": False, "uscc": None,
        "county_code": NANMING, "degree": None, "note": "outside jurisdiction",
    }  # fmt: skip
    assert c["strength"] == "shared" and d["distance"] == 2
    wang = d["paths"][0]["nodes"][3]
    assert (wang["kind"], wang["label"], wang["visible"]) == ("person", "", False)
    phone = c["paths"][0]["nodes"][1]
    assert (phone["kind"], phone["label"]) == ("phone", MOBILE)  # officers see phones


def test_a_role_without_phone_access_sees_it_masked_and_the_province_sees_all(client, auth, web):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    body = _get(client, regulator, f"/enterprises/{web['a'].id}/related?hops=2").get_json()
    related = _related(body)
    assert related[web["c"].id]["node"]["label"] == web["c"].name
    assert related[web["c"].id]["paths"][0]["nodes"][1]["label"] == "138****0001"
    assert related[web["d"].id]["paths"][0]["nodes"][3]["label"] == "王五"


def test_an_enterprise_without_relations_answers_empty(client, auth, session, web):
    alone = EnterpriseFactory(county_code=RENHUAI)
    session.commit()
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI,))
    body = _get(client, officer, f"/enterprises/{alone.id}/related").get_json()
    assert body["enterprise"]["label"] == alone.name and body["enterprise"]["visible"] is True
    assert (body["related"], body["capped"], body["truncated"]) == ([], [], False)
    group = _get(client, officer, f"/enterprises/{alone.id}/group").get_json()
    assert group["enterprise"]["visible"] is True
    assert (group["enterprises"], group["persons"], group["links"]) == ([], [], [])


def test_kinds_narrow_the_relations_followed(client, auth, web):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    url = f"/enterprises/{web['a'].id}/related?hops=3&kind=legal_rep&kind=shareholder"
    assert set(_related(_get(client, regulator, url).get_json())) == {web["b"].id, web["e"].id}


def test_a_connection_is_explained_control_first(client, auth, web):
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI,))
    body = _get(client, officer, f"/enterprises/{web['a'].id}/connection/{web['e'].id}").get_json()
    assert body["path"]["hops"] == 2 and body["path"]["strength"] == "control"
    assert [n["kind"] for n in body["path"]["nodes"]] == ["enterprise", "person"] + [
        "enterprise"
    ] * 2
    outside = _get(client, officer, f"/enterprises/{web['a'].id}/connection/{web['d'].id}")
    assert outside.status_code == 200
    body = outside.get_json()
    assert body["other"]["visible"] is False and body["path"]["strength"] == "shared"
    none = _get(client, officer, f"/enterprises/{web['a'].id}/connection/{web['d'].id}?max_hops=1")
    assert none.get_json()["path"] is None


def test_the_group_holds_what_control_edges_join(client, auth, web):
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI,))
    body = _get(client, officer, f"/enterprises/{web['a'].id}/group").get_json()
    assert {n["id"] for n in body["enterprises"]} == {web["b"].id, web["e"].id}
    assert [p["label"] for p in body["persons"]] == ["张三"]
    assert {link["kind"] for link in body["links"]} == {"legal_rep", "shareholder"}
    assert body["truncated"] is False


@pytest.mark.parametrize(
    "url",
    [
        "/enterprises/999999/related",
        "/enterprises/999999/group",
        "/enterprises/999999/connection/1",
        "/enterprises/{a}/connection/999999",
    ],
)
def test_an_unknown_enterprise_is_404(client, auth, web, url):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    resp = _get(client, regulator, url.format(a=web["a"].id))
    assert resp.status_code == 404
    assert resp.get_json()["code"] == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [("hops=9", "hops"), ("hops=0", "hops"), ("hops=two", "hops"), ("kind=friend", "kind")],
)
def test_bad_query_arguments_are_422(client, auth, web, query, field):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    resp = _get(client, regulator, f"/enterprises/{web['a'].id}/related?{query}")
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]


def test_max_hops_beyond_four_is_422(client, auth, web):
    regulator = auth.login(Role.CREDIT_REGULATOR)
    url = f"/enterprises/{web['a'].id}/connection/{web['b'].id}?max_hops=5"
    assert _get(client, regulator, url).status_code == 422


def test_a_start_outside_the_jurisdiction_is_403(client, auth, web):
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI,))
    for url in ("related", "group", f"connection/{web['a'].id}"):
        resp = _get(client, officer, f"/enterprises/{web['c'].id}/{url}")
        assert resp.status_code == 403, url


def test_an_anonymous_caller_is_401(client, web):
    assert client.get(f"/api/v1/enterprises/{web['a'].id}/related").status_code == 401


def test_a_prosecutors_graph_query_is_audited(client, auth, session, web):
    prosecutor = auth.login(Role.PROSECUTOR, jurisdictions=("520300",))
    assert _get(client, prosecutor, f"/enterprises/{web['a'].id}/group").status_code == 200
    reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert [(r.table_name, r.record_key) for r in reads] == [
        ("graph_edges", f"group enterprise={web['a'].id}")
    ]


def test_related_parties_come_one_page_at_a_time_nearest_first(client, auth, web):
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI, NANMING))
    url = f"/enterprises/{web['a'].id}/related?hops=2&per_page=2"
    first = _get(client, officer, url).get_json()
    # Within two relations of A: B and C (one), D and E (two): four in all, nearest first.
    assert (first["total"], first["page"], first["per_page"]) == (4, 1, 2)
    assert [item["distance"] for item in first["related"]] == [1, 1]
    second = _get(client, officer, f"{url}&page=2").get_json()
    assert [item["distance"] for item in second["related"]] == [2, 2]
    ids = {i["node"]["id"] for i in first["related"] + second["related"]}
    assert ids == {web["b"].id, web["c"].id, web["d"].id, web["e"].id}
    assert _get(client, officer, f"{url}&page=3").get_json()["related"] == []
    bad = _get(client, officer, f"/enterprises/{web['a'].id}/related?per_page=0")
    assert bad.status_code == 422 and "per_page" in bad.get_json()["errors"]
