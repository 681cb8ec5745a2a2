"""A Fellegi-Sunter record-linkage model with parameters estimated by EM.

The classify stage of linkage (normalise → block → compare → *classify*). A compared pair is
a *pattern*: one agreement level per field (level 0 of every field means "missing", no
evidence). Under the usual conditional-independence assumption, each field and level has

* ``m`` = P(level | the pair is a match) and
* ``u`` = P(level | the pair is not a match),

and the pair's match weight is the sum over fields of ``log2(m / u)`` (zero for a missing
value). Two thresholds turn the weight into a :class:`Decision`.

:func:`fit` estimates ``m``, ``u`` and the share of matches by expectation-maximisation over
the pattern counts of the blocked candidate pairs. Pairs known to match (decided by a
deterministic rule) or known not to match may be added as labelled counts: they enter every
M-step with posterior 1 or 0 (semi-supervised EM), which anchors the model on the real
matches instead of whatever split of the data EM might otherwise find. Priors act as
pseudo-counts, fixed overrides pin single probabilities. Patterns are visited in sorted
order, so a fit is a deterministic function of its inputs.

Examples
--------
>>> spec = (FieldSpec("name", ("missing", "different", "same")),
...         FieldSpec("phone", ("missing", "different", "same")))
>>> counts = {(2, 2): 90, (1, 1): 880, (2, 1): 10, (1, 2): 20}
>>> model = fit(counts, ModelConfig(spec, match_threshold=5, review_threshold=0))
>>> model.converged, round(model.match_rate, 2)
(True, 0.1)
>>> model.classify((2, 2)).decision.value, model.classify((1, 0)).decision.value
('match', 'non_match')
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Classification",
    "Decision",
    "FieldSpec",
    "FieldWeight",
    "Model",
    "ModelConfig",
    "Pattern",
    "estimate_u",
    "fit",
    "level_frequencies",
    "level_totals",
]

Pattern = tuple[int, ...]
Counts = Mapping[Pattern, float]


class Decision(enum.StrEnum):
    """What to do with a compared pair."""

    MATCH = "match"  # link without review
    REVIEW = "review"  # uncertain: a person decides
    NON_MATCH = "non_match"  # do not link


@dataclass(frozen=True)
class FieldSpec:
    """A compared field and the names of its levels; level 0 means missing (no evidence)."""

    name: str
    levels: tuple[str, ...]

    @classmethod
    def from_enum(cls, name: str, levels: Iterable[enum.IntEnum]) -> FieldSpec:
        """Build from an :class:`enum.IntEnum` whose values are 0, 1, 2 ...

        >>> import enum
        >>> FieldSpec.from_enum("phone", enum.IntEnum("L", "MISSING SAME", start=0)).levels
        ('MISSING', 'SAME')
        """
        members = sorted(levels, key=int)
        if [int(m) for m in members] != list(range(len(members))):
            raise ValueError(f"levels of {name} must be numbered 0, 1, 2 ...")
        return cls(name, tuple(m.name for m in members))


@dataclass(frozen=True)
class ModelConfig:
    """How to estimate and apply a :class:`Model`.

    Attributes
    ----------
    fields : tuple of FieldSpec
        The fields in pattern order.
    m_prior, u_prior : mapping of field name to a sequence of probabilities
        Per level (index 0, missing, ignored): the starting values and the prior mean.
        By default m grows and u falls with the level (higher levels mean more agreement).
    prior_strength : float
        Pseudo-counts the priors add to every M-step, spread by the prior probabilities.
    fixed : mapping of (field, level name) to (m or None, u or None)
        Probabilities held at the given value (other levels share the rest).
    match_threshold, review_threshold : float
        Weights (bits) from which a pair is a match, or goes to review.
    initial_match_rate : float
        Starting share of matches among the unlabelled pairs.
    estimate_u : bool
        Re-estimate u in every M-step. Without it u stays where the labelled non-matches and
        the prior put it: pass random pairs as labelled non-matches, because on blocked pairs
        the fields used for blocking agree far more often than among non-matches at large,
        which would understate their weight.
    max_iterations, tolerance : int, float
        EM stops when no parameter moves more than `tolerance`, or after `max_iterations`.
    min_probability : float
        Floor of every m and u, so that no single field can veto or force a link.
    """

    fields: tuple[FieldSpec, ...]
    m_prior: Mapping[str, Sequence[float]] = field(default_factory=dict)
    u_prior: Mapping[str, Sequence[float]] = field(default_factory=dict)
    prior_strength: float = 1.0
    fixed: Mapping[tuple[str, str], tuple[float | None, float | None]] = field(default_factory=dict)
    match_threshold: float = 10.0
    review_threshold: float = 2.0
    initial_match_rate: float = 0.1
    estimate_u: bool = True
    max_iterations: int = 500
    tolerance: float = 1e-7
    min_probability: float = 1e-6

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate field names in {names}")
        for (name, level), _ in self.fixed.items():
            spec = next((f for f in self.fields if f.name == name), None)
            if spec is None or level not in spec.levels[1:]:
                raise ValueError(f"fixed override for unknown field level {name}.{level}")
        if self.review_threshold > self.match_threshold:
            raise ValueError("review_threshold must not exceed match_threshold")


@dataclass(frozen=True)
class FieldWeight:
    """One field's part in a decision: its level and that level's weight, log2(m/u)."""

    field: str
    level: str
    weight: float


@dataclass(frozen=True)
class Classification:
    """A pair's total weight, its decision and the per-field evidence."""

    score: float
    decision: Decision
    evidence: tuple[FieldWeight, ...]


