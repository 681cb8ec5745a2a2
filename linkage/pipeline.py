"""Link tax (税务) and enforcement records to the business registry (工商): rules, then a model.

The whole chain normalise → block → compare → classify for the file-to-file mode of issue 5:

1. Registry records are normalised (:func:`linkage.compare.profile`, in worker processes)
   into compact tuples and indexed (:class:`linkage.blocking.BlockIndex`).
2. Each tax or enforcement record goes through the deterministic rules (:class:`Rule`): its
   valid USCC is a registry USCC, or its legacy tax id carries a registry USCC's organisation
   code (DOMAIN.md §6.3). A rule links only when the names do not disagree: a branch never
   links to its parent, even under the parent's code (the code then becomes evidence that
   the candidates with the parent's core are related). A code failing its check is never a
   rule: the registry records it equals or is one typo from are candidates for the model.
3. The other records get candidates from blocking; each pair is compared field by field.
   The pattern counts feed EM (:func:`linkage.fellegi_sunter.fit`) with the rule-linked pairs
   as labelled matches; u comes from random pairs and, for an equality (same core, legal
   representative, address, phone), from how many registry records share the value.
4. Each record links to at most one registry record. Its score is the log2 odds that its
   best candidate is its match rather than no match or another candidate; a match needs the
   match threshold, a score between the thresholds goes to review.

Examples
--------
A legacy tax id links by rule; a branch filed under its parent's USCC links to the branch:

>>> parent, branch = "9152030071430580XA", "91520382MA6DKQ6T5C"
>>> registry = [
...     {"uscc": parent, "name": "遵义市鑫源化工有限公司", "legal_rep": "张三",
...      "address": "遵义市汇川区上海路12号", "phone": "0851-86812345"},
...     {"uscc": branch, "name": "遵义市鑫源化工有限公司仁怀分公司", "legal_rep": "李四",
...      "address": "仁怀市茅台镇1号", "phone": ""},
... ]
>>> tax = [{"taxpayer_id": "52030371430580X", "name": "鑫源化工有限责任公司", "legal_rep": "张三"}]
>>> env = [{"record_id": "E1", "name": "鑫源化工仁怀分公司", "uscc": parent, "legal_rep": "李四"}]
>>> for r in link(registry, tax, env, config=LinkConfig(workers=0)):
...     print(r.record_id, r.uscc, r.decision.value, r.evidence[0].level, r.evidence[-1].field)
52030371430580X 9152030071430580XA match ORG rule
E1 91520382MA6DKQ6T5C match PARENT prior
"""

from __future__ import annotations

import contextlib
import csv
import enum
import math
import multiprocessing
import os
import random
import re
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from multiprocessing.pool import Pool as PoolType
from typing import NamedTuple

from linkage.blocking import BlockIndex, BlockingConfig, KeyKind
from linkage.compare import (
    FIELDS,
    AddressLevel,
    IdLevel,
    NameLevel,
    PhoneLevel,
    Profile,
    RepLevel,
    address_level,
    explain,
    identifier_level,
    name_level,
    phone_level,
    place_level,
    profile,
    rep_level,
)
from linkage.fellegi_sunter import (
    Decision,
    FieldSpec,
    Model,
    ModelConfig,
    Pattern,
    estimate_u,
    fit,
)
from linkage.identifiers import (
    normalise_code,
    org_code_check_char,
    org_code_is_valid,
    regno15_is_valid,
    uscc_check_char,
)

__all__ = [
    "Evidence",
    "LinkConfig",
    "LinkResult",
    "LinkStats",
    "Linker",
    "Progress",
    "Rule",
    "RunReport",
    "default_model_config",
    "link",
    "run",
]

Progress = Callable[[str, int], None]
SOURCES = ("tax", "env")
_ID_FIELD = {"tax": "taxpayer_id", "env": "record_id"}
_CODE_FIELD = {"tax": "taxpayer_id", "env": "uscc"}
_PROGRESS_EVERY = 100_000
# Bounds of the estimated share of records with a match: with few records to model, EM over
# records would otherwise reach 0 or 1 and let the prior decide alone.
_MIN_PRIOR = 0.01


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
        Processes normalising records; 0 or 1 normalises in this process.
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


_CLEAN_CODE = re.compile("[0-9A-Z]*")


