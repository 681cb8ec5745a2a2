"""Evidence files and the chain of custody.

Files are stored content-addressed (``<storage>/<sha256[:2]>/<sha256>``): written to a
temporary file while hashed and counted, refused above the size limit or when their bytes are
not one of the allowed types, then renamed into place. A download re-hashes the file, so a file
changed on disk is reported instead of served.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, DomainError, InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.models.evidence import CustodyAction, CustodyEntry, Evidence
from casemgr.policy import Actor, Permission
from casemgr.services.access import require
from casemgr.services.cases import visible_case

CHUNK = 1 << 16


class FileTooLarge(DomainError):
    status = 413
    code = "file_too_large"
    template = N_("The file is larger than the allowed {limit} bytes.")


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...] = ()  # accepted leading bytes; empty: text checked separately
    offset: int = 0


# The allow-list: what an evidence file may be, judged by its bytes, not only its name.
ALLOWED_TYPES: tuple[FileType, ...] = (
    FileType("application/pdf", (".pdf",), (b"%PDF-",)),
    FileType("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    FileType("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    FileType("video/mp4", (".mp4", ".mov"), (b"ftyp",), offset=4),
    FileType("audio/mpeg", (".mp3",), (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    FileType("audio/wav", (".wav",), (b"RIFF",)),
    FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        (b"PK\x03\x04",),
    ),
    FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        (b"PK\x03\x04",),
    ),
    FileType("text/csv", (".csv",)),
    FileType("text/plain", (".txt",)),
)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int
    content_type: str
    filename: str


def _sniff(head: bytes, filename: str, types: Iterable[FileType]) -> str | None:
    ext = Path(filename).suffix.lower()
    for t in types:
        if ext not in t.extensions:
            continue
        if t.magic:
            if any(head[t.offset : t.offset + len(m)] == m for m in t.magic):
                return t.content_type
        elif b"\x00" not in head:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.start < len(head) - 4:  # a multi-byte char cut at the sample's end is fine
                    continue
            return t.content_type
    return None


def path_of(storage: Path, sha256: str) -> Path:
    return storage / sha256[:2] / sha256


def store_file(
    storage: Path,
    stream: IO[bytes],
    filename: str,
    *,
    max_bytes: int,
    types: Iterable[FileType] = ALLOWED_TYPES,
) -> StoredFile:
    """Store an uploaded file. Raises FileTooLarge (413) or InvalidInput naming ``file``."""
    name = Path(filename or "").name
    if not name:
        raise InvalidInput.field("file", N_("The file has no name."))
    storage.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    fd, tmp = tempfile.mkstemp(dir=storage, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(limit=max_bytes)
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidInput.field("file", N_("The file is empty."))
        content_type = _sniff(head, name, types)
        if content_type is None:
            raise InvalidInput.field(
                "file",
                N_("Files of this type are not accepted: {name} (allowed: {allowed})."),
                name=name,
                allowed=", ".join(sorted({e for t in types for e in t.extensions})),
            )
        sha = digest.hexdigest()
        target = path_of(storage, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp)  # the same bytes are stored already
        else:
            os.replace(tmp, target)
        return StoredFile(sha, size, content_type, name)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_writable(session: Session, actor: Actor, case_id: int) -> None:
    """Raise PermissionDenied or NotFound before any file of an upload is written."""
    require(actor, Permission.WRITE_CASES)
    visible_case(session, actor, case_id)


def add_evidence(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], stored: StoredFile | None
) -> Evidence:
    """Register evidence (optionally with a stored file); its first custody link is the
    collection. Raises PermissionDenied, NotFound."""
    require(actor, Permission.WRITE_CASES)
    with transaction(session, actor=actor):
        case = visible_case(session, actor, case_id)
        ev = Evidence(
            case_id=case.id,
            kind=data["kind"],
            title=data["title"],
            description=data.get("description", ""),
            collected_at=data["collected_at"],
            collected_place=data.get("collected_place", ""),
            collected_by_id=actor.user_id or None,
        )
        if stored is not None:
            ev.filename, ev.content_type = stored.filename, stored.content_type
            ev.size_bytes, ev.sha256 = stored.size_bytes, stored.sha256
        ev.custody.append(
            CustodyEntry(
                action=CustodyAction.COLLECTED,
                at=data["collected_at"],
                place=data.get("collected_place", ""),
                by_name=actor.display_name or actor.username,
                recorded_by_id=actor.user_id or None,
            )
        )
        session.add(ev)
    return ev


def visible_evidence(session: Session, actor: Actor, evidence_id: int) -> Evidence:
    ev = session.get(Evidence, evidence_id)
    if ev is None:
        raise NotFound(kind="Evidence", key=evidence_id)
    visible_case(session, actor, ev.case_id)  # NotFound outside the jurisdiction
    return ev


def list_evidence(session: Session, actor: Actor, case_id: int) -> list[Evidence]:
    require(actor, Permission.READ_CASES)
    case = visible_case(session, actor, case_id)
    return list(
        session.scalars(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id))
    )


def add_custody(
    session: Session, actor: Actor, evidence_id: int, data: Mapping[str, Any]
) -> CustodyEntry:
    """Append a custody link; links are never edited. Raises PermissionDenied, NotFound,
    InvalidInput (a link dated before the previous one)."""
    require(actor, Permission.WRITE_CASES)
    with transaction(session, actor=actor):
        ev = visible_evidence(session, actor, evidence_id)
        if ev.custody and data["at"] < ev.custody[-1].at:
            raise InvalidInput.field("at", N_("A custody link cannot predate the previous one."))
        entry = CustodyEntry(
            action=data["action"],
            at=data["at"],
            place=data.get("place", ""),
            by_name=data.get("by_name") or actor.display_name or actor.username,
            handed_to=data.get("handed_to", ""),
            note=data.get("note", ""),
            recorded_by_id=actor.user_id or None,
        )
        ev.custody.append(entry)
    return entry


def open_file(
    session: Session, actor: Actor, evidence_id: int, storage: Path
) -> tuple[Evidence, Path]:
    """The evidence and the path of its file, after checking the bytes still match the
    recorded SHA-256. Raises PermissionDenied, NotFound, Conflict (altered or missing file)."""
    require(actor, Permission.READ_CASES)
    ev = visible_evidence(session, actor, evidence_id)
    if ev.sha256 is None:
        raise NotFound(kind="Evidence file", key=evidence_id)
    path = path_of(storage, ev.sha256)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        raise Conflict(N_("The stored file of evidence {id} is missing."), id=ev.id) from None
    if digest.hexdigest() != ev.sha256:
        raise Conflict(
            N_("The stored file of evidence {id} no longer matches its SHA-256."), id=ev.id
        )
    return ev, path
