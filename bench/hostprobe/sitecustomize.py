"""Benchmark probe for the dynamic-provider host, loaded through ``PYTHONPATH`` (bench only).

Python imports ``sitecustomize`` at start-up in every interpreter; this one does nothing unless
the interpreter is the provider host (``python -m pulumi.dynamic``), the native provider
(``pulumi-resource-twilio-memory``: only the trace, its RPCs being coroutines) or the program.
In the provider host it:

* appends one JSON line per provider RPC (``Check``/``Diff``/``Create``/``Read``/...) to
  ``$BENCH_HOST_TRACE``: method, resource type, thread, start and end (``time.time()``), plus a
  ``start`` line when the interpreter starts and a ``serve`` line when the gRPC server is built;
* with ``$BENCH_HOST_WORKERS`` set, gives the gRPC server that many worker threads instead of the
  4 that ``pulumi/dynamic/__main__.py`` hard-codes: the experiment that measures what the 4-thread
  limit costs. Never set in normal runs.
* with ``$BENCH_PATCH=store-post-first``, replaces ``StoreProvider.create`` by the proposed change
  measured in ``bench/README.md``: POST first and look the store up by name only when the POST
  answers 409/400 or gets no answer (``_post`` already does), instead of listing and fetching
  every store of the account before each create. Never set in normal runs.
* with ``$BENCH_PATCH=widen-host-pool``, makes ``BaseProvider.configure`` (which runs once, on one
  of the host's gRPC worker threads) raise that thread's executor to 64 workers: the proposed
  provider-side form of the ``BENCH_HOST_WORKERS`` experiment, proving it works from inside.

The cost is one small file append per RPC, microseconds against RPCs of milliseconds to seconds.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

_TRACE = os.environ.get("BENCH_HOST_TRACE")
_lock = threading.Lock()


def _record(**fields: Any) -> None:
    if not _TRACE:
        return
    line = json.dumps({"pid": os.getpid(), **fields})
    with _lock, open(_TRACE, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _record_rpc(name: str, request: Any, started: float, error: str | None) -> None:
    urn = getattr(request, "urn", "") or ""
    _record(
        event="rpc",
        method=name,
        type=urn.split("::")[-2] if urn.count("::") >= 3 else "",
        name=urn.rsplit("::", 1)[-1] if urn else "",
        thread=threading.get_ident(),
        start=started,
        end=time.time(),
        error=error,
    )


def _wrap(method: Any, name: str) -> Any:
    def traced(request: Any, context: Any) -> Any:
        started, error = time.time(), None
        try:
            return method(request, context)
        except BaseException as exc:
            error = type(exc).__name__
            raise
        finally:
            _record_rpc(name, request, started, error)

    return traced


def _wrap_async(method: Any, name: str) -> Any:
    async def traced(request: Any, context: Any) -> Any:
        started, error = time.time(), None
        try:
            return await method(request, context)
        except BaseException as exc:
            error = type(exc).__name__
            raise
        finally:
            _record_rpc(name, request, started, error)

    return traced


def _install_native() -> None:
    """The native provider's servicer (``grpc.aio``): every RPC traced, nothing else changed."""
    from pulumi.runtime.proto import provider_pb2_grpc  # noqa: PLC0415

    original_add = provider_pb2_grpc.add_ResourceProviderServicer_to_server

    def add(servicer: Any, grpc_server: Any) -> Any:
        _record(event="serve", time=time.time(), workers=None)
        for name in (
            "GetSchema",
            "CheckConfig",
            "Configure",
            "Check",
            "Diff",
            "Create",
            "Read",
            "Update",
            "Delete",
        ):
            method = getattr(servicer, name, None)
            if method is not None:
                setattr(servicer, name, _wrap_async(method, name))
        return original_add(servicer, grpc_server)

    provider_pb2_grpc.add_ResourceProviderServicer_to_server = add


def _install() -> None:
    # Imported here, not at the top: every other interpreter on this PYTHONPATH skips them.
    import grpc  # noqa: PLC0415
    from pulumi.runtime.proto import provider_pb2_grpc  # noqa: PLC0415

    workers = os.environ.get("BENCH_HOST_WORKERS", "")
    original_server = grpc.server
    original_add = provider_pb2_grpc.add_ResourceProviderServicer_to_server

    def server(thread_pool: Any = None, *args: Any, **kwargs: Any) -> Any:
        if workers.isdigit() and thread_pool is not None:
            thread_pool._max_workers = int(workers)  # ThreadPoolExecutor grows on demand up to this
        _record(event="serve", time=time.time(), workers=getattr(thread_pool, "_max_workers", None))
        return original_server(thread_pool, *args, **kwargs)

    def add(servicer: Any, grpc_server: Any) -> Any:
        for name in ("Configure", "Check", "Diff", "Create", "Read", "Update", "Delete"):
            method = getattr(servicer, name, None)
            if method is not None:
                setattr(servicer, name, _wrap(method, name))
        return original_add(servicer, grpc_server)

    grpc.server = server
    provider_pb2_grpc.add_ResourceProviderServicer_to_server = add


_ARGV = " ".join(getattr(sys, "orig_argv", ()))


def _patch_store_post_first() -> None:
    from pulumi.dynamic import CreateResult  # noqa: PLC0415
    from pulumi_twilio_memory.resources import store as module  # noqa: PLC0415

    def create(self: Any, props: dict[str, Any]) -> Any:
        inputs = self.parse(props)
        client = module.memory_client()
        deadline = module.new_deadline()
        made = self._post(client, inputs, deadline)  # 409/400 -> lookup by name, adopt or fail
        if isinstance(made, str):
            found = self._wait_ready(client, made, inputs.display_name, deadline, cleanup=True)
        else:
            found = self._adopt(client, made, inputs, deadline)
        return CreateResult(found.value.id, module._outs(found, inputs.adopt))

    module.StoreProvider.create = create  # type: ignore[method-assign]


def _patch_widen_host_pool(workers: int = 64) -> None:
    import weakref  # noqa: PLC0415
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from pulumi_twilio_memory.resources import _base  # noqa: PLC0415

    original = _base.BaseProvider.configure

    def configure(self: Any, req: Any) -> None:
        # CPython's ThreadPoolExecutor starts each worker with args[0] = weakref to the executor,
        # and grows its pool on demand up to _max_workers.
        args = getattr(threading.current_thread(), "_args", ())
        executor = args[0]() if args and isinstance(args[0], weakref.ref) else None
        if isinstance(executor, ThreadPoolExecutor) and executor._max_workers < workers:
            executor._max_workers = workers
            _record(event="widened", time=time.time(), workers=workers)
        original(self, req)

    _base.BaseProvider.configure = configure  # type: ignore[method-assign]


if "pulumi.dynamic" in getattr(sys, "orig_argv", ()):
    _record(event="start", role="provider_host", time=time.time())
    _install()
    _PATCHES = os.environ.get("BENCH_PATCH", "").split(",")
    if "store-post-first" in _PATCHES:
        _patch_store_post_first()
    if "widen-host-pool" in _PATCHES:
        _patch_widen_host_pool()
elif "pulumi-resource-twilio-memory" in _ARGV:
    _record(event="start", role="native_provider", time=time.time())
    _install_native()
elif "pulumi-language-python-exec" in _ARGV:
    import atexit

    _record(event="start", role="program", time=time.time())
    atexit.register(lambda: _record(event="exit", role="program", time=time.time()))
