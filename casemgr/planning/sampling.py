"""Sampling rates of the random inspections (双随机、一公开 抽查比例), as versioned data.

The rates are a JSON file: for each inspection class (特殊监管对象 ``special``, 重点排污单位
``key``, 一般排污单位 ``general``; DOMAIN.md §5.1), each level of the drawing agency (省
``province``, 市/州 ``prefecture``, 县 ``county``) and each period of the plan (季度
``quarter``, 半年 ``half_year``, 年度 ``year``), the fraction of the class's pool drawn; the team
size (at least two officers per inspection, 执法人员不少于两人, 行政处罚法 2021 art. 42) and an
optional cap on inspections per officer in one draw.

No Guizhou-specific ratio was found (DOMAIN.md §5.1): the shipped defaults
(``casemgr/refdata/sampling/default.json``) are borrowed from Fuzhou, Guangdong 2016 and Chizhou
and say so in their ``source`` and ``assumptions``. A province that fixes its own ratios edits the
file and bumps its ``version``; every draw records the :meth:`SamplingConfig.digest` it used.

Hand-written validation rather than a schema library: ``casemgr.planning`` is pure (no
marshmallow), as ``credit.schemes``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path

__all__ = [
    "CLASSES",
    "LEVELS",
    "PERIODS",
    "Rate",
    "SamplingConfig",
    "SamplingConfigError",
    "load_sampling_config",
]

CLASSES = ("special", "key", "general")  # 特殊监管对象, 重点排污单位, 一般排污单位: drawing order
LEVELS = ("province", "prefecture", "county")  # 省, 市/州, 县 (区、市)
PERIODS = ("quarter", "half_year", "year")  # 季度, 半年, 年度
_TOP_LEVEL = ("id", "version", "source", "assumptions", "team_size", "max_load", "rates")
_MAX_TEAM = 10  # a team of more than ten officers is a typo, not a plan


class SamplingConfigError(ValueError):
    """Sampling data that cannot be used: ``path`` names the JSON field, ``reason`` says why.

    Examples
    --------
    >>> str(SamplingConfigError("rates.key.county.quarter", "must be between 0 and 1"))
    'rates.key.county.quarter: must be between 0 and 1'
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True, slots=True)
class Rate:
    """The fraction of the ``inspection_class`` pool drawn by a ``level`` agency per ``period``."""

    inspection_class: str
    level: str
    period: str
    value: float


