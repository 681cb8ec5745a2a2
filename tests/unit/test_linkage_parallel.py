"""Unit tests for resolving records in forked worker processes: exactly what one process gives."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest

from linkage import linkfiles, resolving, synthetic
from linkage.linkdata import LinkConfig
from linkage.linker import Linker
from linkage.pipeline import run

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="the records are resolved in-process without fork",
)

FILES = ("links.csv", "review.csv")


def _run(paths: dict[str, Path], out: Path, config: LinkConfig, *, tax: bool = True,
         env: bool = True) -> tuple[dict[str, Any], dict[str, bytes]]:  # fmt: skip
    out.mkdir()
    report = run(paths["registry"], paths["tax"] if tax else None,
                 paths["env"] if env else None, out / FILES[0], out / FILES[1],
                 config=config)  # fmt: skip
    fields = dataclasses.asdict(report)
    del fields["seconds"]
    return fields, {name: (out / name).read_bytes() for name in FILES}


@pytest.mark.parametrize(
    ("n", "seed", "chunk_size"),
    [(3, 1, 2000), (40, 2, 7), (600, 3, 64), (1500, 4, 250)],
)
def test_workers_write_the_files_and_report_of_one_process(
    tmp_path: Path, n: int, seed: int, chunk_size: int
) -> None:
    paths = synthetic.generate(n, seed=seed).write_csv(tmp_path / "data")
    alone = _run(paths, tmp_path / "alone", LinkConfig(workers=0))
    pooled = _run(paths, tmp_path / "pooled", LinkConfig(workers=2, chunk_size=chunk_size))
    assert pooled == alone
    assert alone[0]["links"] > 0


def test_a_small_reservoir_replaced_across_chunks_is_the_one_of_one_process(
    tmp_path: Path,
) -> None:
    # random_pairs far below the records sampled: the sample's slots are drawn and replaced
    # while chunks are resolved by different workers.
    paths = synthetic.generate(500, seed=5).write_csv(tmp_path / "data")
    settings = {"random_every": 1, "random_pairs": 37, "seed": 11}
    alone = _run(paths, tmp_path / "alone", LinkConfig(workers=0, **settings))  # type: ignore[arg-type]
    pooled = _run(paths, tmp_path / "pooled",
                  LinkConfig(workers=2, chunk_size=23, **settings))  # type: ignore[arg-type]  # fmt: skip
    assert pooled == alone


@pytest.mark.parametrize(("tax", "env"), [(False, False), (True, False), (False, True)])
def test_missing_or_empty_record_files_give_the_same_run(
    tmp_path: Path, tax: bool, env: bool
) -> None:
    paths = synthetic.generate(200, seed=6).write_csv(tmp_path / "data")
    for source, kept in (("tax", tax), ("env", env)):
        if not kept:  # only the header
            header = paths[source].read_text(encoding="utf-8").splitlines()[0]
            paths[source].write_text(header + "\n", encoding="utf-8")
    alone = _run(paths, tmp_path / "alone", LinkConfig(workers=0))
    pooled = _run(paths, tmp_path / "pooled", LinkConfig(workers=2, chunk_size=30))
    assert pooled == alone
    skipped = _run(paths, tmp_path / "skipped", LinkConfig(workers=2), tax=tax, env=env)
    assert skipped[1] == alone[1]


def test_an_empty_registry_leaves_every_record_without_candidate(tmp_path: Path) -> None:
    paths = synthetic.generate(50, seed=7).write_csv(tmp_path / "data")
    header = paths["registry"].read_text(encoding="utf-8").splitlines()[0]
    paths["registry"].write_text(header + "\n", encoding="utf-8")
    alone = _run(paths, tmp_path / "alone", LinkConfig(workers=0))
    pooled = _run(paths, tmp_path / "pooled", LinkConfig(workers=2, chunk_size=9))
    assert pooled == alone
    assert alone[0]["links"] == 0


def test_linker_results_and_stats_match_with_a_registry_loaded_twice() -> None:
    # Records added, then more registry rows: the workers forked before are replaced, since
    # they hold the old index.
    data = synthetic.generate(400, seed=8)
    registry = [r._asdict() for r in data.registry()]
    tax, env = [r._asdict() for r in data.tax()], [r._asdict() for r in data.env()]

    def link(config: LinkConfig) -> tuple[list[object], object]:
        with Linker(config) as linker:
            linker.load_registry(registry[:200])
            linker.add_records("tax", tax)
            linker.load_registry(registry[200:])
            linker.add_records("env", env)
            return list(linker.results()), linker.stats

    assert link(LinkConfig(workers=2, chunk_size=41)) == link(LinkConfig(workers=0))


@pytest.mark.parametrize("sizes", [[1] * 30, [7, 1, 13, 2000, 5], [3, 3, 3, 3]])
def test_random_pairs_drawn_by_chunk_are_those_drawn_record_by_record(sizes: list[int]) -> None:
    config = LinkConfig(workers=0, random_every=3, random_pairs=4, seed=3)
    linker = Linker(config)
    linker.profiles.extend(["p"] * 50)  # type: ignore[list-item]  # the draws need a size only
    drawn: list[tuple[int, int, int]] = []
    offset = 0
    for n in sizes:
        picks, slots = linker._draw_random_pairs(n)
        for (position, c), slot in zip(picks, slots, strict=True):
            drawn.append((offset + position, c, slot))
        offset += n
    # The reservoir of the sequential linker: record k sampled when k % random_every == 0.
    rng, expected, length, seen = random.Random(3), [], 0, 0
    for k in range(offset):
        if k % 3:
            continue
        seen += 1
        slot = length if length < 4 else rng.randrange(seen)
        if slot < 4:
            expected.append((k, rng.randrange(50), slot))
            length += slot == length
    assert drawn == expected


def test_decisions_in_many_slices_are_written_in_order_with_their_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkfiles, "_SLICE", 13)
    monkeypatch.setattr(linkfiles, "_PROGRESS_EVERY", 50)
    paths = synthetic.generate(300, seed=9).write_csv(tmp_path / "data")
    one = _run(paths, tmp_path / "one", LinkConfig(workers=0))
    calls: list[tuple[str, int]] = []
    out = tmp_path / "sliced"
    out.mkdir()
    run(paths["registry"], paths["tax"], paths["env"], out / FILES[0], out / FILES[1],
        lambda stage, n: calls.append((stage, n)), config=LinkConfig(workers=2))  # fmt: skip
    assert {name: (out / name).read_bytes() for name in FILES} == one[1]
    records = sum(one[0]["rows"].values()) - one[0]["rows"]["registry"]
    decided = [n for stage, n in calls if stage == "decide"]
    assert decided == list(range(50, records + 1, 50))


def test_closing_the_linker_stops_its_workers_and_lets_its_registry_go() -> None:
    data = synthetic.generate(60, seed=10)
    with Linker(LinkConfig(workers=2, chunk_size=10)) as linker:
        linker.load_registry(r._asdict() for r in data.registry())
        linker.add_records("tax", (r._asdict() for r in data.tax()))
        assert resolving.FORKED is not None and resolving.FORKED.linker is linker
        list(linker.results())  # the model is fitted once the records are in: workers stop
        assert linker._pool is None and resolving.FORKED is None
