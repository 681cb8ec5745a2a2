"""Pure environmental-credit library: scoring schemes, indicators, graph propagation, tiers.

Filled by the credit issue; it never imports Flask, SQLAlchemy, marshmallow or casemgr.
Graph risk (关联风险) lives in :mod:`credit.graph_risk`, imported from there so that the rest of
the package does not load numpy and scipy.
"""

__all__: list[str] = []
