"""Synthetic registry, tax and enforcement records with ground truth, for benchmarking linkage.

Three sources shaped like the file-to-file inputs of ``casemgr linkage run``: the business
registry (工商, :data:`REGISTRY_COLUMNS`), tax (税务, :data:`TAX_COLUMNS`) and the environmental
enforcement system (:data:`ENV_COLUMNS`); and the truth: for every tax and enforcement record,
the registry USCC of the enterprise it belongs to, or None when that enterprise is absent from
the registry. Each difficulty of real data has a rate (:class:`Rates`).

Everything is a pure function of the seed, the sizes and the rates. Enterprise ``i`` is drawn
from its own random stream, so a tax or enforcement record rebuilds its enterprise on demand and
memory stays flat: one byte per enterprise is kept, the salt that makes its name unique, found
while the registry is first read (or in a pass over the names if other records are read first).
Records are streamed; :meth:`SyntheticData.write_csv` writes the files.

Enterprise names are unique; pre-2015 enterprises carry digit organisation codes, later ones
``MA`` codes, both unique by construction. Registry rows come in blocks of four, and in a group
block the first is a parent with one to three branches after it.

Examples
--------
>>> data = generate(300, seed=7)
>>> reg = list(data.registry())
>>> len(reg), reg[0]._fields == REGISTRY_COLUMNS
(300, True)
>>> truth = data.truth_map()
>>> len(truth) == data.plan.n_tax + data.plan.n_env
True
>>> evaluate(((s, r, u) for (s, r), u in truth.items() if u), truth).f1
1.0
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from hashlib import blake2b
from os import PathLike
from pathlib import Path
from typing import NamedTuple

from linkage import synthetic_pools as pools
from linkage.identifiers import legacy_tax_id_candidates, make_uscc, regno15_is_valid

__all__ = [
    "ENV_COLUMNS",
    "REGISTRY_COLUMNS",
    "TAX_COLUMNS",
    "Enterprise",
    "EnvRecord",
    "NameParts",
    "Plan",
    "Rates",
    "RegistryRecord",
    "Scores",
    "SyntheticData",
    "TaxRecord",
    "TruthRow",
    "evaluate",
    "generate",
]

DEFAULT_DIVISIONS = Path(__file__).resolve().parent.parent / "casemgr/refdata/guizhou-divisions.csv"


class RegistryRecord(NamedTuple):
    """A business-registry (工商登记) row."""

    uscc: str
    name: str
    legal_rep: str
    address: str
    reg_date: str
    status: str
    phone: str


class TaxRecord(NamedTuple):
    """A tax-registration (税务登记) row; `taxpayer_id` is a USCC or a legacy 15-character id."""

    taxpayer_id: str
    name: str
    legal_rep: str
    address: str
    phone: str


class EnvRecord(NamedTuple):
    """An enforcement-system row; `uscc` is typed by hand: empty, right, or wrong."""

    record_id: str
    name: str
    uscc: str
    legal_rep: str
    address: str
    phone: str


class TruthRow(NamedTuple):
    """The registry USCC a record belongs to; None when its enterprise is not in the registry."""

    source: str  # "tax" (record_id = taxpayer_id) or "env"
    record_id: str
    uscc: str | None


REGISTRY_COLUMNS = RegistryRecord._fields
TAX_COLUMNS = TaxRecord._fields
ENV_COLUMNS = EnvRecord._fields


@dataclass(frozen=True)
class Rates:
    """How often each difficulty occurs; the defaults are what :func:`generate` uses.

    Enterprise-level rates apply to every generated enterprise; record-level ones independently to
    each tax and enforcement record (so a record may have several). Shares of an identifier column
    apply to records whose enterprise qualifies (e.g. `legacy_tax_id` to pre-2015 enterprises).
    """

    # -- enterprises --------------------------------------------------------------------------
    branch: float = 0.04  # branches (分公司/分厂): own USCC, parent's name + suffix; at most 0.5
    popular_trade_name: float = 0.15  # trade name from ~250 recurring ones (宏达, 鑫源 ...)
    registry_bad_check: float = 0.0005  # registry USCC failing its check (DOMAIN.md 6.4 override)
    shared_phone: float = 0.02  # an accounting agency's number, shared by many enterprises
    # -- coverage and duplicates (shares of the tax / env records) ------------------------------
    tax_orphan: float = 0.03  # tax records of enterprises absent from the registry
    env_orphan: float = 0.08  # enforcement records of enterprises absent from the registry
    absent_branch: float = 0.10  # share of those absent enterprises that are unregistered
    #                              branches of a registry enterprise (must not link to it)
    tax_duplicate: float = 0.01  # second tax record of an enterprise, under its other id
    env_duplicate: float = 0.03  # second enforcement record of an enterprise
    # -- identifiers -----------------------------------------------------------------------------
    legacy_tax_id: float = 0.30  # pre-2015 enterprises whose taxpayer_id is division + org code
    tax_uscc_typo: float = 0.01  # taxpayer_id USCC with a wrong character
    env_uscc_missing: float = 0.35  # enforcement records without a USCC
    env_uscc_typo: float = 0.03  # given env USCCs with a wrong character
    env_parent_uscc: float = 0.20  # given env USCCs of branches that are the parent's
    env_regno: float = 0.02  # given env USCCs of pre-2015 enterprises that are the 15-digit
    #                          registration number (GS 15-2006) from an old licence
    env_uscc_format: float = 0.05  # given env USCCs in lower case or with spaces
    # -- names (each tax and env record) ---------------------------------------------------------
    place_prefix: float = 0.20  # place prefix dropped, shortened or the province added
    org_form: float = 0.10  # 有限公司 ↔ 有限责任公司, 股份公司, （集团） ↔ 集团, or no form
    homophone: float = 0.03  # a same-pinyin character in the trade name (also in legal_rep)
    traditional: float = 0.03  # name, legal_rep and address in traditional characters
    fullwidth: float = 0.03  # full-width digits, letters and punctuation in the record
    # -- other fields (each tax and env record) --------------------------------------------------
    outdated_legal_rep: float = 0.08  # the former legal representative
    missing_legal_rep: float = 0.05
    abbreviated_address: float = 0.30  # province, prefecture, county or town left out
    moved_address: float = 0.03  # another street in the same county
    missing_address: float = 0.05
    changed_phone: float = 0.15
    missing_phone: float = 0.15
    phone_format: float = 0.20  # (0851)86541234, 138-1234-5678, +86 ...

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"rate {f.name} must be within [0, 1], got {value!r}")
        if self.branch > 0.5:
            raise ValueError(f"rate branch must be at most 0.5, got {self.branch!r}")


class Plan(NamedTuple):
    """How many records of each kind a :class:`SyntheticData` produces."""

    n_registry: int
    n_tax: int
    n_tax_orphan: int
    n_tax_duplicate: int
    n_env: int
    n_env_orphan: int
    n_env_duplicate: int

    @property
    def n_enterprises(self) -> int:
        """Registry enterprises plus those absent from the registry."""
        return self.n_registry + self.n_tax_orphan + self.n_env_orphan


class NameParts(NamedTuple):
    """An enterprise name in parts: ``places + trade_name + word + group + form + branch``."""

    places: tuple[pools.Place, ...]  # e.g. ((("遵义市", "遵义"), 0),) for 遵义市
    trade_name: str  # 字号: 宏达
    word: str  # industry: 煤业 (empty for units and cooperatives named by their form)
    group: str  # （集团）, 集团 or empty
    form: str  # 有限公司, 有限责任公司, 股份有限公司, 专业合作社, 煤矿, 水泥厂 ...
    branch: str  # 六枝分公司, 第二分厂 or empty

    def render(self, places: tuple[pools.Place, ...] | None = None) -> str:
        """The name, optionally with other places."""
        prefix = "".join(
            ladder[rung] for ladder, rung in (self.places if places is None else places)
        )
        return prefix + self.trade_name + self.word + self.group + self.form + self.branch


class Enterprise(NamedTuple):
    """A generated enterprise: its registry facts and what the other sources get wrong."""

    number: int  # i: registry row i when i < plan.n_registry
    uscc: str  # as registered: fails its check when `bad_check`
    name: str
    legal_rep: str
    address: str
    reg_date: str
    status: str
    phone: str
    county_code: str
    in_registry: bool
    parent_index: int | None  # branches: the parent enterprise
    parent_uscc: str | None
    bad_check: bool
    legacy: bool  # registered before 三证合一 (2015-10-01): has legacy ids
    former_legal_rep: str
    parts: NameParts
    address_parts: tuple[tuple[str, ...], tuple[str, ...], str, str]  # prefecture, county,
    #                                                                    town, street
    regno_head: str  # first 14 digits of the registration number, empty after 2015
    tax_key: int  # fixes the taxpayer ids (see SyntheticData.taxpayer_ids)

    @property
    def registry_record(self) -> RegistryRecord:
        """The row of the registry file."""
        return RegistryRecord(self.uscc, self.name, self.legal_rep, self.address,
                              self.reg_date, self.status, self.phone)  # fmt: skip

    @property
    def regno15(self) -> str | None:
        """The 15-digit registration number (工商注册号, GS 15-2006) of a pre-2015 enterprise."""
        if not self.regno_head:
            return None
        return next(n for d in "0123456789" if regno15_is_valid(n := self.regno_head + d))

    def legacy_tax_ids(self) -> list[str]:
        """Pre-2015 tax ids: registration division, then the county tax office's (DOMAIN 6.3)."""
        if not self.legacy:
            return []
        return legacy_tax_id_candidates(self.uscc, extra_divisions=(self.county_code,))


