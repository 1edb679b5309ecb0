"""``pulumi-resource-twilio-memory``: the plugin executable the Pulumi engine starts.

The engine runs it as ``pulumi-resource-twilio-memory <engine address>`` and reads the port it
serves on from its first line of output. Errors reach the user as the core wrote them (what
happened, what to do next), without a Python type name or a traceback in front.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from pulumi.provider.experimental import provider as provider_api
from pulumi.provider.experimental import server
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import proto
from twilio_memory_api.operations import WaitInterrupted

from .._version import __version__
from .partial import PartialCreate
from .provider import TwilioMemoryProvider

__all__ = ["main"]

#: The RPCs whose failures are the user's to read (every one that reaches the core).
_USER_FACING = (
    *("CheckConfig", "DiffConfig", "Configure"),
    *("Check", "Diff", "Create", "Read", "Update", "Delete"),
)


def _reported(rpc: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(rpc)
    async def call(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await rpc(self, request, context)
        except PartialCreate as exc:
            code, details, metadata = exc.status()
            await context.abort(code, details, trailing_metadata=metadata)
        except (Exception, WaitInterrupted) as exc:
            await context.abort(grpc.StatusCode.UNKNOWN, str(exc) or type(exc).__name__)

    return call


class _Servicer(server.ProviderServicer):
    """The SDK's servicer, reporting failures by their message alone, and with a DiffConfig that
    says what changed: the SDK's sends ``changes`` as the bool (True is DIFF_NONE on the wire, so
    the engine never updates the provider) and reads an attribute its PropertyDiff lacks."""

    async def DiffConfig(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        response = await self._provider.diff_config(
            provider_api.DiffRequest(
                request.urn,
                request.id,
                PropertyValue.unmarshal_map(request.olds),
                PropertyValue.unmarshal_map(request.news),
                list(request.ignoreChanges),
            )
        )
        return _diff_response(response)


def _diff_response(response: provider_api.DiffResponse) -> Any:
    changes = proto.DiffResponse.DIFF_UNKNOWN
    if response.changes is not None:
        changes = proto.DiffResponse.DIFF_SOME if response.changes else proto.DiffResponse.DIFF_NONE
    kinds = {kind: proto.PropertyDiff.Kind.Value(kind.name) for kind in provider_api.PropertyDiffKind}
    return proto.DiffResponse(
        replaces=response.replaces,
        stables=response.stables,
        deleteBeforeReplace=response.delete_before_replace,
        changes=changes,
        diffs=response.diffs,
        detailedDiff={
            k: proto.PropertyDiff(kind=kinds[v.kind], inputDiff=v.input_diff)
            for k, v in response.detailed_diff.items()
        },
        hasDetailedDiff=True,
    )


for _name in _USER_FACING:
    setattr(_Servicer, _name, _reported(getattr(_Servicer, _name)))


def main(argv: list[str] | None = None) -> None:
    """Serve the provider until the engine stops it."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    args = sys.argv[1:] if argv is None else argv
    original = server.ProviderServicer
    server.ProviderServicer = _Servicer  # type: ignore[misc]
    try:
        server.main(args, __version__, TwilioMemoryProvider())
    finally:
        server.ProviderServicer = original  # type: ignore[misc]


if __name__ == "__main__":
    main()
