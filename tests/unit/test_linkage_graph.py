"""The enterprise graph library on small literal graphs: paths, hubs, explanations, groups."""

from __future__ import annotations

import doctest

import networkx as nx
import pytest

import linkage.graph as module
from linkage.graph import (
    Strength,
    build_graph,
    control_group,
    explain_connection,
    related_parties,
)

A, B, C, D, E, F = (("enterprise", i) for i in range(1, 7))
ZHANG, LI, WANG = ("person", 11), ("person", 12), ("person", 13)
PARK, AGENCY = ("address", 21), ("phone", 31)


def _by_node(found):
    return {r.node: r for r in found}


def test_doctests_pass() -> None:
    failures, tried = doctest.testmod(module)
    assert failures == 0 and tried >= 8


def test_a_shared_legal_representative_is_one_hop_with_its_path() -> None:
    g = build_graph([(ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep"), (B, C, "branch_of")])
    found = _by_node(related_parties(g, A, 2))
    assert {n: r.distance for n, r in found.items()} == {B: 1, C: 2}
    (path,) = found[C].paths
    assert path.nodes == (A, ZHANG, B, C) and path.hops == 2
    assert [(link.src, link.dst, link.kind) for link in path.links] == [
        (ZHANG, A, "legal_rep"),
        (ZHANG, B, "legal_rep"),
        (B, C, "branch_of"),
    ]
    assert related_parties(g, A, 1) == [found[B]]


def test_every_shortest_path_is_listed_strongest_first() -> None:
    g = build_graph(
        [
            (A, PARK, "at_address"), (B, PARK, "at_address"),
            (LI, A, "shareholder", 0.2), (LI, B, "shareholder", 0.3),
            (ZHANG, A, "legal_rep"), (ZHANG, B, "shareholder", 0.7),
        ]
    )  # fmt: skip
    (related,) = related_parties(g, A, 1)
    assert [p.nodes[1] for p in related.paths] == [ZHANG, LI, PARK]
    assert [p.strength for p in related.paths] == [
        Strength.CONTROL,
        Strength.SHAREHOLDING,
        Strength.SHARED,
    ]
    assert related.strength is Strength.CONTROL
    assert len(related_parties(g, A, 1, max_paths=1)[0].paths) == 1


def test_parallel_edges_collapse_to_the_strongest() -> None:
    g = build_graph(
        [
            (ZHANG, A, "shareholder", 0.1, "registry:shareholders"),
            (ZHANG, A, "legal_rep", None, "registry:legal_rep"),
            (ZHANG, B, "legal_rep"),
        ]
    )
    (related,) = related_parties(g, A, 1)
    assert [link.kind for link in related.paths[0].links] == ["legal_rep", "legal_rep"]


@pytest.mark.parametrize(
    ("degree", "cap", "reached"),
    [(None, 50, {B, C}), (None, 2, set()), (51, 50, set()), (3, 50, {B, C})],
    ids=["small", "over a low cap", "degree attribute over the cap", "attribute under"],
)
def test_a_hub_over_the_cap_is_reported_not_crossed(degree, cap, reached) -> None:
    nodes = {PARK: {"degree": degree}} if degree is not None else None
    g = build_graph(
        [(A, PARK, "at_address"), (B, PARK, "at_address"), (C, PARK, "at_address")], nodes
    )
    found = related_parties(g, A, 3, cap=cap)
    assert {r.node for r in found if not r.capped} == reached
    capped = [r for r in found if r.capped]
    assert [r.node for r in capped] == ([] if reached else [PARK])
    if capped:
        assert capped[0].distance == 0 and capped[0].paths[0].nodes == (A, PARK)


def test_a_person_is_never_capped_by_default_but_can_be() -> None:
    g = build_graph([(ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep")], {ZHANG: {"degree": 500}})
    assert [r.node for r in related_parties(g, A, 1)] == [B]
    capped = related_parties(g, A, 1, hub_kinds={"person"})
    assert [(r.node, r.capped) for r in capped] == [(ZHANG, True)]


def test_the_graph_holds_hubs_as_nodes_never_as_pairs() -> None:
    edges = [(("enterprise", i), PARK, "at_address") for i in range(100)]
    g = build_graph(edges)
    assert g.number_of_edges() == 100 and g.number_of_nodes() == 101
    assert not any(u[0] == v[0] == "enterprise" for u, v in g.edges())


def test_kinds_restrict_what_is_followed() -> None:
    g = build_graph([(A, AGENCY, "has_phone"), (B, AGENCY, "has_phone"), (C, A, "branch_of")])
    assert {r.node for r in related_parties(g, A, 2, kinds={"branch_of"})} == {C}
    assert {r.node for r in related_parties(g, A, 2)} == {B, C}


def test_a_person_can_be_the_start() -> None:
    g = build_graph([(ZHANG, A, "legal_rep"), (A, B, "successor_of")])
    assert {r.node: r.distance for r in related_parties(g, ZHANG, 2)} == {A: 1, B: 2}


def test_an_unknown_start_raises() -> None:
    with pytest.raises(nx.NodeNotFound):
        related_parties(build_graph([]), A, 2)
    with pytest.raises(nx.NodeNotFound):
        control_group(build_graph([]), A)


def test_explanation_prefers_control_to_a_shared_address_even_when_longer() -> None:
    g = build_graph(
        [
            (A, PARK, "at_address"), (D, PARK, "at_address"),
            (ZHANG, A, "legal_rep"), (ZHANG, B, "legal_rep"),
            (B, C, "branch_of"), (LI, C, "shareholder", 0.5), (LI, D, "legal_rep"),
        ]
    )  # fmt: skip
    path = explain_connection(g, A, D)
    assert path.nodes == (A, ZHANG, B, C, LI, D)
    assert (path.hops, path.strength) == (3, Strength.CONTROL)
    short = explain_connection(g, A, D, max_hops=2)
    assert short.nodes == (A, PARK, D) and short.strength is Strength.SHARED


def test_explanation_prefers_a_minority_holding_to_a_shared_phone() -> None:
    g = build_graph(
        [
            (A, AGENCY, "has_phone"), (B, AGENCY, "has_phone"),
            (LI, A, "shareholder", 0.1), (LI, C, "shareholder", 0.1), (C, B, "branch_of"),
        ]
    )  # fmt: skip
    assert explain_connection(g, A, B).nodes == (A, LI, C, B)


def test_no_explanation_through_a_capped_hub_or_beyond_max_hops() -> None:
    g = build_graph(
        [(A, PARK, "at_address"), (B, PARK, "at_address")] + [(C, D, "branch_of")],
        {PARK: {"degree": 900}},
    )
    assert explain_connection(g, A, B) is None
    chain = build_graph([(("enterprise", i), ("enterprise", i + 1), "branch_of") for i in range(6)])
    assert explain_connection(chain, ("enterprise", 0), ("enterprise", 4)).hops == 4
    assert explain_connection(chain, ("enterprise", 0), ("enterprise", 5)) is None
    assert explain_connection(chain, ("enterprise", 0), ("enterprise", 0)).nodes == (
        ("enterprise", 0),
    )


@pytest.mark.parametrize(
    ("share", "joined"),
    [(0.5, True), (0.51, True), (0.49, False), (None, False)],
    ids=["half: joint control", "majority", "minority", "unknown share"],
)
def test_a_controlling_shareholder_joins_the_group(share, joined) -> None:
    g = build_graph([(ZHANG, A, "legal_rep"), (ZHANG, B, "shareholder", share)])
    assert (B in control_group(g, A)) is joined


def test_shared_addresses_and_phones_never_join_a_group() -> None:
    g = build_graph(
        [
            (A, PARK, "at_address"), (B, PARK, "at_address"),
            (A, AGENCY, "has_phone"), (C, AGENCY, "has_phone"),
            (E, A, "branch_of"), (F, E, "successor_of"), (WANG, F, "legal_rep"),
        ]
    )  # fmt: skip
    assert control_group(g, A) == {A, E, F, WANG}
    assert control_group(g, B) == {B}
