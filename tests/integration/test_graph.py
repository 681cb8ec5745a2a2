"""The enterprise graph against a real database: built from imported registry files, queried
hop by hop from the edge table."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import event, func, select

from casemgr.exceptions import InvalidInput, NotFound, PermissionDenied
from casemgr.extensions import db
from casemgr.models import GraphEdge, GraphNode, NodeKind, SourceRecord
from casemgr.policy import SYSTEM_ACTOR, Actor, Role
from casemgr.services import graph, imports
from tests.factories import EnterpriseFactory, uscc_for

HEADER = "统一社会信用代码,企业名称,法定代表人,住所,联系电话,股东,分支机构"
PARENT, INVESTOR, BRANCH, NAMED_BRANCH = uscc_for(1), uscc_for(2), uscc_for(3), uscc_for(4)
FAMILY = [
    (
        PARENT, "贵州鑫源酒业有限公司", "张三", "贵州省仁怀市茅台镇酒都大道1号", "13800000001",
        "张三:60%;贵州某某投资有限公司:40%", "贵州鑫源酒业有限公司遵义分公司",
    ),
    (INVESTOR, "贵州某某投资有限公司", "李四", "贵阳市南明区花果园路8号", "", "李四:100%", ""),
    (BRANCH, "贵州鑫源酒业有限公司遵义分公司", "王五", "遵义市汇川区上海路12号", "", "", ""),
    (NAMED_BRANCH, "贵州鑫源酒业有限公司仁怀分公司", "赵六", "", "", "", ""),
]  # fmt: skip


def _import(session, tmp_path, rows, *, name="registry.csv", source_date=None, header=HEADER):
    path = tmp_path / name
    lines = [",".join(f'"{cell}"' for cell in row) for row in rows]
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    report = imports.import_file(session, SYSTEM_ACTOR, path, "registry", source_date=source_date)
    assert report.status == "committed" and report.rows_rejected == 0, report.rejections
    return report.batch_id


def _enterprises(session, rows, county="520382"):
    ents = {row[0]: EnterpriseFactory(uscc=row[0], name=row[1], county_code=county) for row in rows}
    session.commit()
    return {uscc: ent.id for uscc, ent in ents.items()}


def _open_edges(session):
    stmt = select(GraphEdge).where(GraphEdge.valid_to.is_(None)).order_by(GraphEdge.id)
    return session.scalars(stmt).all()


def _row(n, name, rep, address="", phone="", holders="", branches=""):
    return (uscc_for(n), name, rep, address, phone, holders, branches)


def _related_ids(session, ent_id, hops=2, **kw):
    answer = graph.related(session, SYSTEM_ACTOR, ent_id, hops, **kw)
    return {item.node.id for item in answer.related}, answer


def test_a_registry_file_builds_persons_shareholders_branches_address_and_phone(session, tmp_path):
    ids = _enterprises(session, FAMILY)
    batch = _import(session, tmp_path, FAMILY, source_date=date(2026, 3, 1))
    report = graph.build_from_records(session, SYSTEM_ACTOR)
    assert report.linked_by_uscc == 4 and report.unresolved_shareholders == 0
    linked = session.scalars(select(SourceRecord.enterprise_id).order_by(SourceRecord.id)).all()
    assert linked == [ids[u] for u in (PARENT, INVESTOR, BRANCH, NAMED_BRANCH)]

    parent = ids[PARENT]
    edges = {
        (e.kind.value, e.src_kind.value, e.src_id if e.src_kind != "enterprise" else e.src_id,
         e.dst_id, e.source, e.share)
        for e in _open_edges(session) if e.dst_id == parent or e.src_id == parent
    }  # fmt: skip
    zhang = session.scalars(select(GraphNode).where(GraphNode.label == "张三")).one()
    assert zhang.key.startswith("张三|tel:13800000001") and zhang.degree == 2
    assert ("legal_rep", "person", zhang.id, parent, "registry:legal_rep", None) in edges
    assert ("shareholder", "person", zhang.id, parent, "registry:shareholders", 0.6) in edges
    holder = ("shareholder", "enterprise", ids[INVESTOR], parent, "registry:shareholders", 0.4)
    assert holder in edges
    assert ("branch_of", "enterprise", ids[BRANCH], parent, "registry:branches", None) in edges
    assert ("branch_of", "enterprise", ids[BRANCH], parent, "registry:name", None) in edges
    assert ("branch_of", "enterprise", ids[NAMED_BRANCH], parent, "registry:name", None) in edges
    address = session.scalars(select(GraphNode).where(GraphNode.kind == NodeKind.ADDRESS)).all()
    assert {a.key for a in address} == {
        "520382:茅台镇酒都大道1号", "520102:花果园路8号", "520303:上海路12号",
    }  # fmt: skip
    assert all(
        e.batch_id == batch and e.valid_from == date(2026, 3, 1) for e in _open_edges(session)
    )

    group = graph.group(session, SYSTEM_ACTOR, parent)
    assert {n.id for n in group.enterprises} == {ids[BRANCH], ids[NAMED_BRANCH]}  # 40 %: no control
    assert sorted(p.label for p in group.persons) == ["张三", "王五", "赵六"]  # legal reps
    related, _ = _related_ids(session, parent, 1)
    assert related == {ids[INVESTOR], ids[BRANCH], ids[NAMED_BRANCH]}


def test_rebuilding_changes_nothing(session, tmp_path):
    _enterprises(session, FAMILY)
    batch = _import(session, tmp_path, FAMILY)
    first = graph.build_from_records(session, SYSTEM_ACTOR)
    before = [(e.id, e.kind, e.src_id, e.dst_id, e.source) for e in _open_edges(session)]
    nodes = session.scalar(select(func.count()).select_from(GraphNode))
    again = graph.build_from_records(session, SYSTEM_ACTOR)
    by_batch = graph.build_from_records(session, SYSTEM_ACTOR, batch)
    for report in (again, by_batch):
        assert (report.edges_added, report.edges_closed, report.edges_deleted) == (0, 0, 0)
        assert report.nodes_created == 0 and report.linked_by_uscc == 0
    assert first.edges_added == len(before) > 0
    assert [(e.id, e.kind, e.src_id, e.dst_id, e.source) for e in _open_edges(session)] == before
    assert session.scalar(select(func.count()).select_from(GraphNode)) == nodes


def test_two_people_called_zhang_wei_are_not_joined_by_their_name(session, tmp_path):
    rows = [
        _row(11, "贵州甲甲化工有限公司", "张伟", phone="0851-86812345"),
        _row(12, "贵州乙乙建材有限公司", "张伟"),
    ]
    ids = _enterprises(session, rows)
    _import(session, tmp_path, rows)
    graph.build_from_records(session, SYSTEM_ACTOR)
    people = session.scalars(select(GraphNode).where(GraphNode.label == "张伟")).all()
    assert len(people) == 2  # a landline corroborates nobody: it is an office's
    a, b = ids[uscc_for(11)], ids[uscc_for(12)]
    assert _related_ids(session, a, 3)[0] == set()
    assert graph.connection(session, SYSTEM_ACTOR, a, b).path is None


def test_a_shared_mobile_connects_and_makes_one_person_of_the_same_name(session, tmp_path):
    rows = [
        _row(21, "贵州丙丙化工有限公司", "张伟", phone="13912345678"),
        _row(22, "贵州丁丁建材有限公司", "张伟", phone="139-1234-5678"),
        _row(23, "贵州戊戊商贸有限公司", "刘芳", phone="13912345678"),
    ]
    ids = _enterprises(session, rows)
    _import(session, tmp_path, rows)
    graph.build_from_records(session, SYSTEM_ACTOR)
    assert len(session.scalars(select(GraphNode).where(GraphNode.label == "张伟")).all()) == 1
    a, b, c = (ids[uscc_for(n)] for n in (21, 22, 23))
    related, answer = _related_ids(session, a, 1)
    assert related == {b, c}
    strength = {item.node.id: item.strength for item in answer.related}
    assert strength == {b: "control", c: "shared"}
    path = graph.connection(session, SYSTEM_ACTOR, a, b).path
    assert [n.kind for n in path.nodes] == ["enterprise", "person", "enterprise"]
    assert path.strength == "control"


def test_a_hub_over_the_cap_neither_connects_nor_corroborates(session, tmp_path):
    park, agent = "贵阳市观山湖区金阳科技产业园1号", "13700000000"
    rows = [
        _row(31, "贵州庚庚科技有限公司", "张伟", park, agent),
        _row(32, "贵州辛辛科技有限公司", "张伟", park, agent),
        _row(33, "贵州壬壬科技有限公司", "陈静", park, agent),
    ]
    ids = _enterprises(session, rows, county="520115")
    _import(session, tmp_path, rows)
    graph.build_from_records(session, SYSTEM_ACTOR, cap=2)
    assert len(session.scalars(select(GraphNode).where(GraphNode.label == "张伟")).all()) == 2
    a = ids[uscc_for(31)]
    related, answer = _related_ids(session, a, 2, cap=2)
    assert related == set()
    assert sorted(item.node.kind for item in answer.capped) == ["address", "phone"]
    assert {item.node.degree for item in answer.capped} == {3}
    uncapped, _ = _related_ids(session, a, 1, cap=50)
    assert uncapped == {ids[uscc_for(32)], ids[uscc_for(33)]}
    assert session.scalar(select(func.count()).select_from(GraphEdge)) == 3 * 2 + 3  # no pairs


def test_an_id_number_column_identifies_the_legal_representative(session, tmp_path):
    header = HEADER + ",法定代表人身份证号码"
    same, other = "11010519491231002X", "110105194912310037"
    rows = [
        (*_row(41, "贵州癸癸化工有限公司", "张伟"), same),
        (*_row(42, "贵州子子建材有限公司", "张伟"), same),
        (*_row(43, "贵州丑丑商贸有限公司", "张伟"), other),
    ]
    ids = _enterprises(session, rows)
    _import(session, tmp_path, rows, header=header)
    graph.build_from_records(session, SYSTEM_ACTOR)
    people = session.scalars(select(GraphNode).where(GraphNode.label == "张伟")).all()
    assert len(people) == 2 and not any(same in p.key or other in p.key for p in people)
    assert _related_ids(session, ids[uscc_for(41)], 2)[0] == {ids[uscc_for(42)]}


def test_a_newer_export_closes_the_edges_it_no_longer_shows(session, tmp_path):
    row = _row(51, "贵州寅寅化工有限公司", "张三", holders="张三:100%")
    ids = _enterprises(session, [row])
    _import(session, tmp_path, [row], name="old.csv", source_date=date(2025, 1, 1))
    graph.build_from_records(session, SYSTEM_ACTOR)
    newer = _row(51, "贵州寅寅化工有限公司", "李四", holders="李四:100%")
    batch = _import(session, tmp_path, [newer], name="new.csv", source_date=date(2026, 1, 1))
    report = graph.build_from_records(session, SYSTEM_ACTOR, batch)
    assert (report.edges_added, report.edges_closed, report.edges_deleted) == (2, 2, 0)
    closed = session.scalars(select(GraphEdge).where(GraphEdge.valid_to.is_not(None))).all()
    assert {e.valid_to for e in closed} == {date(2026, 1, 1)}
    labels = {session.get(GraphNode, e.src_id).label for e in _open_edges(session)}
    assert labels == {"李四"}
    assert ids


def test_an_unmatched_company_shareholder_is_counted_not_guessed(session, tmp_path):
    row = _row(61, "贵州卯卯化工有限公司", "张三", holders="张三:50%;外省某某控股有限公司:50%")
    _enterprises(session, [row])
    _import(session, tmp_path, [row])
    report = graph.build_from_records(session, SYSTEM_ACTOR)
    assert report.unresolved_shareholders == 1
    kinds = sorted(e.src_kind.value for e in _open_edges(session) if e.kind == "shareholder")
    assert kinds == ["person"]


def test_predecessors_listed_by_uscc_or_name_become_successor_edges_of_the_group(session, tmp_path):
    old_a = _row(71, "仁怀市辰辰酒业有限公司", "张三")[:5]
    old_b = _row(72, "仁怀市巳巳酒厂有限公司", "李四")[:5]
    merged = (uscc_for(73), "贵州辰巳酒业有限公司", "王五", "", "")
    ids = _enterprises(session, [old_a, old_b, merged])
    header = "统一社会信用代码,企业名称,法定代表人,住所,联系电话,前身企业"
    rows = [(*old_a, ""), (*old_b, ""), (*merged, f"{old_a[0]}；仁怀市巳巳酒厂有限公司")]
    _import(session, tmp_path, rows, header=header, source_date=date(2026, 5, 1))
    graph.build_from_records(session, SYSTEM_ACTOR)
    successions = {
        (e.src_id, e.dst_id, e.source, e.valid_from)
        for e in _open_edges(session)
        if e.kind == "successor_of"
    }
    assert successions == {
        (ids[merged[0]], ids[old_a[0]], "registry:predecessors", date(2026, 5, 1)),
        (ids[merged[0]], ids[old_b[0]], "registry:predecessors", date(2026, 5, 1)),
    }
    answer = graph.group(session, SYSTEM_ACTOR, ids[old_a[0]])
    assert {card.id for card in answer.enterprises} == {ids[merged[0]], ids[old_b[0]]}
    assert graph.build_from_records(session, SYSTEM_ACTOR).edges_added == 0  # idempotent


def test_two_builds_at_once_write_each_edge_once(app, session, tmp_path):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    rows = [
        _row(100 + i, f"贵州并发{i}号化工有限公司", f"张{i}", f"贵阳市南明区并发路{i % 7}号",
             holders=f"张{i}:100%")
        for i in range(60)
    ]  # fmt: skip
    _enterprises(session, rows)
    _import(session, tmp_path, rows)
    barrier, errors = threading.Barrier(3), []

    def build():
        with app.app_context():
            try:
                barrier.wait()
                graph.build_from_records(db.session(), SYSTEM_ACTOR, chunk_size=5)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    edges = [
        (e.kind, e.src_kind, e.src_id, e.dst_kind, e.dst_id, e.source) for e in _open_edges(session)
    ]
    assert len(edges) == len(set(edges)) == 60 * 3  # legal rep, shareholder, address
    degrees = {n.key: n.degree for n in session.scalars(select(GraphNode).where(
        GraphNode.kind == NodeKind.ADDRESS))}  # fmt: skip
    assert sorted(degrees.values()) == sorted(len(range(k, 60, 7)) for k in range(7))


def test_building_needs_a_committed_registry_batch_and_the_right_to_write(session, tmp_path):
    with pytest.raises(NotFound):
        graph.build_from_records(session, SYSTEM_ACTOR, 999)
    path = tmp_path / "tax.csv"
    path.write_text("纳税人识别号,纳税人名称\n520382000000018,仁怀某某酒厂\n", encoding="utf-8")
    tax = imports.import_file(session, SYSTEM_ACTOR, path, "tax").batch_id
    with pytest.raises(InvalidInput):
        graph.build_from_records(session, SYSTEM_ACTOR, tax)
    inspector = Actor(user_id=1, username="planner", roles=frozenset({Role.INSPECTION_PLANNER}))
    with pytest.raises(PermissionDenied):
        graph.build_from_records(session, inspector)


def test_two_hops_are_read_in_a_few_indexed_statements(session, tmp_path):
    ids = _enterprises(session, FAMILY)
    _import(session, tmp_path, FAMILY)
    graph.build_from_records(session, SYSTEM_ACTOR)
    statements: list[str] = []
    engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = graph.related(session, SYSTEM_ACTOR, ids[PARENT], 2)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert answer.related and not answer.truncated
    # start, then per hop: edges, connector nodes, connector edges; then enterprise cards
    assert len(statements) <= 8, statements
    assert not any("graph_edges" in s and "WHERE" not in s for s in statements)


def test_the_command_line_builds_the_graph_once(runner, session, tmp_path):
    from tests.factories import EnterpriseFactory
    from tests.integration.test_imports import REGISTRY_HEADER, _uscc

    for n in (31, 32):
        EnterpriseFactory(uscc=_uscc(n))
    session.commit()
    path = tmp_path / "registry.csv"
    path.write_text(
        REGISTRY_HEADER
        + f"{_uscc(31)},仁怀甲酒业有限公司,张三,仁怀市茅台镇1号,2010-01-01,存续,13908512345\n"
        + f"{_uscc(32)},仁怀乙酒业有限公司,张三,仁怀市茅台镇1号,2011-01-01,存续,13908512345\n",
        encoding="utf-8",
    )
    assert (
        runner.invoke(args=["linkage", "import", str(path), "--source", "registry"]).exit_code == 0
    )
    first = runner.invoke(args=["linkage", "graph"])
    assert first.exit_code == 0, first.output
    assert "enterprises: 2" in first.output and "edges added: 0," not in first.output
    again = runner.invoke(args=["linkage", "graph"])
    assert "edges added: 0," in again.output
