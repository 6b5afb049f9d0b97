"""Run tasks on local worker processes, or on Dask; a dead worker loses nothing.

:class:`LocalPool` keeps ``jobs`` worker processes, each with a pipe. They are
*forked* from the parent when it is safe, that is when the parent runs one
thread only (as the command line does) and the platform forks safely (not
macOS): a forked worker starts at once with every module the parent imported,
where a spawned one first imports them all again (about half a second, on the
critical path of every run). Otherwise (threads, or no ``fork``) they are
*spawned*. The command line's parent never builds an engine; a program's own
engines are copied into a forked worker, which never uses them (durable_rules'
C engine holds memory only: no thread, no file).

A worker runs one task at a time and sends its progress (at most every
:data:`PROGRESS_EVERY` seconds) and its result back. When a task
raises, its worker reports the traceback and exits; when a worker dies
(``os._exit``, SIGKILL, SIGSEGV inside a native library) the parent sees the
pipe close; when a task runs past the pool's timeout (a native call that never
returns), its worker is killed. Either way the task is run once more in a
*fresh* process, and if that fails too it is reported as failed with the
reason — never dropped. A full or read-only disk (``ENOSPC``, ``EDQUOT``,
``EROFS``) is not retried: it is reported as an environment error.

``hash(str)`` serves as the 64-bit id digest (free: Python caches string
hashes), so it must be the same in every worker of a pool: forked workers all
inherit the parent's hash secret, and spawned ones are started with
``PYTHONHASHSEED=0``. A pool keeps the start method it chose for its life, its
fresh processes for retries included. :class:`DaskPool` uses blake2b digests instead.
"""

from __future__ import annotations

import errno
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from hanchot.errors import HanchotError

ProgressFn = Callable[[Any, int], None]


@dataclass
class Job:
    """A task for a pool: ``fn(spec, *args, progress=...)``; *spec* has an ``attempt`` field."""

    key: Any
    fn: Callable[..., Any]
    spec: Any
    args: tuple[Any, ...] = ()


@dataclass
class Outcome:
    """The end of one job: its result, or why it failed and after how many attempts."""

    key: Any
    ok: bool
    value: Any = None  # the result, or the reason of the failure
    attempts: int = 1
    input_error: bool = False
    environment_error: bool = False  # the disk is full or read-only: a retry cannot help


# Errors of the machine, not of the task: no retry, exit code 4.
ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
DEFAULT_TIMEOUT = 900.0  # seconds a task may run; a partition takes seconds to a few minutes


class _InputProblem(Exception):
    """Carries a HanchotError (bad input) across processes as a plain message."""


PROGRESS_EVERY = 0.1  # seconds between a worker's progress messages


class _Progress:
    """A task's progress, counted here and sent to the parent at most every
    :data:`PROGRESS_EVERY` seconds: a message per chunk read woke the parent thousands of
    times a run, on the cores the workers need."""

    def __init__(self, conn: Connection, key: Any) -> None:
        self.conn, self.key = conn, key
        self.pending = 0
        self.due = time.monotonic() + PROGRESS_EVERY

    def __call__(self, n: int) -> None:
        self.pending += n
        now = time.monotonic()
        if now >= self.due:
            self.flush()
            self.due = now + PROGRESS_EVERY

    def flush(self) -> None:
        """Send what is counted and not yet sent."""
        if self.pending:
            self.conn.send(("progress", self.key, self.pending))
            self.pending = 0


