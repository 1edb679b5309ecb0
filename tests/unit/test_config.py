"""Provider configuration: stack config (as the dynamic-provider host passes it) and env fallbacks."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pulumi.dynamic import Config
from pulumi_twilio_memory import config
from twilio_memory_api.errors import ConfigurationError


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config.reset()
    yield
    config.reset()


def stack(**values: str) -> Config:
    """A ``pulumi.dynamic.Config`` as the host builds it: full ``namespace:key`` keys."""
    return Config({f"twilio-memory:{k}": v for k, v in values.items()}, project_name="acme-infra")


def test_defaults() -> None:
    cfg = config.current()
    assert cfg.memory_base_url == "https://memory.twilio.com"
    assert cfg.conversations_base_url == "https://conversations.twilio.com"
    assert cfg.operation_timeout == 900.0


def test_missing_credentials_message_lists_stack_config_and_environment() -> None:
    problem = config.current().credentials_problem()
    assert problem is not None
    for needle in (
        "twilio-memory:apiKey",
        "twilio-memory:apiSecret",
        "--secret",
        "twilio-memory:accountSid",
        "twilio-memory:authToken",
        "TWILIO_API_KEY",
        "TWILIO_API_SECRET",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
    ):
        assert needle in problem
    with pytest.raises(ConfigurationError) as info:
        config.current().credentials()
    assert str(info.value) == problem


def test_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-abc")
    monkeypatch.setenv("TWILIO_MEMORY_BASE_URL", "http://127.0.0.1:4010/")
    monkeypatch.setenv("TWILIO_MEMORY_OPERATION_TIMEOUT", "2.5")
    cfg = config.current()
    creds = cfg.credentials()
    assert (creds.username, creds.password) == ("AC123", "token-abc")
    assert cfg.memory_base_url == "http://127.0.0.1:4010"
    assert cfg.operation_timeout == 2.5


def test_api_key_is_preferred_over_the_auth_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-abc")
    config.configure(stack(apiKey="SK1", apiSecret="key-secret"))
    assert config.current().credentials().username == "SK1"


def test_stack_config_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_API_KEY", "SKenv")
    monkeypatch.setenv("TWILIO_API_SECRET", "env-secret")
    monkeypatch.setenv("TWILIO_CONVERSATIONS_BASE_URL", "http://env:1")
    config.configure(stack(apiKey="SKstack", apiSecret="stack-secret", memoryBaseUrl="http://localhost:9"))
    cfg = config.current()
    assert cfg.credentials().username == "SKstack" and cfg.credentials().password == "stack-secret"
    assert cfg.memory_base_url == "http://localhost:9"
    assert cfg.conversations_base_url == "http://env:1"  # not in stack config: env fallback


def test_configure_reads_only_its_namespace_and_accepts_a_plain_mapping() -> None:
    config.configure(
        {"other:apiKey": "SKother", "twilio-memory:apiKey": "SKmine", "twilio-memory:apiSecret": "s3cret"}
    )
    assert config.current().credentials().username == "SKmine"


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"apiKey": "SK1"}, "twilio-memory:apiSecret"),
        ({"apiSecret": "secret-value"}, "twilio-memory:apiKey"),
        ({"accountSid": "AC1"}, "twilio-memory:authToken"),
        ({"authToken": "token-value"}, "twilio-memory:accountSid"),
    ],
)
def test_half_configured_credentials_name_the_missing_half(values: dict[str, str], needle: str) -> None:
    config.configure(stack(**values))
    problem = config.current().credentials_problem()
    assert problem is not None and needle in problem
    for secret in ("secret-value", "token-value"):
        assert secret not in problem


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"memoryBaseUrl": "memory.twilio.com"}, "twilio-memory:memoryBaseUrl"),
        ({"conversationsBaseUrl": "ftp://x"}, "twilio-memory:conversationsBaseUrl"),
        ({"operationTimeout": "soon"}, "twilio-memory:operationTimeout"),
        ({"operationTimeout": "-5"}, "positive number"),
        ({"operationTimeout": "inf"}, "positive number"),
        (
            {"memoryBaseUrl": "http://127.0.0.1:8787/v1"},
            "scheme and host only, such as http://127.0.0.1:8787",
        ),
        ({"conversationsBaseUrl": "https://conversations.twilio.com/v2/"}, "adds the API paths"),
        ({"memoryBaseUrl": "https://memory.twilio.com?x=1"}, "twilio-memory:memoryBaseUrl"),
    ],
)
def test_malformed_settings_fail_with_the_key_name(values: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        config.configure(stack(**values))
    assert needle in str(info.value)


def test_malformed_environment_is_reported_by_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_MEMORY_OPERATION_TIMEOUT", "0")
    with pytest.raises(ConfigurationError, match="TWILIO_MEMORY_OPERATION_TIMEOUT"):
        config.current()


def test_repr_hides_secrets() -> None:
    config.configure(
        stack(apiKey="SK1", apiSecret="very-secret-1", accountSid="AC1", authToken="very-secret-2")
    )
    cfg = config.current()
    text = repr(cfg) + repr(cfg.credentials())
    assert "very-secret-1" not in text and "very-secret-2" not in text and "SK1" in text


def test_reset_forgets_the_stack_config() -> None:
    config.configure(stack(apiKey="SK1", apiSecret="s3cret"))
    config.reset()
    assert config.current().api_key is None


def test_concurrent_readers_see_a_whole_configuration() -> None:
    """The host runs 4 worker threads: a reader never sees half of a configure()."""
    seen: set[tuple[str | None, str | None]] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            cfg = config.current()
            seen.add((cfg.api_key, cfg.api_secret))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(200):
        config.configure(stack(apiKey=f"SK{i % 2}", apiSecret=f"secret{i % 2}"))
    stop.set()
    for t in threads:
        t.join()
    assert seen <= {(None, None), ("SK0", "secret0"), ("SK1", "secret1")}
