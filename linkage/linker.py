"""The linker: normalise and index the registry, resolve records by rule or candidates.

:class:`Linker` is the engine behind :func:`linkage.pipeline.link` and
:func:`linkage.linkfiles.run`; its scoring lives in :mod:`linkage.scoring`.
"""

from __future__ import annotations

import math
import multiprocessing
import random
import re
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from multiprocessing.pool import AsyncResult
from multiprocessing.pool import Pool as PoolType
from typing import TypeVar

from linkage.blocking import BlockIndex, KeyKind
from linkage.compare import (
    IdLevel,
    NameLevel,
    Profile,
    address_level,
    identifier_level,
    name_level,
    phone_level,
    place_level,
    profile,
    rep_level,
)
from linkage.fellegi_sunter import Decision, Model, estimate_u, fit
from linkage.identifiers import (
    normalise_code,
    org_code_check_char,
    org_code_is_valid,
    regno15_is_valid,
    uscc_check_char,
)
from linkage.linkdata import LinkConfig, LinkResult, LinkStats, Progress, Rule
from linkage.profiles import (
    NO_ADDRESS,
    NO_NAME,
    NO_PERSON,
    AddressFields,
    NameFields,
    PersonFields,
    PhoneFields,
    address_fields,
    assemble,
    name_fields,
    person_fields,
    phone_fields,
)
from linkage.scoring import (
    _M_ADDR,
    _M_ID,
    _M_NAME,
    _M_PHONE,
    _M_PLACE,
    _M_REP,
    _PATTERN_BITS,
    _decode,
    _is_branch_conflict,
    _Scorer,
)

__all__ = ["SOURCES", "Linker"]

SOURCES = ("tax", "env")
# source, record id, USCC, score, decision, the full result and the name (reviews only)
Brief = tuple[str, str, str | None, float, Decision, LinkResult | None, str]
_ID_FIELD = {"tax": "taxpayer_id", "env": "record_id"}
_CODE_FIELD = {"tax": "taxpayer_id", "env": "uscc"}
_PROGRESS_EVERY = 100_000


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


Values = tuple[list[str], list[str], list[str], list[str]]  # names, addresses, reps, phones
Parts = tuple[list[NameFields], list[AddressFields], list[PersonFields], list[PhoneFields]]


Memo = tuple[dict[str, NameFields | None], dict[str, AddressFields | None],
             dict[str, PersonFields | None], dict[str, PhoneFields | None]]  # fmt: skip


T = TypeVar("T")


def _wanted(memo: dict[str, T | None], column: list[str]) -> list[str]:
    """The distinct values of `column` not in `memo`, now there as None (requested)."""
    wanted = [v for v in dict.fromkeys(column) if v not in memo]
    memo.update(dict.fromkeys(wanted))
    return wanted


def _empty_memo() -> Memo:
    return {"": NO_NAME}, {"": NO_ADDRESS}, {"": NO_PERSON}, {"": ()}


def _normalise_values(args: tuple[Values, str | None]) -> Parts:
    """Normalise distinct raw values, per field (the work sent to a worker process)."""
    (names, addresses, persons, phones), area = args
    return (
        [name_fields(v) for v in names],
        [address_fields(v) for v in addresses],
        [person_fields(v) for v in persons],
        [phone_fields(v, area) for v in phones],
    )


