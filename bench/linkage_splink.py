"""The Splink side of ``bench/linkage.py``: prepare, train, predict, keep the best candidates.

Runs in the benchmark's own virtualenv, ``bench/.venv-splink`` (Splink with DuckDB, OpenCC,
pypinyin, pyarrow; created by ``bench/linkage.py``), never in the project's: Splink is not a
dependency of the system. It reads the three CSV files of a data set, prepares the input
columns with this project's :mod:`linkage.normalize` in 2 worker processes, links the tax and
enforcement records to the registry with Splink (:func:`splink_settings`, described in
:data:`SPLINK_CONFIGURATION`) and writes ``links.csv`` as ``casemgr linkage run`` does
(``source,record_id,uscc,score,decision``; the score is Splink's match probability).

It records the time at the end of each stage in the ``--stats`` JSON as it goes, so that a run
stopped for time or memory still tells how far it got.

Usage (``bench/linkage.py`` runs it)::

    bench/.venv-splink/bin/python bench/linkage_splink.py --data DIR --work TMP \\
        --out links.csv --stats stats.json
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if sys.path[:1] != [str(ROOT)]:  # the `linkage` package, not bench/linkage.py
    sys.path.insert(0, str(ROOT))

SEED = 2026
MATCH_PROBABILITY = 0.99
DEFAULT_AREA_CODE = "0851"  # as our pipeline's default: Guizhou's local numbers

SPLINK_CONFIGURATION = """\
* **Input columns**, prepared with this project's `linkage.normalize` (a fair, strong baseline:
  the same Chinese-aware cleaning our linker starts from), in 2 worker processes like ours:
  `name_key` = the name core (trade name + industry: `parse_name(name).core`, i.e. NFKC,
  traditional → simplified with OpenCC, punctuation removed, leading places, organisation form
  and 集团 stripped); `name_core` = that core followed by the branch part, if any (仁怀分公司:
  only place prefixes and organisation forms are stripped); `code` = the identifier normalised
  (`normalise_code`: full-width, spaces, case): registry USCC, taxpayer id, or the enforcement
  record's USCC; `org_code` = the organisation-code part (positions 9-17 of an 18-character
  code, 7-15 of a 15-character legacy tax id); `legal_rep` = `clean_person`; `address` =
  `clean_address(...).rest` (after province, prefecture and county), `street` = that without a
  leading town (镇/乡/街道); `phone` = `clean_phone` (first valid number, 0851 for local ones).
  No pinyin, and no rule on check characters, legacy ids or registration numbers: those are
  what the issue expects our linker to win with.
* **Link type** `link_only`: registry against one table of the tax and enforcement records
  (one model for both).
* **Blocking rules for predictions**: `name_key`; `code`; `org_code`; `phone`;
  `legal_rep` + `street`.
* **Comparisons**: identifier (null / exact `code` / exact `org_code` / Levenshtein ≤ 1 / else);
  name (null / exact `name_core` with term-frequency adjustment / Jaro-Winkler ≥ 0.95 / ≥ 0.88 /
  ≥ 0.8 / else); legal representative (null / exact with term-frequency adjustment /
  Jaro-Winkler ≥ 0.8 / else); address (null / exact / same street / Jaro-Winkler ≥ 0.9 / ≥ 0.8
  / else); phone (null / exact / else).
* **Training**: probability that two random records match from the deterministic rule
  `code` exact with recall 0.7; u by random sampling (`max_pairs` 1e7, which Splink's
  documentation calls often adequate; seed 2026); m by EM in two sessions, blocked on
  `name_key` (trains identifier, legal representative, address and phone) and on `org_code`
  (trains name, legal representative, address and phone).
* **Decision**: pairs with match probability ≥ 0.99, then one best candidate (highest match
  weight) per tax or enforcement record.
