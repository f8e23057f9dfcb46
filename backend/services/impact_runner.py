"""Runs queued impact studies in the background, off the event loop and off every request.

Each of ``CIVICTWIN_IMPACT_WORKERS`` threads claims one queued job at a time (a conditional
update: of several processes or hosts exactly one wins), reads the city near the site, and hands
the study to its *spawned study process* (or to the Dask cluster of
``CIVICTWIN_IMPACT_DASK_SCHEDULER``), so the compute neither holds the GIL of the server nor
shares its memory. The study process lives from job to job, keeping what a re-run of the same
proposal can reuse (``impact.cache``, bounded by ``CIVICTWIN_IMPACT_CACHE_ENTRIES`` and
``CIVICTWIN_IMPACT_CACHE_MB``); it is started again after a crash or a cancelled job.
While it runs, the thread records the stage and percentage the child reports
and beats a heartbeat; a job whose heartbeat stops (its process died, the server restarted) is
queued again by any runner. Stopping the server stops the child and puts its job back in the
queue.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from backend.db.engine import Database
from backend.db.types import utcnow
from backend.errors import CivicTwinError
from backend.repositories import impact as repo
from backend.services import impact_jobs
from backend.settings import Settings

log = logging.getLogger(__name__)

#: How often an idle runner looks for work without being woken (another process may queue it).
POLL_SECONDS = 5.0
#: How often a running job's heartbeat is written, and when a silent one counts as dead.
BEAT_SECONDS = 2.0
STALE_AFTER = timedelta(seconds=30)

_wake = threading.Event()


def wake() -> None:
    """Tell this process' runners that a job was queued (others find it by polling)."""
    _wake.set()


class _Cancelled(Exception):
    """The runner is stopping, or the job is no longer this runner's."""


