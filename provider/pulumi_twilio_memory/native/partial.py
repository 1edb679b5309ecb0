"""A create that made its resource but could not see it finish (its customTimeouts passed, or
Cancel came) is reported to the engine as *made but unfinished*: Pulumi's
``ErrorResourceInitFailed``, carrying the id. The engine records the resource with the error, and
the next ``pulumi up`` calls update on it, which waits for it to finish; nothing is left live but
unknown to the state, and nothing is made twice.

Only an id the resource itself would accept for import is reported (the waiters know a store's id,
an operation's, ...): a wrong id in the state would be worse than none.
"""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from google.protobuf import any_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2, status_pb2
from twilio_memory_api.errors import OperationTimeoutError
from twilio_memory_api.operations import WaitInterrupted

from ..resources._base import BaseProvider

__all__ = ["PartialCreate", "made_but_unfinished"]


class PartialCreate(Exception):
    """The create of ``resource_id`` did not finish; ``properties`` are what to record."""

    def __init__(self, message: str, resource_id: str, properties: Mapping[str, PropertyValue]) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.properties = dict(properties)

    def status(self) -> tuple[grpc.StatusCode, str, tuple[tuple[str, bytes], ...]]:
        """The gRPC status (code, details, trailing metadata) the engine reads as a partial create."""
        struct = PropertyValue.marshal_map(self.properties)
        detail = provider_pb2.ErrorResourceInitFailed(
            id=self.resource_id, properties=struct, inputs=struct, reasons=[str(self)]
        )
        packed = any_pb2.Any()
        packed.Pack(detail)
        status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=str(self))
        status.details.append(packed)
        return grpc.StatusCode.UNKNOWN, str(self), (("grpc-status-details-bin", status.SerializeToString()),)


def made_but_unfinished(
    core: BaseProvider,
    inputs: Mapping[str, object],
    properties: Mapping[str, PropertyValue],
    error: BaseException,
) -> PartialCreate | None:
    """What to report for ``error``, a failed create of ``core``'s kind: a :class:`PartialCreate`
    when it is a wait that stopped early (timed out or cancelled) on a resource this kind accepts
    as its own, else None (the error stands as it is)."""
    if not isinstance(error, OperationTimeoutError | WaitInterrupted):
        return None
    resource_id = error.resource_id
    if not resource_id or core.import_id_problem(dict(inputs), resource_id) is not None:
        return None
    if isinstance(error, OperationTimeoutError):
        why = f"timed out after {error.waited:.1f}s (last seen: {error.last_seen})"
        longer = "; raise customTimeouts.create if it needs longer"
    else:
        why, longer = "was cancelled", ""
    message = (
        f"The {core.kind} {resource_id} was made, but its create {why}. It is recorded in the state "
        f"as unfinished: the next `pulumi up` waits for it to finish and makes nothing twice{longer}."
    )
    return PartialCreate(message, resource_id, properties)
