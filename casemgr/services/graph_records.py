"""What a registry record asserts about the enterprise graph: who is who, and which edges.

Persons are never joined on a name alone (张伟 is common):

* the legal representative is keyed by normalised name + an identity corroborator: the ID
  number (身份证号) when the source has a column for it in ``extra`` and it passes its
  GB 11643 check (only a digest is kept), else a mobile phone of the record that is no hub (at
  most ``cap`` enterprises give it: an agency's mobile corroborates nobody; a landline is an
  office's, not a person's), else the enterprise, i.e. a person node of its own;
* a shareholder with the legal representative's name is that person (same record); another
  person shareholder is specific to the enterprise;
* a shareholder that is an organisation (an organisation form, or a name too long for a person)
  becomes an enterprise edge only when its cleaned name equals exactly one registry name;
  otherwise it is counted as unresolved and left out (there is no organisation node kind);
* branches: a name parsed as a branch whose parent part equals exactly one registry name, and
  each name in the record's ``branches`` list (as given, or after the parent's own name) that
  equals exactly one registry name;
* predecessors (承继, merger or division): each entry of the record's ``predecessors`` list,
  a USCC of an enterprise of the system or a name that equals exactly one registry name.

Addresses are keyed by their most specific place code and the rest of the address, and kept
only when the rest holds a number (a house, building or group): "茅台镇" names a town, not a
place where two enterprises meet. Phones are keyed by their canonical number.

The normaliser is imported inside the functions: it loads pypinyin's dictionaries, which web
workers that never build the graph should not carry.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.models import (
    BatchStatus,
    Enterprise,
    ImportBatch,
    NodeKind,
    RecordSource,
    SourceRecord,
)
from casemgr.repositories.graph import chunks, nodes_by_key

ENT = NodeKind.ENTERPRISE.value
_ID_MARKERS = ("身份证", "证件号", "idnumber", "idno", "idcard")
_NOT_LEGAL_REP = ("股东", "联系人", "shareholder", "contact")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PERSON_MAX = 6  # longer "names" are organisations' (阿卜杜热合曼 has six characters)
_DIGIT = re.compile(r"\d")

# An end of a claimed edge: ("enterprise", id) or (node kind, node key) before it has an id.
End = tuple[str, int | str]


@dataclass(frozen=True)
class Claim:
    """An edge a record asserts; ``owner`` is the enterprise whose record it is."""

    kind: str
    src: End
    dst: End
    source: str
    share: float | None
    owner: int


@dataclass
class Claims:
    edges: list[Claim] = field(default_factory=list)
    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) -> label

    def node(self, kind: NodeKind, key: str, label: str) -> End:
        self.labels.setdefault((kind.value, key), label.strip()[:300])
        return (kind.value, key)


@dataclass(frozen=True)
class Current:
    """An enterprise's current registry record and the date of its export."""

    record: SourceRecord
    batch_id: int
    seen_on: date
    source_date: date | None


def current_records(session: Session, owners: list[int]) -> dict[int, Current]:
    """The latest committed registry record of each enterprise (by export date, then batch)."""
    stmt = (
        select(SourceRecord, ImportBatch.source_date, ImportBatch.started_at)
        .join(ImportBatch, ImportBatch.id == SourceRecord.batch_id)
        .where(
            SourceRecord.enterprise_id.in_(owners),
            SourceRecord.source == RecordSource.REGISTRY,
            ImportBatch.status == BatchStatus.COMMITTED,
        )
    )
    best: dict[int, tuple[tuple[date, int, int], Current]] = {}
    for record, source_date, started_at in session.execute(stmt):
        seen_on = source_date or started_at.date()
        rank = (seen_on, record.batch_id, record.id)
        ent_id = record.enterprise_id
        if ent_id is not None and (ent_id not in best or rank > best[ent_id][0]):
            best[ent_id] = (rank, Current(record, record.batch_id, seen_on, source_date))
    return {ent_id: current for ent_id, (_, current) in best.items()}


