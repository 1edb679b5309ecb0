"""Providers are pickled into every resource's state (``__provider``): each must serialize, the way
the Pulumi SDK does it, to a few hundred bytes that hold no credential and no configuration."""

from __future__ import annotations

import base64
import importlib
import pkgutil

import dill
import pulumi_twilio_memory.resources as resources_pkg
import pytest
from pulumi.dynamic import Config as DynamicConfig
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi_twilio_memory import config
from pulumi_twilio_memory.resources._base import BaseProvider, clear_client_cache, memory_client

SECRETS = ("pickle-test-api-secret-value", "pickle-test-auth-token-value")


def all_providers() -> list[type[BaseProvider]]:
    for info in pkgutil.iter_modules(resources_pkg.__path__):
        importlib.import_module(f"{resources_pkg.__name__}.{info.name}")
    return sorted(BaseProvider.__subclasses__(), key=lambda cls: cls.__name__)


@pytest.mark.parametrize("provider_cls", all_providers(), ids=lambda cls: cls.__name__)
def test_serialized_provider_is_small_and_credential_free(provider_cls: type[BaseProvider]) -> None:
    raw = {
        "twilio-memory:apiKey": "SK00000000000000000000000000000000",
        "twilio-memory:apiSecret": SECRETS[0],
        "twilio-memory:accountSid": "AC00000000000000000000000000000000",
        "twilio-memory:authToken": SECRETS[1],
        "twilio-memory:memoryBaseUrl": "http://127.0.0.1:1",
    }
    provider = provider_cls()
    try:
        provider.configure(ConfigureRequest(DynamicConfig(raw, project_name="p")))
        memory_client()  # a live, cached client must not leak into the pickle either
        encoded = serialize_provider(provider)
    finally:
        config.reset()
        clear_client_cache()
    payload = base64.b64decode(encoded)
    print(f"\n{provider_cls.__name__}: serialized provider is {len(payload)} bytes ({len(encoded)} base64)")
    assert len(payload) < 512
    assert vars(provider) == {}
    assert provider.serialize_as_secret_always is False  # plain in state: nothing in it to hide
    for secret in SECRETS:
        assert secret.encode() not in payload and secret not in encoded
    assert b"SK0000" not in payload and b"127.0.0.1" not in payload
    # pickled by reference to the installed class, so it round-trips in the provider host
    restored = dill.loads(payload)  # noqa: S301 - our own bytes, produced just above
    assert type(restored) is provider_cls
