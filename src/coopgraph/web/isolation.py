"""SPARQL protocol queries on the embedded store, each run in a worker process that the server can kill.

Oxigraph has no way to stop a query that is computing a sort, a join or an aggregate before its first row: past the
time limit, a thread running it would go on for as long as the query takes (for ever, for a count over a cartesian
product), holding a core and its memory. And a few queries make Oxigraph 0.5 abort the process it runs in (a Rust
panic in its sort: ``ORDER BY`` over numbers and strings mixed). So ``/sparql`` and the query page run their
queries in worker processes, at most one query at a time each and at most ``--concurrency`` of them: a query past
its time limit gets its worker killed (503), a worker that dies is replaced (the client gets a 500 that says so),
and the server goes on. Each worker opens the build's store read-only; workers start when first needed and are
replaced after ``RECYCLE`` queries. Pages read the store in the server's own process: their queries are the server's
own, bounded ones.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..sparql import (
    BindingError,
    ForbiddenQuery,
    NotAcceptable,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    TruncatedResult,
)

STARTUP = 60  # seconds a new worker may take to start and open the store
RECYCLE = 1000  # queries a worker answers before it is replaced (bounds what a leak in the engine could hold)
_ERRORS = {cls.__name__: cls for cls in (StoreError, QuerySyntaxError, BindingError, QueryTimeout, ResultTooLarge,
                                         TruncatedResult, NotAcceptable, ForbiddenQuery)}
CRASHED = ("the query engine stopped on this query (a fault of the engine, Oxigraph, not of the server, which goes "
           "on; ORDER BY over numbers and strings mixed is one known cause: ORDER BY STR(?x) avoids it)")


def _worker_main(conn: Connection, store_path: str, base: str, max_rows: int | None) -> None:
    """A worker process: answer (method, args) requests until the server closes the pipe."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server's terminal is the server's to handle
    from ..store import EmbeddedStore
    from .endpoint import ProtocolError, QueryRunner

    runner = QueryRunner(EmbeddedStore(store_path), base=base, timeout=None, max_rows=max_rows, concurrency=1)
    conn.send(("ready", None))  # the time limit of the first query starts now, not while the worker starts
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            value = runner._answer(*args) if method == "answer" else runner._result(*args)
            reply: tuple[str, Any] = ("ok", value)
        except ProtocolError as exc:
            reply = ("protocol", (exc.status, exc.message, exc.headers))
        except StoreError as exc:
            name = type(exc).__name__ if type(exc).__name__ in _ERRORS else "StoreError"
            reply = ("error", (name, exc.message, exc.line, exc.column))
        except Exception as exc:  # anything else: the message, as the server's own code would have shown it
            reply = ("error", ("StoreError", f"query failed: {exc}", None, None))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, store_path: str, base: str, max_rows: int | None) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, store_path, base, max_rows),
                                   name="coopgraph-query", daemon=True)
        self.process.start()
        child.close()
        self.uses = 0
        self.ready = False

    def wait_ready(self) -> None:
        """Wait until the worker has opened the store (once)."""
        if self.ready:
            return
        if not self.conn.poll(STARTUP):
            raise StoreError(f"a query worker did not start within {STARTUP} s")
        kind, _ = self.conn.recv()
        if kind != "ready":
            raise StoreError(f"a query worker answered {kind!r} instead of starting")
        self.ready = True

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.conn.close()
        self.process.join(5)
        with contextlib.suppress(Exception):
            self.process.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()  # the worker sees the end of its pipe and returns
        self.process.join(5)
        if self.process.is_alive():
            self.kill()


class QueryWorkers:
    """A pool of query worker processes over one on-disk store (see the module's description)."""

    def __init__(self, store_path: Path, *, base: str, max_rows: int | None) -> None:
        self.store_path = str(store_path)
        self.base = base
        self.max_rows = max_rows
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker(self._ctx, self.store_path, self.base, self.max_rows)

    def _give_back(self, worker: _Worker) -> None:
        worker.uses += 1
        if worker.uses < RECYCLE:
            with self._lock:
                if not self._closed:
                    self._idle.append(worker)
                    return
        worker.stop()

    def warm(self) -> None:
        """Start one worker in the background, so the first query does not wait for it."""

        def start() -> None:
            worker = _Worker(self._ctx, self.store_path, self.base, self.max_rows)
            try:
                worker.wait_ready()
            except (StoreError, EOFError, OSError):
                worker.kill()
                return
            with self._lock:
                if not self._closed:
                    self._idle.append(worker)
                    return
            worker.stop()

        threading.Thread(target=start, name="coopgraph-query-warm", daemon=True).start()

    def call(self, method: str, args: tuple, timeout: float | None) -> Any:
        """Run ``QueryRunner._answer`` or ``._result`` with ``args`` in a worker; past ``timeout`` seconds the worker
        is killed and QueryTimeout raised."""
        from .endpoint import ProtocolError

        worker = self._take()
        try:
            worker.wait_ready()
            worker.conn.send((method, args))
            if not worker.conn.poll(timeout):  # the worker is killed below: nothing goes on computing the query
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped; narrow it or add a "
                                   "LIMIT")
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.kill()
            raise StoreError(CRASHED) from None
        except StoreError:  # past the time limit, or a worker that did not start
            worker.kill()
            raise
        except Exception as exc:  # a request or an answer that does not pickle: this worker's state is unknown
            worker.kill()
            raise StoreError(f"query failed: {exc}") from None
        self._give_back(worker)
        if kind == "ok":
            return payload
        if kind == "protocol":
            status, message, headers = payload
            raise ProtocolError(status, message, headers)
        name, message, line, column = payload
        raise _ERRORS.get(name, StoreError)(message, line=line, column=column)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