@dataclass(frozen=True)
class Model:
    """Estimated parameters of a Fellegi-Sunter model (see :func:`fit`).

    Attributes
    ----------
    config : ModelConfig
    m, u : tuple of tuple of float
        Per field, per level (index 0, missing, is 1.0: no evidence).
    match_rate : float
        Estimated share of matches among the unlabelled pairs.
    iterations : int
    converged : bool
    """

    config: ModelConfig
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    match_rate: float
    iterations: int
    converged: bool

    @property
    def weights(self) -> tuple[tuple[float, ...], ...]:
        """Per field and level, log2(m/u); 0.0 for the missing level."""
        return tuple(
            (0.0, *(math.log2(m / u) for m, u in zip(ms[1:], us[1:], strict=True)))
            for ms, us in zip(self.m, self.u, strict=True)
        )

    def weight_table(self) -> dict[str, dict[str, float]]:
        """``{field: {level: weight}}`` for reports."""
        return {
            spec.name: dict(zip(spec.levels, ws, strict=True))
            for spec, ws in zip(self.config.fields, self.weights, strict=True)
        }

    def score(self, pattern: Pattern) -> float:
        """The match weight of a pattern: the sum of its fields' weights, in bits."""
        weights = self.weights
        return sum(weights[f][level] for f, level in enumerate(pattern))

    def decide(self, score: float) -> Decision:
        """Apply the thresholds of the config."""
        if score >= self.config.match_threshold:
            return Decision.MATCH
        if score >= self.config.review_threshold:
            return Decision.REVIEW
        return Decision.NON_MATCH

    def classify(self, pattern: Pattern) -> Classification:
        """Score and decide a pattern, with each field's level and weight as evidence."""
        weights = self.weights
        evidence = tuple(
            FieldWeight(spec.name, spec.levels[level], weights[f][level])
            for f, (spec, level) in enumerate(zip(self.config.fields, pattern, strict=True))
        )
        score = sum(e.weight for e in evidence)
        return Classification(score, self.decide(score), evidence)

    def probability(self, score: float) -> float:
        """Posterior match probability of a weight, given the estimated match rate."""
        rate = min(max(self.match_rate, 1e-12), 1 - 1e-12)
        odds = math.log2(rate / (1 - rate)) + score
        return 1.0 / (1.0 + 2.0 ** (-odds)) if odds > -1000 else 0.0


def level_frequencies(counts: Counts, fields: Sequence[FieldSpec]) -> tuple[tuple[float, ...], ...]:
    """Per field, the share of each non-missing level in `counts` (e.g. u from random pairs).

    >>> spec = (FieldSpec("name", ("missing", "different", "same")),)
    >>> level_frequencies({(1,): 3, (2,): 1, (0,): 6}, spec)
    ((1.0, 0.75, 0.25),)
    """
    totals = [[0.0] * len(spec.levels) for spec in fields]
    for pattern, count in counts.items():
        for f, level in enumerate(pattern):
            totals[f][level] += count
    return tuple(_normalise(t, 0.0) for t in totals)


