"""The tenant-onboarding program of the root ``Pulumi.yaml``.

It lives beside ``Pulumi.yaml`` so that the program and its dynamic providers run in the project
directory, where ``virtualenv: .venv`` resolves for both (the provider shim resolves it against its
own working directory, which is the program's).

Reads this stack's ``tenant-onboarding:*`` configuration (templates, defaults, tenants), checks it
as a whole (store limit, name collisions, API constraints) and registers one ``TenantMemory`` per
tenant. Exports ``storeIds`` (tenant -> store id), ``configurationIds`` and ``traitGroups``.
The logic lives in the installed package so it is unit-tested; see docs/configuration.md.
"""

from pulumi_twilio_memory.components.fleet import run_fleet_program

run_fleet_program()
