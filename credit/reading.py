"""Reading a checked JSON object field by field, with the field's path for error messages.

Used by :mod:`credit.schemes`; :class:`SchemeError` is re-exported there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["At", "SchemeError"]

T = TypeVar("T")


class SchemeError(ValueError):
    """A scheme file that cannot be used: ``path`` is the bad field, ``message`` why."""

    def __init__(self, path: str, message: str) -> None:
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


class At:
    """A JSON object being read, with its path for error messages."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise SchemeError(path or "(root)", "must be an object")
        self.data: dict[str, Any] = data
        self.path = path

    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type[T], default: T | None = None) -> T:
        value = self.data.get(key, default)
        if value is None:
            raise SchemeError(self.sub(key), "is required")
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise SchemeError(self.sub(key), f"must be {_KIND_TEXT.get(kind, kind.__name__)}")
        return value

    def number(self, key: str, low: float, high: float, default: float | None = None) -> float:
        value = self.get(key, float, default)
        if not low <= value <= high:
            raise SchemeError(self.sub(key), f"must be between {low:g} and {high:g}")
        return value

    def whole(self, key: str, low: int, high: int, default: int | None = None) -> int:
        value = self.get(key, int, default)
        if not low <= value <= high:
            raise SchemeError(self.sub(key), f"must be between {low} and {high}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.get(key, str, default)
        if not value.strip() and default is None:
            raise SchemeError(self.sub(key), "must not be empty")
        return value

    def choice(self, key: str, enum_type: type[Any], default: str | None = None) -> Any:
        value = self.text(key, default)
        try:
            return enum_type(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum_type)
            raise SchemeError(self.sub(key), f"{value!r} is not one of: {allowed}") from None

    def items(self, key: str, read: Callable[[At], T], *, required: bool = True) -> tuple[T, ...]:
        value = self.data.get(key, None if required else [])
        if not isinstance(value, list) or (required and not value):
            raise SchemeError(
                self.sub(key), "must be a non-empty list" if required else "must be a list"
            )
        return tuple(read(At(item, f"{self.sub(key)}[{i}]")) for i, item in enumerate(value))

    def strings(self, key: str, enum_type: type[Any] | None = None) -> tuple[Any, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SchemeError(self.sub(key), "must be a list of strings")
        if enum_type is None:
            return tuple(value)
        out = []
        for i, v in enumerate(value):
            try:
                out.append(enum_type(v))
            except ValueError:
                allowed = ", ".join(e.value for e in enum_type)
                raise SchemeError(
                    f"{self.sub(key)}[{i}]", f"{v!r} is not one of: {allowed}"
                ) from None
        return tuple(out)


_KIND_TEXT = {
    float: "a number",
    int: "a whole number",
    str: "text",
    bool: "true or false",
    dict: "an object",
    list: "a list",
}
