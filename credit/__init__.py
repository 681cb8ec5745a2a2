"""Pure environmental-credit library: scoring schemes, indicators, graph propagation, tiers.

Filled by the credit issue; it never imports Flask, SQLAlchemy, marshmallow or casemgr.
"""

__all__: list[str] = []