class ImpactRunner:
    """Background runners of impact jobs for one server process."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._children: set[Any] = set()
        self._processes: dict[str, tuple[Any, Any]] = {}
        self._lock = threading.Lock()
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def start(self) -> None:
        for i in range(self.settings.impact_workers):
            t = threading.Thread(target=self._loop, args=(i,), name=f"impact-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        _wake.set()
        with self._lock:
            for child in list(self._children):
                child.terminate()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()
        for worker in list(self._processes):
            self._drop_process(worker)

    # --- the loop ----------------------------------------------------------------------------

    def _loop(self, index: int) -> None:
        worker = f"{self.name}/{index}"
        last_sweep = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - last_sweep > STALE_AFTER.total_seconds():
                    last_sweep = time.monotonic()
                    self._requeue_stale()
                job_id = self._claim(worker)
            except Exception:  # the database is down or busy: try again later
                log.exception("impact runner: cannot look for jobs")
                job_id = None
            if job_id is None:
                _wake.wait(POLL_SECONDS)
                _wake.clear()
                continue
            self._run(job_id, worker)

    def _requeue_stale(self) -> None:
        with self.database.sessions() as session:
            n = repo.requeue_stale(session, utcnow() - STALE_AFTER)
            session.commit()
        if n:
            log.warning("impact runner: %d job(s) of a stopped process queued again", n)

    def _claim(self, worker: str) -> int | None:
        with self.database.read_sessions() as session:
            candidate = repo.next_queued(session)
        if candidate is None:
            return None
        with self.database.sessions() as session:
            won = repo.claim(session, candidate, worker, utcnow())
            session.commit()
        return candidate if won else None

    def _beat(self, job_id: int, worker: str, stage: str, pct: int) -> None:
        with self.database.sessions() as session:
            mine = repo.beat(session, job_id, worker, pct, stage, utcnow())
            session.commit()
        if not mine:
            raise _Cancelled(f"job {job_id} is no longer {worker}'s")

    def _run(self, job_id: int, worker: str) -> None:
        t0 = time.perf_counter()
        with self.database.read_sessions() as session:
            job = repo.job(session, job_id)
            if job is None:
                return
            inputs, scene = dict(job.inputs), job.scene_hash
            # the last study of this proposal: its city-as-it-is values may be reused
            previous = impact_jobs.previous_before(session, job.proposal_id, job.variant_id)
        try:
            city = impact_jobs.read_city(self.settings, inputs)
            args = (
                city,
                inputs["massing"],
                inputs["replaces"],
                inputs["options"],
                inputs.get("views", []),
                previous,
            )
            if self.settings.impact_dask_scheduler:
                data = self._on_dask(job_id, worker, args)
            else:
                data = self._in_child(job_id, worker, args)
        except _Cancelled as exc:
            log.info("impact job %d stopped: %s", job_id, exc)
            if self._stop.is_set():
                with self.database.sessions() as session:
                    repo.requeue(session, job_id)
                    session.commit()
            return
        except Exception as exc:
            from impact.errors import ImpactError

            if self._stop.is_set():
                # whatever broke while the runner stopped (its study process was ended under
                # it): the job is not at fault and goes back to the queue
                log.info("impact job %d interrupted by the runner stopping: %s", job_id, exc)
                with self.database.sessions() as session:
                    repo.requeue(session, job_id)
                    session.commit()
                return
            shown = isinstance(exc, _Failed | ImpactError | CivicTwinError)
            reason = str(exc) if shown else "could not start the study (see the server log)"
            if not shown:
                log.exception("impact job %d failed", job_id)
            with self.database.sessions() as session:
                repo.fail(session, job_id, str(reason), utcnow())
                session.commit()
            return
        with self.database.sessions() as session:
            impact_jobs.store_result(session, job_id, scene, inputs["tileset"], data)
        log.info("impact job %d done in %.1f s", job_id, time.perf_counter() - t0)

    def _study_process(self, worker: str) -> tuple[Any, Any]:
        """This runner thread's study process (started on first use, or again after one was
        stopped): it lives from job to job so that its cache does (see impact.cache)."""
        from impact.job import worker_main

        with self._lock:
            if self._stop.is_set():
                raise _Cancelled("the runner is stopping")
            found = self._processes.get(worker)
            if found is not None and found[0].is_alive():
                return found
            ctx = multiprocessing.get_context("spawn")
            conn, child_end = ctx.Pipe(duplex=True)
            child = ctx.Process(
                target=worker_main,
                args=(
                    child_end,
                    self.settings.impact_cache_entries,
                    self.settings.impact_cache_mb,
                    _str_or_none(self.settings.impact_cache_folder),
                    self.settings.impact_cache_disk_mb,
                ),
                daemon=True,
            )
            child.start()
            child_end.close()
            self._children.add(child)
            self._processes[worker] = (child, conn)
            return child, conn

    def _drop_process(self, worker: str) -> None:
        with self._lock:
            found = self._processes.pop(worker, None)
        if found is None:
            return
        child, conn = found
        if child.is_alive():
            child.terminate()
        child.join(5)
        conn.close()
        with self._lock:
            self._children.discard(child)

    def _in_child(self, job_id: int, worker: str, args: tuple[Any, ...]) -> dict[str, Any]:
        child, conn = self._study_process(worker)
        stage, pct, beat_at = "scene", 0, 0.0
        done = False
        try:
            try:
                conn.send(args)
            except OSError:  # the process ended between two jobs (or the runner stopped it)
                if self._stop.is_set():
                    raise _Cancelled("the runner is stopping") from None
                raise _Failed("the study process ended before the study started") from None
            while True:
                if self._stop.is_set():
                    raise _Cancelled("the runner is stopping")
                if conn.poll(0.5):
                    try:
                        msg = conn.recv()
                    except EOFError:
                        child.join(5)
                        if self._stop.is_set():  # stop() ended it: the job goes back
                            raise _Cancelled("the runner is stopping") from None
                        raise _Failed(
                            f"the study process ended unexpectedly (exit code {child.exitcode})"
                        ) from None
                    if msg[0] == "progress":
                        stage, pct = str(msg[1]), int(msg[2])
                        beat_at = 0.0
                    elif msg[0] == "done":
                        done = True
                        result: dict[str, Any] = msg[1]
                        return result
                    else:
                        done = True  # the study failed, its process is fine
                        raise _Failed(str(msg[1]))
                if time.monotonic() - beat_at > BEAT_SECONDS:
                    beat_at = time.monotonic()
                    self._beat(job_id, worker, stage, pct)
        finally:
            if not done:  # stopped or cancelled mid-study: the process goes, its cache with it
                self._drop_process(worker)

    def _on_dask(self, job_id: int, worker: str, args: tuple[Any, ...]) -> dict[str, Any]:
        from dask.distributed import Client

        from impact.errors import ImpactError
        from impact.job import compute

        try:
            client = Client(self.settings.impact_dask_scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise _Failed(f"cannot reach the Dask scheduler ({exc})") from exc
        try:
            future = client.submit(compute, *args, pure=False)
            while not future.done():
                if self._stop.is_set():
                    future.cancel()
                    raise _Cancelled("the runner is stopping")
                # the cluster reports no stages: the job shows as running until it finishes
                self._beat(job_id, worker, "dask", 0)
                time.sleep(BEAT_SECONDS)
            try:
                result: dict[str, Any] = future.result()
            except ImpactError as exc:
                raise _Failed(str(exc)) from exc
            return result
        finally:
            client.close()


class _Failed(Exception):
    """The study failed for a reason worth showing (its first argument)."""


def _str_or_none(path: Any) -> str | None:
    return None if path is None else str(path)