@dataclass(frozen=True, slots=True)
class SamplingConfig:
    """Sampling rates, team size and load cap of the random inspections (抽查比例).

    Rates are a tuple of :class:`Rate` rather than a nested dict so that the configuration is
    immutable and hashable; :meth:`rate` looks one up.

    Examples
    --------
    >>> config = load_sampling_config()
    >>> config.rate("key", "county", "quarter"), config.team_size
    (0.25, 2)
    >>> len(config.digest())
    64
    """

    id: str
    version: str
    source: str
    assumptions: tuple[str, ...]
    team_size: int
    max_load: int | None
    rates: tuple[Rate, ...]

    def rate(self, inspection_class: str, level: str, period: str) -> float:
        """The fraction drawn; :class:`SamplingConfigError` naming the combination if absent.

        Examples
        --------
        >>> load_sampling_config().rate("special", "province", "quarter")
        1.0
        """
        for r in self.rates:
            if (r.inspection_class, r.level, r.period) == (inspection_class, level, period):
                return r.value
        raise SamplingConfigError(f"rates.{inspection_class}.{level}.{period}", "is not configured")

    def to_mapping(self) -> dict[str, object]:
        """The JSON shape :meth:`from_mapping` reads (integers written as given, rates as floats).

        Examples
        --------
        >>> config = load_sampling_config()
        >>> SamplingConfig.from_mapping(config.to_mapping()) == config
        True
        """
        rates: dict[str, dict[str, dict[str, float]]] = {}
        for r in self.rates:
            rates.setdefault(r.inspection_class, {}).setdefault(r.level, {})[r.period] = r.value
        return {
            "id": self.id,
            "version": self.version,
            "source": self.source,
            "assumptions": list(self.assumptions),
            "team_size": self.team_size,
            "max_load": self.max_load,
            "rates": rates,
        }

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON: sorted keys, no spaces, UTF-8.

        Whitespace and key order of the file do not change it; any value does, so a published
        draw names exactly the rates it used.

        Examples
        --------
        >>> load_sampling_config().digest() == load_sampling_config().digest()
        True
        """
        text = json.dumps(
            self.to_mapping(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> SamplingConfig:
        """Read and check JSON-shaped data; :class:`SamplingConfigError` names the bad field.

        Examples
        --------
        >>> try:
        ...     SamplingConfig.from_mapping({"team_size": 1})
        ... except SamplingConfigError as exc:
        ...     print(exc.path)
        team_size
        """
        if not isinstance(data, Mapping):
            raise SamplingConfigError("(root)", "must be an object")
        for name in data:
            if name not in _TOP_LEVEL:
                raise SamplingConfigError(str(name), "is not a known field")
        assumptions = data.get("assumptions", [])
        if not isinstance(assumptions, list) or not all(isinstance(a, str) for a in assumptions):
            raise SamplingConfigError("assumptions", "must be a list of strings")
        team_size = _whole(data, "team_size")
        if team_size < 2:
            # 行政处罚法 (2021) art. 42: on-site enforcement by no fewer than two officers.
            raise SamplingConfigError(
                "team_size", "must be at least 2 (two officers per inspection, 行政处罚法 art. 42)"
            )
        if team_size > _MAX_TEAM:
            raise SamplingConfigError("team_size", f"must be at most {_MAX_TEAM}")
        max_load = None if data.get("max_load") is None else _whole(data, "max_load")
        if max_load is not None and max_load < 1:
            raise SamplingConfigError("max_load", "must be at least 1, or null for no cap")
        return cls(
            id=_text(data, "id"),
            version=_text(data, "version"),
            source=_text(data, "source"),
            assumptions=tuple(assumptions),
            team_size=team_size,
            max_load=max_load,
            rates=_rates(data.get("rates")),
        )


def load_sampling_config(path: str | PathLike[str] | None = None) -> SamplingConfig:
    """Read a sampling file; the packaged Guizhou default when ``path`` is None.

    Examples
    --------
    >>> load_sampling_config().id
    'guizhou-default'
    """
    if path is None:
        where = "default.json"
        text = (
            resources.files("casemgr")
            .joinpath("refdata", "sampling", "default.json")
            .read_text(encoding="utf-8")
        )
    else:
        where = str(path)
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SamplingConfigError("(root)", f"{where} is not JSON: {exc}") from None
    return SamplingConfig.from_mapping(data)


# -- reading ----------------------------------------------------------------------------------


def _text(data: Mapping[str, object], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SamplingConfigError(name, "must be non-empty text")
    return value


def _whole(data: Mapping[str, object], name: str) -> int:
    value = data.get(name)
    # bool is an int in Python; true is not a team size.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SamplingConfigError(name, "must be a whole number")
    return value


def _object(value: object, path: str, allowed: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not value:
        raise SamplingConfigError(path, "must be a non-empty object")
    for name in value:
        if name not in allowed:
            raise SamplingConfigError(f"{path}.{name}", f"is not one of: {', '.join(allowed)}")
    return value


def _rates(value: object) -> tuple[Rate, ...]:
    out = []
    classes = _object(value, "rates", CLASSES)
    # Canonical order (CLASSES, LEVELS, PERIODS) whatever the file's order.
    for cls in (c for c in CLASSES if c in classes):
        levels = _object(classes[cls], f"rates.{cls}", LEVELS)
        for level in (lv for lv in LEVELS if lv in levels):
            periods = _object(levels[level], f"rates.{cls}.{level}", PERIODS)
            for period in (p for p in PERIODS if p in periods):
                path, rate = f"rates.{cls}.{level}.{period}", periods[period]
                if not isinstance(rate, int | float) or isinstance(rate, bool):
                    raise SamplingConfigError(path, "must be a number")
                if not (math.isfinite(rate) and 0 <= rate <= 1):
                    raise SamplingConfigError(path, f"is {rate!r}, must be between 0 and 1")
                out.append(Rate(cls, level, period, float(rate)))
    return tuple(out)
