"""File-to-file linkage (``casemgr linkage run``): read the three files, write the results.

:func:`run` reads with :func:`linkage.readers.open_records`, links with
:class:`linkage.linker.Linker` and writes ``links.csv`` and ``review.csv``;
:mod:`linkage.pipeline` re-exports it. Once the model is fitted, slices of the records are
decided in worker processes forked from this one (:meth:`Linker.fork_pool`) and their rows
written here in input order: the files are those of one process.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import gc
import io
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from linkage.fellegi_sunter import Decision
from linkage.linkdata import Evidence, LinkConfig, Progress
from linkage.linker import _PROGRESS_EVERY, Linker

__all__ = ["LINKS_COLUMNS", "REVIEW_COLUMNS", "RunReport", "leave_to_the_exit", "run"]


@dataclass(frozen=True)
class RunReport:
    """What :func:`run` did.

    Attributes
    ----------
    rows, bad_rows : dict of str to int
        Rows read and rows rejected by the reader, per file (registry, tax, env).
    bad_row_messages : tuple of str
        The reader's messages for the first rejected rows.
    decisions : dict of str to dict of str to int
        Per source, records per decision.
    rules : dict of str to int
        Records linked by each deterministic rule.
    model_records, pairs, branch_conflicts : int
        Records decided by the model, pairs compared, candidates refused as branch conflicts.
    skipped_blocks : dict of str to int
        Per blocking key, look-ups whose block was too large even when narrowed by place.
    weights : dict of str to dict of str to float
        The fitted weights (bits) per field and level.
    match_rate : float
        Estimated share of matches among the model's candidate pairs.
    em_iterations : int
    em_converged : bool
    links, reviews : int
        Rows written to the links and review files (review: records, not rows).
    seconds : float
    """

    rows: dict[str, int]
    bad_rows: dict[str, int]
    bad_row_messages: tuple[str, ...]
    decisions: dict[str, dict[str, int]]
    rules: dict[str, int]
    model_records: int
    pairs: int
    branch_conflicts: int
    skipped_blocks: dict[str, int]
    weights: dict[str, dict[str, float]]
    match_rate: float
    em_iterations: int
    em_converged: bool
    links: int
    reviews: int
    seconds: float


LINKS_COLUMNS = ("source", "record_id", "uscc", "score", "decision")
REVIEW_COLUMNS = ("source", "record_id", "record_name", "rank", "uscc", "registry_name", "score",
                  "evidence")  # fmt: skip
_MAX_MESSAGES = 100


def _evidence_text(evidence: Iterable[Evidence]) -> str:
    return "; ".join(
        f"{e.field}={e.level}({e.weight:+.1f})" + (f": {e.detail}" if e.detail else "")
        for e in evidence
    )


# Records per slice of the decisions: a slice's rows come back as one string, in order.
_SLICE = 20_000


@dataclass(frozen=True)
class _Decided:
    """A slice of the decisions as written: links and review rows, and counts."""

    links_text: str
    review_text: str
    links: int
    reviews: int
    decisions: Counter[tuple[str, str]]


def _decide(linker: Linker, row_of: dict[str, int] | None, start: int, stop: int) -> _Decided:
    """The rows of records ``start:stop``; the linker's counts are left as they were."""
    links = reviews = 0
    links_text, review_text = io.StringIO(), io.StringIO()
    links_csv = csv.writer(links_text, lineterminator="\n")
    review_csv = csv.writer(review_text, lineterminator="\n")
    decisions, before = linker.stats.decisions, Counter(linker.stats.decisions)
    progress, linker.progress = linker.progress, None  # the caller reports
    try:
        for source, record_id, uscc, score, decision, result, name in linker.brief_results(
            start, stop
        ):
            if decision is Decision.MATCH:
                links += 1
                links_csv.writerow((source, record_id, uscc, f"{score:.2f}", decision.value))
            elif decision is Decision.REVIEW:
                reviews += 1
                if row_of is None:
                    continue
                assert result is not None
                ranked = [(result.uscc or "", result.score), *result.alternatives]
                for rank, (candidate, candidate_score) in enumerate(ranked, 1):
                    i = row_of.get(candidate)
                    review_csv.writerow((
                        source, record_id, name, rank, candidate,
                        linker.names[i] if i is not None else "", f"{candidate_score:.2f}",
                        _evidence_text(result.evidence) if rank == 1 else "",
                    ))  # fmt: skip
    finally:
        linker.progress = progress
    counts = Counter(decisions)
    counts.subtract(before)
    decisions.clear()
    decisions.update(before)
    return _Decided(links_text.getvalue(), review_text.getvalue(), links, reviews, +counts)


# The linker and review index of the run whose decision workers are being forked.
_FORKED: tuple[Linker, dict[str, int] | None] | None = None


def _decide_in_worker(span: tuple[int, int]) -> _Decided:
    assert _FORKED is not None, "the worker was not forked from a run's process"
    return _decide(*_FORKED, *span)


