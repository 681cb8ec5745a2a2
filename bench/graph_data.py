"""A province-sized enterprise graph of realistic shape, for ``bench/graph.py``.

Pure (stdlib only) and deterministic for a seed. It takes the enterprises already generated
(their county, legal representative's name and address, by enterprise id) and yields the rows
of ``graph_nodes`` and ``graph_edges`` as the registry build (``casemgr.services.graph_build``)
would have written them: the same kinds, directions, sources and node keys.

The shape, with about 5 edges per enterprise:

* **legal representatives** (``person → enterprise``, ``registry:legal_rep``): one per
  enterprise; a person represents 1 enterprise (80 % of the persons), 2 (12.5 %), 3 (5 %) or
  a long tail (Pareto, α 2, 4 to 400: professional nominees), within one county; 8 % of the
  enterprises also have a former representative (a closed edge, ``valid_to`` in the past);
* **shareholders** (``→ enterprise``, ``registry:shareholders``, with shares summing to 1):
  1–7 per enterprise (mean about 2), the largest usually the legal representative; others
  are investors who hold stakes in several enterprises (18 %: 2 or 3 mostly, up to 9 often, a
  long tail up to 300), holding companies (6 %: groups of the same sizes) or persons known only
  from that one record;
* **branches** (``branch → parent``): 5 % of the enterprises, parents drawn with a long tail,
  a fifth of them also listed by the parent (a second, parallel edge); **successors**: 1 %;
* **addresses** (``enterprise → address``): 78 % of the enterprises alone at their address,
  12 % sharing a building with 1–4 others, 10 % in business parks of the county whose sizes
  follow a long tail (from 10 to a few thousand: the big ones are the hubs the cap must stop,
  the small ones stay below it and are traversed); 5 % also have a former address;
* **phones** (``enterprise → phone``): 85 % of the enterprises; the legal representative's
  mobile shared by their enterprises (60 % of a multi-enterprise person's), accounting
  agencies' landlines shared by up to a few thousand enterprises (hubs), small family groups,
  and the rest unique.

Node degrees count open edges, as ``update_degrees`` does.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import Any

NODE_COLUMNS = "id, kind, key, label, degree"
EDGE_COLUMNS = (
    "id, kind, src_kind, src_id, dst_kind, dst_id, share, source, batch_id, valid_from, valid_to"
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林田龙吴杨潘石冉韦蒙"
_GIVEN = "建国明华伟芳勇军敏静丽强磊洋艳杰涛超秀英霞平刚桂兰玉梅林波斌辉鹏飞"
_PARKS = ("工业园区", "经济开发区", "产业园", "高新技术产业园", "物流园", "创业园")
_FIRST_DAY = date(2005, 1, 1).toordinal()
_LAST_DAY = date(2025, 12, 31).toordinal()
_ENDED_BEFORE = date(2025, 6, 30).toordinal()  # closed edges ended before this day


@dataclass
class GraphFacts:
    """What was generated: counts by kind, and enterprises worth sampling."""

    nodes: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    closed_edges: int = 0
    # enterprise ids by what makes them interesting to query
    well_connected: list[int] = field(default_factory=list)
    hub_adjacent: list[int] = field(default_factory=list)
    hubs: dict[str, int] = field(default_factory=dict)  # kind -> nodes with degree over the cap
    largest_degree: dict[str, int] = field(default_factory=dict)


def _tail(rnd: Any, alpha: float, low: int, high: int) -> int:
    """A Pareto draw: ``low`` or more, rarely up to ``high``."""
    return min(high, int(low * (1.0 - rnd()) ** (-1.0 / alpha)))


class _Weighted:
    """Draws from items with fixed weights (bisect on the running sum)."""

    def __init__(self, items: Sequence[int], weights: Sequence[float]) -> None:
        self.items, self.sums = list(items), list(accumulate(weights))

    def draw(self, rnd: Any) -> int:
        return self.items[bisect_right(self.sums, rnd() * self.sums[-1])]


def _portfolio(rnd: Any) -> int:
    """How many enterprises an investor holds stakes in (or a group holds, or a parent has as
    branches): 2 or 3 mostly, up to 9 often, a long tail up to 300."""
    u = rnd()
    return (
        2
        if u < 0.5
        else 3
        if u < 0.75
        else 4 + int(rnd() * 6)
        if u < 0.97
        else _tail(rnd, 1.5, 10, 300)
    )


def _day(rnd: Any, first: int = _FIRST_DAY, last: int = _LAST_DAY) -> str:
    return date.fromordinal(first + int(rnd() * (last - first))).isoformat()


def _mobile(rnd: Any) -> str:
    return f"1{3 + int(rnd() * 6)}{int(rnd() * 10)}{int(rnd() * 1e8):08d}"


def _person_name(rnd: Any) -> str:
    name = _SURNAMES[int(rnd() * len(_SURNAMES))] + _GIVEN[int(rnd() * len(_GIVEN))]
    return name + (_GIVEN[int(rnd() * len(_GIVEN))] if rnd() < 0.7 else "")


def generate_graph(
    counties: Sequence[str],
    reps: Sequence[str],
    addresses: Sequence[str],
    *,
    seed: int = 2026,
    cap: int = 50,
    facts: GraphFacts | None = None,
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield ``("graph_nodes", row)`` and ``("graph_edges", row)`` for enterprises ``1..n``
    (``counties[i]``, ``reps[i]``, ``addresses[i]`` describe enterprise ``i + 1``), rows in
    the order of :data:`NODE_COLUMNS` and :data:`EDGE_COLUMNS`. ``facts`` is filled in."""
    facts = facts if facts is not None else GraphFacts()
    rng = random.Random(f"bench.graph:{seed}")
    rnd = rng.random
    n = len(counties)
    by_county: dict[str, list[int]] = {}
    for eid, county in enumerate(counties, 1):
        by_county.setdefault(county, []).append(eid)
    for ids in by_county.values():
        rng.shuffle(ids)

    # Node ids are shared by persons, addresses and phones (unique across kinds).
    kinds: list[str] = [""]  # index = node id
    keys: list[str] = [""]
    labels: list[str] = [""]
    degree: list[int] = [0]

    def node(kind: str, key: str, label: str) -> int:
        kinds.append(kind)
        keys.append(key[:300])
        labels.append(label[:300])
        degree.append(0)
        return len(kinds) - 1

    # -- legal representatives, each over 1 to a few hundred enterprises of one county
    rep_of = [0] * (n + 1)
    rep_size: dict[int, int] = {}
    for ids in by_county.values():
        i = 0
        while i < len(ids):
            u = rnd()
            k = 1 if u < 0.80 else 2 if u < 0.925 else 3 if u < 0.975 else _tail(rnd, 2.0, 4, 400)
            first = ids[i]
            person = node("person", f"{reps[first - 1]}|id:p{len(kinds):07d}", reps[first - 1])
            rep_size[person] = k
            for eid in ids[i : i + k]:
                rep_of[eid] = person
            i += k
    # -- investors (persons holding stakes in several enterprises) and holding companies
    # Each is drawn with a weight that is about the number of its holdings (or branches).
    investors = [node("person", f"{_person_name(rnd)}|id:i{j:07d}", "") for j in range(n // 18)]
    for inv in investors:
        labels[inv] = keys[inv].split("|", 1)[0]
    investor_pick = _Weighted(investors, [_portfolio(rnd) for _ in investors])
    holding = rng.sample(range(1, n + 1), max(1, n // 60))
    holding_weight = [_portfolio(rnd) for _ in holding]
    holding_pick = _Weighted(holding, holding_weight)
    parents = rng.sample(range(1, n + 1), max(1, n // 60))
    parent_weight = [_portfolio(rnd) for _ in parents]
    parent_pick = _Weighted(parents, parent_weight)

    # -- addresses: alone, a shared building, or a park of the county
    address_of = [0] * (n + 1)
    for county, ids in by_county.items():
        i = 0
        park_members: list[int] = []
        while i < len(ids):
            u = rnd()
            if u < 0.78:
                eid = ids[i]
                address_of[eid] = node("address", f"{county}:{eid}", addresses[eid - 1])
                i += 1
            elif u < 0.90:
                size = 2 + int(rnd() * 4)
                eid = ids[i]
                shared = node("address", f"{county}:{eid}", addresses[eid - 1])
                for member in ids[i : i + size]:
                    address_of[member] = shared
                i += size
            else:
                park_members.append(ids[i])
                i += 1
        j = 0
        while j < len(park_members):
            size = _tail(rnd, 1.1, 10, 8000)
            label = addresses[park_members[j] - 1].split("镇", 1)[0]
            label += _PARKS[int(rnd() * len(_PARKS))] + f"{1 + int(rnd() * 50)}号"
            park = node("address", f"{county}:park{j}", label)
            for member in park_members[j : j + size]:
                address_of[member] = park
            j += size

    # -- phones: the representative's mobile, an agency's landline, a family's, or unique
    phone_of = [0] * (n + 1)
    rep_phone: dict[int, int] = {}
    agencies: dict[str, list[int]] = {}
    for county, ids in by_county.items():
        pref = county[:4]
        for eid in ids:
            u = rnd()
            if u >= 0.85:
                continue
            person = rep_of[eid]
            if rep_size[person] > 1 and rnd() < 0.6:
                if person not in rep_phone:
                    number = _mobile(rnd)
                    rep_phone[person] = node("phone", number + f"#{len(kinds)}", number)
                phone_of[eid] = rep_phone[person]
            elif u < 0.07:  # an accounting agency of the prefecture
                pool = agencies.setdefault(pref, [])
                if not pool or rnd() < 0.02:
                    number = f"0851-8{int(rnd() * 1e7):07d}"
                    pool.append(node("phone", number + f"#{len(kinds)}", number))
                phone_of[eid] = pool[min(len(pool) - 1, int(len(pool) * rnd() ** 3))]
            else:
                number = _mobile(rnd)
                phone_of[eid] = node("phone", number + f"#{len(kinds)}", number)

    # -- edges, streamed; private persons (shareholders known from one record) streamed too
    edge_id = 0
    counts: dict[str, int] = {}

    def edge(
        kind: str, src: tuple[str, int], dst: tuple[str, int], share: float | None,
        source: str, valid_to: str | None = None,
    ) -> tuple[str, tuple[Any, ...]]:  # fmt: skip
        nonlocal edge_id
        edge_id += 1
        counts[kind] = counts.get(kind, 0) + 1
        if valid_to is None:
            for end_kind, end_id in (src, dst):
                if end_kind != "enterprise":
                    degree[end_id] += 1
        else:
            facts.closed_edges += 1
        started = _day(rnd)
        if valid_to is not None and valid_to <= started:
            started = _day(rnd, _FIRST_DAY, date.fromisoformat(valid_to).toordinal())
        row = (edge_id, kind, src[0], src[1], dst[0], dst[1], share, source, None, started)
        return "graph_edges", (*row, valid_to)

    private = 0
    for eid in range(1, n + 1):
        me = ("enterprise", eid)
        person = rep_of[eid]
        yield edge("legal_rep", ("person", person), me, None, "registry:legal_rep")
        if rnd() < 0.08:
            former = rep_of[1 + int(rnd() * n)]
            if former != person:
                ended = _day(rnd, _FIRST_DAY + 365, _ENDED_BEFORE)
                yield edge("legal_rep", ("person", former), me, None, "registry:legal_rep", ended)
        u = rnd()
        holders = 1 if u < 0.42 else 2 if u < 0.76 else 3 if u < 0.91 else 4 if u < 0.97 else 5
        holders += int(rnd() * 3) if holders == 5 else 0
        weights = sorted((rnd() + 0.05 for _ in range(holders)), reverse=True)
        total = sum(weights)
        for h, w in enumerate(weights):
            share = round(w / total, 4)
            v = rnd()
            if h == 0 and v < 0.7:
                src = ("person", person)
            elif v < 0.06:
                src = ("enterprise", holding_pick.draw(rnd))
                if src[1] == eid:
                    continue
            elif v < 0.24:
                src = ("person", investor_pick.draw(rnd))
            else:
                private += 1
                name = _person_name(rnd)
                pid = node("person", f"{name}|ent:{eid}#{private}", name)
                src = ("person", pid)
            yield edge("shareholder", src, me, share, "registry:shareholders")
        v = rnd()
        if v < 0.05:
            parent = parent_pick.draw(rnd)
            if parent != eid:
                yield edge("branch_of", me, ("enterprise", parent), None, "registry:name")
                if rnd() < 0.2:
                    p = ("enterprise", parent)
                    yield edge("branch_of", me, p, None, "registry:branches")
        elif v < 0.06:
            predecessor = 1 + int(rnd() * n)
            if predecessor != eid:
                yield edge("successor_of", me, ("enterprise", predecessor), None, "registry:name")
        yield edge("at_address", me, ("address", address_of[eid]), None, "registry:address")
        if rnd() < 0.05:
            old = address_of[1 + int(rnd() * n)]
            ended = _day(rnd, _FIRST_DAY + 365, _ENDED_BEFORE)
            yield edge("at_address", me, ("address", old), None, "registry:address", ended)
        if phone_of[eid]:
            yield edge("has_phone", me, ("phone", phone_of[eid]), None, "registry:phone")

    for node_id in range(1, len(kinds)):
        yield "graph_nodes", (node_id, kinds[node_id], keys[node_id], labels[node_id],
                              degree[node_id])  # fmt: skip
        facts.nodes[kinds[node_id]] = facts.nodes.get(kinds[node_id], 0) + 1
        if kinds[node_id] in ("address", "phone") and degree[node_id] > cap:
            facts.hubs[kinds[node_id]] = facts.hubs.get(kinds[node_id], 0) + 1
        top = facts.largest_degree.get(kinds[node_id], 0)
        facts.largest_degree[kinds[node_id]] = max(top, degree[node_id])
    facts.edges = counts

    # Enterprises worth sampling: a representative of 10 or more, a big group's holding
    # company or parent, and those at a hub address or phone.
    big = {p for p, size in rep_size.items() if size >= 10}
    hub = {i for i in range(1, len(kinds)) if kinds[i] in ("address", "phone")
           and degree[i] > cap}  # fmt: skip
    heavy = {e for e, w in zip(holding, holding_weight, strict=True) if w >= 20}
    heavy |= {e for e, w in zip(parents, parent_weight, strict=True) if w >= 20}
    for eid in range(1, n + 1):
        if rep_of[eid] in big or eid in heavy:
            facts.well_connected.append(eid)
        if address_of[eid] in hub or phone_of[eid] in hub:
            facts.hub_adjacent.append(eid)