def _normalise(values: Sequence[float], floor: float) -> tuple[float, ...]:
    """1.0 for the missing level, then the other values scaled to sum to one."""
    rest = [max(v, 0.0) for v in values[1:]]
    total = sum(rest)
    if total <= 0:
        rest = [1.0] * len(rest)
        total = float(len(rest))
    probs = [max(v / total, floor) for v in rest]
    scale = sum(probs)
    return (1.0, *(p / scale for p in probs))


def _default_prior(n: int, rising: bool) -> list[float]:
    # Levels are ordered from disagreement to agreement.
    return [0.0, *((2.0 ** (k if rising else -k)) for k in range(n - 1))]


def _apply_fixed(
    probs: tuple[float, ...], fixed: dict[int, float], floor: float
) -> tuple[float, ...]:
    if not fixed:
        return probs
    share = 1.0 - sum(fixed.values())
    free = sum(p for k, p in enumerate(probs) if k and k not in fixed)
    out = [1.0]
    for k in range(1, len(probs)):
        if k in fixed:
            out.append(fixed[k])
        else:
            out.append(max(probs[k] / free * share if free > 0 else floor, floor))
    return tuple(out)


def _fixed(config: ModelConfig, which: int) -> list[dict[int, float]]:
    """Per field, the fixed m (`which` 0) or u (1) probabilities by level index."""
    fixed: list[dict[int, float]] = [{} for _ in config.fields]
    for (name, level_name), values in config.fixed.items():
        k = next(k for k, s in enumerate(config.fields) if s.name == name)
        if values[which] is not None:
            fixed[k][config.fields[k].levels.index(level_name)] = float(values[which] or 0.0)
    return fixed


def _m_step(
    config: ModelConfig,
    observed: Sequence[Sequence[float]],
    prior: Mapping[str, Sequence[float]],
    rising: bool,
    fixed: list[dict[int, float]],
) -> tuple[tuple[float, ...], ...]:
    """Probabilities from observed level totals plus the prior's pseudo-counts."""
    out = []
    for spec, totals, fx in zip(config.fields, observed, fixed, strict=True):
        mean = _normalise(prior.get(spec.name) or _default_prior(len(spec.levels), rising), 0)
        values = [t + config.prior_strength * p for t, p in zip(totals, mean, strict=True)]
        out.append(_apply_fixed(_normalise(values, config.min_probability), fx,
                                config.min_probability))  # fmt: skip
    return tuple(out)


def estimate_u(non_matches: Counts, config: ModelConfig) -> tuple[tuple[float, ...], ...]:
    """u from labelled non-matches (e.g. random pairs), the u prior and the fixed values.

    This is the u :func:`fit` starts from (and keeps, without `config.estimate_u`).

    >>> spec = (FieldSpec("name", ("missing", "different", "same")),)
    >>> [round(x, 3) for x in estimate_u({(1,): 998, (2,): 1}, ModelConfig(spec))[0]]
    [1.0, 0.999, 0.001]
    """
    totals = level_totals(non_matches, config.fields)
    return _m_step(config, totals, config.u_prior, False, _fixed(config, 1))