def _write(
    linker: Linker, out: str | os.PathLike[str], review: str | os.PathLike[str] | None
) -> tuple[int, int]:
    """Decide every record and write the links and review files; return their counts.

    With workers, slices of the records are decided in processes forked once the model is
    fitted (they inherit it with the pairs), and written here in input order.
    """
    global _FORKED
    if linker.model is None:
        linker.fit()
    row_of = {u: i for i, u in enumerate(linker.usccs)} if review is not None else None
    n = linker.record_count
    spans = [(start, min(start + _SLICE, n)) for start in range(0, n, _SLICE)]
    _FORKED = (linker, row_of)
    try:
        pool = linker.fork_pool("decide")
        slices: Iterator[_Decided] = (
            pool.imap(_decide_in_worker, spans) if pool is not None
            else (_decide(linker, row_of, *span) for span in spans)
        )  # fmt: skip
        links = reviews = 0
        with contextlib.ExitStack() as stack:
            links_file = stack.enter_context(open(out, "w", encoding="utf-8", newline=""))
            csv.writer(links_file, lineterminator="\n").writerow(LINKS_COLUMNS)
            review_file = None
            if review is not None:
                review_file = stack.enter_context(open(review, "w", encoding="utf-8", newline=""))
                csv.writer(review_file, lineterminator="\n").writerow(REVIEW_COLUMNS)
            for (start, stop), done in zip(spans, slices, strict=True):
                links_file.write(done.links_text)
                if review_file is not None:
                    review_file.write(done.review_text)
                links, reviews = links + done.links, reviews + done.reviews
                linker.stats.decisions.update(done.decisions)
                if linker.progress is not None:  # every 100,000 records, as the linker does
                    first = (start // _PROGRESS_EVERY + 1) * _PROGRESS_EVERY
                    for k in range(first, stop + 1, _PROGRESS_EVERY):
                        linker.progress("decide", k)
    finally:
        _FORKED = None
    return links, reviews


def run(
    registry: str | os.PathLike[str],
    tax: str | os.PathLike[str] | None,
    env: str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    review: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    *,
    config: LinkConfig | None = None,
) -> RunReport:
    """Link registry, tax and enforcement files; write ``links.csv`` and ``review.csv``.

    Files are read with :func:`linkage.readers.open_records` (CSV in UTF-8 or GB18030, XLSX,
    JSON Lines; English or Chinese headers); rejected rows are counted and reported, the
    rest linked.

    Parameters
    ----------
    registry, tax, env : path
        The three inputs; `tax` or `env` may be None.
    out : path
        ``source,record_id,uscc,score,decision``, one row per linked record (decision match).
    review : path, optional
        One row per candidate of each record sent to review, with the evidence.
    progress : callable, optional
        ``progress(stage, count)``, stages registry, tax, env, model, decide.
    config : LinkConfig, optional

    Returns
    -------
    RunReport

    Raises
    ------
    linkage.readers.ReadError
        If a file cannot be read at all (unknown encoding, missing required column ...).
    """
    from linkage.readers import Row, open_records

    started = time.perf_counter()
    rows: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    messages: list[str] = []

    def read(path: str | os.PathLike[str], source: str) -> Iterator[Mapping[str, str]]:
        for item in open_records(path, source):
            rows[source] += 1
            if isinstance(item, Row):
                yield item.fields
            else:
                bad[source] += 1
                if len(messages) < _MAX_MESSAGES:
                    messages.append(f"{source}: {item.message}")

    opened = {name: open_records(path, name) for name, path in
              (("registry", registry), ("tax", tax), ("env", env)) if path is not None}  # fmt: skip
    del opened  # every file is checked (encoding, header) before the long work starts
    with Linker(config, progress) as linker:
        linker.load_registry(read(registry, "registry"))
        for source, path in (("tax", tax), ("env", env)):
            if path is not None:
                linker.add_records(source, read(path, source))
        links, reviews = _write(linker, out, review)
        stats, model = linker.stats, linker.model
        assert model is not None
        decisions: dict[str, dict[str, int]] = {}
        for (source, kind), n in sorted(stats.decisions.items()):
            decisions.setdefault(source, {})[kind] = n
        return RunReport(
            rows=dict(rows),
            bad_rows=dict(bad),
            bad_row_messages=tuple(messages),
            decisions=decisions,
            rules={str(k): v for k, v in stats.rules.items()},
            model_records=stats.model_records,
            pairs=stats.pairs,
            branch_conflicts=stats.branch_conflicts,
            skipped_blocks=stats.skipped_blocks,
            weights=linker.weight_table(),
            match_rate=model.match_rate,
            em_iterations=model.iterations,
            em_converged=model.converged,
            links=links,
            reviews=reviews,
            seconds=time.perf_counter() - started,
        )


def leave_to_the_exit() -> None:
    """Let the process end without collecting what a run left, for a command that ends with it.

    A run leaves the linker (profiles, index, memo: millions of objects at a million records)
    in a reference cycle, which the interpreter's last garbage collection would free object
    by object: 4.4 s at 1,000,000 + 900,000 + 400,000 records. Frozen at exit, they go with
    the process. Registered with :mod:`atexit`, so a caller that goes on (a test runner
    invoking the command) collects as usual until it ends.
    """
    atexit.unregister(gc.freeze)  # once, however many runs the process made
    atexit.register(gc.freeze)
