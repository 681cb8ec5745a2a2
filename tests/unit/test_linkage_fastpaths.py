"""Unit tests for the linker's caches and fast paths: each gives what the slow path gives."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

import pytest

from linkage import identifiers, normalize, synthetic
from linkage.linkdata import LinkConfig
from linkage.linker import Linker
from linkage.normalize import _CLOSE, _DASHES, _OPEN, _t2s
from linkage.places import load_gazetteer
from linkage.profiles import profile


def _slow_prepare(
    raw: str, *, brackets: bool = False, dashes: bool = False
) -> tuple[str, list[int]]:
    """`_prepare` as it was before its fast path: one character at a time."""
    chars: list[str] = []
    bounds: list[int] = []
    depth = 0
    for ch in unicodedata.normalize("NFKC", raw).upper():
        if ch.isalnum():
            chars.append(ch)
        elif dashes and ch in _DASHES and chars and chars[-1].isdigit():
            chars.append("-")
        elif brackets and ch in _OPEN:
            depth += 1
            if depth == 1:
                bounds.append(len(chars))
        elif brackets and ch in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                bounds.append(len(chars))
    if depth:
        bounds.pop()
    flat = "".join(chars)
    if dashes:
        flat = re.sub(r"-+(?!\d)", "", re.sub("-+", "-", flat))
    text = _t2s(flat)
    return text, bounds if len(text) == len(flat) else []


# Real-looking values: traditional characters (and phrases OpenCC converts as a whole: 反覆),
# full-width letters, digits, brackets and spaces, punctuation, hyphens, odd Unicode.
VALUES = [
    "貴州茅臺酒股份有限公司",
    "遵義市匯川區鑫源化工有限責任公司",
    "ＧＵＩＺＨＯＵ　Moutai （集团）·《酒》、",
    "貴陽烏當區佳致澤環保有限責任公司",
    "贵州鑫源建材有限公司（仁怀）分公司",
    "鑫源酒业(集團)有限公司",
    "茅台酒业（贵州）有限公司【原：茅台酒厂】",
    "反覆答覆藉口科技有限公司",
    "貴州省貴陽市烏當區龍井鎮巖腳村19號",
    "贵阳市遵义路一百零三号3栋二单元",
    "南明区花果园12－3号 2-1-1室",
    "观山湖区 长岭北路—88号",
    "  張 三 ",
    "阿卜杜·熱合曼",
    "zhang_san",
    "Ⅻ号楼①单元",
    "ﬁ𝟏𝟐３",
    "",
    "（（未闭合的括号",
]


@pytest.mark.parametrize("raw", VALUES)
@pytest.mark.parametrize("mode", [{}, {"brackets": True}, {"dashes": True}])
def test_prepare_fast_path_gives_what_the_character_loop_gives(
    raw: str, mode: dict[str, bool]
) -> None:
    assert normalize._prepare(raw, **mode) == _slow_prepare(raw, **mode)


def test_prepare_fast_path_agrees_on_generated_names_and_addresses() -> None:
    data = synthetic.generate(2000, seed=11)
    rows = [*data.registry(), *data.tax(), *data.env()]
    for row in rows:
        assert normalize._prepare(row.name, brackets=True) == _slow_prepare(row.name, brackets=True)
        assert normalize._prepare(row.address, dashes=True) == _slow_prepare(
            row.address, dashes=True
        )


def test_the_non_alphanumeric_regex_is_exactly_not_isalnum() -> None:
    # The fast path relies on sre's \w being str.isalnum() plus "_", for every code point.
    pattern = normalize._NOT_ALNUM
    wrong = [
        c for c in range(sys.maxunicode + 1) if bool(pattern.match(chr(c))) == chr(c).isalnum()
    ]
    assert wrong == []


def test_gazetteer_lineages_are_computed_once_and_unchanged() -> None:
    gaz = load_gazetteer()
    for code in ("520000", "520300", "520382", "110000", "522700"):
        assert gaz.lineage(code) == gaz._walk(code)
    assert gaz.lineage("999999") == (None, None, None)


@pytest.mark.parametrize(
    "code",
    ["9152000071430580XT", "91350203M0001QAY9B", "9152000071430580YT", "91520382MA6DKQ6T5C"],
)
def test_check_characters_by_map_give_those_of_the_loop(code: str) -> None:
    def loop(body: str, values: dict[str, int], weights: tuple[int, ...]) -> int:
        return sum(values[ch] * w for ch, w in zip(body, weights, strict=True))

    total = loop(code[:17], identifiers._USCC_VALUE, identifiers._USCC_WEIGHTS)
    assert (
        identifiers.uscc_check_char(code[:17]) == identifiers.USCC_CHARSET[(31 - total % 31) % 31]
    )
    org = loop(code[8:16], identifiers._ORG_VALUE, identifiers._ORG_WEIGHTS)
    c9 = 11 - org % 11
    assert identifiers.org_code_check_char(code[8:16]) == {10: "X", 11: "0"}.get(c9, str(c9))


def test_check_characters_still_name_a_bad_character() -> None:
    with pytest.raises(ValueError, match="'I' at position 3"):
        identifiers.uscc_check_char("91I200007143058XX")
    with pytest.raises(ValueError, match="'-' at position 4"):
        identifiers.org_code_check_char("714-0580")


def test_validate_uscc_shape_check_is_the_charset() -> None:
    rng = random.Random(5)
    alphabet = identifiers.USCC_CHARSET + "IOSVZa-９ "
    for _ in range(3000):
        code = "".join(rng.choice(alphabet) for _ in range(rng.choice((17, 18, 18, 18))))
        result = identifiers.validate_uscc(code)
        normal = result.code
        well_formed = len(normal) == 18 and all(ch in identifiers.USCC_CHARSET for ch in normal)
        assert (result.status is not identifiers.UsccStatus.BAD_FORMAT) == well_formed


@pytest.mark.parametrize("raw", ["9152000071430580XT", "", "52038271430580X", " ９１５２ｘｔ-1 "])
def test_normalise_code_fast_path_is_the_normal_form(raw: str) -> None:
    half = raw.translate(identifiers._HALFWIDTH)
    slow = "".join(ch for ch in "".join(half.split()) if ch not in identifiers._HYPHENS).upper()
    assert identifiers.normalise_code(raw) == slow


def _rows(n: int, seed: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    data = synthetic.generate(n, seed=seed)
    registry = [r._asdict() for r in data.registry()]
    tax = [r._asdict() for r in data.tax()]
    return registry, tax


def test_memoised_profiles_are_those_of_profile() -> None:
    registry, tax = _rows(600, 12)
    with Linker(LinkConfig(workers=0, chunk_size=97)) as linker:
        linker.load_registry(registry)
        expected = [
            profile(r["name"], r["legal_rep"], r["address"], r["phone"], default_area_code="0851")
            for r in registry
        ]
        assert linker.profiles == expected
        seen = list(linker._profiled(tax, ("taxpayer_id", "name", "uscc")))
    for (ids, p), row in zip(seen, tax, strict=True):
        assert ids[0] == row["taxpayer_id"]
        assert p == profile(row["name"], row["legal_rep"], row["address"], row["phone"],
                            default_area_code="0851")  # fmt: skip


def test_worker_processes_and_the_memo_give_the_same_results_as_one_process() -> None:
    data = synthetic.generate(800, seed=13)
    registry = [r._asdict() for r in data.registry()]
    tax, env = [r._asdict() for r in data.tax()], [r._asdict() for r in data.env()]

    def results(config: LinkConfig) -> list[object]:
        with Linker(config) as linker:
            linker.load_registry(registry)
            linker.add_records("tax", tax)
            linker.add_records("env", env)
            return list(linker.results())

    assert results(LinkConfig(workers=2, chunk_size=50)) == results(LinkConfig(workers=0))


def test_brief_results_are_the_named_results_without_evidence() -> None:
    registry, tax = _rows(700, 14)
    with Linker(LinkConfig(workers=0)) as linker:
        linker.load_registry(registry)
        linker.add_records("tax", tax)
        full = list(linker.named_results())
        brief = list(linker.brief_results())
    assert len(full) == len(brief)
    for (result, name), (source, record_id, uscc, score, decision, kept, kept_name) in zip(
        full, brief, strict=True
    ):
        assert (source, record_id, uscc, score, decision) == (
            result.source, result.record_id, result.uscc, result.score, result.decision,
        )  # fmt: skip
        if decision.value == "review":
            assert kept == result and kept_name == name
        else:
            assert kept is None


_EXIT_PROGRAM = """
import sys
from linkage.linkfiles import leave_to_the_exit

class Node:
    def __del__(self):
        print("collected", flush=True)

node = Node()
node.itself = node  # a reference cycle, as the linker and its resolver make
del node
if sys.argv[1] == "leave":
    leave_to_the_exit()
    leave_to_the_exit()  # a second run in the same process registers nothing more
print("end", flush=True)
"""


@pytest.mark.parametrize(("mode", "printed"), [("leave", "end"), ("collect", "end collected")])
def test_a_command_ending_with_a_run_leaves_its_garbage_to_the_exit(mode, printed) -> None:
    """Without it the interpreter's last collection frees the cycle (4.4 s at a million)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-c", _EXIT_PROGRAM, mode]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout.split() == printed.split()