def _normalised(code: str) -> str:
    """:func:`linkage.identifiers.normalise_code`, skipped for codes already normal."""
    return code if _CLEAN_CODE.fullmatch(code) else normalise_code(code)


def _uscc_valid(code: str) -> bool:
    """``validate_uscc(code).is_valid`` without building the result (half the time)."""
    if not code[2:8].isdigit():  # GB/T 2260 division code
        return False
    try:  # GB 32100-2015 check character, then GB 11714-1997 for the organisation code
        org_ok = org_code_check_char(code[8:16]) == code[16]
        return org_ok and uscc_check_char(code[:17]) == code[17]
    except ValueError:
        return False


def _profile_chunk(args: tuple[list[tuple[str, str, str, str]], str | None]) -> list[Profile]:
    rows, area = args
    return [profile(n, r, a, p, default_area_code=area) for n, r, a, p in rows]


_RADIX = [len(levels) for _, levels in FIELDS]
_MULT = [math.prod(_RADIX[:k]) for k in range(len(_RADIX))]
_M_ID, _M_NAME, _M_PLACE, _M_REP, _M_ADDR, _M_PHONE = _MULT
_F_NAME, _F_REP, _F_ADDR, _F_PHONE = 1, 3, 4, 5
_PATTERN_BITS = 20
_PATTERN_MASK = (1 << _PATTERN_BITS) - 1
assert math.prod(_RADIX) <= _PATTERN_MASK


