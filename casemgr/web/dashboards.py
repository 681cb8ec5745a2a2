"""Pages: dashboards (统计看板) with charts drawn by the vendored Chart.js.

Every chart has its numbers in a table beside it: the table is the page without JavaScript
and what a screen reader reads; the same numbers go to the script as one JSON block.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale, gettext
from flask_login import login_required
from marshmallow import Schema, fields, validate

from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.lifecycles import Lifecycle, all_lifecycles
from casemgr.models.cases import Channel
from casemgr.security import page_actor
from casemgr.services import credit, dashboard_stats
from casemgr.services.dashboard_stats import Dashboard, DashboardFilter
from casemgr.services.localtime import LOCAL, local_today
from casemgr.services.surcharges import cny
from casemgr.web.forms import FormState, attempt
from casemgr.web.legal import rule_basis, rule_title
from credit.schemes import Scheme

bp = Blueprint("dashboards_pages", __name__)

FIELDS = ("prefecture", "date_from", "date_to")
TOP_BUREAUS = 15  # bars in the overdue chart; the table lists every bureau

CHANNEL_LABELS = {
    Channel.ADMINISTRATIVE.value: N_("Administrative penalty"),
    Channel.CRIMINAL.value: N_("Criminal referral"),
    Channel.CIVIL.value: N_("Civil and public-interest suits"),
    Channel.COMPENSATION.value: N_("Eco-environmental damage compensation"),
}
TRACK_LABELS = {
    "civil_pil": N_("Civil public-interest suit"),
    "administrative_pil": N_("Administrative public-interest suit"),
}
TIER_LABELS = {
    "green": N_("Green (trustworthy)"),
    "blue": N_("Blue (good)"),
    "yellow": N_("Yellow (warning)"),
    "red": N_("Red (poor)"),
    "black": N_("Black (seriously untrustworthy)"),
}
ABNORMAL = "abnormal"  # a score with no tier (异常), as the credit export names it
ABNORMAL_LABEL = N_("Abnormal (not rated)")


class DashboardArgsSchema(Schema):
    """The dashboard's GET filters."""

    prefecture = fields.String(validate=validate.Regexp(r"^\d{6}$"))
    date_from = fields.Date()
    date_to = fields.Date()


def _args() -> dict[str, str]:
    return {k: request.args.get(k, "").strip()[:40] for k in FIELDS}


@bp.get("/dashboards")
@login_required
def index() -> Any:
    """Show the dashboards: credit tiers, cases by stage, overdue deadlines, fines."""
    actor = page_actor()
    session = db.session()
    state = FormState(values=_args())
    data = {k: v for k, v in state.values.items() if v}
    scheme = credit.scheme_named(current_app.config["CREDIT_SCHEME"])
    result = attempt(
        lambda: dashboard_stats.dashboard(
            session,
            actor,
            DashboardFilter(**DashboardArgsSchema().load(data)),
            scheme_key=scheme.key,
            today=local_today(),
        ),
        state,
    )
    view = None if result is None else build_view(result, scheme)
    options = [("", gettext("Whole jurisdiction"))]
    options += dashboard_stats.prefecture_options(session, actor)
    return (
        render_template(
            "dashboards/index.html",
            state=state,
            view=view,
            prefectures=options,
            scheme=scheme,
            fine_basis=rule_basis("admin.fine_payment"),
        ),
        state.status,
    )


# -- the numbers as tables and charts ---------------------------------------------------------


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _statuses(lifecycle: Lifecycle[Any, Any, Any]) -> list[StrEnum]:
    enum_class: type[StrEnum] = lifecycle.statuses
    return list(enum_class)


def _stage_labels() -> dict[tuple[str, str], str]:
    """Each lifecycle's stage labels, Chinese from the lifecycle tables (``labels`` hold
    "立案 filed"), English from the status value."""
    english = _english()
    out = {}
    for lifecycle in all_lifecycles():
        for status in _statuses(lifecycle):
            value = str(status)
            chinese = str(lifecycle.labels.get(status, "")).removesuffix(f" {value}")
            human = value.replace("_", " ").capitalize()
            out[(lifecycle.name, value)] = human if english or not chinese else chinese
    return out


def _stage_order() -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for lifecycle in all_lifecycles():
        out.update(((lifecycle.name, str(s)), i) for i, s in enumerate(_statuses(lifecycle)))
    return out


def _place(names: Mapping[str, str], code: str) -> str:
    return names.get(code, code)


def _dataset(key: str, label: str, data: list[Any]) -> dict[str, Any]:
    return {"key": key, "label": label, "data": data}


def _tiers(d: Dashboard, scheme: Scheme) -> dict[str, Any]:
    keys = [rule.tier.value for rule in scheme.tiers]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for t in d.tiers:
        tier = t.tier or ABNORMAL
        counts[t.prefecture][tier] = counts[t.prefecture].get(tier, 0) + t.count
    if any(ABNORMAL in c for c in counts.values()):
        keys.append(ABNORMAL)
    labels = {k: gettext(TIER_LABELS.get(k, ABNORMAL_LABEL)) for k in keys}
    prefectures = sorted(counts)
    rows: list[dict[str, Any]] = [
        {
            "name": _place(d.names, f"{p}00"),
            "counts": [counts[p].get(k, 0) for k in keys],
            "total": sum(counts[p].values()),
        }
        for p in prefectures
    ]
    return {
        "columns": [{"key": k, "label": labels[k]} for k in keys],
        "rows": rows,
        "total": sum(r["total"] for r in rows),
        "chart": {
            "kind": "bar",
            "stacked": True,
            "labels": [r["name"] for r in rows],
            "datasets": [
                _dataset(k, labels[k], [r["counts"][i] for r in rows]) for i, k in enumerate(keys)
            ],
        },
    }


