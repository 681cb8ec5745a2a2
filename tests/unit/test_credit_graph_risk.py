"""Graph risk (关联风险) on small literal graphs, with the numbers worked out by hand.

Default factors (RiskConfig): legal_rep 0.8, controlling shareholder 0.8, minority 0.8 x share,
branch_of and successor_of 0.9, at_address and has_phone 0.3, decay 0.5 per hop after the
first, max 2 hops, hub cap 50, seed red 10 / black 20, cap 10 points.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import credit.graph_risk as module
from credit.graph_risk import (
    EdgeArrays,
    EdgeKind,
    NodeKind,
    RiskConfig,
    RiskPropagator,
    explain_risk,
)
from linkage.graph import build_graph

A, B, C, D = (("enterprise", i) for i in range(1, 5))
ZHANG, LI = ("person", 11), ("person", 12)
PARK, AGENCY = ("address", 21), ("phone", 31)


def risk(edges, seeds, config=None, *, capped=True, nodes=()):
    """Whole-graph propagation on ``edges``, by node."""
    g = build_graph(edges, {n: {} for n in nodes})
    arrays, order = EdgeArrays.from_graph(g)
    index = {node: i for i, node in enumerate(order)}
    out = RiskPropagator(arrays, config).propagate(
        {index[n]: tier for n, tier in seeds.items()}, capped=capped
    )
    return {node: float(out[i]) for node, i in index.items()}


def test_doctests_pass() -> None:
    failures, tried = doctest.testmod(module)
    assert failures == 0 and tried >= 10


def test_a_shared_legal_representative_transmits_through_the_person() -> None:
    found = risk([(ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep")], {A: "red"})
    # B: 10 (red) x 0.8 (A - Zhang) x 0.8 (Zhang - B) = 6.4; the person is not scored.
    assert found[B] == pytest.approx(6.4)
    assert found[ZHANG] == 0.0
    # A's own red tier is not graph risk: the path A - Zhang - B - Zhang - A does not exist.
    assert found[A] == 0.0


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.6, 6.4),  # controlling: 10 x 0.8 x 0.8
        (0.5, 6.4),  # half is (joint) control, as in linkage.graph: 10 x 0.8 x 0.8
        (0.3, 1.92),  # minority: 10 x 0.8 x (0.8 x 0.3 = 0.24)
        (None, 0.64),  # unknown share taken as 10 %: 10 x 0.8 x (0.8 x 0.1 = 0.08)
    ],
)
def test_a_controlling_shareholder_transmits_more_than_a_minority_one(share, expected) -> None:
    found = risk([(ZHANG, A, "legal_rep"), (ZHANG, B, "shareholder", share)], {A: "red"})
    assert found[B] == pytest.approx(expected)


@pytest.mark.parametrize("config", [RiskConfig(), RiskConfig(shareholder_minority=0.7)])
def test_one_edge_s_factor_is_exactly_the_arrays_factor(config) -> None:
    # The explanation's scalar factor and the propagation's vectorised one must agree to the
    # last bit, or a neighbourhood's path sum and the province run would store two results.
    shares = [None, math.nan, 0.0, 0.1, 0.3, 0.4999, 0.5, 0.6, 1.0]
    for kind in EdgeKind:
        for share in shares if kind is EdgeKind.SHAREHOLDER else [None]:
            code = np.array([kind], dtype=np.int8)
            value = np.array([math.nan if share is None else share])
            expected = float(config.edge_factors(code, value)[0])
            assert config.edge_factor(kind.name.lower(), share) == expected, (kind, share)


def test_an_enterprise_shareholder_is_a_direct_relation() -> None:
    # A (red) holds 30 % of B: 10 x (0.8 x 0.3) = 2.4; B holds 70 % of C, 2 hops from A:
    # 10 x 0.24 x 0.8 x 0.5 = 0.96.
    found = risk([(A, B, "shareholder", 0.3), (B, C, "shareholder", 0.7)], {A: "red"})
    assert (found[B], found[C]) == pytest.approx((2.4, 0.96))


@pytest.mark.parametrize("kind", ["branch_of", "successor_of"])
def test_a_branch_and_a_successor_transmit_both_ways(kind) -> None:
    # 10 x 0.9 = 9, whichever end is red (direction is ignored).
    assert risk([(B, A, kind)], {A: "red"})[B] == pytest.approx(9.0)
    assert risk([(B, A, kind)], {B: "red"})[A] == pytest.approx(9.0)


def test_risk_decays_with_distance() -> None:
    # A (red) - branch - B - branch - C: B = 10 x 0.9 = 9; C = 10 x 0.9 x 0.9 x 0.5 = 4.05.
    found = risk([(B, A, "branch_of"), (C, B, "branch_of")], {A: "red"})
    assert (found[B], found[C]) == pytest.approx((9.0, 4.05))
    # A shared legal representative is one hop too: D via Zhang from C, 3 hops from A: none.
    found = risk([(B, A, "branch_of"), (C, B, "branch_of"), (ZHANG, C, "legal_rep"),
                  (ZHANG, D, "legal_rep")], {A: "red"})  # fmt: skip
    assert found[D] == 0.0


def test_the_hops_limit_stops_the_risk() -> None:
    edges = [(B, A, "branch_of"), (C, B, "branch_of")]
    found = risk(edges, {A: "red"}, RiskConfig(max_hops=1))
    assert (found[B], found[C]) == (pytest.approx(9.0), 0.0)


def test_a_hub_over_the_cap_does_not_transmit() -> None:
    edges = [(A, PARK, "at_address"), (B, PARK, "at_address"), (C, PARK, "at_address")]
    # Three enterprises at the address, cap 3: 10 x 0.3 x 0.3 = 0.9 each.
    assert risk(edges, {A: "red"}, RiskConfig(hub_cap=3))[B] == pytest.approx(0.9)
    # Cap 2: the address is a business park and transmits nothing.
    assert risk(edges, {A: "red"}, RiskConfig(hub_cap=2))[B] == 0.0
    # The explanation reads the whole-graph degree from the node when casemgr gives it.
    g = build_graph(edges[:2], {PARK: {"degree": 51}})
    assert explain_risk(g, B, {A: "red"}).paths == ()
    assert explain_risk(g, B, {A: "red"}, config=RiskConfig(hub_cap=51)).raw == pytest.approx(0.9)


def test_a_person_is_not_a_hub_by_default_but_can_be_made_one() -> None:
    edges = [(ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep"), (ZHANG, C, "legal_rep")]
    assert risk(edges, {A: "red"}, RiskConfig(hub_cap=2))[B] == pytest.approx(6.4)
    people = RiskConfig(hub_cap=2, hub_kinds=frozenset({"person", "address", "phone"}))
    assert risk(edges, {A: "red"}, people)[B] == 0.0


def test_the_risk_of_one_enterprise_is_capped() -> None:
    edges = [(B, A, "branch_of")]
    # A is black: 20 x 0.9 = 18 points, capped at 10.
    assert risk(edges, {A: "black"})[B] == pytest.approx(10.0)
    assert risk(edges, {A: "black"}, capped=False)[B] == pytest.approx(18.0)
    found = explain_risk(build_graph(edges), B, {A: "black"})
    assert (found.raw, found.risk, found.capped) == (pytest.approx(18.0), 10.0, True)


def test_two_seeds_add_up() -> None:
    edges = [(B, A, "branch_of"), (B, PARK, "at_address"), (C, PARK, "at_address")]
    found = risk(edges, {A: "red", C: "red"})
    # B: from A 10 x 0.9 = 9, plus from C 10 x 0.3 x 0.3 = 0.9: 9.9.
    assert found[B] == pytest.approx(9.9)
    # A and C are seeds and still receive each other's risk (not their own), two hops:
    # 10 x 0.3 x 0.3 x 0.9 x 0.5 = 0.405.
    assert (found[A], found[C]) == pytest.approx((0.405, 0.405))


@pytest.mark.parametrize("seeds", [{}, {A: "green"}, {A: "blue"}])
def test_without_a_seed_there_is_no_risk(seeds) -> None:
    found = risk([(ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep"), (B, C, "branch_of")], seeds)
    assert set(found.values()) == {0.0}


def test_a_yellow_seed_counts_when_the_scheme_says_so() -> None:
    config = RiskConfig(seed_risk={"red": 10.0, "yellow": 2.0})
    # 2 x 0.9 = 1.8.
    assert risk([(B, A, "branch_of")], {A: "yellow"}, config)[B] == pytest.approx(1.8)


def test_a_seed_gets_nothing_back_from_its_own_risk_around_a_cycle() -> None:
    # A (red) and B share a legal representative and an address: two paths to B,
    # 10 x 0.64 = 6.4 and 10 x 0.09 = 0.9: 7.3. The walk A - Zhang - B - park - A is not a
    # path back to A, so A stays at 0.
    edges = [(ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep"),
             (A, PARK, "at_address"), (B, PARK, "at_address")]  # fmt: skip
    found = risk(edges, {A: "red"})
    assert (found[A], found[B]) == (pytest.approx(0.0, abs=1e-12), pytest.approx(7.3))


def test_risk_crosses_a_person_once_not_around_the_group() -> None:
    # Zhang represents A (red), B and C: B gets 6.4 from A, not also A - Zhang - C - Zhang - B.
    edges = [(ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep"), (ZHANG, C, "legal_rep")]
    found = risk(edges, {A: "red"})
    assert (found[B], found[C]) == pytest.approx((6.4, 6.4))


def test_parallel_edges_count_once_by_the_strongest() -> None:
    # Zhang is A's legal representative and a 10 % shareholder: one tie of 0.8, not 0.8 + 0.08.
    edges = [(ZHANG, A, "shareholder", 0.1), (ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep")]
    assert risk(edges, {A: "red"})[B] == pytest.approx(6.4)


def test_the_explanation_lists_each_path_with_its_contribution_strongest_first() -> None:
    edges = [(B, A, "branch_of"), (ZHANG, B, "legal_rep"), (ZHANG, C, "legal_rep"),
             (C, AGENCY, "has_phone"), (D, AGENCY, "has_phone")]  # fmt: skip
    found = explain_risk(build_graph(edges), C, {A: "red", D: "black"})
    assert [(p.seed, p.hops, round(p.contribution, 4)) for p in found.paths] == [
        (A, 2, 2.88),  # 10 x 0.9 x (0.8 x 0.8) x 0.5
        (D, 1, 1.8),  # 20 x 0.3 x 0.3
    ]
    first = found.paths[0]
    assert first.nodes == (A, B, ZHANG, C) and first.factors == (0.9, 0.8, 0.8)
    assert [(link.src, link.dst, link.kind) for link in first.links] == [
        (B, A, "branch_of"),
        (ZHANG, B, "legal_rep"),
        (ZHANG, C, "legal_rep"),
    ]
    assert found.raw == pytest.approx(4.68) and found.risk == pytest.approx(4.68)
    assert risk(edges, {A: "red", D: "black"})[C] == pytest.approx(4.68)


def test_the_explanation_adds_up_to_the_propagation_on_a_mixed_graph() -> None:
    edges = [
        (ZHANG, A, "legal_rep"), (ZHANG, B, "shareholder", 0.6), (ZHANG, C, "legal_rep"),
        (LI, B, "legal_rep"), (LI, C, "shareholder", 0.2), (D, B, "branch_of"),
        (A, PARK, "at_address"), (C, PARK, "at_address"), (D, AGENCY, "has_phone"),
        (A, AGENCY, "has_phone"), (C, A, "successor_of"), (A, D, "shareholder", 0.35),
    ]  # fmt: skip
    seeds = {A: "red", D: "black"}
    whole = risk(edges, seeds, capped=False)
    g = build_graph(edges)
    for enterprise in (A, B, C, D):
        assert explain_risk(g, enterprise, seeds).raw == pytest.approx(whole[enterprise])


def _random_graph(rng):
    ents = [("enterprise", i) for i in range(int(rng.integers(2, 8)))]
    connectors = [("person", 100 + i) for i in range(int(rng.integers(0, 4)))]
    connectors += [("address", 200), ("phone", 300)]
    edges = []
    for _ in range(int(rng.integers(1, 25))):
        a = ents[rng.integers(len(ents))]
        if rng.random() < 0.7:
            c = connectors[rng.integers(len(connectors))]
            kind = {"address": "at_address", "phone": "has_phone"}.get(c[0])
            if kind:
                edges.append((a, c, kind))
            else:
                edges.append((c, a, "legal_rep" if rng.random() < 0.5 else "shareholder", 0.3))
        elif (b := ents[rng.integers(len(ents))]) != a:
            edges.append((a, b, ("branch_of", "successor_of")[rng.integers(2)]))
    seeds = {e: ("red", "black")[rng.integers(2)] for e in ents if rng.random() < 0.4}
    return edges, ents, seeds


def test_the_explanation_adds_up_to_the_propagation_on_random_graphs() -> None:
    # Cycles (shared representative and address, triangles through a branch), parallel edges,
    # hubs: the sparse propagation subtracts the walks that are not paths in closed form; the
    # explanation enumerates paths one by one. They must agree everywhere.
    rng = np.random.default_rng(2026)
    for _ in range(150):
        edges, ents, seeds = _random_graph(rng)
        config = RiskConfig(hub_cap=int(rng.integers(1, 5)), max_hops=int(rng.integers(1, 3)))
        whole = risk(edges, seeds, config, capped=False, nodes=ents)
        g = build_graph(edges, {e: {} for e in ents})
        for enterprise in ents:
            found = explain_risk(g, enterprise, seeds, config=config)
            assert found.raw == pytest.approx(whole[enterprise], abs=1e-9)
            assert math.fsum(p.contribution for p in found.paths) == found.raw


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_rep", 1.2), ("shareholder_control", -0.1), ("shareholder_minority", 2),
        ("control_share", 0), ("unknown_share", math.nan), ("branch_of", "0.9"),
        ("successor_of", 1.01), ("at_address", -1), ("has_phone", 3), ("decay", 1.5),
        ("max_hops", 3), ("max_hops", 0), ("hub_cap", -1), ("hub_cap", 2.5),
        ("hub_kinds", frozenset({"enterprise"})), ("seed_risk", {}),
        ("seed_risk", {"red": -5.0}), ("cap", -1.0), ("cap", math.inf),
    ],
)  # fmt: skip
def test_a_bad_config_field_is_named(field, value) -> None:
    with pytest.raises(ValueError, match=rf"RiskConfig\.{field}"):
        RiskConfig(**{field: value})


def test_the_config_is_frozen_and_its_seed_table_immutable() -> None:
    config = RiskConfig()
    with pytest.raises(AttributeError):
        config.decay = 0.9  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.seed_risk["red"] = 1.0  # type: ignore[index]


def _arrays(node_kind, src, dst, kind):
    return EdgeArrays(
        np.array(node_kind), np.array(src), np.array(dst), np.array(kind), np.full(len(src), 0.5)
    )


@pytest.mark.parametrize(
    ("node_kind", "src", "dst", "message"),
    [
        ([NodeKind.PERSON, NodeKind.ADDRESS], [0], [1], "join two connectors"),
        ([NodeKind.ENTERPRISE], [0], [0], "to itself"),
        ([NodeKind.ENTERPRISE, NodeKind.ENTERPRISE], [0], [2], "not a node"),
    ],
)
def test_bad_edge_arrays_are_refused(node_kind, src, dst, message) -> None:
    with pytest.raises(ValueError, match=message):
        _arrays(node_kind, src, dst, [EdgeKind.BRANCH_OF])


def test_only_enterprises_can_be_seeds() -> None:
    arrays = _arrays([NodeKind.PERSON, NodeKind.ENTERPRISE], [0], [1], [EdgeKind.LEGAL_REP])
    propagator = RiskPropagator(arrays)
    with pytest.raises(ValueError, match="only enterprises"):
        propagator.propagate({0: "red"})
    with pytest.raises(ValueError, match="expected 2 values"):
        propagator.propagate(np.zeros(3))
    assert propagator.propagate(np.array([0.0, 10.0])).tolist() == [0.0, 0.0]
