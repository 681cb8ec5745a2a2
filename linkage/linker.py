"""The linker: normalise and index the registry, resolve records by rule or candidates.

:class:`Linker` is the engine behind :func:`linkage.pipeline.link` and
:func:`linkage.linkfiles.run`; its scoring lives in :mod:`linkage.scoring`, the resolution of
tax and enforcement records in :mod:`linkage.resolving`.

With ``workers`` > 1 the per-record work runs in worker processes: the registry's values are
normalised by a pool; once the registry is indexed a new pool is forked, whose workers inherit
the index (copy on write, nothing pickled) and resolve chunks of records, which this process
reads, hands out and merges in input order (:meth:`Linker.fork_pool` serves the decisions of
:func:`linkage.linkfiles.run` the same way). The results are those of one process, to the byte.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import random
from array import array
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from multiprocessing.pool import AsyncResult
from multiprocessing.pool import Pool as PoolType

from linkage import resolving
from linkage.blocking import BlockIndex, KeyKind
from linkage.compare import Profile, profile
from linkage.fellegi_sunter import Decision, Model, estimate_u, fit
from linkage.identifiers import normalise_code
from linkage.linkdata import LinkConfig, LinkResult, LinkStats, Progress
from linkage.profiles import assemble
from linkage.resolving import (
    RULES,
    Chunk,
    Resolved,
    Resolver,
    Values,
    empty_memo,
    normalise_values,
    normalised,
    wanted,
)
from linkage.scoring import _PATTERN_BITS, _decode, _Scorer

__all__ = ["SOURCES", "Linker"]

SOURCES = ("tax", "env")
# source, record id, USCC, score, decision, the full result and the name (reviews only)
Brief = tuple[str, str, str | None, float, Decision, LinkResult | None, str]
_ID_FIELD = {"tax": "taxpayer_id", "env": "record_id"}
_CODE_FIELD = {"tax": "taxpayer_id", "env": "uscc"}
_PROGRESS_EVERY = 100_000
Ids = list[tuple[str, str, str]]


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """The fork start method where the platform has it (workers inherit the registry)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


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
        self._matches: Counter[int] = Counter()
        self._random = array("i")  # patterns of random pairs
        self._random_seen = 0
        self._rng = random.Random(self.config.seed)
        self._dispatched = 0  # records handed to the resolver so far (all sources)
        self._frequent: tuple[dict[str, int], ...] = ({}, {}, {}, {})  # rep, pinyin, rest, phone
        self._scorer: _Scorer | None = None
        self._pool: PoolType | None = None
        # What the pool's workers are for: "normalise" (registry values; no index), or what
        # fork_pool was given (the state they inherited: see fork_pool).
        self._pool_purpose: Hashable = None
        # Raw value -> its normalised part, per field (name, address, legal rep, phone): a
        # tax or enforcement record mostly repeats its registry record's values.
        self._memo = empty_memo()
        self._resolver = Resolver(self)  # resolves in this process (workers=0)

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
            if self._pool_purpose != "normalise":
                gc.unfreeze()  # see fork_pool
            self._pool_purpose = None
            if resolving.FORKED is not None and resolving.FORKED.linker is self:
                resolving.FORKED = None  # the registry is freed with the linker

    @property
    def record_count(self) -> int:
        """Tax and enforcement records added so far."""
        return len(self._records)

    def _tick(self, stage: str, n: int) -> None:
        if self.progress is not None and n % _PROGRESS_EVERY == 0:
            self.progress(stage, n)

    def _chunks(self, rows: Iterable[Mapping[str, str]], keys: tuple[str, str, str]
                ) -> Iterator[tuple[Ids, Values]]:  # fmt: skip
        """The rows' `keys` values and their raw values, field by field, in chunks."""
        k1, k2, k3 = keys
        size = self.config.chunk_size
        ids: Ids = []
        values: Values = ([], [], [], [])
        names, addresses, persons, phones = values
        for row in rows:
            get = row.get
            ids.append((get(k1) or "", get(k2) or "", get(k3) or ""))
            names.append(get("name") or "")
            addresses.append(get("address") or "")
            persons.append(get("legal_rep") or "")
            phones.append(get("phone") or "")
            if len(ids) >= size:
                yield ids, values
                ids, values = [], ([], [], [], [])
                names, addresses, persons, phones = values
        if ids:
            yield ids, values

    def _profiled(
        self, rows: Iterable[Mapping[str, str]], keys: tuple[str, str, str]
    ) -> Iterator[tuple[tuple[str, ...], Profile]]:
        """Yield each row's `keys` values with its profile, in order, normalised in workers.

        Only values not seen before (in any source) are normalised: see :meth:`_request`.
        """
        config = self.config
        area = config.default_area_code

        def finish(ids: Ids, values: Values) -> Iterator[tuple[tuple[str, ...], Profile]]:
            names, addresses, persons, phones = self._memo
            n, a, r, t = values
            # None marks a value still pending; none is by now (chunks finish in order).
            parts = (map(names.__getitem__, n), map(addresses.__getitem__, a),
                     map(persons.__getitem__, r), map(phones.__getitem__, t))  # fmt: skip
            return zip(ids, map(assemble, *parts), strict=True)  # type: ignore[arg-type]

        if config.workers <= 1:
            for ids, values in self._chunks(rows, keys):
                request = self._request(values)
                self._remember(request, normalise_values((request, area)))
                yield from finish(ids, values)
            return
        if self._pool is not None and self._pool_purpose != "normalise":
            self.close()  # forked for another stage, e.g. with an index about to change
        if self._pool is None:
            profile("贵州省遵义市鑫源酒业", "张三", "仁怀市1号", "0851-86812345")  # warm caches
            context = _fork_context() or multiprocessing.get_context()
            self._pool, self._pool_purpose = context.Pool(config.workers), "normalise"
        pending: deque[tuple[Ids, Values, Values, AsyncResult[resolving.Parts]]] = deque()
        for ids, values in self._chunks(rows, keys):
            request = self._request(values)
            work = self._pool.apply_async(normalise_values, ((request, area),))
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
        return wanted(names, n), wanted(addresses, a), wanted(persons, r), wanted(phones, t)

    def _remember(self, request: Values, parts: resolving.Parts) -> None:
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
            code = normalised(uscc)
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
        """Resolve tax (``taxpayer_id,name,...``) or env (``record_id,name,uscc,...``) rows.

        With workers, chunks are resolved in processes forked from this one once the registry
        is indexed (:mod:`linkage.resolving`) and merged here in input order.
        """
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
        keys = (_ID_FIELD[source], _CODE_FIELD[source], "name")
        pool, workers = self._resolving_pool(), self.config.workers
        pending: deque[tuple[Ids, list[int], AsyncResult[Resolved]]] = deque()
        for ids, values in self._chunks(rows, keys):
            picks, slots = self._draw_random_pairs(len(ids))
            chunk: Chunk = ([raw for _, raw, _ in ids], values, picks)
            if pool is None:
                self._merge(source, ids, slots, self._resolver.resolve(chunk))
                continue
            pending.append((ids, slots, pool.apply_async(resolving.resolve_in_worker, (chunk,))))
            if len(pending) > 2 * workers + 2:  # bounded: memory stays flat on large files
                done_ids, done_slots, result = pending.popleft()
                self._merge(source, done_ids, done_slots, result.get())
        while pending:
            done_ids, done_slots, result = pending.popleft()
            self._merge(source, done_ids, done_slots, result.get())

    def _resolving_pool(self) -> PoolType | None:
        """Worker processes forked after the registry was indexed; None to work in-process."""
        if self.config.workers <= 1 or _fork_context() is None:
            return None  # without fork the workers would need the registry pickled
        purpose = ("resolve", len(self.profiles))  # refork when the registry has grown

        def prepare() -> None:
            resolving.FORKED = Resolver(self)

        return self.fork_pool(purpose, prepare)

    def fork_pool(
        self, purpose: Hashable, prepare: Callable[[], None] | None = None
    ) -> PoolType | None:
        """`workers` processes forked from this one now, for a stage that reads its state.

        They inherit the registry, its index and the records without pickling (copy on
        write). The pool is reused while `purpose` is the same, else replaced: the old one
        is closed, then `prepare` called (to set what the workers will find), then the new
        one forked. None where there are no workers or the platform cannot fork.
        """
        context = _fork_context()
        if self.config.workers <= 1 or context is None:
            return None
        if self._pool is not None and self._pool_purpose == purpose:
            return self._pool
        self.close()
        if prepare is not None:
            prepare()
        # Frozen objects are left out of garbage collections, which write to the headers of
        # the objects they visit and so copy the pages shared with the workers: in the
        # workers, and here until the pool is closed.
        gc.freeze()
        try:
            self._pool = context.Pool(self.config.workers)
        except BaseException:
            gc.unfreeze()
            raise
        self._pool_purpose = purpose
        return self._pool

    def _draw_random_pairs(self, n: int) -> tuple[list[tuple[int, int]], list[int]]:
        """The random pairs of the next `n` records: (position, registry record) and slots.

        Every `random_every`-th record (counted over all sources) is also compared with a
        random registry record; a reservoir keeps a uniform sample of `random_pairs` of these
        pairs. The draws depend on the record's rank only, never on its values, so they are
        made here, in input order, before the chunk is resolved: any number of workers gives
        the sample one process gives.
        """
        first, n_registry = self._dispatched, len(self.profiles)
        self._dispatched += n
        if not n_registry:
            return [], []
        every, size, rng = self.config.random_every, self.config.random_pairs, self._rng
        picks: list[tuple[int, int]] = []
        slots: list[int] = []
        for k in range(first + (-first) % every, first + n, every):
            seen = self._random_seen = self._random_seen + 1
            filled = min(seen - 1, size)  # the sample's length before this pair
            slot = filled if filled < size else rng.randrange(seen)
            if slot < size:
                picks.append((k - first, rng.randrange(n_registry)))
                slots.append(slot)
        return picks, slots

    def _merge(self, source: str, ids: Ids, slots: list[int], done: Resolved) -> None:
        """Append a resolved chunk to the records, pairs and counts (chunks come in order)."""
        stats, records, pairs = self.stats, self._records, self._pairs
        end = len(pairs)
        models = iter(done.models)
        for (record_id, _, name), target, size, rule in zip(
            ids, done.targets, done.sizes, done.rules, strict=True
        ):
            if target >= 0:
                records.append((source, record_id, target, size, RULES[rule]))
                stats.rules[RULES[rule]] += 1
            else:
                code, p = next(models)
                start, end = end, end + size
                records.append((source, record_id, code, p, name, start, end))
        pairs.extend(done.pairs)
        stats.model_records += len(done.models)
        stats.pairs += done.compared + len(slots)
        stats.branch_conflicts += done.branch_conflicts
        for kind, n in enumerate(done.skipped):
            self.index.skipped[kind] += n
        self._matches.update(done.matches)  # in order of first occurrence, as EM sums them
        sample = self._random
        for slot, found in zip(slots, done.randoms, strict=True):
            if slot == len(sample):
                sample.append(found)
            else:
                sample[slot] = found
        before = stats.records[source]
        stats.records[source] += len(ids)
        if self.progress is not None:
            for n in range(before + _PROGRESS_EVERY - before % _PROGRESS_EVERY,
                           stats.records[source] + 1, _PROGRESS_EVERY):  # fmt: skip
                self.progress(source, n)

    # -- model and decisions ---------------------------------------------------------------------

    def fit(self) -> Model:
        """Estimate the model (see :func:`linkage.fellegi_sunter.fit`) and the match prior."""
        stats, config = self.stats, self.config.model
        stats.skipped_blocks = {
            kind.name.lower(): n for kind, n in zip(KeyKind, self.index.skipped, strict=True)
        }
        self.close()  # records are all in: stop the workers (their copies of shared pages)
        self._memo = empty_memo()  # and free the normalised values
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

    def brief_results(self, start: int = 0, stop: int | None = None) -> Iterator[Brief]:
        """What :func:`linkage.linkfiles.run` writes, per record in input order.

        ``(source, record_id, uscc, score, decision, result, name)``: the values of
        :meth:`named_results`, but the full result (evidence, alternatives) and the name only
        for a review; a link file needs no evidence, and building it took a third of the time.
        `start` and `stop` select records by position, as a slice does.
        """
        if self.model is None:
            self.fit()
        scorer, usccs, decisions = self._scorer, self.usccs, self.stats.decisions
        assert scorer is not None
        for n, record in enumerate(self._records[start:stop], start + 1):
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