def _cases(d: Dashboard) -> dict[str, Any]:
    stage_labels, order = _stage_labels(), _stage_order()
    by_channel: dict[str, list[Any]] = defaultdict(list)
    for c in d.cases:
        by_channel[c.channel].append(c)
    channels: list[dict[str, Any]] = []
    for channel in CHANNEL_LABELS:
        rows = by_channel.get(channel)
        if not rows:
            continue
        tracks = {r.track for r in rows}
        stages = []
        for r in sorted(rows, key=lambda r: (r.track, order.get((r.track, r.status), 99))):
            label = stage_labels.get((r.track, r.status), r.status)
            if len(tracks) > 1 and r.track in TRACK_LABELS:
                label = f"{gettext(TRACK_LABELS[r.track])} · {label}"
            stages.append({"label": label, "count": r.count})
        channels.append(
            {
                "key": channel,
                "label": gettext(CHANNEL_LABELS[channel]),
                "total": sum(r.count for r in rows),
                "stages": stages,
                "chart": {
                    "kind": "bar",
                    "horizontal": True,
                    "labels": [s["label"] for s in stages],
                    "datasets": [_dataset(channel, gettext("Cases"), [s["count"] for s in stages])],
                },
            }
        )
    return {
        "channels": channels,
        "total": sum(c["total"] for c in channels),
        "chart": {
            "kind": "bar",
            "labels": [c["label"] for c in channels],
            "colorKeys": [c["key"] for c in channels],
            "datasets": [_dataset("cases", gettext("Cases"), [c["total"] for c in channels])],
        },
    }


def _overdue(d: Dashboard) -> dict[str, Any]:
    keys = list(CHANNEL_LABELS)
    per_county: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    per_rule: dict[str, int] = defaultdict(int)
    for o in d.overdue:
        per_county[o.county_code][o.channel] = per_county[o.county_code].get(o.channel, 0) + o.count
        per_rule[o.rule_code] += o.count
    rows: list[dict[str, Any]] = sorted(
        (
            {
                "code": code,
                "name": _place(d.names, code),
                "counts": [c.get(k, 0) for k in keys],
                "total": sum(c.values()),
            }
            for code, c in per_county.items()
        ),
        key=lambda r: (-r["total"], r["code"]),
    )
    rules: list[dict[str, Any]] = sorted(
        (
            {
                "code": code,
                "title": rule_title(code),
                "basis": rule_basis(code),
                "count": n,
            }
            for code, n in per_rule.items()
        ),
        key=lambda r: (-r["count"], r["code"]),
    )
    top = rows[:TOP_BUREAUS]
    labels = {k: gettext(CHANNEL_LABELS[k]) for k in keys}
    return {
        "columns": [{"key": k, "label": labels[k]} for k in keys],
        "rows": rows,
        "rules": rules,
        "total": sum(r["total"] for r in rows),
        "shown": len(top),
        "chart": {
            "kind": "bar",
            "stacked": True,
            "horizontal": True,
            "labels": [r["name"] for r in top],
            "datasets": [
                _dataset(k, labels[k], [r["counts"][i] for r in top]) for i, k in enumerate(keys)
            ],
        },
    }


def _yuan(cents: int) -> float:
    return round(cents / 100, 2)


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _money_row(name: str, assessed: int, collected: int) -> dict[str, Any]:
    return {
        "name": name,
        "assessed": cny(assessed),
        "collected": cny(collected),
        "share": _share(collected, assessed),
    }


def _money(d: Dashboard) -> dict[str, Any]:
    months = dashboard_stats.month_range(d.money_from, d.money_to)
    by_month: dict[tuple[int, int], list[int]] = {m: [0, 0] for m in months}
    by_prefecture: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in d.money:
        for target in (by_month.setdefault((m.year, m.month), [0, 0]), by_prefecture[m.prefecture]):
            target[0] += m.assessed_cents
            target[1] += m.collected_cents
    labels = [f"{y}-{m:02d}" for y, m in sorted(by_month)]
    values = [by_month[k] for k in sorted(by_month)]
    assessed = sum(v[0] for v in values)
    collected = sum(v[1] for v in values)
    return {
        "months": [_money_row(lbl, a, c) for lbl, (a, c) in zip(labels, values, strict=True)],
        "prefectures": [
            _money_row(_place(d.names, f"{p}00"), a, c)
            for p, (a, c) in sorted(by_prefecture.items())
        ],
        "total": _money_row(gettext("Total"), assessed, collected),
        "chart": {
            "kind": "bar",
            "money": True,
            "labels": labels,
            "datasets": [
                _dataset("assessed", gettext("Fines assessed"), [_yuan(v[0]) for v in values]),
                _dataset("collected", gettext("Fines collected"), [_yuan(v[1]) for v in values]),
            ],
        },
    }


def build_view(d: Dashboard, scheme: Scheme) -> dict[str, Any]:
    """The dashboard as the template shows it: tables, and the chart data for the script."""
    view: dict[str, Any] = {
        "tiers": _tiers(d, scheme),
        "cases": _cases(d),
        "overdue": _overdue(d),
        "money": _money(d),
        "dashboard": d,
        "figures_at": (
            d.figures_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if d.figures_at else None
        ),
    }
    charts: dict[str, Any] = {
        "tiers": view["tiers"]["chart"],
        "channels": view["cases"]["chart"],
        "overdue": view["overdue"]["chart"],
        "money": view["money"]["chart"],
    }
    for channel in view["cases"]["channels"]:
        charts[f"stages-{channel['key']}"] = channel["chart"]
    view["charts"] = charts
    return view
