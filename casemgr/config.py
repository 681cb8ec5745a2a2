"""Settings read from environment variables, with safe defaults for the embedded SQLite run.

Every variable is prefixed ``CASEMGR_`` (except ``PORT``). ``Config.from_env()`` returns a plain
mapping that ``create_app`` loads; tests pass overrides as a dict.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise RuntimeError(f"environment variable {name} must be at least {minimum}, got {value}")
    return value


def _secret_key(instance: Path) -> str:
    """Read CASEMGR_SECRET_KEY, else a key generated once and kept in the instance folder."""
    env = os.environ.get("CASEMGR_SECRET_KEY")
    if env:
        return env
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32), encoding="ascii")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="ascii").strip()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (as docker-compose and most tools write)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_env() -> dict[str, Any]:
    """Build the Flask configuration from the environment."""
    instance = Path(os.environ.get("CASEMGR_INSTANCE_PATH", DEFAULT_INSTANCE)).resolve()
    db_url = os.environ.get("CASEMGR_DATABASE_URL") or f"sqlite:///{instance / 'casemgr.sqlite3'}"
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": _secret_key(instance),
        # A separate key for the audit trail's MACs; defaults to one derived from SECRET_KEY.
        "AUDIT_KEY": os.environ.get("CASEMGR_AUDIT_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(db_url),
        "UPLOAD_FOLDER": os.environ.get("CASEMGR_UPLOAD_FOLDER", str(instance / "uploads")),
        "BABEL_DEFAULT_LOCALE": os.environ.get("CASEMGR_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("CASEMGR_TIMEZONE", "Asia/Shanghai"),
        "MAX_CONTENT_LENGTH": _int("CASEMGR_MAX_CONTENT_LENGTH", 64 * 1024 * 1024),
        # Largest evidence file (photos, monitoring exports, short videos); within the above.
        "EVIDENCE_MAX_BYTES": _int("CASEMGR_EVIDENCE_MAX_BYTES", 60 * 1024 * 1024),
        "TOKEN_TTL_HOURS": _int("CASEMGR_TOKEN_TTL_HOURS", 12),
        "LOGIN_MAX_FAILURES": _int("CASEMGR_LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _int("CASEMGR_LOGIN_LOCKOUT_MINUTES", 15),
        # 省直管县 pilots (DOMAIN.md §5.3 [V: hnsyszj.com]); 仁怀 and 威宁 by default.
        "PILOT_COUNTIES": [
            c.strip()
            for c in os.environ.get("CASEMGR_PILOT_COUNTIES", "520382,520526").split(",")
            if c.strip()
        ],
        # The credit scheme in force: a shipped one (guizhou-2019, national-2013, five-colour)
        # or the path of a scheme file (credit/schemes/*.json shows the format).
        "CREDIT_SCHEME": os.environ.get("CASEMGR_CREDIT_SCHEME", "guizhou-2019"),
        # Processes of the nightly full rescoring on PostgreSQL (one per core, at most 4: each
        # reads, scores and stores its share of the enterprises; SQLite always uses one).
        "CREDIT_RESCORE_WORKERS": _int(
            "CASEMGR_CREDIT_RESCORE_WORKERS", min(os.cpu_count() or 1, 4), minimum=1
        ),
        # Rescore an enterprise's credit as soon as one of its case events commits.
        "CREDIT_RESCORE_ON_EVENT": _bool(os.environ.get("CASEMGR_CREDIT_RESCORE_ON_EVENT"), True),
        # Run the scheduler in a thread of each gunicorn worker (`make run`); one leads.
        "SCHEDULER_IN_PROCESS": _bool(os.environ.get("CASEMGR_SCHEDULER_IN_PROCESS"), False),
        # How often a standby scheduler retries the lock, and the leader checks it still holds it.
        "SCHEDULER_STANDBY_SECONDS": _int("CASEMGR_SCHEDULER_STANDBY_SECONDS", 10),
        # Tests only: a job that records a run every so many seconds (0: none).
        "SCHEDULER_HEARTBEAT_SECONDS": _int("CASEMGR_SCHEDULER_HEARTBEAT_SECONDS", 0),
        # Deadline reminders: how many days ahead, and after how many days a missed deadline
        # is escalated to the bureau head (a practice setting, not a legal period).
        "REMINDER_DUE_SOON_DAYS": _int("CASEMGR_REMINDER_DUE_SOON_DAYS", 3),
        "REMINDER_ESCALATE_AFTER_DAYS": _int("CASEMGR_REMINDER_ESCALATE_AFTER_DAYS", 3),
        # E-mail of notifications; none is sent while the host is empty.
        "SMTP_HOST": os.environ.get("CASEMGR_SMTP_HOST", ""),
        "SMTP_PORT": _int("CASEMGR_SMTP_PORT", 25),
        "SMTP_USERNAME": os.environ.get("CASEMGR_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("CASEMGR_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(os.environ.get("CASEMGR_SMTP_STARTTLS"), False),
        "SMTP_SENDER": os.environ.get("CASEMGR_SMTP_SENDER", "casemgr@localhost"),
        # Random draws: the sampling rates (a JSON file; empty: the packaged, unverified default,
        # casemgr/refdata/sampling/default.json) and the scopes drawn each quarter by the job.
        "SAMPLING_CONFIG": os.environ.get("CASEMGR_SAMPLING_CONFIG", ""),
        "DRAW_SCOPES": [
            c.strip()
            for c in os.environ.get("CASEMGR_DRAW_SCOPES", "520000").split(",")
            if c.strip()
        ],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("CASEMGR_SECURE_COOKIES"), False),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


API_SETTINGS: dict[str, Any] = {
    "API_TITLE": "Guizhou environmental enforcement and credit API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Swagger UI's assets are served by the app itself (intranet: no CDN), see casemgr.web.
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    "API_SPEC_OPTIONS": {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            }
        },
        "security": [{"bearerAuth": []}],
    },
}