def _worker_main(conn: Connection, born_with: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # born with it blocked: see _Worker
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and a SIGTERM to the group ends a worker at once
    last_args = born_with
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:  # stop: at once, without the interpreter's teardown freeing every object left
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        key, fn, spec, args = msg
        if args is None:  # the arguments of the task before (see _Worker.send)
            args = last_args
        last_args = args

        progress = _Progress(conn, key)
        try:
            result = fn(spec, *args, progress=progress)
            progress.flush()
        except HanchotError as exc:
            conn.send(("input_error", key, str(exc)))
            continue
        except OSError as exc:
            if exc.errno not in ENVIRONMENT_ERRNOS:
                conn.send(("error", key, traceback.format_exc()))
                conn.close()
                os._exit(1)
            where = f"{exc.filename}: " if exc.filename else ""
            conn.send(("environment_error", key, f"{where}{exc.strerror or exc}"))
            continue
        except BaseException:  # noqa: BLE001 - any failure is reported, then the process exits
            conn.send(("error", key, traceback.format_exc()))
            conn.close()
            os._exit(1)  # the retry gets a fresh process
        conn.send(("done", key, result))


def start_method() -> str:
    """How a new :class:`LocalPool` starts its workers: ``fork`` when the platform has it and
    this process runs one thread only (forking a process with other threads may copy a lock
    one of them holds), else ``spawn``. Never ``fork`` on macOS, whose system libraries may
    start threads of their own (Python's own default there is ``spawn`` for that reason)."""
    if "fork" in mp.get_all_start_methods() and sys.platform != "darwin" and threading.active_count() == 1:
        return "fork"
    return "spawn"


class _Worker:
    def __init__(self, ctx: Any, args: tuple[Any, ...] | None = None) -> None:
        """Start a worker process; a forked one is born holding *args* (the arguments of the
        run's tasks), which then need not be pickled and sent (see :meth:`send`)."""
        parent, child = ctx.Pipe(duplex=True)
        saved = os.environ.get("PYTHONHASHSEED")
        os.environ["PYTHONHASHSEED"] = "0"  # for a spawned worker; a forked one has the parent's
        # Born with ^C blocked (the signal mask survives fork and exec): a Ctrl-C to the
        # process group while a worker starts waits, and the worker discards it once it
        # ignores SIGINT, so it prints no traceback. Blocked, not ignored, in the parent
        # too: a Ctrl-C in that moment is delivered to it when the worker has started.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            born_with = args if ctx.get_start_method() == "fork" else None
            self.process = ctx.Process(target=_worker_main, args=(child, born_with or ()), daemon=True)
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            if saved is None:
                del os.environ["PYTHONHASHSEED"]
            else:
                os.environ["PYTHONHASHSEED"] = saved
        child.close()
        self.conn: Connection = parent
        self.job: Job | None = None
        self.deadline = float("inf")
        self.args: tuple[Any, ...] | None = born_with  # the arguments the process holds

    def send(self, job: Job, timeout: float) -> None:
        """Send *job*; its arguments only if they are not the very tuple the process holds,
        sent before or born with (a route task's plan of every agency takes ~30 ms to pickle
        and as much to load)."""
        self.job = job
        self.deadline = time.monotonic() + timeout
        same = job.args is self.args
        self.args = job.args
        self.conn.send((job.key, job.fn, job.spec, None if same else job.args))

    def kill(self) -> None:
        """End the process now (a hung or abandoned task); wait for it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():  # pragma: no cover - a stuck worker
            self.process.kill()
            self.process.join()


def _death(process: Any) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"worker process died ({name})"
    return f"worker process died (exit code {code})"


class LocalPool:
    """``jobs`` worker processes, forked or spawned; see the module docstring.

    A task running longer than *timeout* seconds (a native call that never
    returns) is killed and counts as a failed attempt, like a crash.
    *method*: ``fork`` or ``spawn``; by default :func:`start_method`'s choice.
    """

    def __init__(self, jobs: int, timeout: float = DEFAULT_TIMEOUT, method: str | None = None) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.method = method or start_method()
        self._ctx = mp.get_context(self.method)
        # The digest every worker of this pool computes alike (see hanchot.batch.partition).
        self.digest = "inherited-hash" if self.method == "fork" else "hash"
        self._idle: list[_Worker] = []
        self._busy: list[_Worker] = []

    def run(self, jobs: Sequence[Job], progress: ProgressFn | None = None, done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        """Run *jobs* (at most ``self.jobs`` at a time); one outcome per job, in job order."""
        queue: deque[tuple[Job, bool]] = deque((j, False) for j in jobs)  # (job, needs a fresh process)
        busy = self._busy  # kept on the pool, so that close() can stop them after ^C
        outcomes: dict[Any, Outcome] = {}
        # Start the workers this run needs together: sending a task waits until its worker is
        # up (a task's arguments fill the pipe), so workers started one at a time would each
        # wait for the one before to import everything.
        for _ in range(min(self.jobs, len(queue)) - len(self._idle) - len(busy)):
            self._idle.append(_Worker(self._ctx, jobs[0].args))
        while queue or busy:
            while queue and len(busy) < self.jobs:
                job, fresh = queue.popleft()
                if self._idle and not fresh:
                    worker = self._idle.pop()
                else:
                    if fresh and self._idle and len(busy) + len(self._idle) >= self.jobs:
                        self._idle.pop().stop()
                    worker = _Worker(self._ctx, job.args)
                busy.append(worker)
                worker.send(job, self.timeout)
            wait_for = min(3600.0, max(0.0, min(w.deadline for w in busy) - time.monotonic()))
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait_for)
            now = time.monotonic()
            for worker in list(busy):
                timed_out = worker.deadline <= now and worker.conn not in ready and worker.process.sentinel not in ready
                if timed_out:
                    worker.kill()
                elif worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                running = worker.job
                assert running is not None
                job = running
                finished: tuple[str, Any] | None = None
                try:
                    while worker.conn.poll():
                        kind, _, value = worker.conn.recv()
                        if kind == "progress":
                            if progress is not None:
                                progress(job.key, value)
                        else:
                            finished = (kind, value)
                            break
                except (EOFError, OSError):
                    pass
                if finished is None and worker.process.is_alive():
                    continue
                busy.remove(worker)
                if finished is not None and finished[0] in ("done", "input_error", "environment_error"):
                    worker.job = None
                    self._idle.append(worker)
                    ok = finished[0] == "done"
                    outcome = Outcome(
                        job.key, ok, finished[1], job.spec.attempt + 1,
                        input_error=finished[0] == "input_error", environment_error=finished[0] == "environment_error",
                    )
                else:
                    if timed_out:
                        reason = f"timed out after {self.timeout:g} s (--partition-timeout); the worker was killed"
                    elif finished is None:
                        worker.process.join()
                        reason = _death(worker.process)
                    else:
                        reason = finished[1].rstrip().splitlines()[-1] if finished[1] else "error"
                        worker.process.join(timeout=10)
                    worker.conn.close()
                    if job.spec.attempt == 0:
                        queue.appendleft((replace(job, spec=replace(job.spec, attempt=1)), True))
                        continue
                    detail = finished[1] if finished is not None else reason
                    outcome = Outcome(job.key, False, {"reason": reason, "detail": detail}, job.spec.attempt + 1)
                outcomes[job.key] = outcome
                if done is not None:
                    done(outcome)
        return [outcomes[j.key] for j in jobs]

    def close(self) -> None:
        """Stop every worker: idle ones politely, busy ones (after ^C or an error) at once."""
        while self._busy:
            self._busy.pop().kill()
        while self._idle:
            self._idle.pop().stop()


def _dask_call(fn: Callable[..., Any], spec: Any, args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "done", fn(spec, *args)
    except HanchotError as exc:
        return "input_error", str(exc)
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:
            raise
        return "environment_error", f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc.strerror or exc)


class DaskPool:
    """The same interface on a Dask distributed scheduler (``pip install hanchot[dask]``)."""

    digest = "blake2b"

    def __init__(self, scheduler: Any) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise HanchotError("--scheduler needs Dask distributed: pip install 'hanchot[dask]'") from None
        self._own = isinstance(scheduler, str)
        self.client = Client(scheduler) if self._own else scheduler  # type: ignore[no-untyped-call]
        self.jobs = max(1, sum(self.client.nthreads().values()))

    def run(self, jobs: Sequence[Job], progress: ProgressFn | None = None, done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        from distributed import as_completed

        outcomes: dict[Any, Outcome] = {}
        futures = {}
        for job in jobs:
            futures[self.client.submit(_dask_call, job.fn, job.spec, job.args, pure=False)] = job
        pending = as_completed(list(futures))  # type: ignore[no-untyped-call]
        for future in pending:
            job = futures.pop(future)
            try:
                kind, value = future.result()
                outcome = Outcome(
                    job.key, kind == "done", value, job.spec.attempt + 1,
                    input_error=kind == "input_error", environment_error=kind == "environment_error",
                )
            except Exception as exc:  # noqa: BLE001 - a task error or a KilledWorker
                if job.spec.attempt == 0:
                    retry = replace(job, spec=replace(job.spec, attempt=1))
                    new = self.client.submit(_dask_call, retry.fn, retry.spec, retry.args, pure=False)
                    futures[new] = retry
                    pending.add(new)  # type: ignore[no-untyped-call]
                    continue
                outcome = Outcome(job.key, False, {"reason": f"{type(exc).__name__}: {exc}", "detail": repr(exc)}, 2)
            outcomes[job.key] = outcome
            if done is not None:
                done(outcome)
        return [outcomes[j.key] for j in jobs]

    def close(self) -> None:
        if self._own:
            self.client.close()
