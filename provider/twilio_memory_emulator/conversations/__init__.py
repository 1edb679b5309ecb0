"""Conversations v2's control plane (``/v2/ControlPlane``): configurations and their operations."""