def _decode(code: int) -> Pattern:
    return tuple((code // mult) % radix for mult, radix in zip(_MULT, _RADIX, strict=True))


def _is_branch_conflict(code: int) -> bool:
    return (code // _M_NAME) % _RADIX[_F_NAME] == NameLevel.BRANCH_CONFLICT


class Linker:
    """Links records to a registry; :func:`link` and :func:`run` use it.

    Use as a context manager (it may own worker processes): :meth:`load_registry`, then
    :meth:`add_records` for each source, then iterate :meth:`results` (which fits the model).

    Scoring: m comes from EM over the candidate pairs, with the rule-linked pairs as
    labelled matches; u from random pairs, and for the exact levels of name, legal
    representative, address and phone from the value's frequency in the registry (a
    popular core such as 宏达化工 or a common name such as 王伟 weighs less than a rare one).
    A pair's weight plus the prior log2 odds of one given registry record being the match
    gives its log odds against "no match"; a record's score is the log2 odds that its best
    candidate is its match rather than no match or another candidate.
    """

    def __init__(self, config: LinkConfig | None = None, progress: Progress | None = None):
        self.config = config or LinkConfig()
        self.progress = progress
        self.stats = LinkStats()
        self.usccs: list[str] = []
        self.names: list[str] = []
        self.profiles: list[Profile] = []
        self.index = BlockIndex(self.profiles, self.config.blocking)
        self.common_phones: frozenset[str] = frozenset()
        self.model: Model | None = None
        # Per record, in input order: a rule link (source, id, target, pattern, rule) or a
        # model record (source, id, code, profile, name, start, end) of self._pairs.
        self._records: list[tuple[object, ...]] = []
        self._pairs = array("q")  # candidate << 20 | pattern code
        self._unlabelled: Counter[int] = Counter()
        self._matches: Counter[int] = Counter()
        self._random = array("i")  # patterns of random pairs
        self._random_seen = 0
        self._rng = random.Random(self.config.seed)
        self._frequent: tuple[dict[str, int], ...] = ({}, {}, {}, {})  # rep, pinyin, rest, phone
        self._scorer: _Scorer | None = None
        self._pool: PoolType | None = None
        self._interned: dict[str, str] = {}

    # -- plumbing ------------------------------------------------------------------------------

    def __enter__(self) -> Linker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _tick(self, stage: str, n: int) -> None:
        if self.progress is not None and n % _PROGRESS_EVERY == 0:
            self.progress(stage, n)

    def _profiled(
        self, rows: Iterable[Mapping[str, str]], keys: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], Profile]]:
        """Yield each row's `keys` values with its profile, in order, normalised in workers."""
        config = self.config
        area = config.default_area_code

        def chunks() -> Iterator[tuple[list[tuple[str, ...]], list[tuple[str, str, str, str]]]]:
            ids: list[tuple[str, ...]] = []
            values: list[tuple[str, str, str, str]] = []
            for row in rows:
                ids.append(tuple(row.get(k) or "" for k in keys))
                values.append((row.get("name") or "", row.get("legal_rep") or "",
                               row.get("address") or "", row.get("phone") or ""))  # fmt: skip
                if len(values) >= config.chunk_size:
                    yield ids, values
                    ids, values = [], []
            if values:
                yield ids, values

        if config.workers <= 1:
            for ids, values in chunks():
                yield from zip(ids, _profile_chunk((values, area)), strict=True)
            return
        if self._pool is None:
            profile("贵州省遵义市鑫源酒业", "张三", "仁怀市1号", "0851-86812345")  # warm caches
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = context.Pool(config.workers)
        pending: deque[tuple[list[tuple[str, ...]], AsyncResult[list[Profile]]]] = deque()
        for ids, values in chunks():
            pending.append((ids, self._pool.apply_async(_profile_chunk, ((values, area),))))
            if len(pending) > 2 * config.workers + 2:
                done_ids, result = pending.popleft()
                yield from zip(done_ids, result.get(), strict=True)
        while pending:
            done_ids, result = pending.popleft()
            yield from zip(done_ids, result.get(), strict=True)

    def _intern(self, p: Profile) -> Profile:
        """Share equal strings between profiles (cores, places) to keep the registry small."""
        get = self._interned.setdefault

        def place(code: str | None) -> str | None:
            return None if code is None else get(code, code)

        return Profile(
            get(p.core, p.core), get(p.pinyin, p.pinyin), get(p.form, p.form), p.group,
            get(p.branch, p.branch), place(p.name_province), place(p.name_prefecture),
            place(p.name_county), place(p.addr_province), place(p.addr_prefecture),
            place(p.addr_county), p.addr_rest, p.rep, p.rep_pinyin, p.phones,
        )  # fmt: skip

    # -- registry ------------------------------------------------------------------------------

    def load_registry(self, rows: Iterable[Mapping[str, str]]) -> None:
        """Normalise and index registry rows (``uscc,name,legal_rep,address,...``).

        A ``regno`` field (15-digit registration number), where present, is indexed too.
        """
        index = self.index
        for (uscc, name, regno), p in self._profiled(rows, ("uscc", "name", "regno")):
            i = len(self.profiles)
            code = _normalised(uscc)
            self.profiles.append(self._intern(p))
            self.usccs.append(code)
            self.names.append(name)
            index.add(i)
            index.add_code(i, code, normalise_code(regno) if regno else "")
            self.stats.registry += 1
            self._tick("registry", i + 1)
        self._interned.clear()
        # Values held by several registry records, for the frequency-adjusted u; one held by
        # a single record (the usual case) is not stored.
        frequent = []
        for values in (
            (p.rep for p in self.profiles if p.rep),
            (p.rep_pinyin for p in self.profiles if p.rep_pinyin),
            (p.addr_rest for p in self.profiles if p.addr_rest),
            (n for p in self.profiles for n in p.phones),
        ):
            counts = Counter(values)
            frequent.append({v: c for v, c in counts.items() if c > 1})
            del counts
        self._frequent = tuple(frequent)
        phone_counts = self._frequent[3]
        self.common_phones = frozenset(
            n for n, c in phone_counts.items() if c >= self.config.common_phone
        )

    # -- records -------------------------------------------------------------------------------

    def add_records(self, source: str, rows: Iterable[Mapping[str, str]]) -> None:
        """Resolve tax (``taxpayer_id,name,...``) or env (``record_id,name,uscc,...``) rows."""
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
        keys = (_ID_FIELD[source], _CODE_FIELD[source], "name")
        for (record_id, raw_code, name), p in self._profiled(rows, keys):
            self._add(source, record_id, raw_code, name, p)
            self.stats.records[source] += 1
            self._tick(source, self.stats.records[source])

    def _resolve(self, raw: str) -> tuple[str, list[int], Rule | None]:
        """The record's comparable code, the registry records it names, and the rule if any."""
        code = _normalised(raw)
        index = self.index
        if len(code) == 18:
            hits = index.exact(code)
            return code, hits, Rule.USCC if hits and _uscc_valid(code) else None
        if len(code) == 15:
            org_valid = org_code_is_valid(code[6:])
            if org_valid and (hits := index.by_org(code)):
                return code, hits, Rule.LEGACY_TAX_ID
            if regno15_is_valid(code):  # a registration number: comparable with itself only
                hits = index.exact(code)
                return "", hits, Rule.REGNO if hits else None
            return (code if org_valid else ""), [], None
        return "", [], None

    def _pattern(self, p: Profile, c: int, code: str, parent_core: str | None = None) -> int:
        """The pattern code of the pair (record, registry record c)."""
        r = self.profiles[c]
        ident = identifier_level(code, self.usccs[c])
        if ident is IdLevel.DIFFERENT and parent_core is not None and r.core == parent_core:
            ident = IdLevel.PARENT
        return (ident * _M_ID + name_level(p, r) * _M_NAME + place_level(p, r) * _M_PLACE
                + rep_level(p, r) * _M_REP + address_level(p, r) * _M_ADDR
                + phone_level(p, r, self.common_phones) * _M_PHONE)  # fmt: skip

    def _add(self, source: str, record_id: str, raw_code: str, name: str, p: Profile) -> None:
        stats, config = self.stats, self.config
        code, hits, rule = self._resolve(raw_code)
        n_registry = len(self.profiles)
        if n_registry and stats.records.total() % config.random_every == 0:
            # A reservoir sample of random pairs, spread over all sources.
            seen, sample = self._random_seen + 1, self._random
            self._random_seen = seen
            slot = len(sample) if len(sample) < config.random_pairs else self._rng.randrange(seen)
            if slot < config.random_pairs:
                pattern = self._pattern(p, self._rng.randrange(n_registry), code)
                if slot == len(sample):
                    sample.append(pattern)
                else:
                    sample[slot] = pattern
                stats.pairs += 1
        parent_core = None
        if rule is not None and len(hits) == 1:
            target = self.profiles[hits[0]]
            level = name_level(p, target)
            if level is NameLevel.BRANCH_CONFLICT:
                if p.branch and not target.branch:  # a branch under its parent's code
                    parent_core = target.core
            elif level is not NameLevel.DIFFERENT:
                pattern = self._pattern(p, hits[0], code)
                self._records.append((source, record_id, hits[0], pattern, rule))
                stats.rules[rule] += 1
                stats.pairs += 1
                self._matches[pattern - pattern % _M_NAME] += 1  # identifier: no evidence
                return
        candidates = set(self.index.candidates(p))
        candidates.update(hits)
        if code:
            candidates.update(self.index.by_org(code))
            if len(code) == 18 and not _uscc_valid(code):
                candidates.update(self.index.by_near_code(code))
        start = len(self._pairs)
        for c in sorted(candidates):
            pattern = self._pattern(p, c, code, parent_core)
            stats.pairs += 1
            if _is_branch_conflict(pattern):  # hard rule: a branch never links to its parent
                stats.branch_conflicts += 1
                continue
            self._pairs.append(c << _PATTERN_BITS | pattern)
            self._unlabelled[pattern] += 1
        stats.model_records += 1
        self._records.append((source, record_id, code, p, name, start, len(self._pairs)))

    # -- model and decisions ---------------------------------------------------------------------

    def fit(self) -> Model:
        """Estimate the model (see :func:`linkage.fellegi_sunter.fit`) and the match prior."""
        stats, config = self.stats, self.config.model
        stats.skipped_blocks = {
            kind.name.lower(): n for kind, n in zip(KeyKind, self.index.skipped, strict=True)
        }
        stats.random_pairs = len(self._random)
        random_pairs = {_decode(k): v for k, v in Counter(self._random).items()}
        scorer = _Scorer(self, estimate_u(random_pairs, config))
        adjusted = scorer.adjust_pairs(self._records)
        population = max(stats.model_records * len(self.profiles), sum(adjusted.values()), 1)
        self.model = fit({}, config, matches={_decode(k): v for k, v in self._matches.items()},
                         non_matches=random_pairs, adjusted=adjusted,
                         population=population)  # fmt: skip
        stats.match_prior = scorer.estimate_prior(self.model, self._records)
        self._scorer = scorer
        if self.progress is not None:
            self.progress("model", self.model.iterations)
        return self.model

    def weight_table(self) -> dict[str, dict[str, float]]:
        """Fitted weights (bits) per field and level; for the levels adjusted by frequency,
        the weight of a value that only one registry record has (a common one weighs less)."""
        if self._scorer is None:
            self.fit()
        assert self._scorer is not None
        return self._scorer.weight_table()

    def results(self) -> Iterator[LinkResult]:
        """One result per record, in input order; fits the model first if needed."""
        return (result for result, _ in self.named_results())

    def named_results(self) -> Iterator[tuple[LinkResult, str]]:
        """:meth:`results` with the record's name for a model decision ("" for a rule link)."""
        if self.model is None:
            self.fit()
        scorer = self._scorer
        assert scorer is not None
        for n, record in enumerate(self._records, 1):
            if len(record) == 5:
                result, name = scorer.rule_result(record), ""
            else:
                result, name = scorer.model_result(record), str(record[4])
            self.stats.decisions[result.source, result.decision.value] += 1
            self._tick("decide", n)
            yield result, name


# Equalities whose u is the frequency of the value in the registry (term frequency).
_FREQUENCY_LEVELS = (
    (_F_NAME, NameLevel.EXACT), (_F_NAME, NameLevel.CORE), (_F_NAME, NameLevel.PINYIN),
    (_F_REP, RepLevel.EXACT), (_F_REP, RepLevel.PINYIN), (_F_ADDR, AddressLevel.EXACT),
    (_F_PHONE, PhoneLevel.SHARED), (_F_PHONE, PhoneLevel.SHARED_COMMON),
)  # fmt: skip


class _Scorer:
    """Term-frequency adjustments, record-level odds and decisions."""

    def __init__(self, linker: Linker, u: Sequence[Sequence[float]]) -> None:
        self.linker = linker
        n = max(len(linker.profiles), 1)
        self.log_n = math.log2(n)
        # With u = count / N for an equality, the weight gains log2(u) + log2(N) - log2(count).
        self.log_un = [[math.log2(x) + self.log_n for x in us] for us in u]
        self.prior = 0.0  # log2 odds that a given registry record is a record's match
        self.model: Model | None = None
        self.weights: tuple[tuple[float, ...], ...] = ()
        self._adjust = array("d")  # per model pair, its adjustment (bits)
        self._prior_cache: Evidence | None = None

    def adjustments(self, p: Profile, c: int, levels: Pattern) -> list[float]:
        """Per field, log2(u / u of the value) where the level is an equality, else 0."""
        linker = self.linker
        r = linker.profiles[c]
        rep_counts, rep_pinyin_counts, rest_counts, phone_counts = linker._frequent
        out = [0.0] * len(levels)
        name = levels[_F_NAME]
        count = 0
        if name in (NameLevel.EXACT, NameLevel.CORE):
            count = linker.index.count(KeyKind.CORE, r.core)
        elif name == NameLevel.PINYIN:
            count = linker.index.count(KeyKind.PINYIN, r.pinyin)
        if count:
            out[_F_NAME] = self.log_un[_F_NAME][name] - math.log2(count)
        rep = levels[_F_REP]
        if rep == RepLevel.EXACT:
            out[_F_REP] = self.log_un[_F_REP][rep] - math.log2(rep_counts.get(r.rep, 1))
        elif rep == RepLevel.PINYIN:
            count = rep_pinyin_counts.get(r.rep_pinyin, 1)
            out[_F_REP] = self.log_un[_F_REP][rep] - math.log2(count)
        if levels[_F_ADDR] == AddressLevel.EXACT:
            count = rest_counts.get(r.addr_rest, 1)
            out[_F_ADDR] = self.log_un[_F_ADDR][AddressLevel.EXACT] - math.log2(count)
        phone = levels[_F_PHONE]
        if phone >= PhoneLevel.SHARED_COMMON:
            count = min((phone_counts.get(x, 1) for x in p.phones if x in r.phones), default=1)
            out[_F_PHONE] = self.log_un[_F_PHONE][phone] - math.log2(count)
        return out

    def adjust_pairs(self, records: list[tuple[object, ...]]) -> dict[tuple[Pattern, float], float]:
        """Adjust every model pair; return the (pattern, adjustment) counts for EM."""
        pairs, adjust = self.linker._pairs, self._adjust
        counts: Counter[tuple[Pattern, float]] = Counter()
        for record in records:
            if len(record) != 7:
                continue
            p, start, end = record[3], record[5], record[6]
            assert isinstance(p, Profile) and isinstance(start, int) and isinstance(end, int)
            for k in range(start, end):
                packed = pairs[k]
                levels = _decode(packed & _PATTERN_MASK)
                a = sum(self.adjustments(p, packed >> _PATTERN_BITS, levels))
                adjust.append(a)
                counts[levels, round(a, 2)] += 1
        return dict(counts)

    def weight_table(self) -> dict[str, dict[str, float]]:
        """The model's weights, those of equalities for a value only one registry record has."""
        assert self.model is not None
        table = self.model.weight_table()
        for f, level in _FREQUENCY_LEVELS:
            spec = self.model.config.fields[f]
            table[spec.name][spec.levels[level]] = math.log2(self.model.m[f][level]) + self.log_n
        return table

    def field_weights(self, p: Profile, c: int, pattern: int) -> list[float]:
        """Per-field weights of a pair, frequency-adjusted where the level is an equality."""
        levels = _decode(pattern)
        adjustments = self.adjustments(p, c, levels)
        return [self.weights[f][v] + a for f, (v, a) in enumerate(zip(levels, adjustments,
                                                                       strict=True))]  # fmt: skip

    def estimate_prior(self, model: Model, records: list[tuple[object, ...]]) -> float:
        """Fit the share of model records that have a match (EM over records); return it."""
        self.model, self.weights = model, model.weights
        pattern_weight: dict[int, float] = {}
        pairs, adjust = self.linker._pairs, self._adjust
        weights = self._pair_weights = array("d")
        for k, packed in enumerate(pairs):
            code = packed & _PATTERN_MASK
            if (w := pattern_weight.get(code)) is None:
                w = pattern_weight[code] = model.score(_decode(code))
            weights.append(w + adjust[k])
        spans = [(r[5], r[6]) for r in records if len(r) == 7]
        share = 0.5
        for _ in range(200):
            prior = math.log2(share / (1 - share)) - self.log_n
            total = 0.0
            for start, end in spans:
                assert isinstance(start, int) and isinstance(end, int)
                odds = sum(2.0 ** min(weights[k] + prior, 1000) for k in range(start, end))
                total += odds / (1 + odds)
            new = min(max(total / len(spans), _MIN_PRIOR), 1 - _MIN_PRIOR) if spans else share
            converged = abs(new - share) < 1e-7
            share = new
            if converged:
                break
        self.prior = math.log2(share / (1 - share)) - self.log_n
        return share

    def _evidence(self, levels: Pattern, weights: list[float]) -> list[Evidence]:
        assert self.model is not None
        fields = self.model.config.fields
        return [Evidence(spec.name, spec.levels[level], w)
                for spec, level, w in zip(fields, levels, weights, strict=True)]  # fmt: skip

    def _prior_evidence(self) -> Evidence:
        if self._prior_cache is None or self._prior_cache.weight != self.prior:
            share = self.linker.stats.match_prior
            detail = f"{share:.3f} of records match one of {len(self.linker.profiles)}"
            self._prior_cache = Evidence("prior", "", self.prior, detail)
        return self._prior_cache

    def rule_result(self, record: tuple[object, ...]) -> LinkResult:
        source, record_id, target, pattern, rule = record
        assert isinstance(target, int) and isinstance(pattern, int) and isinstance(rule, Rule)
        # The record's profile is not kept: frequencies are those of the registry record.
        weights = self.field_weights(self.linker.profiles[target], target, pattern)
        evidence = self._evidence(_decode(pattern), weights)
        evidence += [self._prior_evidence(), _RULE_EVIDENCE[rule]]
        score = sum(weights) + self.prior
        return LinkResult(str(source), str(record_id), self.linker.usccs[target], score,
                          Decision.MATCH, tuple(evidence))  # fmt: skip

    def model_result(self, record: tuple[object, ...]) -> LinkResult:
        source, record_id, code, p, _, start, end = record
        assert isinstance(start, int) and isinstance(end, int) and isinstance(p, Profile)
        linker, prior = self.linker, self.prior
        pairs, pair_weights = linker._pairs, self._pair_weights
        ranked = sorted(
            ((pair_weights[k] + prior, pairs[k]) for k in range(start, end)),
            key=lambda wk: (-wk[0], wk[1]),
        )
        if not ranked:
            return LinkResult(str(source), str(record_id), None, -math.inf, Decision.NON_MATCH, ())
        best_odds, packed = ranked[0]
        best, pattern = packed >> _PATTERN_BITS, packed & _PATTERN_MASK
        others = sum(2.0 ** min(w, 1000) for w, _ in ranked[1:])
        rivals = -math.log2(1 + others)
        score = best_odds + rivals
        assert self.model is not None
        decision = self.model.decide(score)
        weights = self.field_weights(p, best, pattern)
        details = explain(p, linker.profiles[best], code=str(code), uscc=linker.usccs[best],
                          common_phones=linker.common_phones)  # fmt: skip
        evidence = [
            Evidence(e.field, e.level, e.weight, d.evidence)
            for e, d in zip(self._evidence(_decode(pattern), weights), details, strict=True)
        ]
        if evidence[0].level == IdLevel.PARENT.name:
            evidence[0] = Evidence("identifier", "PARENT", evidence[0].weight,
                                   f"{code} is the code of the parent")  # fmt: skip
        evidence.append(self._prior_evidence())
        if ranked[1:]:
            evidence.append(Evidence("rivals", str(len(ranked) - 1), rivals,
                                     "other candidates of this record"))  # fmt: skip
        alternatives: tuple[tuple[str, float], ...] = ()
        if decision is Decision.REVIEW:
            alternatives = tuple((linker.usccs[k >> _PATTERN_BITS], w)
                                 for w, k in ranked[1:5] if w > best_odds - 10)  # fmt: skip
        return LinkResult(str(source), str(record_id), linker.usccs[best], score, decision,
                          tuple(evidence), alternatives)  # fmt: skip


def link(
    registry: Iterable[Mapping[str, str]],
    tax: Iterable[Mapping[str, str]] = (),
    env: Iterable[Mapping[str, str]] = (),
    *,
    config: LinkConfig | None = None,
    progress: Progress | None = None,
) -> list[LinkResult]:
    """Link tax and enforcement rows to registry rows.

    Parameters
    ----------
    registry : iterable of mapping
        Rows with ``uscc,name,legal_rep,address,reg_date,status,phone`` (only uscc and
        name are needed).
    tax, env : iterable of mapping
        Rows with ``taxpayer_id,name,legal_rep,address,phone`` and
        ``record_id,name,uscc,legal_rep,address,phone``.
    config : LinkConfig, optional
    progress : callable, optional
        ``progress(stage, count)`` every 100,000 rows of a stage.

    Returns
    -------
    list of LinkResult
        One per tax row, then one per env row, in input order.
    """
    with Linker(config, progress) as linker:
        linker.load_registry(registry)
        linker.add_records("tax", tax)
        linker.add_records("env", env)
        return list(linker.results())


@dataclass(frozen=True)
class RunReport:
    """What :func:`run` did.

    Attributes
    ----------
    rows, bad_rows : dict of str to int
        Rows read and rows rejected by the reader, per file (registry, tax, env).
    bad_row_messages : tuple of str
        The reader's messages for the first rejected rows.
    decisions : dict of str to dict of str to int
        Per source, records per decision.
    rules : dict of str to int
        Records linked by each deterministic rule.
    model_records, pairs, branch_conflicts : int
        Records decided by the model, pairs compared, candidates refused as branch conflicts.
    skipped_blocks : dict of str to int
        Per blocking key, look-ups whose block was too large even when narrowed by place.
    weights : dict of str to dict of str to float
        The fitted weights (bits) per field and level.
    match_rate : float
        Estimated share of matches among the model's candidate pairs.
    em_iterations : int
    em_converged : bool
    links, reviews : int
        Rows written to the links and review files (review: records, not rows).
    seconds : float
    """

    rows: dict[str, int]
    bad_rows: dict[str, int]
    bad_row_messages: tuple[str, ...]
    decisions: dict[str, dict[str, int]]
    rules: dict[str, int]
    model_records: int
    pairs: int
    branch_conflicts: int
    skipped_blocks: dict[str, int]
    weights: dict[str, dict[str, float]]
    match_rate: float
    em_iterations: int
    em_converged: bool
    links: int
    reviews: int
    seconds: float


LINKS_COLUMNS = ("source", "record_id", "uscc", "score", "decision")
REVIEW_COLUMNS = ("source", "record_id", "record_name", "rank", "uscc", "registry_name", "score",
                  "evidence")  # fmt: skip
_MAX_MESSAGES = 100


def _evidence_text(evidence: Iterable[Evidence]) -> str:
    return "; ".join(
        f"{e.field}={e.level}({e.weight:+.1f})" + (f": {e.detail}" if e.detail else "")
        for e in evidence
    )


def run(
    registry: str | os.PathLike[str],
    tax: str | os.PathLike[str] | None,
    env: str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    review: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    *,
    config: LinkConfig | None = None,
) -> RunReport:
    """Link registry, tax and enforcement files; write ``links.csv`` and ``review.csv``.

    Files are read with :func:`linkage.readers.open_records` (CSV in UTF-8 or GB18030, XLSX,
    JSON Lines; English or Chinese headers); rejected rows are counted and reported, the
    rest linked.

    Parameters
    ----------
    registry, tax, env : path
        The three inputs; `tax` or `env` may be None.
    out : path
        ``source,record_id,uscc,score,decision``, one row per linked record (decision match).
    review : path, optional
        One row per candidate of each record sent to review, with the evidence.
    progress : callable, optional
        ``progress(stage, count)``, stages registry, tax, env, model, decide.
    config : LinkConfig, optional

    Returns
    -------
    RunReport

    Raises
    ------
    linkage.readers.ReadError
        If a file cannot be read at all (unknown encoding, missing required column ...).
    """
    from linkage.readers import Row, open_records

    started = time.perf_counter()
    rows: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    messages: list[str] = []

    def read(path: str | os.PathLike[str], source: str) -> Iterator[Mapping[str, str]]:
        for item in open_records(path, source):
            rows[source] += 1
            if isinstance(item, Row):
                yield item.fields
            else:
                bad[source] += 1
                if len(messages) < _MAX_MESSAGES:
                    messages.append(f"{source}: {item.message}")

    opened = {name: open_records(path, name) for name, path in
              (("registry", registry), ("tax", tax), ("env", env)) if path is not None}  # fmt: skip
    del opened  # every file is checked (encoding, header) before the long work starts
    links = reviews = 0
    with Linker(config, progress) as linker:
        linker.load_registry(read(registry, "registry"))
        for source, path in (("tax", tax), ("env", env)):
            if path is not None:
                linker.add_records(source, read(path, source))
        row_of = {u: i for i, u in enumerate(linker.usccs)} if review is not None else {}
        with contextlib.ExitStack() as stack:
            links_file = stack.enter_context(open(out, "w", encoding="utf-8", newline=""))
            links_csv = csv.writer(links_file, lineterminator="\n")
            links_csv.writerow(LINKS_COLUMNS)
            review_csv = None
            if review is not None:
                review_file = stack.enter_context(open(review, "w", encoding="utf-8", newline=""))
                review_csv = csv.writer(review_file, lineterminator="\n")
                review_csv.writerow(REVIEW_COLUMNS)
            for result, name in linker.named_results():
                if result.decision is Decision.MATCH:
                    links += 1
                    links_csv.writerow((result.source, result.record_id, result.uscc,
                                        f"{result.score:.2f}", result.decision.value))  # fmt: skip
                elif result.decision is Decision.REVIEW:
                    reviews += 1
                    if review_csv is None:
                        continue
                    ranked = [(result.uscc or "", result.score), *result.alternatives]
                    for rank, (uscc, score) in enumerate(ranked, 1):
                        i = row_of.get(uscc)
                        review_csv.writerow((
                            result.source, result.record_id, name, rank, uscc,
                            linker.names[i] if i is not None else "", f"{score:.2f}",
                            _evidence_text(result.evidence) if rank == 1 else "",
                        ))  # fmt: skip
        stats, model = linker.stats, linker.model
        assert model is not None
        decisions: dict[str, dict[str, int]] = {}
        for (source, decision), n in sorted(stats.decisions.items()):
            decisions.setdefault(source, {})[decision] = n
        return RunReport(
            rows=dict(rows),
            bad_rows=dict(bad),
            bad_row_messages=tuple(messages),
            decisions=decisions,
            rules={str(k): v for k, v in stats.rules.items()},
            model_records=stats.model_records,
            pairs=stats.pairs,
            branch_conflicts=stats.branch_conflicts,
            skipped_blocks=stats.skipped_blocks,
            weights=linker.weight_table(),
            match_rate=model.match_rate,
            em_iterations=model.iterations,
            em_converged=model.converged,
            links=links,
            reviews=reviews,
            seconds=time.perf_counter() - started,
        )
