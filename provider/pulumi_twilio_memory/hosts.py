"""``HostPool``: spread resources over several dynamic-provider host processes.

Pulumi serves every dynamic resource of a program from one host process, ``python -m
pulumi.dynamic``, whose gRPC server has four worker threads (``pulumi/dynamic/__main__.py``, no
setting). A ``create`` holds one of them for its whole wait (a store provisions for seconds to
minutes), so a program onboarding N tenants provisions their stores four at a time. Each explicit
``pulumi.ProviderResource("pulumi-python", ...)`` passed as a resource's ``provider`` is its own
host process with its own four workers, so a pool of them lifts the ceiling; the engine's
``--parallel`` (default 4 x CPUs) is then the limit.

* **Host 0 is the default provider**: a pool of size 1 changes nothing, and a stack that grows a
  pool keeps the resources of host 0 where they were. Moving a resource between hosts never
  replaces it (the engine asks the new provider's ``DiffConfig``, which the dynamic host does not
  implement, and that means "no replacement") and the resource's own diff decides as before.
* **Settings reach every host**: an explicit host is configured only from its own inputs, not from
  the stack configuration, so each gets every ``twilio-memory:*`` key the stack sets (secret keys,
  and any key set with ``--secret``, as secret outputs: encrypted in state like any secret). Keys
  that are not set are not passed, so the ``TWILIO_*`` environment variables (inherited from the
  ``pulumi`` process) still apply in every host.
* **Which host**: :meth:`HostPool.spread` assigns sorted keys round-robin, so tenants are balanced
  and one tenant's resources share one host; reassigning a tenant is harmless (see above).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pulumi

from . import config

__all__ = [
    "DEFAULT_TENANTS_PER_HOST",
    "MAX_HOSTS",
    "MAX_POOL_SIZE",
    "HostPool",
    "engine_parallel",
    "hosts_for",
    "shared_memory_available",
]

#: Tenants served by one host when the pool is sized automatically. Measured (bench/, 2 cores):
#: more hosts than this costs more than it brings, because the engine starts hosts one after
#: another and calls ``Check`` from its single step loop, where a ``Check`` aimed at a host whose
#: four threads are all busy stalls every other resource until one frees; and each host is
#: ~70 MiB of memory.
DEFAULT_TENANTS_PER_HOST = 4
#: The most hosts an automatically sized pool starts (15 tenants, an account's stores: 4 hosts).
MAX_HOSTS = 4
#: The largest pool a program may ask for.
MAX_POOL_SIZE = 32
_PROVIDER_PACKAGE = "pulumi-python"


def shared_memory_available() -> bool:
    """True where the hosts of one deployment can share what it did (``/proc``: Linux): only then
    is a resource moving between hosts in a rename safe (see ``resources/_deployment.py``)."""
    return Path("/proc/self/stat").exists()


def hosts_for(tenants: int, tenants_per_host: int = DEFAULT_TENANTS_PER_HOST) -> int:
    """The automatic pool size for ``tenants`` tenants: one host per ``tenants_per_host``, at
    least 1 (the default provider alone), at most :data:`MAX_HOSTS`; 1 where hosts cannot share
    the deployment's memory."""
    if tenants_per_host < 1:
        raise ValueError(f"tenants_per_host must be at least 1; got {tenants_per_host}")
    if not shared_memory_available():
        return 1
    return max(1, min(MAX_HOSTS, math.ceil(tenants / tenants_per_host)))


def engine_parallel(hosts: int) -> int:
    """The ``--parallel`` for ``hosts`` provider hosts: every host's four workers busy at once,
    and never below the engine's own default (4 x CPUs)."""
    return max(4 * (os.cpu_count() or 1), 4 * hosts)


def _settings() -> dict[str, Any]:
    """Every ``twilio-memory:*`` key the stack sets, secrets as secret outputs."""
    values: dict[str, Any] = {}
    for full_key in config.STACK_KEYS:
        namespace, _, key = full_key.partition(":")
        stack = pulumi.Config(namespace)
        if full_key in config.SECRET_KEYS or pulumi.runtime.is_config_secret(full_key):
            secret = stack.get_secret(key)
            if secret is not None:
                values[full_key] = secret
        else:
            value = stack.get(key)
            if value is not None and value.strip():
                values[full_key] = value
    return values


class HostPool:
    """``size`` provider hosts for the resources of one program.

    ``pool.host(i)`` is the provider of host ``i % size``: ``None`` (the default provider) for
    host 0, else an explicit ``pulumi-python`` provider named ``<name>-<i>``, registered on first
    use. Pass it as ``opts=pulumi.ResourceOptions(provider=...)`` to a resource or to a
    ``TenantMemory`` (its children inherit it), or use :meth:`options`.

    Run ``pulumi up --parallel`` with at least ``4 x size`` (the engine's default is 4 x CPUs),
    or set ``PULUMI_PARALLEL``, so the engine does not become the next ceiling.
    """

    def __init__(self, name: str = "twilio-memory-host", *, size: int) -> None:
        if not 1 <= size <= MAX_POOL_SIZE:
            raise ValueError(
                f"HostPool size must be 1..{MAX_POOL_SIZE} (1 = the default provider only); got {size}"
            )
        if size > 1 and not shared_memory_available():
            pulumi.log.warn(
                f"HostPool {name!r}: this system has no /proc, so the provider hosts cannot share "
                "what one deployment did; a resource renamed onto another host in a pool could be "
                "deleted by its old name's delete. Keep renames within one `pulumi up` on one host, "
                "or use size=1 (providerHosts: 1)."
            )
        self.name = name
        self.size = size
        self._hosts: dict[int, pulumi.ProviderResource] = {}
        self._settings: dict[str, Any] | None = None

    @property
    def parallel(self) -> int:
        """The engine ``--parallel`` that lets every host's four workers run at once."""
        return engine_parallel(self.size)

    def host(self, index: int) -> pulumi.ProviderResource | None:
        """The provider of host ``index % size`` (None: the default provider)."""
        slot = index % self.size
        if slot == 0:
            return None
        if slot not in self._hosts:
            if self._settings is None:
                self._settings = _settings()
            self._hosts[slot] = pulumi.ProviderResource(
                _PROVIDER_PACKAGE, f"{self.name}-{slot}", dict(self._settings)
            )
        return self._hosts[slot]

    def spread(self, keys: Iterable[str]) -> dict[str, pulumi.ProviderResource | None]:
        """Each key's provider: the sorted keys round-robin over the hosts."""
        return {key: self.host(index) for index, key in enumerate(sorted(set(keys)))}

    def options(self, index: int, opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        """``opts`` (or new options) with the provider of host ``index``."""
        host = self.host(index)
        if host is None:
            return opts if opts is not None else pulumi.ResourceOptions()
        return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=host))
