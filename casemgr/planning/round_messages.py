"""The messages of the round planner's errors and breaches: English templates marked ``N_``
(the catalogue translates them where they are shown), each naming the parameters it is filled
from."""

from collections.abc import Mapping
from types import MappingProxyType

from casemgr.i18n import N_

# Message template of each error code (per field where they differ), i.e. the params it carries.
PLAN_ERROR_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "no_units": N_("a round needs at least one unit"),
        "no_teams": N_("a round needs at least one team"),
        "duplicate_unit": N_("unit {unit} is listed twice"),
        "duplicate_team": N_("team {team} is listed twice"),
        "bad_cycle": N_(
            "the cycle {cycle_start}..{cycle_end} must end on or after its start and by {max_end}"
        ),
        "bad_days": N_("{field} is {days}: at least {minimum} needed"),
        "bad_days/unit_days": N_(
            "unit_days gives {unit} {days} days: only units of the round, at least {minimum} day"
        ),
        "bad_blackout": N_("blackout {name} ends {end} before it starts {start}"),
        "unknown_year": N_("no lunar new year date for {year}: the table covers {first}-{last}"),
        "unit_too_long": N_(
            "{unit} needs {days} days on site but the longest stretch of the cycle outside "
            "blackouts is {longest_window} days"
        ),
        "capacity": N_(
            "{units} units cannot be inspected in {cycle_start}..{cycle_end} by {teams} "
            "team(s): {needed} team-days needed on site, {available} available outside "
            "blackouts ({free_days} days x {teams}), {rest_days} rest days between visits; "
            "left over: {left_over}"
        ),
    }
)

# Message template of each breach code (pairs: per reason). Per visit: unit, team, kind, start,
# end (+ the named extras); pairs: teams, units, periods (2-tuples, earlier visit first), reason,
# days, minimum; per unit: unit, cycle_start, cycle_end (+ count, teams, visits for unit_twice).
BREACH_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "bad_period": N_(
            "{kind} visit of team {team} to {unit} ends {end} before it starts {start}"
        ),
        "unknown_unit": N_("{unit} is not a unit of the round ({kind} visit {start}..{end})"),
        "unknown_team": N_("{team} is not a team of the round ({kind} visit {start}..{end})"),
        "outside_cycle": N_(
            "{kind} visit of team {team} to {unit} ({start}..{end}) is not within the cycle "
            "{cycle_start}..{cycle_end}"
        ),
        "in_blackout": N_(
            "{kind} visit of team {team} to {unit} ({start}..{end}) has {days} on-site days "
            "in {blackout} ({blackout_start}..{blackout_end})"
        ),
        "team_overlap/overlap": N_(
            "team {teams[0]} is in {units[0]} ({periods[0]}) and {units[1]} ({periods[1]}) at"
            " once: {days} days overlap"
        ),
        "team_overlap/rest": N_(
            "team {teams[0]} has only {days} rest days between {units[0]} ({periods[0]}) and "
            "{units[1]} ({periods[1]}); {minimum} required"
        ),
        "unit_overlap/overlap": N_(
            "teams {teams[0]} ({periods[0]}) and {teams[1]} ({periods[1]}) are both in "
            "{units[0]} for {days} days"
        ),
        "unit_overlap/gap": N_(
            "team {teams[1]} comes to {units[0]} ({periods[1]}) only {days} days after team "
            "{teams[0]} ({periods[0]}); {minimum} required"
        ),
        "unit_missing": N_("{unit} has no routine visit in the cycle {cycle_start}..{cycle_end}"),
        "unit_twice": N_(
            "{unit} has {count} routine visits in the cycle {cycle_start}..{cycle_end}: {visits}"
        ),
    }
)
