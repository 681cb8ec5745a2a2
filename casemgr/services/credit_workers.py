"""The nightly credit rescoring across worker processes (信用全量重评的多进程执行).

A full run is work per enterprise (read its facts, assess, finish, digest, store) around one
province-wide step (graph risk: every seed propagated over the whole graph at once). On
PostgreSQL :func:`run` splits the enterprises into id ranges of about equal size, one per
worker process:

1. each worker reads the facts of its range (one pass over each table, restricted to the
   range), assesses its enterprises and sends back its seeds (the enterprises whose own tier
   is a seed tier of graph risk);
2. meanwhile this process reads the province graph
   (:class:`~casemgr.services.credit_graph.ProvinceGraph`); with every worker's seeds in, it
   propagates once and sends each worker the graph risks of its range;
3. each worker finishes and stores its enterprises as a run in one process does
   (:func:`casemgr.services.credit.store_share`: one transaction per chunk, the same rows)
   and reports what it stored.

Workers are started with ``spawn`` (a new interpreter), never ``fork``: the processes that
run the nightly job are threaded (the scheduler, the task runner), and a forked child can
inherit a lock that another thread held at the fork. A worker connects with this process's
database URL; its writes take the advisory lock per scheme that every writer of scores takes
(:mod:`casemgr.repositories.credit_current`), so the tier counts stay exact. A worker that
fails stops the run: the others are terminated and the error is raised here (the chunks
already committed stand, as in a run in one process).
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from casemgr.models import Enterprise
from casemgr.repositories import credit_current
from casemgr.services import credit, credit_graph
from casemgr.services.credit_facts import IdRange, within
from credit.schemes import Scheme

__all__ = ["WorkerFailed", "run", "shares"]


class WorkerFailed(RuntimeError):
    """A worker process of a full run failed or died; the message holds its traceback."""


@dataclass(frozen=True)
class _Job:
    """What a worker needs: everything is sent, nothing is read from the parent's state."""

    url: str
    spec: credit.RunSpec
    share: IdRange


def shares(ids: Sequence[int], count: int) -> list[IdRange]:
    """``ids`` (sorted) cut into at most ``count`` ranges of about equal size."""
    size = -(-len(ids) // max(count, 1))
    return [IdRange(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _seed_tiers(scheme: Scheme) -> frozenset[str]:
    if scheme.graph_risk is None:
        return frozenset()
    return frozenset(credit.risk_config(scheme).seed_risk)


def _work(conn: Connection, job: _Job) -> None:
    """A worker: assess the range, send the seeds, wait for the risks, store, report."""
    engine = None
    try:
        engine = create_engine(job.url, poolclass=NullPool)
        with Session(engine) as session:
            mine = select(Enterprise.id).where(within(Enterprise.id, job.share))
            ids = list(session.connection().execute(mine.order_by(Enterprise.id)).scalars())
            spec = job.spec
            assessed, own = credit.assess_all(
                session, spec.scheme, ids, spec.as_of, spec.chunk, job.share
            )
            # They live until the process ends: the cyclic collector skips them from now on.
            gc.freeze()
            seed_tiers = _seed_tiers(spec.scheme)
            tiers = credit.own_tiers(ids, own, credit.Baseline.of(spec.scheme, spec.as_of))
            seeds = {eid: tier for eid, tier in tiers.items() if tier in seed_tiers}
            del tiers
            session.commit()  # no read transaction held while the parent propagates
            conn.send(("seeds", seeds))
            risks = conn.recv()
            stored = credit.store_share(
                session,
                spec,
                ids,
                assessed,
                own,
                risks,
                job.share,
                None,  # the statistics are kept by the parent, from what the workers report
                done=lambda n, written: conn.send(("done", (n, written))),
            )
            conn.send(("stored", stored))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", traceback.format_exc()))
    finally:
        if engine is not None:
            engine.dispose()
        conn.close()


@dataclass
class _Worker:
    share: IdRange
    process: BaseProcess
    conn: Connection


def _collect(workers: list[_Worker], kind: str, done: Callable[[int, int], None]) -> list[Any]:
    """Wait for each worker's message of ``kind``, relaying progress; raises WorkerFailed."""
    found: dict[int, Any] = {}
    waiting = {id(w.conn): i for i, w in enumerate(workers)}
    while len(found) < len(workers):
        ready = wait([workers[i].conn for i in waiting.values()])
        for i in [waiting[id(conn)] for conn in ready]:
            conn = workers[i].conn
            try:
                message, value = conn.recv()
            except EOFError:
                workers[i].process.join(5)
                raise WorkerFailed(
                    f"credit rescoring worker {i} ({workers[i].share}) ended without a word "
                    f"(exit code {workers[i].process.exitcode})"
                ) from None
            if message == "error":
                raise WorkerFailed(
                    f"credit rescoring worker {i} ({workers[i].share}) failed:\n{value}"
                )
            if message == "done":
                done(*value)
            elif message == kind:
                found[i] = value
                del waiting[id(conn)]
    return [found[i] for i in range(len(workers))]


def run(
    session: Session,
    spec: credit.RunSpec,
    ids: Sequence[int],
    count: int,
    done: Callable[[int, int], None],
) -> credit.Stored:
    """The full run of ``ids`` (every enterprise, sorted) across ``count`` worker processes;
    ``done(n, written)`` as each worker commits a chunk of ``n`` enterprises, ``written`` of
    them with a new row. This process keeps the planner's statistics of the score tables
    (:class:`~casemgr.repositories.credit_current.StatisticsKeeper`) from those reports: one
    keeper for all the rows written, not one per worker. Raises WorkerFailed."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    workers: list[_Worker] = []
    try:
        for i, share in enumerate(shares(ids, count)):
            mine, theirs = context.Pipe()
            job = _Job(url, spec, share)
            process = context.Process(
                target=_work, args=(theirs, job), name=f"credit-rescore-{i}", daemon=True
            )
            process.start()
            theirs.close()
            workers.append(_Worker(share, process, mine))
        graph = None
        if spec.scheme.graph_risk is not None:
            config = credit.risk_config(spec.scheme)
            graph = credit_graph.ProvinceGraph(session, spec.as_of, config)
        session.commit()  # end the read transaction: the workers write meanwhile
        seeds: dict[int, str] = {}
        for found in _collect(workers, "seeds", done):
            seeds.update(found)
        risks: Mapping[int, float] = graph.risks(seeds) if graph is not None else {}
        del graph, seeds
        statistics = credit_current.StatisticsKeeper(session)
        session.commit()

        def chunk_done(n: int, written: int) -> None:
            done(n, written)
            statistics.wrote(written)

        for w in workers:
            w.conn.send(credit.rounded(risks, range(w.share.first, w.share.last + 1)))
        del risks
        out = credit.Stored()
        for stored in _collect(workers, "stored", chunk_done):
            out.tiers.update(stored.tiers)
            out.changed += stored.changed
            out.turned |= stored.turned
        for w in workers:
            w.process.join(60)  # each has reported: it only closes its connection
        return out
    finally:
        for w in workers:
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(5)
            w.conn.close()
