"""Unit tests for linkage.readers and linkage.headers: real files in tmp_path, no database."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from linkage import headers, readers
from linkage.headers import Shareholder, Source, canonical_field, parse_shareholders
from linkage.identifiers import make_uscc
from linkage.readers import (
    BadRow,
    FileFormat,
    Problem,
    ReadError,
    Reason,
    Row,
    open_records,
    sniff_format,
)

MOUTAI = "9152000071430580XT"  # 贵州茅台酒股份有限公司 (DOMAIN.md 6.4)
AVIC = "91520000214434146R"  # 中航重机股份有限公司
BAD_CHECK = "91350203M0001QAY9B"  # well-formed, fails its check character (DOMAIN.md 6.4)
REGISTRY_EN = "uscc,name,legal_rep,address,reg_date,status,phone"
REGISTRY_ZH = "统一社会信用代码,企业名称,法定代表人,住所,成立日期,登记状态,联系电话"
REGISTRY_ROW = f"{MOUTAI},贵州茅台,丁雄军,茅台镇,1999-11-20,存续,1"
TAX_ROW = "52000071430580X,贵州茅台,,,"
ENV_ROW = f"HJ-2023-001,贵州茅台,{MOUTAI},,,"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def items(path: Path, source: str = "registry", sheet: str | None = None) -> list[Row | BadRow]:
    return list(open_records(path, source, sheet=sheet))


def bad(found: list[Row | BadRow]) -> list[BadRow]:
    return [item for item in found if isinstance(item, BadRow)]


def good(found: list[Row | BadRow]) -> list[Row]:
    return [item for item in found if isinstance(item, Row)]


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_csv_encoding_is_detected_and_chinese_text_survives(
    tmp_path: Path, encoding: str, detected: str
) -> None:
    row = f"{MOUTAI},贵州茅台酒股份有限公司,丁雄军,贵州省仁怀市茅台镇,1999-11-20,存续,0851-22386002"
    text = f"{REGISTRY_ZH}\n{row}\n"
    path = write(tmp_path, "registry.csv", text, encoding)

    records = open_records(path, "registry")

    assert records.encoding == detected
    assert records.format is FileFormat.CSV
    assert [c.field for c in records.columns][:2] == ["uscc", "name"]
    (row,) = items(path)
    assert isinstance(row, Row)
    assert row.number == 2
    assert row.fields["name"] == "贵州茅台酒股份有限公司"
    assert row.fields["address"] == "贵州省仁怀市茅台镇"
    assert row.fields["reg_date"] == "1999-11-20"


def test_a_file_in_neither_utf8_nor_gb18030_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", "uscc,name\n9152000071430580XT,Café Müller\n", "latin-1")

    with pytest.raises(ReadError) as caught:
        open_records(path, "registry")

    assert caught.value.problem is Problem.UNKNOWN_ENCODING
    assert str(caught.value) == "latin.csv: the encoding is unknown (UTF-8 or GB18030 expected)."


def test_a_file_that_changes_encoding_after_the_sample_fails_instead_of_replacing(
    tmp_path: Path,
) -> None:
    utf8_rows = "".join(
        f"{make_uscc('9', '1', '520100', f'{i:08d}')},贵阳{i}厂\n" for i in range(3000)
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        ("uscc,name\n" + utf8_rows).encode("utf-8") + f"{AVIC},中航重机\n".encode("gb18030")
    )
    records = open_records(path, "registry")
    assert records.encoding == "utf-8"

    with pytest.raises(ReadError) as caught:
        list(records)

    assert caught.value.problem is Problem.BAD_BYTES
    assert caught.value.params["encoding"] == "utf-8"
    assert "mixed.csv" in caught.value.message


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("统一社会信用代码", "uscc"),
        ("信用代码", "uscc"),
        ("USCC", "uscc"),
        ("企业名称", "name"),
        ("纳税人名称", "name"),
        ("单位名称", "name"),
        ("法人", "legal_rep"),
        ("负责人", "legal_rep"),
        ("Legal_Rep", "legal_rep"),
        ("注册地址", "address"),
        ("经营地址", "address"),
        ("注册日期", "reg_date"),
        ("经营状态", "status"),
        ("电话", "phone"),
        ("税号", "taxpayer_id"),
        ("案件编号", "record_id"),
        ("record_id", "record_id"),
        ("出资比例", "shareholders"),
        ("分支机构", "branches"),
        ("曾用名", "former_names"),
        ("前身企业", "predecessors"),
        ("被合并企业", "predecessors"),
        ("\ufeff＊企业名称：", "name"),  # BOM, full-width star and colon
        (" 统一社会 信用代码 ", "uscc"),  # stray spaces, ideographic space
        ("法定代表人（负责人）", "legal_rep"),
        ("注册资本(万元)", None),
    ],
)
def test_header_synonyms_map_to_canonical_fields(header: str, field: str | None) -> None:
    assert canonical_field(header) == field


@pytest.mark.parametrize(
    ("source", "header", "row", "value"),
    [
        ("registry", REGISTRY_EN, REGISTRY_ROW, MOUTAI),
        ("registry", REGISTRY_ZH, REGISTRY_ROW, MOUTAI),
        ("tax", "taxpayer_id,name,legal_rep,address,phone", TAX_ROW, "52000071430580X"),
        (
            "tax",
            "纳税人识别号(统一社会信用代码),纳税人名称,法人,经营地址,电话",
            TAX_ROW,
            "52000071430580X",
        ),
        ("env", "record_id,name,uscc,legal_rep,address,phone", ENV_ROW, "HJ-2023-001"),
        ("env", "案件编号,单位名称,信用代码,负责人,地址,联系电话", ENV_ROW, "HJ-2023-001"),
    ],
)
def test_english_and_chinese_headers_give_the_same_fields(
    tmp_path: Path, source: str, header: str, row: str, value: str
) -> None:
    (item,) = items(write(tmp_path, "f.csv", f"{header}\n{row}\n"), source)

    assert isinstance(item, Row)
    assert item.fields[headers.SCHEMAS[Source(source)].identifier] == value
    assert item.fields["name"] == "贵州茅台"
    assert set(headers.SCHEMAS[Source(source)].columns) <= set(item.fields)


@pytest.mark.parametrize(
    ("source", "header", "missing"),
    [
        ("registry", "企业名称,住所", "uscc (统一社会信用代码)"),
        ("tax", "统一社会信用代码,纳税人名称", "taxpayer_id (纳税人识别号)"),
        ("env", "uscc,address", "record_id (记录号), name (企业名称)"),
    ],
)
def test_a_missing_required_column_names_it_and_the_headers_found(
    tmp_path: Path, source: str, header: str, missing: str
) -> None:
    path = write(tmp_path, "f.csv", f"{header}\n1,2\n")

    with pytest.raises(ReadError) as caught:
        open_records(path, source)

    assert caught.value.problem is Problem.MISSING_COLUMNS
    assert caught.value.params["missing"] == missing
    assert caught.value.params["found"] == header.replace(",", ", ")
    assert caught.value.message.startswith("f.csv: the required column(s) ")


def test_title_rows_before_the_header_are_skipped_and_numbers_stay_spreadsheet_rows(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, "f.csv", f"2023年企业名单,,\n,,\n{REGISTRY_ZH}\n{MOUTAI},贵州茅台,,,,,\n"
    )

    (row,) = items(path)

    assert isinstance(row, Row)
    assert row.number == 4


def test_unknown_and_second_columns_for_a_field_are_kept_in_extra(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "f.csv",
        f"uscc,name,注册资本,地址,经营场所\n{MOUTAI},茅台,125619.78,仁怀,茅台镇\n",
    )

    (row,) = items(path)

    assert isinstance(row, Row)
    assert row.fields["address"] == "仁怀"
    assert row.extra == {"注册资本": "125619.78", "经营场所": "茅台镇"}


# --- rows -----------------------------------------------------------------------------------


def test_rows_with_the_wrong_number_of_fields_are_bad_rows_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    text = f"uscc,name,phone\n{MOUTAI},茅台,1,surplus\n{AVIC},中航重机\n91520000MA6DKQ9H3R,好,1,\n"
    found = items(write(tmp_path, "f.csv", text))

    too_many, too_few = bad(found)
    assert (too_many.number, too_many.field, too_many.reason) == (2, None, Reason.WIDTH)
    assert too_many.params == {"found": 4, "expected": 3}
    assert too_many.message == "Row 2: The row has 4 fields; the header has 3."
    assert (too_few.number, too_few.params) == (3, {"found": 2, "expected": 3})
    assert [row.number for row in good(found)] == [4]  # a trailing empty field is harmless


def test_broken_quoting_in_one_row_is_a_bad_row(tmp_path: Path) -> None:
    text = f'uscc,name\n{MOUTAI},"茅台"酒厂\n{AVIC},中航重机\n'
    found = items(write(tmp_path, "f.csv", text))

    assert [(b.number, b.reason) for b in bad(found)] == [(2, Reason.QUOTING)]
    assert [row.fields["uscc"] for row in good(found)] == [AVIC]


def test_a_quote_left_open_is_a_read_error_not_silently_swallowed_rows(tmp_path: Path) -> None:
    text = f'uscc,name\n{MOUTAI},"茅台\n{AVIC},中航重机\n'
    records = open_records(write(tmp_path, "f.csv", text), "registry")

    with pytest.raises(ReadError) as caught:
        list(records)

    assert caught.value.problem is Problem.BROKEN_CSV
    assert caught.value.params["line"] == 2


def test_a_duplicated_identifier_rejects_the_later_row_naming_the_first(tmp_path: Path) -> None:
    text = f"uscc,name\n{MOUTAI},茅台\n{AVIC},中航重机\n{MOUTAI.lower()[:9]} {MOUTAI[9:]},茅台酒\n"
    found = items(write(tmp_path, "f.csv", text))

    (duplicate,) = bad(found)
    assert (duplicate.number, duplicate.field, duplicate.reason) == (4, "uscc", Reason.DUPLICATE)
    assert duplicate.params == {"value": MOUTAI, "first_row": 2}
    assert (
        duplicate.message
        == f"Row 4, column uscc: The identifier {MOUTAI} already appears in row 2."
    )


@pytest.mark.parametrize(
    ("uscc", "reason", "params"),
    [
        ("", Reason.REQUIRED, {}),
        ("91520000714305", Reason.USCC_LENGTH, {"value": "91520000714305", "length": 14}),
        ("9152000071430580XO", Reason.USCC_CHAR, {"value": "9152000071430580XO", "char": "O",
                                                  "position": 18}),
        ("91AB000071430580XT", Reason.USCC_REGION, {"value": "91AB000071430580XT"}),
        ("9.14403E+17", Reason.SCIENTIFIC, {"value": "9.14403E+17"}),
    ],
)  # fmt: skip
def test_a_registry_uscc_of_the_wrong_shape_rejects_the_row(
    tmp_path: Path, uscc: str, reason: Reason, params: dict[str, object]
) -> None:
    (item,) = items(write(tmp_path, "f.csv", f"uscc,name\n{uscc},某公司\n"))

    assert isinstance(item, BadRow)
    assert (item.field, item.reason, dict(item.params)) == ("uscc", reason, params)


def test_a_uscc_failing_its_check_character_is_kept_as_evidence_with_a_warning(
    tmp_path: Path,
) -> None:
    (row,) = items(write(tmp_path, "f.csv", f"uscc,name\n{BAD_CHECK},厦门某公司\n"))

    assert isinstance(row, Row)
    (warning,) = row.warnings
    assert (warning.field, warning.reason) == ("uscc", Reason.USCC_CHECK)
    assert warning.params == {"value": BAD_CHECK, "position": 18, "expected": "9"}


def test_an_empty_name_and_an_unreadable_date_reject_the_row(tmp_path: Path) -> None:
    text = f"{REGISTRY_EN}\n{MOUTAI},,,,,,\n{AVIC},中航重机,,,30/06/2015,,\n"
    no_name, no_date = bad(items(write(tmp_path, "f.csv", text)))

    assert (no_name.number, no_name.field, no_name.message) == (
        2,
        "name",
        "Row 2, column name: The field is required.",
    )
    assert (no_date.field, no_date.reason, dict(no_date.params)) == (
        "reg_date",
        Reason.DATE,
        {"value": "30/06/2015"},
    )


@pytest.mark.parametrize(
    ("written", "iso"),
    [("2015年6月30日", "2015-06-30"), ("2015/6/3", "2015-06-03"), ("20150630", "2015-06-30")],
)
def test_chinese_date_forms_become_iso(tmp_path: Path, written: str, iso: str) -> None:
    (row,) = items(write(tmp_path, "f.csv", f"uscc,name,成立日期\n{MOUTAI},茅台,{written}\n"))

    assert isinstance(row, Row)
    assert row.fields["reg_date"] == iso


def test_taxpayer_ids_accept_legacy_and_uscc_forms_and_reject_other_shapes(tmp_path: Path) -> None:
    text = f"纳税人识别号,纳税人名称\n52000071430580X,茅台\n{AVIC},中航重机\n12345,无名\n"
    found = items(write(tmp_path, "f.csv", text), "tax")

    assert [row.fields["taxpayer_id"] for row in good(found)] == ["52000071430580X", AVIC]
    (shape,) = bad(found)
    assert (shape.number, shape.reason, dict(shape.params)) == (
        4,
        Reason.TAX_ID_SHAPE,
        {"value": "12345"},
    )


def test_a_malformed_uscc_in_an_enforcement_record_is_flagged_not_rejected(tmp_path: Path) -> None:
    text = "记录号,单位名称,统一社会信用代码\nHJ-1,某厂,9152000071430\n"
    (row,) = items(write(tmp_path, "f.csv", text), "env")

    assert isinstance(row, Row)
    assert [(w.field, w.reason) for w in row.warnings] == [("uscc", Reason.USCC_LENGTH)]


def test_shareholders_branches_former_names_and_predecessors_are_parsed(tmp_path: Path) -> None:
    text = (
        "uscc,name,股东,分支机构,曾用名,前身企业\n"
        f"{MOUTAI},茅台,张三:60%;李四:40%,贵阳分公司；遵义分公司,仁怀茅台酒厂,{AVIC}、某某酒厂\n"
        f'{AVIC},中航重机,"甲:70%,乙:50%",,,\n'
    )
    first, second = items(write(tmp_path, "f.csv", text))

    assert isinstance(first, Row) and isinstance(second, Row)
    assert first.shareholders == (Shareholder("张三", 60.0), Shareholder("李四", 40.0))
    assert first.branches == ("贵阳分公司", "遵义分公司")
    assert first.former_names == ("仁怀茅台酒厂",)
    assert first.predecessors == (AVIC, "某某酒厂") and second.predecessors == ()
    assert "shareholders" not in first.fields
    assert [(w.reason, w.params) for w in second.warnings] == [
        (Reason.SHARES_OVER, {"total": "120"})
    ]


def test_shares_written_as_fractions_become_percentages() -> None:
    assert parse_shareholders("王五 0.25、赵六 0.75") == (
        Shareholder("王五", 25.0),
        Shareholder("赵六", 75.0),
    )


# --- XLSX and JSON Lines --------------------------------------------------------------------


def make_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名单"
    sheet.append(["统一社会信用代码", "企业名称", "成立日期", "联系电话", "注册资本"])
    sheet.append([MOUTAI, "贵州茅台酒股份有限公司", dt.datetime(1999, 11, 20), 13800138000, 1256.5])
    sheet.append([])
    sheet.append([914403001922038216, "华为技术有限公司", "1987-09-15", None, 4000.0])
    other = book.create_sheet("税务")
    other.append(["纳税人识别号", "纳税人名称"])
    other.append([AVIC, "中航重机股份有限公司"])
    book.save(path)


def test_xlsx_values_are_read_as_text_from_the_first_sheet(tmp_path: Path) -> None:
    path = tmp_path / "registry.xlsx"
    make_workbook(path)

    records = open_records(path, "registry")
    first, lost = list(records)

    assert (records.format, records.encoding) == (FileFormat.XLSX, None)
    assert isinstance(first, Row)
    assert first.number == 2
    assert first.fields["reg_date"] == "1999-11-20"
    assert first.fields["phone"] == "13800138000"
    assert first.extra == {"注册资本": "1256.5"}
    # An 18-digit code typed into Excel as a number has lost its last digits.
    assert isinstance(lost, BadRow)
    assert (lost.number, lost.field, lost.reason) == (4, "uscc", Reason.LOST_DIGITS)


def test_xlsx_reads_a_named_sheet_and_names_the_sheets_when_it_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "exports.xlsx"
    make_workbook(path)

    (row,) = items(path, "tax", sheet="税务")
    assert isinstance(row, Row)
    assert row.fields["taxpayer_id"] == AVIC
    with pytest.raises(ReadError) as caught:
        open_records(path, "tax", sheet="Sheet9")
    assert (
        caught.value.message
        == "exports.xlsx: there is no sheet named Sheet9; the sheets are 名单, 税务."
    )


def test_jsonl_broken_lines_are_bad_rows_with_their_line_numbers(tmp_path: Path) -> None:
    holders = ["张三:60%", {"name": "李四", "share": "40%"}]
    lines = [
        json.dumps({"统一社会信用代码": MOUTAI, "企业名称": "茅台", "股东": holders}),
        '{"uscc": "91520000214434146R", "name": ',
        "",
        "[1, 2]",
        json.dumps({"uscc": AVIC, "name": "中航重机", "注册资本": 1000, "status": None}),
        json.dumps({"uscc": "9144030071526726XG", "name": {"zh": "腾讯"}}),
    ]  # fmt: skip
    path = write(tmp_path, "registry.jsonl", "\n".join(lines) + "\n")

    records = open_records(path, "registry")
    found = list(records)

    assert records.format is FileFormat.JSONL
    assert [(b.number, b.field, b.reason) for b in bad(found)] == [
        (2, None, Reason.NOT_JSON),
        (4, None, Reason.NOT_OBJECT),
        (6, "name", Reason.NOT_TEXT),
    ]
    first, second = good(found)
    assert first.shareholders == (Shareholder("张三", 60.0), Shareholder("李四", 40.0))
    assert (second.number, second.extra, second.fields["status"]) == (5, {"注册资本": "1000"}, "")


# --- formats --------------------------------------------------------------------------------


def test_sniff_format_trusts_magic_bytes_over_the_name(tmp_path: Path) -> None:
    workbook = tmp_path / "export.csv"
    make_workbook(workbook)
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    array = write(tmp_path, "records.json", '[{"uscc": "x"}]')
    fake = write(tmp_path, "fake.xlsx", "uscc,name\n")

    assert sniff_format(workbook) is FileFormat.XLSX
    assert zipfile.is_zipfile(workbook)
    assert sniff_format(write(tmp_path, "r.txt", "uscc,name\n")) is FileFormat.CSV
    assert sniff_format(write(tmp_path, "r.ndjson", "{}\n")) is FileFormat.JSONL
    for path, problem in [
        (legacy, Problem.LEGACY_XLS),
        (array, Problem.JSON_ARRAY),
        (fake, Problem.BAD_XLSX),
    ]:
        with pytest.raises(ReadError) as caught:
            sniff_format(path)
        assert caught.value.problem is problem
    assert [item.number for item in items(workbook)] == [2, 4]  # misnamed .csv, still read


# --- streaming ------------------------------------------------------------------------------


def test_chunks_have_the_requested_size_and_iteration_can_be_repeated(tmp_path: Path) -> None:
    body = "".join(f"HJ-{i},某厂{i}\n" for i in range(25))
    records = open_records(write(tmp_path, "f.csv", "记录号,名称\n" + body), "env", chunk_size=10)

    assert [len(chunk) for chunk in records.chunks()] == [10, 10, 5]
    assert list(records) == list(records)


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "env.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("record_id,name,uscc,legal_rep,address,phone\n")
        for i in range(200_000):
            file.write(
                f"HJ{i:08d},贵州测试{i}有限公司,,张三,贵阳市观山湖区长岭北路{i}号,0851-{i:07d}\n"
            )
    return path


@pytest.mark.slow  # about 10 s: tracemalloc slows allocation-heavy code down
def test_a_200000_row_csv_streams_in_chunks_in_a_fraction_of_its_size(big_csv: Path) -> None:
    records = open_records(big_csv, "env", chunk_size=1_000, check_duplicates=False)
    tracemalloc.start()
    try:
        rows = sum(len(good(chunk)) for chunk in records.chunks())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert rows == 200_000
    # The file alone is ~21 MB on disk (as rows in memory, ~10 times more); a chunk is ~1 MB.
    assert peak < big_csv.stat().st_size / 5


def test_the_duplicate_index_costs_a_bounded_amount_per_record(tmp_path: Path) -> None:
    body = "".join(f"HJ{i:08d},某厂{i}\n" for i in range(20_000))
    path = write(tmp_path, "f.csv", "record_id,name\n" + body)
    peaks = []
    for check in (False, True):
        tracemalloc.start()
        try:
            for _ in open_records(path, "env", check_duplicates=check).chunks():
                pass
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()

    assert (peaks[1] - peaks[0]) / 20_000 < 200  # bytes per identifier


# --- messages and docs ----------------------------------------------------------------------


def test_every_template_formats_with_its_documented_placeholders() -> None:
    params = {
        "file": "f.csv",
        "line": 3,
        "encoding": "utf-8",
        "detail": "x",
        "sheet": "S",
        "sheets": "A, B",
        "missing": "uscc",
        "found": "name",
        "value": "V",
        "length": 3,
        "char": "O",
        "position": 18,
        "expected": "9",
        "first_row": 2,
        "column": 4,
        "kind": "array",
        "total": "120",
    }
    for template in [*Problem, *Reason]:
        assert "{" not in template.format(**params)


def test_doctests_pass() -> None:
    for module in (readers, headers):
        assert doctest.testmod(module).failed == 0


def test_a_utf8_file_whose_sample_cuts_a_character_is_still_utf8(tmp_path):
    # The first non-ASCII byte near the start and a file between the sample and the block size:
    # the sample ends inside a character, which is no reason to call the encoding unknown.
    from linkage.readers import open_records

    path = tmp_path / "mid.csv"
    rows = "".join(f"{i:015d},某某企业{i}有限公司,张三,贵州省某地,\n" for i in range(6000))
    path.write_text("纳税人识别号,纳税人名称,法定代表人,地址,联系电话\n" + rows, encoding="utf-8")
    assert 64 * 1024 < path.stat().st_size < 1024 * 1024
    assert open_records(path, "tax").encoding == "utf-8"


def test_a_uscc_with_an_e_is_not_scientific_notation():
    from linkage.readers import _SCIENTIFIC

    assert _SCIENTIFIC.fullmatch("9.15206E+17") and _SCIENTIFIC.fullmatch("9E+17")
    assert not _SCIENTIFIC.fullmatch("9E5206266403657454")
