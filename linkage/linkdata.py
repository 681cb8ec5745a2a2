"""The plain data of a linkage run: rules, evidence, results, settings and counts.

Used by :class:`linkage.linker.Linker`; :mod:`linkage.pipeline` re-exports the public names.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from linkage.blocking import BlockingConfig
from linkage.compare import FIELDS
from linkage.fellegi_sunter import Decision, FieldSpec, ModelConfig

__all__ = [
    "Evidence",
    "LinkConfig",
    "LinkResult",
    "LinkStats",
    "Progress",
    "Rule",
    "default_model_config",
]

Progress = Callable[[str, int], None]


class Rule(enum.StrEnum):
    """A deterministic link (USCC: GB 32100-2015; organisation code: GB 11714-1997)."""

    USCC = "uscc"  # the record's valid USCC is a registry record's USCC
    LEGACY_TAX_ID = "legacy_tax_id"  # its legacy tax id ends with a registry USCC's org code
    REGNO = "regno"  # its registration number is a registry record's (when the registry has them)


_RULE_TEXT = {
    Rule.USCC: "the record's valid USCC is the registry USCC",
    Rule.LEGACY_TAX_ID: "the legacy tax id's organisation code is the USCC's (positions 9-17)",
    Rule.REGNO: "the registration number is the registry record's",
}


class Evidence(NamedTuple):
    """One reason for a decision: a field's level and weight (bits), or the rule applied."""

    field: str
    level: str
    weight: float
    detail: str = ""


class LinkResult(NamedTuple):
    """The decision for one tax or enforcement record.

    Attributes
    ----------
    source : str
        ``"tax"`` or ``"env"``.
    record_id : str
        The taxpayer id, or the enforcement record id.
    uscc : str or None
        The registry record linked (match), proposed (review) or closest (non-match); None
        when no candidate was found.
    score : float
        Log2 odds that `uscc` is the record's match: the evidence weights, which sum to it
        (fields, prior, rivals); ``-inf`` without a candidate.
    decision : Decision
    evidence : tuple of Evidence
        Per field, then the rule for a deterministic link.
    alternatives : tuple of (str, float)
        For a review, the other candidates worth a look, with their weights.
    """

    source: str
    record_id: str
    uscc: str | None
    score: float
    decision: Decision
    evidence: tuple[Evidence, ...]
    alternatives: tuple[tuple[str, float], ...] = ()


_RULE_EVIDENCE = {
    rule: Evidence("rule", rule.value, 0.0, text) for rule, text in _RULE_TEXT.items()
}


# Starting values and prior means of m and u per level (missing first), as fitted on 50,000
# generated Guizhou registry records; with ten pseudo-counts they only matter on small runs.
_M_PRIOR = {
    "identifier": (0, 0.002, 0.1, 0.05, 0.75, 0.1),
    "name": (0, 1e-4, 1e-4, 1e-4, 2e-4, 0.03, 1e-4, 0.97),
    "place": (0, 1e-4, 0.008, 0.029, 0.963),
    "legal_rep": (0, 0.08, 0.027, 0.893),
    "address": (0, 0.034, 0.008, 1e-4, 0.958),
    "phone": (0, 0.176, 0.016, 0.808),
}
_U_PRIOR = {
    "identifier": (0, 1.0, 1e-6, 1e-6, 1e-6, 1e-6),
    "name": (0, 0.08, 0.917, 6.5e-4, 5e-5, 2e-6, 1e-6, 1e-6),
    "place": (0, 0.962, 0.016, 0.005, 0.016),
    "legal_rep": (0, 1.0, 1.4e-5, 1e-4),
    "address": (0, 0.995, 0.0048, 1e-4, 5e-5),
    "phone": (0, 1.0, 1.5e-5, 8e-6),
}


def default_model_config(**overrides: object) -> ModelConfig:
    """The model configuration used by default: the fields of :data:`linkage.compare.FIELDS`.

    u is not re-estimated: it comes from random pairs (see :class:`Linker`). The priors are
    typical values worth ten pairs each. One value is fixed: a true match carries another
    enterprise's valid code at most once in 500 records, so two different codes weigh about
    -9 bits and strong agreement elsewhere can still outweigh them. The thresholds apply to
    a record's score, the log2 odds that its best candidate is its match (7 bits: 99.2 %).

    Examples
    --------
    >>> default_model_config(match_threshold=10.0).match_threshold
    10.0
    """
    fields = tuple(FieldSpec.from_enum(name, levels) for name, levels in FIELDS)
    options: dict[str, object] = {
        "fields": fields,
        "m_prior": _M_PRIOR,
        "u_prior": _U_PRIOR,
        "prior_strength": 10.0,
        "fixed": {("identifier", "DIFFERENT"): (0.002, None)},
        "match_threshold": 7.0,
        "review_threshold": -3.0,
        "estimate_u": False,
    }
    options.update(overrides)
    return ModelConfig(**options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LinkConfig:
    """Settings of a linkage run.

    Attributes
    ----------
    model : ModelConfig
    blocking : BlockingConfig
    default_area_code : str or None
        Area code of local phone numbers written without one (Guizhou: 0851).
    common_phone : int
        A number shared by this many registry records (an accounting agency's) is weak evidence.
    random_every, random_pairs : int
        Every n-th record is also compared with one random registry record; a uniform sample
        of `random_pairs` of these pairs (reservoir sampling) estimates u.
    seed : int
        Seed of the random pairs.
    workers : int
        Worker processes: they normalise the registry, then, forked once it is indexed,
        resolve the tax and enforcement records (and decide, in
        :func:`linkage.linkfiles.run`); 0 or 1 does all in this process. Without the fork
        start method only the registry is normalised in workers.
    chunk_size : int
        Records per unit of work sent to a worker.
    """

    model: ModelConfig = field(default_factory=default_model_config)
    blocking: BlockingConfig = field(default_factory=BlockingConfig)
    default_area_code: str | None = "0851"
    common_phone: int = 3
    random_every: int = 3
    random_pairs: int = 200_000
    seed: int = 0
    workers: int = 2
    chunk_size: int = 2000


@dataclass
class LinkStats:
    """Counts of a run, for reports."""

    registry: int = 0
    records: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    model_records: int = 0
    pairs: int = 0  # compared pairs (rule and random pairs included)
    branch_conflicts: int = 0  # candidates refused because of a branch (hard rule)
    random_pairs: int = 0
    match_prior: float = 0.0  # estimated share of model records with a registry match
    decisions: Counter[tuple[str, str]] = field(default_factory=Counter)
    skipped_blocks: dict[str, int] = field(default_factory=dict)
