"""Credit scores from real case records: the demo families, rescored, explained, replayed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casemgr.models import CreditScore, Enterprise
from casemgr.policy import SYSTEM_ACTOR
from casemgr.services import credit
from casemgr.services.demo import load_demo
from casemgr.services.demo_families import load_demo_families
from casemgr.services.localtime import local_today

SCHEME = credit.scheme_named("guizhou-2019")


@pytest.fixture
def families(session):
    load_demo(session, enterprises=200)
    assert load_demo_families(session) == 2
    renhuai = session.scalars(
        select(Enterprise)
        .where(Enterprise.county_code == "520382", Enterprise.status == "operating")
        .order_by(Enterprise.id)
    ).all()
    return {"convicted": renhuai[-1].id, "fined": renhuai[-2].id}


def _line(result, rule):
    return next(c for c in result.contributions if c.rule == rule)


def test_case_events_rescore_their_enterprise_at_once(session, families):
    # Loading the demo families recorded their steps: each commit rescored the party.
    rows = session.scalars(
        select(CreditScore).where(CreditScore.enterprise_id.in_(families.values()))
    ).all()
    assert {r.reason.value for r in rows} == {"event"}
    latest = credit.in_force(session, SCHEME.key, local_today(), families.values())
    assert latest[families["convicted"]].tier == "red"
    assert latest[families["fined"]].tier == "blue"
    # A row is added only when the result changes: one row per change, never an update.
    for eid in families.values():
        digests = [r.digest for r in sorted(rows, key=lambda r: r.id) if r.enterprise_id == eid]
        assert all(a != b for a, b in zip(digests, digests[1:], strict=False))


def test_a_rescore_stores_each_enterprise_once_and_only_changes_after(session, families):
    today = local_today()
    report = credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today)
    n = session.scalar(select(func.count()).select_from(Enterprise))
    assert report.enterprises == n and report.changed == n - 2  # the families: by their events
    closed = session.scalar(
        select(func.count())
        .select_from(Enterprise)
        .where(Enterprise.status.in_(["revoked", "deregistered"]))
    )
    # The convicted family is red, the fined one blue, revoked and deregistered enterprises are
    # not rateable (异常), every other one has a clean record.
    assert report.tiers == {"abnormal": closed, "blue": 1, "green": n - 2 - closed, "red": 1}
    again = credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today)
    assert again.changed == 0
    assert session.scalar(select(func.count(func.distinct(CreditScore.enterprise_id)))) == n

    stored = credit.in_force(session, SCHEME.key, today, [families["convicted"]])
    row = stored[families["convicted"]]
    assert (row.tier, row.own_tier, row.score_tier) == ("red", "red", row.score_tier)
    veto = next(c for c in row.contributions if c["kind"] == "veto")
    assert veto["rule"] == "environmental_crime" and veto["records"][0].startswith("transition:")


def test_a_stored_score_keeps_the_lines_that_count_and_digests_the_whole_result(session, families):
    import hashlib
    import json
    from dataclasses import asdict

    today = local_today()
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today)
    stored = credit.in_force(session, SCHEME.key, today)
    clean = next(eid for eid, row in stored.items() if row.tier == "green" and row.points == 100)
    assert stored[clean].contributions == []  # every line at full points, no record
    fined = credit.explain(session, SYSTEM_ACTOR, SCHEME, families["fined"], today)
    kept = {c["rule"] for c in stored[families["fined"]].contributions}
    assert kept == {c.rule for c in fined.contributions if c.records or c.points != c.max_points}
    assert "penalties" in kept and "incidents" not in kept
    # The digest covers every line, as the canonical JSON of the whole result.
    rows = [
        {**asdict(c), "kind": c.kind.value, "records": list(c.records)} for c in fined.contributions
    ]
    body = {
        "scheme": fined.scheme,
        "status": fined.status.value,
        "points": fined.points,
        "score_tier": fined.score_tier.value,
        "tier": fined.tier.value,
        "sublevel": fined.sublevel,
        "contributions": rows,
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert stored[families["fined"]].digest == hashlib.sha256(text.encode()).hexdigest()


def test_the_fined_enterprise_is_scored_from_its_decision_and_its_inspection(session, families):
    today = local_today()
    result = credit.explain(session, SYSTEM_ACTOR, SCHEME, families["fined"], today)
    # The demo decision fined 150,000 yuan after an inspection (one finding, a filed case):
    # penalties 1 → 0.5 of 12 (-6); amount 150,000 → "5万–20万元" 0.3 of 6 (-4.2); findings 1 →
    # 0.6 of 15 (-6): 100 - 16.2 = 83.8 → 良好 (80-95), sub-level 3 (80-85). Paid on time: no
    # overdue fine.
    assert result.points == 83.8 and (result.tier.value, result.sublevel) == ("blue", 3)
    assert _line(result, "penalty_amount").measure == 150_000
    assert _line(result, "overdue_fines").records == ()
    # As of yesterday nothing of this was recorded yet (the demo recorded it today): a past
    # score uses only what was known then.
    before = credit.explain(session, SYSTEM_ACTOR, SCHEME, families["fined"], today - timedelta(1))
    assert before.points == 100.0 and all(not c.records for c in before.contributions)


def test_a_conviction_makes_the_enterprise_red_whatever_its_points(session, families):
    result = credit.explain(session, SYSTEM_ACTOR, SCHEME, families["convicted"])
    assert result.tier.value == "red" and result.vetoed
    assert result.score_tier.value in {"green", "blue", "yellow"}


def test_the_command_line_rescores_and_explains(runner, session, families):
    result = runner.invoke(args=["credit", "rescore"])
    assert result.exit_code == 0, result.output
    assert "guizhou-2019@1 as of" in result.output and "red 1" in result.output
    explained = runner.invoke(args=["credit", "explain", str(families["fined"])])
    assert explained.exit_code == 0, explained.output
    assert "83.8 points, blue 3" in explained.output and "transition:" in explained.output
    missing = runner.invoke(args=["credit", "explain", "999999"])
    assert missing.exit_code == 1 and "Enterprise 999999 was not found" in missing.output


def test_the_command_line_exports_and_regenerates_the_same_bytes(
    runner, session, families, tmp_path
):
    import json

    assert runner.invoke(args=["credit", "rescore"]).exit_code == 0
    first, second = tmp_path / "tiers.xlsx", tmp_path / "again.xlsx"
    today = local_today().isoformat()
    made = runner.invoke(
        args=[
            "credit",
            "export",
            "--as-of",
            today,
            "--format",
            "xlsx",
            "--out",
            str(first),
            "--county",
            "520382",
            "--recipient",
            "中国人民银行贵阳中心支行",
        ]
    )
    assert made.exit_code == 0, made.output
    manifest = json.loads(made.output)
    assert manifest["recipients"] == ["中国人民银行贵阳中心支行"] and manifest["rows"] >= 2
    again = runner.invoke(
        args=["credit", "export", "--regenerate", str(manifest["id"]), "--out", str(second)]
    )
    assert again.exit_code == 0, again.output
    assert first.read_bytes() == second.read_bytes()
    bad = runner.invoke(args=["credit", "export", "--as-of", today, "--out", str(second)])
    assert bad.exit_code == 2 and "--format" in bad.output
    wrong = runner.invoke(
        args=[
            "credit",
            "export",
            "--as-of",
            today,
            "--format",
            "csv",
            "--out",
            str(second),
            "--tier",
            "purple",
        ]
    )
    assert wrong.exit_code == 1 and "tier" in wrong.output and not second.exists()


def shared_legal_rep(session, tmp_path) -> tuple[Enterprise, Enterprise, Enterprise]:
    """The demo enterprises, and a registry import by which the enterprise that the demo
    families convict (the last of 仁怀) shares its legal representative with a partner (the
    first), while a stranger has someone else of the same name; the graph built from it.
    Returns (convicted, partner, stranger)."""
    from casemgr.services import graph, imports

    load_demo(session, enterprises=200)
    renhuai = session.scalars(
        select(Enterprise)
        .where(Enterprise.county_code == "520382", Enterprise.status == "operating")
        .order_by(Enterprise.id)
    ).all()
    convicted, partner, stranger = renhuai[-1], renhuai[0], renhuai[1]
    # The registry shows one person (same ID number) representing the convicted enterprise and
    # the partner; the stranger has someone else of the same name.
    same, other = "11010519491231002X", "110105194912310037"
    rows = [
        (convicted.uscc, convicted.name, "张伟", same),
        (partner.uscc, partner.name, "张伟", same),
        (stranger.uscc, stranger.name, "张伟", other),
    ]
    path = tmp_path / "registry.csv"
    path.write_text(
        "统一社会信用代码,企业名称,法定代表人,法定代表人身份证号码\n"
        + "\n".join(",".join(r) for r in rows)
        + "\n",
        encoding="utf-8",
    )
    assert imports.import_file(session, SYSTEM_ACTOR, path, "registry").status == "committed"
    graph.build_from_records(session, SYSTEM_ACTOR)
    return convicted, partner, stranger


def test_a_conviction_raises_the_graph_risk_of_an_enterprise_sharing_its_legal_rep(
    session, tmp_path
):
    convicted, partner, stranger = shared_legal_rep(session, tmp_path)
    # The demo families convict the last enterprise: each step rescores it, and when its own
    # tier turns red, the enterprises within reach are rescored too.
    load_demo_families(session)
    today = local_today()
    rows_now = credit.in_force(session, SCHEME.key, today, [partner.id, stranger.id])
    assert stranger.id not in rows_now  # not connected: never touched
    row = rows_now[partner.id]
    # One relation (enterprise - person - enterprise): red seed 10 × 0.8 × 0.8 = 6.4 points.
    assert (row.reason.value, row.graph_risk, row.points, row.tier) == ("event", 6.4, 93.6, "blue")
    explained = credit.explain(session, SYSTEM_ACTOR, SCHEME, partner.id, today)
    risk = _line(explained, "graph_risk")
    assert risk.points == -6.4 and len(risk.records) == 1
    assert risk.records[0].startswith(f"enterprise:{convicted.id}(red) -legal_rep- person:")
    # The nightly run agrees with the incremental one (the same digest: no new row).
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today)
    assert credit.in_force(session, SCHEME.key, today, [partner.id])[partner.id].id == row.id