def id_number(extra: Mapping[str, Any]) -> str | None:
    """The legal representative's ID number (身份证号) in a record's extra columns, if valid.

    >>> id_number({"法定代表人身份证号码": "11010519491231002X"})
    '11010519491231002X'
    >>> id_number({"股东身份证号": "11010519491231002X"}), id_number({"证件号码": "123"})
    (None, None)
    """
    for key, value in extra.items():
        label = re.sub(r"[\s_\-]+", "", str(key)).lower()
        if not any(m in label for m in _ID_MARKERS) or any(m in label for m in _NOT_LEGAL_REP):
            continue
        text = unicodedata.normalize("NFKC", str(value)).strip().upper().replace(" ", "")
        if re.fullmatch(r"\d{17}[\dX]", text):
            total = sum(int(d) * w for d, w in zip(text, _ID_WEIGHTS, strict=False))
            if "10X98765432"[total % 11] == text[17]:  # GB 11643-1999 check character
                return text
        elif re.fullmatch(r"\d{15}", text):
            return text
    return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _is_mobile(number: str) -> bool:
    return len(number) == 11 and number[0] == "1"


def is_organisation(name: str) -> bool:
    """Whether a shareholder's name is an organisation's: it has an organisation form or a
    branch suffix, or is longer than a person's name.

    >>> is_organisation("贵州某某投资有限公司"), is_organisation("张三")
    (True, False)
    """
    from linkage.normalize import OrgForm, clean, parse_name

    parts = parse_name(name)
    return parts.org_form is not OrgForm.NONE or parts.is_branch or len(clean(name)) > _PERSON_MAX


def _listed(extra: Mapping[str, Any] | None, key: str) -> list[Any]:
    value = (extra or {}).get(key)
    return list(value) if isinstance(value, list) else []


def _shareholders(rec: SourceRecord) -> list[tuple[str, float | None]]:
    out = []
    for item in _listed(rec.extra, "shareholders"):
        if isinstance(item, dict) and str(item.get("name") or "").strip():
            share = item.get("share")
            fraction = None if share is None else round(float(share) / 100, 6)
            out.append((str(item["name"]).strip(), fraction))
    return out


def _branches(rec: SourceRecord) -> list[str]:
    return [str(b).strip() for b in _listed(rec.extra, "branches") if str(b).strip()]


def _predecessors(rec: SourceRecord) -> list[tuple[str, str | None]]:
    """Each listed predecessor as (text, its USCC if the text is shaped like one)."""
    from linkage.identifiers import normalise_code

    out: list[tuple[str, str | None]] = []
    for item in _listed(rec.extra, "predecessors"):
        if text := str(item).strip():
            code = normalise_code(text)
            out.append((text, code if len(code) == 18 and code.isascii() else None))
    return out


