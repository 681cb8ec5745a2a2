"""A draw's inputs as one JSON document: what is published so that anyone can re-run the draw.

The document holds the seed, level, period and day, the sampling configuration, the pool
(USCC, class, county, weight), the roster (inspector id, home county, certification end), the
declared conflicts and the last inspectors; :func:`request_from_document` turns it back into a
:class:`~casemgr.planning.draws.DrawRequest` for :func:`~casemgr.planning.draws.run_draw`, and
``docs/draw-algorithm.md`` lets it be re-run without this code.

Examples
--------
>>> from datetime import date
>>> from casemgr.planning.draws import DrawRequest, Inspector, PoolEntry, run_draw
>>> from casemgr.planning.sampling import load_sampling_config
>>> request = DrawRequest("seed", "county", "quarter", date(2026, 1, 5),
...                       [PoolEntry("E1", 7, "special", "520102")],
...                       [Inspector(i, "520115", date(2026, 12, 31)) for i in (1, 2)],
...                       load_sampling_config())
>>> again = request_from_document(request_to_document(request))
>>> run_draw(again).result_digest == run_draw(request).result_digest
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from casemgr.planning.draws import DrawRequest, Inspector, PoolEntry
from casemgr.planning.sampling import SamplingConfig

__all__ = ["FORMAT", "request_from_document", "request_to_document"]

FORMAT = "casemgr-draw-inputs/1"


def request_to_document(request: DrawRequest) -> dict[str, Any]:
    """The request as JSON-ready data, pool and roster in canonical order."""
    return {
        "format": FORMAT,
        "seed": request.seed,
        "level": request.level,
        "period": request.period,
        "on": request.on.isoformat(),
        "config": request.config.to_mapping(),
        "pool": [
            [e.key, e.inspection_class, e.county_code, e.weight]
            for e in sorted(request.pool, key=lambda e: e.key)
        ],
        "roster": [
            [i.id, i.home_county, i.certified_until.isoformat() if i.certified_until else None]
            for i in sorted(request.roster, key=lambda i: i.id)
        ],
        "conflicts": {str(i): sorted(keys) for i, keys in sorted(request.conflicts.items())},
        "last_inspectors": {k: sorted(ids) for k, ids in sorted(request.last_inspectors.items())},
    }


def request_from_document(
    doc: Mapping[str, Any], enterprise_ids: Sequence[int] | None = None
) -> DrawRequest:
    """The request of a document made by :func:`request_to_document`; ``enterprise_ids`` (in
    the pool's order) restores the internal ids the document leaves out (numbered from 1
    otherwise). Raises ValueError naming what is wrong (format, a missing field, a malformed
    row)."""
    if doc.get("format") != FORMAT:
        raise ValueError(f"format: expected {FORMAT!r}, got {doc.get('format')!r}")
    try:
        ids = enterprise_ids if enterprise_ids is not None else range(1, len(doc["pool"]) + 1)
        if len(ids) != len(doc["pool"]):
            raise ValueError(f"enterprise_ids: {len(ids)} for a pool of {len(doc['pool'])}")
        pool = [
            PoolEntry(str(key), eid, str(cls), str(county), float(weight))
            for eid, (key, cls, county, weight) in zip(ids, doc["pool"], strict=True)
        ]
        roster = [
            Inspector(int(i), str(home), date.fromisoformat(until) if until else None)
            for i, home, until in doc["roster"]
        ]
        return DrawRequest(
            seed=str(doc["seed"]),
            level=str(doc["level"]),
            period=str(doc["period"]),
            on=date.fromisoformat(doc["on"]),
            pool=pool,
            roster=roster,
            config=SamplingConfig.from_mapping(doc["config"]),
            conflicts={int(i): frozenset(keys) for i, keys in doc["conflicts"].items()},
            last_inspectors={
                k: frozenset(map(int, ids)) for k, ids in doc["last_inspectors"].items()
            },
        )
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]}: missing") from exc
    except (TypeError, ValueError) as exc:
        raise ValueError(f"malformed document: {exc}") from exc
