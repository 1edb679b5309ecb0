"""The dynamic face: each resource as a Pulumi dynamic resource for Python programs (its ``...Args``
and resource class), over the resource core in :mod:`pulumi_twilio_memory.resources`. The core's
provider classes are what state records (pickled by path), so they stay where they are; these
classes are importable from the core's modules too, as before."""
