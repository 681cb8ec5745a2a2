"""Scoring of the linker's pairs: pattern codes, term-frequency adjustments, decisions.

Used by :class:`linkage.linker.Linker`: a pair's levels are packed into one integer (the
pattern code), its weight adjusted by how many registry records share the agreeing value,
and a record's candidates ranked into a :class:`linkage.linkdata.LinkResult`.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from linkage.blocking import KeyKind
from linkage.compare import (
    FIELDS,
    AddressLevel,
    IdLevel,
    NameLevel,
    PhoneLevel,
    Profile,
    RepLevel,
    explain,
)
from linkage.fellegi_sunter import Decision, Model, Pattern
from linkage.linkdata import _RULE_EVIDENCE, Evidence, LinkResult, Rule

if TYPE_CHECKING:
    from linkage.linker import Linker

__all__: list[str] = []

# A model record's ranked (weight, candidate << 20 | pattern), rivals' weight, score, decision.
Ranking = tuple[list[tuple[float, int]], float, float, Decision]

_new_tuple = tuple.__new__

# Bounds of the estimated share of records with a match: with few records to model, EM over
# records would otherwise reach 0 or 1 and let the prior decide alone.
_MIN_PRIOR = 0.01

_RADIX = [len(levels) for _, levels in FIELDS]
_MULT = [math.prod(_RADIX[:k]) for k in range(len(_RADIX))]
_M_ID, _M_NAME, _M_PLACE, _M_REP, _M_ADDR, _M_PHONE = _MULT
_F_NAME, _F_REP, _F_ADDR, _F_PHONE = 1, 3, 4, 5
_PATTERN_BITS = 20
_PATTERN_MASK = (1 << _PATTERN_BITS) - 1
assert math.prod(_RADIX) <= _PATTERN_MASK


_DECODED: dict[int, Pattern] = {}  # a run has a few hundred distinct patterns


def _decode(code: int) -> Pattern:
    if (found := _DECODED.get(code)) is None:
        found = _DECODED[code] = tuple(
            (code // mult) % radix for mult, radix in zip(_MULT, _RADIX, strict=True)
        )
    return found


def _is_branch_conflict(code: int) -> bool:
    return (code // _M_NAME) % _RADIX[_F_NAME] == NameLevel.BRANCH_CONFLICT


_NAME_PINYIN, _REP_EXACT, _REP_PINYIN = (
    int(NameLevel.PINYIN),
    int(RepLevel.EXACT),
    int(RepLevel.PINYIN),
)
_ADDR_EXACT, _PHONE_SHARED_COMMON = int(AddressLevel.EXACT), int(PhoneLevel.SHARED_COMMON)
assert NameLevel.PINYIN < NameLevel.CORE < NameLevel.EXACT == len(NameLevel) - 1
assert PhoneLevel.SHARED_COMMON < PhoneLevel.SHARED == len(PhoneLevel) - 1

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
        # The core and pinyin blocks of the registry: their sizes are the names' frequencies.
        self._name_index = (linker.index.keys(KeyKind.CORE), linker.index.keys(KeyKind.PINYIN))

    def adjustments(self, p: Profile, c: int, levels: Pattern) -> list[float]:
        """Per field, log2(u / u of the value) where the level is an equality, else 0."""
        # Called for every pair and every decision: locals and plain ints, no method calls.
        linker = self.linker
        r = linker.profiles[c]
        rep_counts, rep_pinyin_counts, rest_counts, phone_counts = linker._frequent
        log_un = self.log_un
        out = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        name = levels[_F_NAME]
        if name >= _NAME_PINYIN:  # PINYIN, CORE, EXACT: the name's equalities
            if name == _NAME_PINYIN:
                found = self._name_index[1].get(r.pinyin)
            else:
                found = self._name_index[0].get(r.core)
            count = 0 if found is None else 1 if isinstance(found, int) else len(found)
            if count:
                out[_F_NAME] = log_un[_F_NAME][name] - math.log2(count)
        rep = levels[_F_REP]
        if rep == _REP_EXACT:
            out[_F_REP] = log_un[_F_REP][rep] - math.log2(rep_counts.get(r.rep, 1))
        elif rep == _REP_PINYIN:
            count = rep_pinyin_counts.get(r.rep_pinyin, 1)
            out[_F_REP] = log_un[_F_REP][rep] - math.log2(count)
        if levels[_F_ADDR] == _ADDR_EXACT:
            count = rest_counts.get(r.addr_rest, 1)
            out[_F_ADDR] = log_un[_F_ADDR][_ADDR_EXACT] - math.log2(count)
        phone = levels[_F_PHONE]
        if phone >= _PHONE_SHARED_COMMON:
            count = min((phone_counts.get(x, 1) for x in p.phones if x in r.phones), default=1)
            out[_F_PHONE] = log_un[_F_PHONE][phone] - math.log2(count)
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
        # tuple.__new__ rather than Evidence(...): one C call per field, on every record.
        return [_new_tuple(Evidence, (spec.name, spec.levels[level], w, ""))
                for spec, level, w in zip(fields, levels, weights, strict=True)]  # fmt: skip

    def _prior_evidence(self) -> Evidence:
        if self._prior_cache is None or self._prior_cache.weight != self.prior:
            share = self.linker.stats.match_prior
            detail = f"{share:.3f} of records match one of {len(self.linker.profiles)}"
            self._prior_cache = Evidence("prior", "", self.prior, detail)
        return self._prior_cache

    def rule_score(self, record: tuple[object, ...]) -> tuple[int, int, list[float], float]:
        """A rule link's target, pattern, field weights and score."""
        _, _, target, pattern, _ = record
        assert isinstance(target, int) and isinstance(pattern, int)
        # The record's profile is not kept: frequencies are those of the registry record.
        weights = self.field_weights(self.linker.profiles[target], target, pattern)
        return target, pattern, weights, sum(weights) + self.prior

    def rule_result(self, record: tuple[object, ...]) -> LinkResult:
        source, record_id, _, _, rule = record
        assert isinstance(rule, Rule)
        target, pattern, weights, score = self.rule_score(record)
        evidence = self._evidence(_decode(pattern), weights)
        evidence += [self._prior_evidence(), _RULE_EVIDENCE[rule]]
        return LinkResult(str(source), str(record_id), self.linker.usccs[target], score,
                          Decision.MATCH, tuple(evidence))  # fmt: skip

    def rank(self, record: tuple[object, ...]) -> Ranking | None:
        """A model record's candidates ranked, its score and decision; None without any."""
        _, _, _, _, _, start, end = record
        assert isinstance(start, int) and isinstance(end, int)
        pairs, pair_weights, prior = self.linker._pairs, self._pair_weights, self.prior
        ranked = sorted(
            ((pair_weights[k] + prior, pairs[k]) for k in range(start, end)),
            key=lambda wk: (-wk[0], wk[1]),
        )
        if not ranked:
            return None
        others = sum(2.0 ** min(w, 1000) for w, _ in ranked[1:])
        rivals = -math.log2(1 + others)
        score = ranked[0][0] + rivals
        assert self.model is not None
        return ranked, rivals, score, self.model.decide(score)

    def model_result(
        self, record: tuple[object, ...], ranking: Ranking | None = None
    ) -> LinkResult:
        source, record_id, code, p, _, _, _ = record
        assert isinstance(p, Profile)
        linker = self.linker
        if ranking is None:
            ranking = self.rank(record)
        if ranking is None:
            return LinkResult(str(source), str(record_id), None, -math.inf, Decision.NON_MATCH, ())
        ranked, rivals, score, decision = ranking
        best_odds, packed = ranked[0]
        best, pattern = packed >> _PATTERN_BITS, packed & _PATTERN_MASK
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