def _by_uscc(session: Session, codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(codes):
        found.update(session.execute(select(Enterprise.uscc, Enterprise.id).where(
            Enterprise.uscc.in_(part))).all())  # fmt: skip
    return found


class Names:
    """Exact registry-name resolution: cleaned name → the one enterprise bearing it."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, int | None] = {}
        self.ambiguous = 0

    def load(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Resolve (raw, cleaned) names not yet known: registry records found by their name
        core, enterprises by their exact name, both compared cleaned."""
        from linkage.normalize import clean, parse_name

        todo = {c: raw for raw, c in wanted if c and c not in self.known}
        if not todo:
            return
        found: dict[str, set[int]] = {c: set() for c in todo}
        for part in chunks({parse_name(c).core for c in todo}):
            stmt = (
                select(SourceRecord.name, SourceRecord.enterprise_id)
                .join(ImportBatch, ImportBatch.id == SourceRecord.batch_id)
                .where(
                    SourceRecord.name_core.in_(part),
                    SourceRecord.source == RecordSource.REGISTRY,
                    SourceRecord.enterprise_id.is_not(None),
                    ImportBatch.status == BatchStatus.COMMITTED,
                )
            )
            for name, ent_id in self.session.execute(stmt):
                if ent_id is not None and (c := clean(name)) in found:
                    found[c].add(ent_id)
        for part in chunks(set(todo.values()) | set(todo)):
            stmt2 = select(Enterprise.id, Enterprise.name).where(Enterprise.name.in_(part))
            for ent_id, name in self.session.execute(stmt2):
                if (c := clean(name)) in found:
                    found[c].add(ent_id)
        for c, ids in found.items():
            self.known[c] = next(iter(ids)) if len(ids) == 1 else None
            self.ambiguous += len(ids) > 1

    def get(self, cleaned: str) -> int | None:
        return self.known.get(cleaned)


def addresses_and_phones(current: Mapping[int, Current]) -> Claims:
    """Phase 1: each enterprise's address and phone nodes."""
    from linkage.normalize import clean_address, phones

    out = Claims()
    for ent_id, cur in current.items():
        rec, me = cur.record, (ENT, ent_id)
        place = clean_address(rec.address) if rec.address else None
        if place is not None and _DIGIT.search(place.rest):
            code = place.county or place.prefecture or place.province or ""
            node = out.node(NodeKind.ADDRESS, f"{code}:{place.rest}"[:300], rec.address)
            out.edges.append(Claim("at_address", me, node, "registry:address", None, ent_id))
        for number in phones(rec.phone):
            node = out.node(NodeKind.PHONE, number, number)
            out.edges.append(Claim("has_phone", me, node, "registry:phone", None, ent_id))
    return out


def persons_and_enterprises(
    session: Session, current: Mapping[int, Current], names: Names, cap: int
) -> tuple[Claims, int]:
    """Phase 2: legal representatives, shareholders, branches and predecessors; returns the
    claims and the number of organisation shareholders that match no single registry name."""
    from linkage.normalize import clean, clean_person, parse_name, phones

    out, unresolved = Claims(), 0
    parsed = {ent_id: parse_name(cur.record.name) for ent_id, cur in current.items()}
    holders = {ent_id: _shareholders(cur.record) for ent_id, cur in current.items()}
    lookups: list[tuple[str, str]] = []
    for ent_id, cur in current.items():
        if parsed[ent_id].is_branch:
            lookups.append((parsed[ent_id].parent_clean, parsed[ent_id].parent_clean))
        lookups += [(n, clean(n)) for n, _ in holders[ent_id] if is_organisation(n)]
        for name in _branches(cur.record):
            lookups += [(name, clean(name)), (name, clean(cur.record.name) + clean(name))]
        lookups += [(text, clean(text)) for text, code in _predecessors(cur.record) if not code]
    names.load(lookups)
    codes = {code for cur in current.values() for _, code in _predecessors(cur.record) if code}
    by_uscc = _by_uscc(session, codes)
    mobiles = {n for cur in current.values() for n in phones(cur.record.phone) if _is_mobile(n)}
    hubs = {k for k, n in nodes_by_key(session, NodeKind.PHONE, mobiles).items() if n.degree > cap}

    for ent_id, cur in current.items():
        rec, me = cur.record, (ENT, ent_id)
        rep = clean_person(rec.legal_rep)
        rep_node: End | None = None
        if rep:
            idno = id_number(rec.extra or {})
            tel = [n for n in phones(rec.phone) if _is_mobile(n) and n not in hubs]
            proof = f"id:{_digest(idno)}" if idno else f"tel:{tel[0]}" if tel else f"ent:{ent_id}"
            rep_node = out.node(NodeKind.PERSON, f"{rep}|{proof}"[:300], rec.legal_rep)
            out.edges.append(Claim("legal_rep", rep_node, me, "registry:legal_rep", None, ent_id))
        for name, share in holders[ent_id]:
            if is_organisation(name):
                holder = names.get(clean(name))
                if holder is None or holder == ent_id:
                    unresolved += 1
                    continue
                src: End = (ENT, holder)
            elif not (person := clean_person(name)):
                continue
            elif person == rep and rep_node is not None:
                src = rep_node
            else:
                src = out.node(NodeKind.PERSON, f"{person}|ent:{ent_id}"[:300], name)
            out.edges.append(Claim("shareholder", src, me, "registry:shareholders", share, ent_id))
        own = parsed[ent_id]
        parent = names.get(own.parent_clean) if own.is_branch else None
        if parent is not None and parent != ent_id:
            out.edges.append(Claim("branch_of", me, (ENT, parent), "registry:name", None, ent_id))
        for name in _branches(rec):
            branch = names.get(clean(name)) or names.get(clean(rec.name) + clean(name))
            if branch is not None and branch != ent_id:
                claim = Claim("branch_of", (ENT, branch), me, "registry:branches", None, ent_id)
                out.edges.append(claim)
        for text, code in _predecessors(rec):
            pred = by_uscc.get(code) if code else names.get(clean(text))
            if pred is not None and pred != ent_id:
                claim = Claim(
                    "successor_of", me, (ENT, pred), "registry:predecessors", None, ent_id
                )
                out.edges.append(claim)
    return out, unresolved
