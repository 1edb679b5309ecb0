"""Component resources: ``TenantMemory`` (one tenant) and the multi-tenant document (:mod:`.fleet`)."""

from .tenant import TenantConfigurationError, TenantMemory

__all__ = ["TenantConfigurationError", "TenantMemory"]