class Scores(NamedTuple):
    """Precision, recall and F1 of predicted links against the truth."""

    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float


# --------------------------------------------------------------------------------------------
# The factory: enterprise i and its records, from i and the seed alone
# --------------------------------------------------------------------------------------------

_NORMAL, _PARENT, _BRANCH = 0, 1, 2


def _table(pairs: tuple[tuple[str, float], ...], bits: int) -> list[str]:
    return pools.expand([k for k, _ in pairs], [w for _, w in pairs], bits)


class _Factory:
    """Builds enterprise ``i`` from ``i`` and the seed, and the records of enterprises."""

    def __init__(self, plan: Plan, rates: Rates, seed: int, divisions: Path) -> None:
        self.plan, self.rates = plan, rates
        self.counties, weights = pools.load_counties(divisions)
        self.by_code = {c.code: c for c in self.counties}
        self.county_table = pools.expand(self.counties, weights, 13)
        key = random.Random(f"linkage.synthetic:{seed}")
        self.key_ent, self.key_salt, self.key_block, self.key_ghost = (
            key.getrandbits(64) << 40 for _ in range(4)
        )
        # Bijections: organisation-code bodies and registration numbers by enterprise (unique by
        # construction), record slots by output position, enterprises by matched slot.
        self.digits, self.ma, self.regno = (pools.Affine(n, key) for n in (10**8, 31**6, 10**8))
        self.tax_slots, self.env_slots = (pools.Affine(n, key) for n in (plan.n_tax, plan.n_env))
        self.tax_ents, self.env_ents = (pools.Affine(plan.n_registry, key) for _ in range(2))
        self.group_cut = pools.cut(min(1.0, 2 * rates.branch))  # 1-3 (2 on average) in 4
        self.absent_cut = pools.cut(rates.absent_branch)
        self.bad_cut = pools.cut(rates.registry_bad_check)
        self.n_agencies = max(10, plan.n_enterprises // 2000)
        self.forms, self.statuses = _table(pools.FORMS, 7), _table(pools.STATUSES, 7)
        starts = [(date(y, 1, 1).toordinal(), 365 + (y % 4 == 0)) for y, _ in pools.YEARS]
        self.years = pools.expand(starts, [w for _, w in pools.YEARS], 10)
        self.salts = bytearray(plan.n_enterprises)  # > 0: the name was taken, draw again
        self.settled, self.seen = 0, set[bytes]()  # names of enterprises 0 .. settled - 1
        self.rng, self.rng_parent, self.rng_salt = random.Random(), random.Random(), random.Random()

    def kind(self, i: int) -> tuple[int, int, int]:
        """(kind, parent index, branch slot) of enterprise ``i``.

        Registry enterprises come in blocks of four: in a group block the first is a parent and
        one to three of the others its branches. An enterprise absent from the registry may be
        an unregistered branch of a registry parent, numbered after its registered siblings.
        """
        if i >= self.plan.n_registry:
            h = pools.mix64(self.key_ghost ^ i)
            if h < self.absent_cut and (parent := self._group_parent(h)) is not None:
                return _BRANCH, parent, 4 + (h & 3)
            return _NORMAL, -1, 0
        h, slot = pools.mix64(self.key_block ^ (i >> 2)), i & 3
        if h >= self.group_cut:
            return _NORMAL, -1, 0
        if slot == 0:
            return _PARENT, -1, 0
        return (_BRANCH, i - slot, slot) if slot <= 1 + (h & 0xFF) % 3 else (_NORMAL, -1, 0)

    def _group_parent(self, h: int) -> int | None:
        n_blocks = (self.plan.n_registry + 3) >> 2
        for k in range(min(n_blocks, 4096) if self.group_cut else 0):
            b = ((h >> 16) + k) % n_blocks
            if pools.mix64(self.key_block ^ b) < self.group_cut:
                return b << 2
        return None

    def identity(self, i: int, rng: random.Random) -> tuple[pools.County, str, NameParts, bool]:
        """County, registering division, name parts, cooperative?; seeds and draws from `rng`."""
        rng.seed(self.key_ent | i)
        rnd, rb = rng.random, rng.getrandbits
        kind, parent, slot = self.kind(i)
        if kind == _BRANCH:
            pc, _, pp, _ = self.identity(parent, self.rng_parent)
            rnd()
            slot += 8 * self.salts[i]
            if pp.word and pools.mix64(self.key_block ^ ~parent) & 1:  # 第二分厂, where it is
                return pc, pc.code, pp._replace(branch=pools.chinese_ordinal(slot) + "分厂"), False
            bc = self.counties[(pc.position + 29 * slot) % len(self.counties)]
            return bc, bc.code, pp._replace(branch=bc.ladder[-1] + "分公司"), False
        c: pools.County = self.county_table[rb(13)]
        ind: pools.Industry = c.industries[rb(10)]
        coop = kind == _NORMAL and ind.coop is not None and rnd() < 0.45
        u = rnd()
        # The registering authority (county, prefecture or province) is the place in the name
        # and positions 3-8 of the USCC; group parents register higher up.
        county_share, pref_share = (0.2, 0.5) if kind == _PARENT else (0.72, 0.92)
        if coop or u < county_share:
            div6, places = c.code, c.county_prefixes[rb(5)]
        elif u < pref_share:
            div6, places = c.pref_code, c.pref_prefixes[rb(5)]
        else:
            div6, places = "520000", pools.PROVINCE_PREFIXES[rb(5)]
        form, word, group = self.forms[rb(7)], ind.words[int(rnd() * len(ind.words))], ""
        if coop:
            form, word = ("农民专业合作社" if rnd() < 0.4 else "专业合作社"), ind.coop or ""
        elif form == "unit" and ind.unit and kind == _NORMAL:
            form, word = ind.unit, ""
        else:
            form = "有限公司" if form == "unit" else form
            g, share = rnd(), 0.5 if kind == _PARENT else 0.02
            group = "" if g >= share else "（集团）" if g < share / 2 else "集团"
        trade = pools.trade_name(rnd, self.rates.popular_trade_name)
        if self.salts[i]:  # the name was taken: another trade name, from another stream
            self.rng_salt.seed(self.key_salt | (i << 8) | self.salts[i])
            trade = pools.trade_name(self.rng_salt.random, self.rates.popular_trade_name)
        return c, div6, NameParts(places, trade, word, group, form, ""), coop

    def _settle(self, i: int, rng: random.Random) -> tuple[pools.County, str, NameParts, bool]:
        """Identity of the next enterprise ``i``, with the salt that makes its name unique."""
        while True:
            identity = self.identity(i, rng)
            key = blake2b(identity[2].render().encode(), digest_size=8).digest()
            if key not in self.seen:
                self.seen.add(key)
                self.settled = i + 1
                return identity
            if self.salts[i] == 255:
                raise RuntimeError(f"no unique name for enterprise {i} after 255 tries")
            self.salts[i] += 1

    def settle_all(self) -> None:
        """Salt every enterprise not yet settled by a registry pass; then forget the names."""
        for i in range(self.settled, len(self.salts)):
            self._settle(i, self.rng)
        self.seen.clear()

    def registry(self) -> Iterator[Enterprise]:
        """Registry enterprises; the first pass settles their names while it goes."""
        for i in range(self.plan.n_registry):
            if i < self.settled:
                yield self.enterprise(i)
            else:
                yield self._finish(i, *self._settle(i, self.rng), self.rng)

    def enterprise(self, i: int, rng: random.Random | None = None) -> Enterprise:
        if i >= self.settled:
            self.settle_all()
        rng = rng or self.rng
        return self._finish(i, *self.identity(i, rng), rng)

    def _finish(
        self, i: int, c: pools.County, div6: str, parts: NameParts, coop: bool, rng: random.Random
    ) -> Enterprise:
        rnd, rb = rng.random, rng.getrandbits
        start, ndays = self.years[rb(10)]
        reg, later = min(start + int(rnd() * ndays), pools.LAST_DAY), rnd()
        parent = None
        if parts.branch:  # registered some time after its parent
            parent = self.enterprise(self.kind(i)[1], self.rng_parent)
            since = date.fromisoformat(parent.reg_date).toordinal()
            reg = since + int(later * (pools.LAST_DAY - since))
        legacy = reg < pools.USCC_ERA
        if legacy:
            body = f"{self.digits(i):08d}"
        else:
            x = self.ma(i)
            body = "MA" + pools.B31_3[x // 29791] + pools.B31_3[x % 29791]
        uscc = make_uscc("9", "3" if coop else "1", div6, body)
        bad = rb(64) < self.bad_cut
        if bad:  # officially issued, yet its check character is wrong (DOMAIN.md 6.4)
            uscc = uscc[:17] + ("1" if uscc[17] == "0" else "0")
        rep, former = pools.person(rng), pools.person(rng)
        if rnd() < 0.3:  # the business passed within the family
            former = rep[0] + former[1:]
        town, tail = c.towns[int(rnd() * len(c.towns))], pools.street(rng)
        phone = pools.phone(rng)
        if rnd() < self.rates.shared_phone:
            phone = f"0851-8{(7919 * (rb(20) % self.n_agencies) + 1234567) % 10**7:07d}"
        return Enterprise(
            i, uscc, parts.render(), rep, f"贵州省{c.pref_ladder[0]}{c.ladder[0]}{town}{tail}",
            date.fromordinal(reg).isoformat(), self.statuses[rb(7)], phone, c.code,
            i < self.plan.n_registry, parent.number if parent else None,
            parent.uscc if parent else None, bad, legacy, former, parts,
            (c.pref_ladder, c.ladder, town, tail), f"{div6}{self.regno(i):08d}" if legacy else "",
            rb(48),
        )  # fmt: skip

    # -- records -------------------------------------------------------------------------------

    def render(self, e: Enterprise, rng: random.Random) -> tuple[str, str, str, str, bool]:
        """Name, legal representative, address, phone as another system has them; full-width?"""
        r, rnd, p = self.rates, rng.random, e.parts
        places = pools.vary_places(p.places, rnd) if rnd() < r.place_prefix else p.places
        group, form = p.group, p.form
        if rnd() < r.org_form:
            group, form = pools.vary_form(group, form, rnd)
        core = p.trade_name + p.word
        if rnd() < r.homophone:
            core = pools.homophone_typo(core, rnd)
        name = "".join(ladder[k] for ladder, k in places) + core + group + form + p.branch
        rep = e.former_legal_rep if rnd() < r.outdated_legal_rep else e.legal_rep
        if rnd() < r.missing_legal_rep:
            rep = ""
        elif rnd() < r.homophone:
            rep = rep[0] + pools.homophone_typo(rep[1:], rnd)
        address = self._address(e, rng)
        u = rnd()
        phone = "" if u < r.missing_phone else e.phone
        if u >= r.missing_phone and u < r.missing_phone + r.changed_phone:
            phone = pools.phone(rng)
        if phone and rnd() < r.phone_format:
            phone = pools.reformat_phone(phone, rnd)
        if rnd() < r.traditional:
            name, rep, address = (pools.to_traditional(s) for s in (name, rep, address))
        full = rnd() < r.fullwidth
        if full:
            name, address, phone = (pools.to_fullwidth(s) for s in (name, address, phone))
        return name, rep, address, phone, full

    def _address(self, e: Enterprise, rng: random.Random) -> str:
        r, rnd = self.rates, rng.random
        pref, county, town, tail = e.address_parts
        u = rnd()
        if u < r.missing_address:
            return ""
        if u < r.missing_address + r.moved_address:
            towns = self.by_code[e.county_code].towns
            town, tail = towns[int(rnd() * len(towns))], pools.street(rng)
        if rnd() < r.abbreviated_address:
            return pools.abbreviate_address(pref, county, town, tail, rnd)
        return f"贵州省{pref[0]}{county[0]}{town}{tail}"

    def taxpayer_id(self, e: Enterprise, *, duplicate: bool = False) -> str:
        """The id of the enterprise's tax record; with `duplicate`, that of its second record.

        Pre-2015 enterprises are filed under the legacy id (division + organisation code) at
        rate `legacy_tax_id`, their duplicate under the USCC; otherwise the USCC, mistyped at
        rate `tax_uscc_typo`, and a duplicate under the other of the two.
        """
        k, r = e.tax_key, self.rates
        if e.legacy and (k & 0xFFFFF) < r.legacy_tax_id * 0x100000:
            return e.uscc if duplicate else self._legacy_id(e)
        if (((k >> 20) & 0xFFFFF) < r.tax_uscc_typo * 0x100000) == duplicate:
            return e.uscc
        return (
            self._legacy_id(e)
            if e.legacy and duplicate
            else pools.uscc_typo(e.uscc, random.Random(k).random)
        )

    @staticmethod
    def _legacy_id(e: Enterprise) -> str:
        candidates = e.legacy_tax_ids()
        return candidates[(e.tax_key >> 40) % len(candidates)]

    def env_uscc(self, e: Enterprise, rng: random.Random, full: bool) -> str:
        """The USCC column of an enforcement record: empty, right, or wrong."""
        r, rnd = self.rates, rng.random
        if rnd() < r.env_uscc_missing:
            return ""
        if e.parent_uscc and rnd() < r.env_parent_uscc:
            code = e.parent_uscc
        elif e.legacy and rnd() < r.env_regno:
            code = e.regno15 or ""
        elif rnd() < r.env_uscc_typo:
            code = pools.uscc_typo(e.uscc, rnd)
        else:
            code = e.uscc
        if rnd() < r.env_uscc_format:
            code = code.lower() if rnd() < 0.5 else f"{code[:8]} {code[8:]}"
        return pools.to_fullwidth(code) if full else code

    def tax(self, seed: int) -> Iterator[tuple[TaxRecord, str | None]]:
        plan, rng = self.plan, random.Random(f"tax:{seed}")
        n_orphan, n_dup = plan.n_tax_orphan, plan.n_tax_duplicate
        n_match = plan.n_tax - n_orphan - n_dup
        for j in range(plan.n_tax):
            q = self.tax_slots(j)
            if q < n_orphan:
                e = self.enterprise(plan.n_registry + q)
            elif q < n_orphan + n_dup:  # spread over the matched ones, one duplicate each
                e = self.enterprise(self.tax_ents((q - n_orphan) * n_match // n_dup))
            else:
                e = self.enterprise(self.tax_ents(q - n_orphan - n_dup))
            taxpayer_id = self.taxpayer_id(e, duplicate=n_orphan <= q < n_orphan + n_dup)
            name, rep, address, phone, _ = self.render(e, rng)
            record = TaxRecord(taxpayer_id, name, rep, address, phone)
            yield record, (e.uscc if e.in_registry else None)

    def env(self, seed: int) -> Iterator[tuple[EnvRecord, str | None]]:
        plan, rng = self.plan, random.Random(f"env:{seed}")
        n_orphan, n_dup = plan.n_env_orphan, plan.n_env_duplicate
        n_match, shared = plan.n_env - n_orphan - n_dup, pools.cut(0.25)
        for j in range(plan.n_env):
            q = self.env_slots(j)
            if q < n_orphan:  # a quarter of them also have an orphan tax record
                g = plan.n_tax_orphan + q
                if plan.n_tax_orphan and pools.mix64(self.key_ghost ^ ~q) < shared:
                    g = q % plan.n_tax_orphan
                e = self.enterprise(plan.n_registry + g)
            elif q < n_orphan + n_dup:
                e = self.enterprise(self.env_ents((q - n_orphan) * n_match // n_dup))
            else:
                e = self.enterprise(self.env_ents(q - n_orphan - n_dup))
            name, rep, address, phone, full = self.render(e, rng)
            uscc = self.env_uscc(e, rng, full)
            record = EnvRecord(f"ENV{j + 1:08d}", name, uscc, rep, address, phone)
            yield record, (e.uscc if e.in_registry else None)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


class SyntheticData:
    """The three sources and the truth of one generation; every stream can be read again.

    Not thread-safe: read one stream at a time per object (streams may be interleaved).
    """

    def __init__(self, factory: _Factory, seed: int) -> None:
        self._factory, self.seed = factory, seed

    @property
    def plan(self) -> Plan:
        """Record counts."""
        return self._factory.plan

    @property
    def rates(self) -> Rates:
        """The difficulty rates used."""
        return self._factory.rates

    @property
    def _ready(self) -> _Factory:
        self._factory.settle_all()
        return self._factory

    def enterprise(self, index: int) -> Enterprise:
        """Enterprise `index`: ``0 <= index < plan.n_registry`` are in the registry, up to
        ``plan.n_enterprises`` are absent from it (the orphans' enterprises)."""
        if not 0 <= index < self.plan.n_enterprises:
            raise IndexError(f"enterprise index {index} out of range({self.plan.n_enterprises})")
        return self._factory.enterprise(index)

    def enterprises(self, *, absent: bool = False) -> Iterator[Enterprise]:
        """Registry enterprises in file order, then (with `absent`) the others."""
        yield from self._factory.registry()
        if absent:
            factory = self._ready
            yield from (
                factory.enterprise(i) for i in range(self.plan.n_registry, len(factory.salts))
            )

    def registry(self) -> Iterator[RegistryRecord]:
        """Registry rows: ``uscc,name,legal_rep,address,reg_date,status,phone``."""
        return (e.registry_record for e in self.enterprises())

    def labelled_tax(self) -> Iterator[tuple[TaxRecord, str | None]]:
        """Tax rows with the registry USCC each belongs to (None: no counterpart)."""
        yield from self._ready.tax(self.seed)  # lazily: settle names once the registry is read

    def labelled_env(self) -> Iterator[tuple[EnvRecord, str | None]]:
        """Enforcement rows with the registry USCC each belongs to (None: no counterpart)."""
        yield from self._ready.env(self.seed)

    def tax(self) -> Iterator[TaxRecord]:
        """Tax rows: ``taxpayer_id,name,legal_rep,address,phone``."""
        return (record for record, _ in self.labelled_tax())

    def env(self) -> Iterator[EnvRecord]:
        """Enforcement rows: ``record_id,name,uscc,legal_rep,address,phone``."""
        return (record for record, _ in self.labelled_env())

    def truth(self) -> Iterator[TruthRow]:
        """One row per tax record, then per enforcement record; record ids are unique."""
        for source, rows in (("tax", self.labelled_tax()), ("env", self.labelled_env())):
            for record, uscc in rows:
                yield TruthRow(source, record[0], uscc)

    def truth_map(self) -> dict[tuple[str, str], str | None]:
        """``{(source, record_id): uscc or None}`` (about 150 bytes a record)."""
        return {(t.source, t.record_id): t.uscc for t in self.truth()}

    def write_csv(
        self,
        directory: str | PathLike[str],
        *,
        encodings: Mapping[str, str] | None = None,
        progress: Callable[[str, int], None] | None = None,
    ) -> dict[str, Path]:
        """Write ``registry.csv``, ``tax.csv``, ``env.csv`` and ``truth.csv`` (source,
        record_id, uscc; uscc empty when none) with a header row each.

        `encodings` maps a file stem to a Python codec (default UTF-8 without BOM), e.g.
        ``{"tax": "gb18030"}`` or ``{"env": "utf-8-sig"}``. `progress(stem, rows)` is called
        every 100,000 rows. Returns the paths by stem.
        """
        codecs = dict.fromkeys(("registry", "tax", "env", "truth"), "utf-8")
        if unknown := set(encodings or {}) - set(codecs):
            raise ValueError(f"encodings for unknown files: {sorted(unknown)}")
        codecs.update(encodings or {})
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = {stem: out / f"{stem}.csv" for stem in codecs}
        streams: list[tuple[str, tuple[str, ...], Iterable[tuple[tuple[str, ...], str | None]]]] = [
            ("registry", REGISTRY_COLUMNS, ((r, None) for r in self.registry())),
            ("tax", TAX_COLUMNS, self.labelled_tax()),
            ("env", ENV_COLUMNS, self.labelled_env()),
        ]
        with open(paths["truth"], "w", encoding=codecs["truth"], newline="") as tf:
            truth = csv.writer(tf, lineterminator="\n")
            truth.writerow(TruthRow._fields)
            for stem, columns, rows in streams:
                with open(paths[stem], "w", encoding=codecs[stem], newline="") as fh:
                    writer = csv.writer(fh, lineterminator="\n")
                    writer.writerow(columns)
                    for n, (record, uscc) in enumerate(rows, 1):
                        writer.writerow(record)
                        if stem != "registry":
                            truth.writerow((stem, record[0], uscc or ""))
                        if progress is not None and n % 100_000 == 0:
                            progress(stem, n)
        return paths


def generate(
    n_registry: int,
    *,
    seed: int,
    tax_ratio: float = 0.9,
    env_ratio: float = 0.4,
    rates: Rates | None = None,
    divisions: str | PathLike[str] | None = None,
    **overrides: float,
) -> SyntheticData:
    """Plan a synthetic registry of `n_registry` enterprises with tax and enforcement records.

    Parameters
    ----------
    n_registry : int
        Registry rows.
    seed : int
        Same seed, sizes, rates and divisions give the same records.
    tax_ratio, env_ratio : float
        Tax and enforcement records per registry row (orphans and duplicates included).
    rates : Rates, optional
        Difficulty rates; keyword `overrides` replace single ones (``homophone=0.1``).
    divisions : path, optional
        A ``code,name,level,parent_code`` CSV; default ``casemgr/refdata/guizhou-divisions.csv``.

    Returns
    -------
    SyntheticData
        Lazy: records are made while they are read.

    Raises
    ------
    ValueError
        On a bad size or rate, or when the matched records would outnumber the registry.

    Examples
    --------
    >>> data = generate(1000, seed=1, homophone=0.0)
    >>> data.plan.n_tax, data.plan.n_env, data.rates.homophone
    (900, 400, 0.0)
    """
    chosen = replace(rates or Rates(), **overrides)
    if n_registry < 1 or tax_ratio < 0 or env_ratio < 0:
        raise ValueError("n_registry must be positive and the ratios non-negative")
    n_tax, n_env = round(tax_ratio * n_registry), round(env_ratio * n_registry)
    counts = (round(chosen.tax_orphan * n_tax), round(chosen.tax_duplicate * n_tax),
              round(chosen.env_orphan * n_env), round(chosen.env_duplicate * n_env))  # fmt: skip
    plan = Plan(n_registry, n_tax, counts[0], counts[1], n_env, counts[2], counts[3])
    for source, total, orphan, dup in (("tax", n_tax, *counts[:2]), ("env", n_env, *counts[2:])):
        matched = total - orphan - dup
        if matched > n_registry or dup > matched:
            raise ValueError(
                f"{source}: {matched} matched records for {n_registry} registry enterprises and "
                f"{dup} duplicates; lower the ratio or raise the orphan rate"
            )
    if plan.n_enterprises >= 10**8:
        raise ValueError("at most 10**8 enterprises (8-digit organisation-code bodies)")
    factory = _Factory(plan, chosen, seed, Path(divisions or DEFAULT_DIVISIONS))
    return SyntheticData(factory, seed)


def evaluate(
    links: Iterable[tuple[str, str, str]], truth: Mapping[tuple[str, str], str | None]
) -> Scores:
    """Score predicted links ``(source, record_id, uscc)`` against :meth:`SyntheticData.truth_map`.

    A link is a true positive when the truth of its record is that USCC; any other link,
    including one for a record without counterpart, is a false positive. A record linked twice
    counts once (a second, different USCC is a false positive). Every record with a counterpart
    and no correct link is a false negative.

    >>> truth = {("tax", "A"): "U1", ("env", "E1"): None, ("env", "E2"): "U2"}
    >>> evaluate([("tax", "A", "U1"), ("env", "E1", "U2")], truth)[:3]
    (1, 1, 1)
    """
    linked: dict[tuple[str, str], str] = {}
    tp = fp = 0
    for source, record_id, uscc in links:
        key = (source, record_id)
        if key in linked:
            fp += linked[key] != uscc
            continue
        linked[key] = uscc
        if truth.get(key) == uscc:
            tp += 1
        else:
            fp += 1
    fn = sum(1 for v in truth.values() if v is not None) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(tp, fp, fn, precision, recall, f1)
