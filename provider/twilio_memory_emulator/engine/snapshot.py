"""The state snapshot: what ``--state-file`` and ``GET /_emulator/state`` hold, and reading it
back. The layout is the file format (:data:`STATE_FORMAT`); no secret is ever part of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from twilio_memory_emulator.state_schema import AccountState, account_from_dict

__all__ = ["STATE_FORMAT", "read_snapshot", "snapshot_of"]

STATE_FORMAT = 1  # bump when the snapshot layout changes incompatibly


def snapshot_of(accounts: Mapping[str, AccountState], clock_offset: float) -> dict[str, Any]:
    return {
        "format": STATE_FORMAT,
        "clockOffset": clock_offset,
        "accounts": {sid: asdict(state) for sid, state in accounts.items()},
    }


def read_snapshot(data: Mapping[str, Any]) -> tuple[dict[str, AccountState], float]:
    """(accounts, clock offset) of a snapshot; ValueError if ``data`` is not one."""
    if not isinstance(data, Mapping) or data.get("format") != STATE_FORMAT:
        raise ValueError(f"not an emulator state file of format {STATE_FORMAT}")
    try:
        accounts = {sid: account_from_dict(raw) for sid, raw in data["accounts"].items()}
        offset = float(data.get("clockOffset", 0.0))
        for state in accounts.values():
            for op_id in state.pending:
                state.operations[op_id]
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"corrupt emulator state file: {exc!r}") from None
    return accounts, offset
