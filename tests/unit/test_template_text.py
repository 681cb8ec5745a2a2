"""No template shows text that bypasses the catalogue: every word a user reads goes through _().

The catalogue test checks that every marked string is translated; this one checks that nothing
user-facing is left unmarked. Jinja expressions and tags are removed first; what remains of
the HTML (text between tags and the attributes people read: placeholder, title, aria-label,
alt, and the value of buttons) must hold no Latin word, apart from names that are the same in
every language (USCC, API, CSV ...).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "casemgr" / "templates"
# Words that read the same in Chinese pages: codes, formats, units and proper names.
ALLOWED = {
    "API",
    "USCC",
    "CSV",
    "XLSX",
    "JSON",
    "ID",
    "HMAC",
    "SHA",
    "English",
    "iCalendar",
    "ics",
    "PDF",
    "KB",
    "MB",
    "UTC",
    "km",
    "mg",
    "kg",
    "t",
    "m",
    "L",
}
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
# What a macro writes inside a tag it does not open itself (attributes, bare boolean ones).
_ATTRIBUTE_TEXT = re.compile(
    r"""[\w-]+="[^"]*"|\b(?:required|selected|checked|disabled|multiple|readonly|hidden)\b"""
)
_READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and name in _READ_ATTRIBUTES:
                self.found.append(value)
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.found.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = _ATTRIBUTE_TEXT.sub(" ", data).strip()
        if not self._skip and text:
            self.found.append(text)


def _unmarked(path: Path) -> list[str]:
    source = _JINJA.sub(" ", path.read_text(encoding="utf-8"))
    parser = _Text()
    parser.feed(source)
    bad = []
    for text in parser.found:
        words = [w for w in _WORD.findall(text) if w not in ALLOWED]
        if words:
            bad.append(text)
    return bad


TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_unmarked_text(path: Path) -> None:
    assert _unmarked(path) == [], f"{path.name}: wrap these in _(): {_unmarked(path)}"


def test_the_check_finds_unmarked_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<h1>{{ _("Cases") }}</h1><p>Open cases</p><input placeholder="Search">'
        "<td>{{ case.number }}</td><span>USCC</span>",
        encoding="utf-8",
    )
    assert _unmarked(page) == ["Open cases", "Search"]


WEB = TEMPLATES.parent / "web"


def test_page_messages_are_translated() -> None:
    """``flash`` and ``FormState(message=...)`` in the page modules take translated text, never
    a bare literal."""
    import ast

    bare = []
    for path in sorted(WEB.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            args = list(node.args[:1]) if name == "flash" else []
            args += [k.value for k in node.keywords if k.arg == "message" and name == "FormState"]
            for arg in args:
                if isinstance(arg, ast.Constant | ast.JoinedStr):
                    bare.append(f"{path.name}:{node.lineno}")
    assert bare == [], f"wrap in gettext(): {bare}"