def fit(
    counts: Counts,
    config: ModelConfig,
    *,
    matches: Counts | None = None,
    non_matches: Counts | None = None,
    adjusted: Mapping[tuple[Pattern, float], float] | None = None,
    population: float | None = None,
) -> Model:
    """Estimate m, u and the match rate by (semi-supervised) EM.

    Parameters
    ----------
    counts : mapping of pattern to count
        Patterns of the unlabelled candidate pairs.
    config : ModelConfig
    matches, non_matches : mapping of pattern to count, optional
        Labelled pairs, e.g. those linked by a deterministic rule, and random pairs. Set a
        field to 0 (missing) in a labelled pattern to keep it from informing that field
        (the identifier of a pair linked because its identifiers agree).
    adjusted : mapping of (pattern, adjustment) to count, optional
        More unlabelled pairs, each with an adjustment (bits) that EM adds to the weight of
        its pattern as given: term-frequency adjustments, log2(u / u_value) for a level whose
        u depends on the value (a common name agrees by chance more often than a rare one).
    population : float, optional
        The number of pairs the unlabelled ones were selected from (records x registry
        size, for blocked pairs), when u describes random pairs: the match rate is then
        the share of matches in that population, and the pairs left out by blocking count
        as non-matches. By default, the unlabelled pairs are the whole population.

    Returns
    -------
    Model

    Examples
    --------
    >>> spec = (FieldSpec("name", ("missing", "different", "same")),)
    >>> model = fit({(1,): 95, (2,): 5}, ModelConfig(spec), matches={(2,): 50},
    ...             non_matches={(1,): 900, (2,): 9})
    >>> [round(w, 1) for w in model.weights[0]]
    [0.0, -7.2, 6.6]
    """
    fields = config.fields
    n_fields = len(fields)
    labelled_m = level_totals(matches or {}, fields)
    labelled_u = level_totals(non_matches or {}, fields)
    fixed_m, fixed_u = _fixed(config, 0), _fixed(config, 1)
    m = _m_step(config, labelled_m, config.m_prior, True, fixed_m)
    u = estimate_u(non_matches or {}, config)
    items = [(p, 0.0, c) for p, c in counts.items() if c > 0]
    items += [(p, a * math.log(2), c) for (p, a), c in (adjusted or {}).items() if c > 0]
    items.sort()
    for pattern, _, _ in items:
        if len(pattern) != n_fields:
            raise ValueError(f"pattern {pattern} does not have {n_fields} levels")
    total = sum(c for _, _, c in items)
    rate = config.initial_match_rate
    if population is not None:
        if population < total:
            raise ValueError(f"population {population} is smaller than the {total} pairs")
        rate *= total / population
        total = population
    converged = not items
    iterations = 0
    while not converged and iterations < config.max_iterations:
        iterations += 1
        sum_m = [[0.0] * len(s.levels) for s in fields]
        sum_u = [[0.0] * len(s.levels) for s in fields]
        matched = 0.0
        log_odds = math.log(max(rate, 1e-300)) - math.log(max(1 - rate, 1e-300))
        log_m = [[math.log(x) for x in ms] for ms in m]
        log_u = [[math.log(x) for x in us] for us in u]
        for pattern, adjustment, count in items:
            odds = log_odds + adjustment
            for f, level in enumerate(pattern):
                if level:
                    odds += log_m[f][level] - log_u[f][level]
            posterior = 1.0 / (1.0 + math.exp(-odds)) if odds > -700 else 0.0
            pm, pu = count * posterior, count * (1.0 - posterior)
            matched += pm
            for f, level in enumerate(pattern):
                sum_m[f][level] += pm
                sum_u[f][level] += pu
        observed_m = [[a + b for a, b in zip(x, y, strict=True)]
                      for x, y in zip(sum_m, labelled_m, strict=True)]  # fmt: skip
        new_m = _m_step(config, observed_m, config.m_prior, True, fixed_m)
        new_u = u
        if config.estimate_u:
            observed_u = [[a + b for a, b in zip(x, y, strict=True)]
                          for x, y in zip(sum_u, labelled_u, strict=True)]  # fmt: skip
            new_u = _m_step(config, observed_u, config.u_prior, False, fixed_u)
        new_rate = min(max(matched / total, 1e-300), 1 - 1e-9)
        change = max(
            abs(new_rate - rate),
            *(abs(a - b) for x, y in zip(m, new_m, strict=True) for a, b in zip(x, y, strict=True)),
            *(abs(a - b) for x, y in zip(u, new_u, strict=True) for a, b in zip(x, y, strict=True)),
        )  # fmt: skip
        m, u, rate = new_m, new_u, new_rate
        converged = change < config.tolerance
    return Model(config, m, u, rate, iterations, converged)


def level_totals(counts: Counts, fields: Sequence[FieldSpec]) -> list[list[float]]:
    """Per field and level, the summed counts of the patterns (level 0 included)."""
    totals = [[0.0] * len(spec.levels) for spec in fields]
    for pattern, count in sorted(counts.items()):
        for f, level in enumerate(pattern):
            totals[f][level] += count
    return totals
