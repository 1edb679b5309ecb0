"""Which host names are this machine: one rule for the client's advice ("is the emulator
running?"), the provider's stack binding (an emulator on a new port is the same place) and the
emulator's own guard on its control endpoints. Standard library only."""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback_host"]


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.1``, ``::1``, ``[::1]``)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
