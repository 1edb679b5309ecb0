"""Memory's control plane (``/v1/ControlPlane``): stores, trait groups, identity resolution
settings, data mappings and their operations."""
