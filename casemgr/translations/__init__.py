"""Message catalogues (``<locale>/LC_MESSAGES/messages.po``) and their compilation.

The ``.mo`` files are not kept in version control; ``compile_catalogs`` builds them when the
application starts, so translations work without ``make translations``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

CATALOG_DIR = Path(__file__).resolve().parent


def compile_catalogs(directory: Path | None = None) -> None:
    """Compile every ``messages.po`` under ``directory`` into ``messages.mo`` beside it.

    A catalogue is compiled only when its ``.mo`` is missing or older than the ``.po``. Fuzzy
    entries are included, as ``make translations`` does. The ``.mo`` is written to a temporary
    file and renamed, so concurrent workers never read a half-written file. If the directory
    is read-only, a warning is logged and the application runs with the messages in English.
    """
    root = CATALOG_DIR if directory is None else Path(directory)
    for po_path in sorted(root.rglob("messages.po")):
        mo_path = po_path.with_suffix(".mo")
        try:
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            fd, tmp_name = tempfile.mkstemp(prefix=".messages-", suffix=".mo", dir=mo_path.parent)
            try:
                with os.fdopen(fd, "wb") as tmp_file:
                    write_mo(tmp_file, catalog, use_fuzzy=True)
                os.chmod(tmp_name, 0o644)
                os.replace(tmp_name, mo_path)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("cannot compile %s: %s", po_path, exc)
            continue
        log.info("compiled %s", mo_path)
