"""Benchmarks of the tenant-onboarding program against the emulator (``python -m bench.run``).

Numbers to steer by, never assertions: wall time of ``pulumi up`` for N tenants next to the
physical floor and a plain ``twilio``-SDK script, API calls of no-op previews, state size and the
provider host's peak memory. See ``bench/README.md``.
"""
