"""Inspection planning, pure: the two-year rounds (督察轮次) and the random draws (双随机、一公开).

No database, no Flask: plain data in, plain data out; ``casemgr.services.inspections`` and
``casemgr.services.draws`` adapt them.
"""