* DuckDB with its defaults (2 threads on this machine, memory limit 80 % of RAM)."""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


_TOWN = re.compile("^.{1,4}?(?:镇|乡|街道)(?!村)")
_PREPARED = (
    "unique_id",
    "code",
    "org_code",
    "name_key",
    "name_core",
    "legal_rep",
    "address",
    "street",
    "phone",
)


def _prepare_chunk(rows: list[tuple[str, str, str, str, str, str]]) -> list[tuple[Any, ...]]:
    """(unique_id, code, name, legal_rep, address, phone) -> the columns of :data:`_PREPARED`."""
    from linkage.identifiers import normalise_code
    from linkage.normalize import clean_address, clean_person, clean_phone, parse_name

    out: list[tuple[Any, ...]] = []
    for uid, raw_code, name, rep, address, phone in rows:
        code = normalise_code(raw_code)
        org = code[8:17] if len(code) == 18 else code[6:15] if len(code) == 15 else ""
        parts = parse_name(name)
        rest = clean_address(address).rest
        street = _TOWN.sub("", rest)
        out.append(
            (
                uid,
                code or None,
                org or None,
                parts.core or None,
                (parts.core + (parts.branch_name or "")) or None,
                clean_person(rep) or None,
                rest or None,
                street or None,
                clean_phone(phone, default_area_code=DEFAULT_AREA_CODE),
            )
        )
    return out


def _raw_rows(data: Path) -> Iterator[tuple[str, Iterator[tuple[str, str, str, str, str, str]]]]:
    """The registry's rows, then the tax and enforcement records' as one table."""

    def read(stem: str) -> Iterator[dict[str, str]]:
        with open(data / f"{stem}.csv", encoding="utf-8", newline="") as fh:
            yield from csv.DictReader(fh)

    def registry() -> Iterator[tuple[str, str, str, str, str, str]]:
        for r in read("registry"):
            yield r["uscc"], r["uscc"], r["name"], r["legal_rep"], r["address"], r["phone"]

    def records() -> Iterator[tuple[str, str, str, str, str, str]]:
        for r in read("tax"):
            yield (
                "tax|" + r["taxpayer_id"],
                r["taxpayer_id"],
                r["name"],
                r["legal_rep"],
                r["address"],
                r["phone"],
            )
        for r in read("env"):
            yield (
                "env|" + r["record_id"],
                r["uscc"],
                r["name"],
                r["legal_rep"],
                r["address"],
                r["phone"],
            )

    yield "registry", registry()
    yield "records", records()


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def splink_settings() -> Any:
    """The Splink model: blocking rules and comparisons (see :data:`SPLINK_CONFIGURATION`)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    identifier = cl.CustomComparison(
        output_column_name="identifier",
        comparison_levels=[
            cll.NullLevel("code"),
            cll.ExactMatchLevel("code"),
            cll.ExactMatchLevel("org_code"),
            cll.LevenshteinLevel("code", 1),
            cll.ElseLevel(),
        ],
    )
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_core"),
            cll.ExactMatchLevel("name_core", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("name_core", 0.95),
            cll.JaroWinklerLevel("name_core", 0.88),
            cll.JaroWinklerLevel("name_core", 0.8),
            cll.ElseLevel(),
        ],
    )
    legal_rep = cl.CustomComparison(
        output_column_name="legal_rep",
        comparison_levels=[
            cll.NullLevel("legal_rep"),
            cll.ExactMatchLevel("legal_rep", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("legal_rep", 0.8),
            cll.ElseLevel(),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address"),
            cll.ExactMatchLevel("address"),
            cll.ExactMatchLevel("street"),
            cll.JaroWinklerLevel("address", 0.9),
            cll.JaroWinklerLevel("address", 0.8),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[identifier, name, legal_rep, address, cl.ExactMatch("phone")],
        blocking_rules_to_generate_predictions=[
            block_on("name_key"),
            block_on("code"),
            block_on("org_code"),
            block_on("phone"),
            block_on("legal_rep", "street"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare, train, predict and decide with Splink; write links.csv and a stats JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="prepared parquet files")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--u-pairs", type=float, default=1e7)
    args = parser.parse_args(argv)

    import multiprocessing

    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    stats: dict[str, Any] = {"stages": {}, "finished": False}

    def stage(name: str, **extra: Any) -> None:
        """Record the time since start at the end of a stage (read if the run is cut short)."""
        stats["stages"][name] = round(time.perf_counter() - started, 2)
        stats.update(extra)
        args.stats.write_text(json.dumps(stats, ensure_ascii=False))
        log(f"[splink] {name} done at {stats['stages'][name]:.1f} s")

    # 1. Prepare the columns (before DuckDB starts its threads: the pool forks).
    args.work.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([(c, pa.string()) for c in _PREPARED])
    counts: dict[str, int] = {}
    with multiprocessing.Pool(args.workers) as pool:
        for table, rows in _raw_rows(args.data):
            with pq.ParquetWriter(args.work / f"{table}.parquet", schema) as writer:
                n = 0
                for chunk in pool.imap(_prepare_chunk, _chunks(rows, 5000)):
                    columns = [list(c) for c in zip(*chunk, strict=True)]
                    writer.write_table(pa.Table.from_arrays(columns, schema=schema))
                    n += len(chunk)
            counts[table] = n
    stage("prepare", rows=counts)

    # 2. Load into DuckDB, build the linker.
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    con = duckdb.connect()
    for table in ("registry", "records"):
        path = str(args.work / f"{table}.parquet")
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{path}')").fetchall()
    db_api = DuckDBAPI(con)
    registry = db_api.register("registry", dataset_display_name="registry")
    records = db_api.register("records", dataset_display_name="records")
    linker = Linker([registry, records], splink_settings(), log_level="WARNING")
    ((threads, memory_limit),) = con.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')"
    ).fetchall()
    stats["duckdb"] = {"threads": threads, "memory_limit": memory_limit}
    stage("load")

    # 3. Train: the prior from a deterministic rule, u by random sampling, m by EM.
    linker.training.estimate_probability_two_random_records_match([block_on("code")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_pairs, seed=SEED)
    stage("estimate_u")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_key"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("org_code"))
    settings = linker.misc.save_model_to_json()
    stage("em", prior=settings.get("probability_two_random_records_match"))

    # 4. Predict, keep one best candidate per record, write links.csv.
    predictions = linker.inference.predict(threshold_match_probability=MATCH_PROBABILITY)
    ((scored,),) = con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()
    stage("predict", pairs_above_threshold=scored)
    best = con.execute(f"""
        WITH p AS (
            SELECT CASE WHEN source_dataset_l = 'records' THEN unique_id_l ELSE unique_id_r END
                       AS record,
                   CASE WHEN source_dataset_l = 'records' THEN unique_id_r ELSE unique_id_l END
                       AS uscc,
                   match_weight, match_probability
            FROM {predictions.physical_name}
        )
        SELECT record, uscc, match_probability FROM (
            SELECT *, row_number() OVER (PARTITION BY record ORDER BY match_weight DESC, uscc)
                   AS rank
            FROM p
        ) WHERE rank = 1 ORDER BY record
    """).fetchall()
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("source", "record_id", "uscc", "score", "decision"))
        for record, uscc, probability in best:
            source, _, record_id = record.partition("|")
            writer.writerow((source, record_id, uscc, f"{probability:.6f}", "match"))
    stats["model"] = settings
    stats["finished"] = True
    stage("decide", links=len(best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
