"""Use cases. Each public service is one unit of work and the only code that commits.

Services receive the session, the acting user (``casemgr.policy.Actor``) and settings as
arguments; they never touch Flask's request context.
"""