class Linker:
    """Links records to a registry; :func:`linkage.pipeline.link` and ``run`` use it.

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
        # Raw value -> its normalised part, per field (name, address, legal rep, phone): a
        # tax or enforcement record mostly repeats its registry record's values.
        self._memo = _empty_memo()

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
        self, rows: Iterable[Mapping[str, str]], keys: tuple[str, str, str]
    ) -> Iterator[tuple[tuple[str, ...], Profile]]:
        """Yield each row's `keys` values with its profile, in order, normalised in workers.

        Only values not seen before (in any source) are normalised: see :meth:`_request`.
        """
        config = self.config
        area = config.default_area_code

        k1, k2, k3 = keys

        def chunks() -> Iterator[tuple[list[tuple[str, str, str]], Values]]:
            # Column by column: the memo is consulted per field (see _request and finish).
            ids: list[tuple[str, str, str]] = []
            values: Values = ([], [], [], [])
            names, addresses, persons, phones = values
            for row in rows:
                get = row.get
                ids.append((get(k1) or "", get(k2) or "", get(k3) or ""))
                names.append(get("name") or "")
                addresses.append(get("address") or "")
                persons.append(get("legal_rep") or "")
                phones.append(get("phone") or "")
                if len(ids) >= config.chunk_size:
                    yield ids, values
                    ids, values = [], ([], [], [], [])
                    names, addresses, persons, phones = values
            if ids:
                yield ids, values

        def finish(
            ids: list[tuple[str, str, str]], values: Values
        ) -> Iterator[tuple[tuple[str, ...], Profile]]:
            names, addresses, persons, phones = self._memo
            n, a, r, t = values
            # None marks a value still pending; none is by now (chunks finish in order).
            parts = (map(names.__getitem__, n), map(addresses.__getitem__, a),
                     map(persons.__getitem__, r), map(phones.__getitem__, t))  # fmt: skip
            return zip(ids, map(assemble, *parts), strict=True)  # type: ignore[arg-type]

        if config.workers <= 1:
            for ids, values in chunks():
                request = self._request(values)
                self._remember(request, _normalise_values((request, area)))
                yield from finish(ids, values)
            return
        if self._pool is None:
            profile("贵州省遵义市鑫源酒业", "张三", "仁怀市1号", "0851-86812345")  # warm caches
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = context.Pool(config.workers)
        pending: deque[tuple[list[tuple[str, str, str]], Values, Values,
                             AsyncResult[Parts]]] = deque()  # fmt: skip
        for ids, values in chunks():
            request = self._request(values)
            work = self._pool.apply_async(_normalise_values, ((request, area),))
            pending.append((ids, values, request, work))
            if len(pending) > 2 * config.workers + 2:
                done_ids, done_values, done_request, result = pending.popleft()
                self._remember(done_request, result.get())
                yield from finish(done_ids, done_values)
        while pending:
            done_ids, done_values, done_request, result = pending.popleft()
            self._remember(done_request, result.get())
            yield from finish(done_ids, done_values)

    def _request(self, values: Values) -> Values:
        """The raw values of a chunk not normalised yet nor requested, per field.

        They are marked as requested (None in the memo): chunks are finished in order, so a
        value requested by an earlier chunk is known by the time a later chunk is assembled.
        """
        names, addresses, persons, phones = self._memo
        n, a, r, t = values
        return _wanted(names, n), _wanted(addresses, a), _wanted(persons, r), _wanted(phones, t)

    def _remember(self, request: Values, parts: Parts) -> None:
        """Store the normalised parts of the requested values in the memo.

        Profiles with the same raw value share its part, strings included (so registry
        profiles need no interning one by one: equal cores of different names are rare).
        """
        names, addresses, persons, phones = self._memo
        names.update(zip(request[0], parts[0], strict=True))
        addresses.update(zip(request[1], parts[1], strict=True))
        persons.update(zip(request[2], parts[2], strict=True))
        phones.update(zip(request[3], parts[3], strict=True))

    # -- registry ------------------------------------------------------------------------------

    def load_registry(self, rows: Iterable[Mapping[str, str]]) -> None:
        """Normalise and index registry rows (``uscc,name,legal_rep,address,...``).

        A ``regno`` field (15-digit registration number), where present, is indexed too.
        """
        index = self.index
        for (uscc, name, regno), p in self._profiled(rows, ("uscc", "name", "regno")):
            i = len(self.profiles)
            code = _normalised(uscc)
            self.profiles.append(p)
            self.usccs.append(code)
            self.names.append(name)
            index.add(i)
            index.add_code(i, code, normalise_code(regno) if regno else "")
            self.stats.registry += 1
            self._tick("registry", i + 1)
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
        self._memo = _empty_memo()  # records are all in: free the normalised values
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

    def brief_results(self) -> Iterator[Brief]:
        """What :func:`linkage.linkfiles.run` writes, per record in input order.

        ``(source, record_id, uscc, score, decision, result, name)``: the values of
        :meth:`named_results`, but the full result (evidence, alternatives) and the name only
        for a review; a link file needs no evidence, and building it took a third of the time.
        """
        if self.model is None:
            self.fit()
        scorer, usccs, decisions = self._scorer, self.usccs, self.stats.decisions
        assert scorer is not None
        for n, record in enumerate(self._records, 1):
            source, record_id = str(record[0]), str(record[1])
            brief: Brief
            if len(record) == 5:
                target, _, _, score = scorer.rule_score(record)
                brief = (source, record_id, usccs[target], score, Decision.MATCH, None, "")
            elif (ranking := scorer.rank(record)) is None:
                brief = (source, record_id, None, -math.inf, Decision.NON_MATCH, None, "")
            else:
                decision = ranking[3]
                full = scorer.model_result(record, ranking) if decision is Decision.REVIEW else None
                uscc = usccs[ranking[0][0][1] >> _PATTERN_BITS]
                brief = (source, record_id, uscc, ranking[2], decision, full, str(record[4]))
            decisions[source, brief[4].value] += 1
            self._tick("decide", n)
            yield brief

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
