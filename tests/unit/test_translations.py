"""The zh_CN catalogue is complete, consistent with the code, and compiles (no app, no database)."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
from pathlib import Path

import pytest
from babel import Locale, support
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from marshmallow import Schema, ValidationError, fields

from casemgr.translations import compile_catalogs, validation_messages

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "casemgr"
TRANSLATIONS = PACKAGE / "translations"
PO_FILES = sorted(TRANSLATIONS.rglob("messages.po"))
MARKERS = {"N_", "_", "gettext", "lazy_gettext"}

_PLACEHOLDER = re.compile(r"\{(\w*)\}|%\((\w+)\)[sdifr]")
_N_CALL = re.compile(r"\bN_\(")
_TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")


def _load(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _placeholders(text: str) -> list[str]:
    """Sorted placeholder names: ``{name}`` (brace-format) and ``%(name)s`` (percent-format)."""
    return sorted(
        f"%({percent})" if percent else f"{{{brace}}}"
        for brace, percent in _PLACEHOLDER.findall(text)
    )


def _marked_strings() -> set[tuple[str, str]]:
    """(file, msgid) for every N_/_/gettext call with a literal string argument in casemgr."""
    found: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        calls = 0
        for node in ast.walk(ast.parse(source, filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
            ):
                arg = node.args[0]
                literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                # gettext(variable) is how casemgr.errors translates marked templates; N_ must
                # always wrap a literal, or pybabel cannot extract it.
                assert literal or node.func.id != "N_", (
                    f"{path.relative_to(ROOT)}:{node.lineno}: N_() needs a literal string"
                )
                if literal:
                    found.add((str(path.relative_to(ROOT)), arg.value))
                calls += node.func.id == "N_"
        # The regex count guards the AST walk: every N_( in the text is a call we checked.
        in_text = len(_N_CALL.findall(source)) - source.count("def N_(")
        assert calls == in_text, f"{path.relative_to(ROOT)}: {in_text} 'N_(' but {calls} N_() calls"
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        for single, double in _TEMPLATE_CALL.findall(path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(ROOT)), single or double))
    return found


@pytest.fixture(scope="module", params=PO_FILES, ids=lambda p: p.parent.parent.name)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    return _load(request.param)


def test_there_is_a_chinese_catalogue() -> None:
    assert any(_load(p).locale.language == "zh" for p in PO_FILES), PO_FILES


def test_every_message_is_translated(catalog: Catalog) -> None:
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy (review and remove the flag): {fuzzy}"
    assert not list(catalog.obsolete), f"obsolete entries: {list(catalog.obsolete)}"


def test_placeholders_are_kept(catalog: Catalog) -> None:
    wrong = {
        m.id: m.string
        for m in catalog
        if m.id and _placeholders(str(m.id)) != _placeholders(str(m.string))
    }
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_every_marked_string_is_in_the_catalogue(catalog: Catalog) -> None:
    ids = {m.id for m in catalog if m.id}
    missing = sorted(
        f"{where}: {msgid!r}" for where, msgid in _marked_strings() if msgid not in ids
    )
    assert not missing, (
        "messages missing from the catalogue (run pybabel extract/update and translate them):\n"
        + "\n".join(missing)
    )


def test_library_messages_are_listed() -> None:
    """marshmallow's fixed default messages still read as validation_messages lists them."""
    listed = set(validation_messages.MARSHMALLOW)
    defaults: set[str] = set(Schema._default_error_messages.values())
    for cls in (
        fields.Field,
        fields.String,
        fields.Number,
        fields.Integer,
        fields.Float,
        fields.Boolean,
        fields.List,
        fields.Dict,
        fields.Nested,
    ):
        defaults.update(cls.default_error_messages.values())
    fixed = {m for m in defaults if "{" not in m}
    assert fixed <= listed, f"not listed in validation_messages: {sorted(fixed - listed)}"
    for field in (fields.Date(), fields.DateTime(), fields.AwareDateTime()):
        with pytest.raises(ValidationError) as info:
            field.deserialize("not a date")
        assert set(info.value.messages) <= listed
    assert fields.Enum.default_error_messages["unknown"] in validation_messages.PREFORMATTED


@pytest.fixture
def compiled(tmp_path: Path) -> Path:
    """A copy of the translations directory, compiled by ``compile_catalogs``."""
    target = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, target, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    compile_catalogs(target)
    return target


def _chinese_mo(directory: Path) -> Path:
    (po,) = [p for p in directory.rglob("messages.po") if _load(p).locale.language == "zh"]
    return po.with_suffix(".mo")


def test_compile_catalogs_builds_loadable_mo(compiled: Path) -> None:
    mo = _chinese_mo(compiled)
    assert mo.is_file()
    with mo.open("rb") as f:
        zh = gettext.GNUTranslations(f)
    assert zh.gettext("This record lies outside your jurisdiction.") == "该记录不在您的管辖范围内。"
    assert zh.gettext("Missing data for required field.") == "此字段为必填项。"
    assert zh.gettext("no such message") == "no such message"


def test_compile_catalogs_rebuilds_only_stale_mo(compiled: Path) -> None:
    mo = _chinese_mo(compiled)
    mtime = mo.stat().st_mtime_ns
    compile_catalogs(compiled)
    assert mo.stat().st_mtime_ns == mtime, "an up-to-date .mo was rewritten"

    stale = mo.with_suffix(".po").stat().st_mtime - 60
    os.utime(mo, (stale, stale))
    compile_catalogs(compiled)
    assert mo.stat().st_mtime > stale, "a .mo older than its .po was not rebuilt"
    assert not list(compiled.rglob(".messages-*")), "temporary file left behind"


def test_flask_babel_finds_the_chinese_catalogue(compiled: Path) -> None:
    """Load the catalogue exactly as flask_babel.Domain.get_translations does."""
    loaded = support.Translations.load(str(compiled), [Locale.parse("zh_CN")], "messages")
    assert loaded.gettext("Log out") == "退出登录"


def test_the_linkage_readers_messages_are_listed_for_translation():
    """The pure readers cannot mark their templates; linkage_messages lists them, exactly."""
    from casemgr.translations import linkage_messages
    from linkage.readers import Problem, Reason

    assert set(linkage_messages.READER_MESSAGES) == {m.value for m in (*Reason, *Problem)}
