"""The tier list and the enterprise search with a tier filter read a tier's enterprises from
the current rows in name order (``ix_credit_current_tier_name``): over random enterprises,
names, former names, aliases and score histories, with renames and moves, every page of them
is what a plain query over the history says, whichever way the search goes (walking the tier
or collecting a fragment's matches); and a renamed enterprise takes its new place at once."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from casemgr.models import CreditScore, Enterprise, EnterpriseAlias, EnterpriseName, ScoreReason
from casemgr.models.credit import CreditCurrent
from casemgr.policy import SYSTEM_ACTOR, Actor, Role
from casemgr.repositories import credit_current, tier_search
from casemgr.repositories.enterprises import EnterpriseFilter
from casemgr.services import credit, credit_pages, enterprise_pages, enterprises
from casemgr.services.localtime import local_today
from tests.factories import AliasFactory, EnterpriseFactory

SCHEME = credit.scheme_named("guizhou-2019")
TIERS = ("green", "blue", "yellow", "red", "abnormal")
COUNTIES = ("520382", "520381", "520102", "520115")  # 仁怀, 赤水 (遵义); 南明, 观山湖 (贵阳)
PLACES = ("贵州", "仁怀市", "南明区", "贵州省", "")
WORDS = ("化工", "酒业", "茅台", "宏达", "化肥", "煤业", "红星", "工业")
FORMS = ("有限公司", "有限责任公司", "厂", "")


def _name(rng: random.Random) -> str:
    return rng.choice(PLACES) + rng.choice(WORDS) + rng.choice(WORDS) + rng.choice(FORMS)


@pytest.fixture
def world(session):
    """120 enterprises with random names (repeats among them), counties and industries; score
    histories of 0 to 3 scores with random tiers; then renames (the old name a former name)
    and moves through the service, after the scores."""
    rng = random.Random(8)
    today = local_today()
    made = [
        EnterpriseFactory(
            name=_name(rng),
            county_code=rng.choice(COUNTIES),
            industry_code=rng.choice(("C2611", "C1512", "B0610")),
        )
        for _ in range(120)
    ]
    for ent in rng.sample(made, 10):
        AliasFactory(enterprise=ent)
    rows = []
    for ent in made:
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            tier = rng.choice(TIERS)
            rows.append(
                {
                    "enterprise_id": ent.id,
                    "scheme": SCHEME.key,
                    "as_of": today - timedelta(days=rng.randint(0, 300)),
                    "reason": ScoreReason.RESCORE,
                    "status": "abnormal" if tier == "abnormal" else "rated",
                    "points": 50.0,
                    "score_tier": "green",
                    "own_tier": None if tier == "abnormal" else tier,
                    "tier": None if tier == "abnormal" else tier,
                    "sublevel": None,
                    "graph_risk": 0.0,
                    "contributions": [],
                    "digest": "x",
                }
            )
    rng.shuffle(rows)  # the latest is the highest id, whatever its date
    session.execute(insert(CreditScore), rows)
    credit_current.refresh(session, SCHEME.key, [e.id for e in made])  # as the services do
    session.commit()
    for ent in rng.sample(made, 30):
        data = {"name": _name(rng)}
        if rng.random() < 0.3:
            data["county_code"] = rng.choice(COUNTIES)
        enterprises.update_enterprise(
            session, SYSTEM_ACTOR, ent.id, data, expected_version=ent.version
        )
    return made


def _expected(session, tier, *, counties=None, industry=None, fragment=None) -> list[int]:
    """The enterprises whose score in force today (the highest id dated today or earlier)
    holds ``tier``, filtered, in name order: straight from the history and the enterprises."""
    latest = (
        select(func.max(CreditScore.id))
        .where(
            CreditScore.scheme == SCHEME.key,
            CreditScore.enterprise_id == Enterprise.id,
            CreditScore.as_of <= local_today(),
        )
        .correlate(Enterprise)
        .scalar_subquery()
    )
    stmt = select(Enterprise, CreditScore.tier).join(CreditScore, CreditScore.id == latest)
    former: dict[int, list[str]] = {}
    for eid, name in session.execute(select(EnterpriseName.enterprise_id, EnterpriseName.name)):
        former.setdefault(eid, []).append(name)
    aliases: dict[int, set[str]] = {}
    for eid, value in session.execute(select(EnterpriseAlias.enterprise_id, EnterpriseAlias.value)):
        aliases.setdefault(eid, set()).add(value)
    ids = []
    for ent, held in session.execute(stmt):
        if (held or "abnormal") != tier:
            continue
        if counties is not None and ent.county_code not in counties:
            continue
        if industry and not ent.industry_code.startswith(industry):
            continue
        if fragment and not (
            fragment in ent.name
            or any(fragment in old for old in former.get(ent.id, []))
            or ent.uscc == fragment.upper()
            or fragment.upper() in aliases.get(ent.id, set())
        ):
            continue
        ids.append(ent.id)
    ordered = select(Enterprise.id).where(Enterprise.id.in_(ids))
    return list(session.scalars(ordered.order_by(Enterprise.name, Enterprise.id)))


def _actor(counties):
    return Actor(
        user_id=0,
        username="reader",
        roles=frozenset({Role.CREDIT_REGULATOR}),
        counties=None if counties is None else frozenset(counties),
    )


SCOPES = [None, ("520382",), ("520382", "520381", "520102")]


@pytest.mark.parametrize("counties", SCOPES)
@pytest.mark.parametrize("industry", [None, "C26"])
def test_every_page_of_the_tier_list_is_the_history_s(session, world, counties, industry):
    actor = _actor(counties)
    for tier in TIERS:
        expected = _expected(session, tier, counties=counties, industry=industry)
        got, page = [], 1
        while True:
            found = credit_pages.tier_list(
                session, actor, SCHEME, tier=tier, industry=industry, page=page, per_page=4
            )
            got += [row.enterprise_id for row in found.items]
            assert all(row.tier == tier for row in found.items)
            if not found.has_next:
                break
            page += 1
        assert got == expected, (tier, counties, industry)
        if not industry:
            assert found.total == len(expected)


# How the search finds a fragment within a tier (PostgreSQL): by walking the tier whatever it
# costs, by collecting the fragment's matches, or by a short walk first (the fragment taken for
# frequent) and collecting when it does not fill the page.
STRATEGIES = {
    "walk": {"WALK_PER_MATCH": 10**9},
    "collect": {"WALK_PER_MATCH": 0},
    "short walk": {"WALK_PER_MATCH": 3, "_estimated_names": lambda session, q: (1.0, 1.0)},
}
FRAGMENTS = [None, "化工", "贵州", "茅台酒", "酒业有限", "煤", "没有这个"]


def _search_all(session, actor, tier, fragment, expected):
    """Every page of the search, two enterprises a page, compared with ``expected``."""
    got, page = [], 1
    while True:
        found = enterprise_pages.search(
            session,
            actor,
            EnterpriseFilter(q=fragment),
            scheme_key=SCHEME.key,
            on=local_today(),
            tier=tier,
            page=page,
            per_page=2,
        )
        got += [e.id for e in found.items]
        assert all(found.tiers[e.id].code == tier for e in found.items)
        if found.total is not None:
            assert found.total == len(expected) and found.total_exact
        if not found.has_next:
            break
        page += 1
    assert got == expected, (tier, fragment)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("counties", SCOPES)
def test_every_page_of_a_tier_search_is_the_history_s(
    session, world, monkeypatch, strategy, counties
):
    for name, value in STRATEGIES[strategy].items():
        monkeypatch.setattr(tier_search, name, value)
    ent = world[7]
    for tier in TIERS:
        for fragment in [*FRAGMENTS, ent.uscc, *(a.value for a in ent.aliases[:1])]:
            expected = _expected(session, tier, counties=counties, fragment=fragment)
            _search_all(session, _actor(counties), tier, fragment, expected)


def test_after_a_score_dated_later_the_tier_search_reads_the_history(session, world):
    ent = world[3]
    session.execute(
        insert(CreditScore),
        [
            {
                "enterprise_id": ent.id,
                "scheme": SCHEME.key,
                "as_of": local_today() + timedelta(days=2),
                "reason": ScoreReason.EVENT,
                "status": "rated",
                "points": 40.0,
                "score_tier": "red",
                "own_tier": "red",
                "tier": "red",
                "sublevel": None,
                "graph_risk": 0.0,
                "contributions": [],
                "digest": "x",
            }
        ],
    )
    credit_current.refresh(session, SCHEME.key, [ent.id])
    session.commit()
    assert not credit_current.exact_on(session, SCHEME.key, local_today())
    for tier in TIERS:
        for fragment in (None, "化工"):
            expected = _expected(session, tier, fragment=fragment)
            _search_all(session, SYSTEM_ACTOR, tier, fragment, expected)


def test_the_search_by_tier_keeps_to_the_other_filters(session, world):
    for industry in ("C15", "B06"):
        expected = _expected(session, "green", industry=industry, fragment="业")
        found = enterprise_pages.search(
            session,
            SYSTEM_ACTOR,
            EnterpriseFilter(q="业", industry=industry),
            scheme_key=SCHEME.key,
            on=local_today(),
            tier="green",
            per_page=200,
        )
        assert [e.id for e in found.items] == expected and expected


def test_a_renamed_enterprise_takes_its_new_place_in_the_tier_list_at_once(session):
    first = EnterpriseFactory(name="甲乙化工有限公司", county_code="520382")
    second = EnterpriseFactory(name="丙丁化工有限公司", county_code="520382")
    for ent in (first, second):
        session.execute(
            insert(CreditScore),
            [
                {
                    "enterprise_id": ent.id,
                    "scheme": SCHEME.key,
                    "as_of": local_today(),
                    "reason": ScoreReason.RESCORE,
                    "status": "rated",
                    "points": 40.0,
                    "score_tier": "red",
                    "own_tier": "red",
                    "tier": "red",
                    "sublevel": None,
                    "graph_risk": 0.0,
                    "contributions": [],
                    "digest": "x",
                }
            ],
        )
    credit_current.refresh(session, SCHEME.key, [first.id, second.id])
    session.commit()

    def names():
        page = credit_pages.tier_list(session, SYSTEM_ACTOR, SCHEME, tier="red")
        return [row.name for row in page.items]

    assert names() == ["丙丁化工有限公司", "甲乙化工有限公司"]  # 丙 U+4E19 before 甲 U+7532
    enterprises.update_enterprise(
        session, SYSTEM_ACTOR, first.id, {"name": "一甲化工有限公司"}, expected_version=1
    )
    assert names() == ["一甲化工有限公司", "丙丁化工有限公司"]  # 一 U+4E00 before 丙
    row = session.get(CreditCurrent, (SCHEME.key, first.id))
    assert row is not None and row.name == "一甲化工有限公司"
    # The search finds it by its new name and, through its former name, by the old one.
    for q in ("一甲", "甲乙"):
        found = enterprise_pages.search(
            session,
            SYSTEM_ACTOR,
            EnterpriseFilter(q=q),
            scheme_key=SCHEME.key,
            on=local_today(),
            tier="red",
        )
        assert [e.id for e in found.items] == [first.id]
