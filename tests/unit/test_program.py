"""The root tenant-onboarding program: its stack files, the tenant document's rules, and the program
itself run under Pulumi's mock runtime with each stack's real configuration."""

from __future__ import annotations

import copy
import json
import os
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from _tenant_mocks import mocked, run
from pulumi_twilio_memory.components.fleet import resolve_fleet, run_fleet_program
from pulumi_twilio_memory.components.tenant import TenantConfigurationError

ROOT = Path(__file__).resolve().parents[2]
PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]


def stack_config(stack: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"])


def document(stack: str) -> dict[str, Any]:
    prefix = f"{PROJECT}:"
    return {k[len(prefix) :]: v for k, v in stack_config(stack).items() if k.startswith(prefix)}


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(TenantConfigurationError) as info:
        resolve_fleet(raw)
    return info.value.problems


# -- the stack files -------------------------------------------------------------------------------


def test_root_project_runs_python_from_the_repository_virtualenv() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    # The program beside Pulumi.yaml: the dynamic-provider shim resolves `.venv` against the
    # program's directory, so a `main:` elsewhere would need a link there (a fresh clone lacks it).
    assert "main" not in project and (ROOT / "__main__.py").is_file()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_hold_no_credentials(stack: str) -> None:
    text = (ROOT / f"Pulumi.{stack}.yaml").read_text()
    for key in ("authToken", "apiSecret", "apiKey", "accountSid", "emulator-auth-token", "secure:"):
        assert key not in text


def test_dev_and_prod_differ_in_names_timeouts_and_channels() -> None:
    dev = {t.name: t for t in resolve_fleet(document("dev"))}
    prod = {t.name: t for t in resolve_fleet(document("prod"))}
    assert set(dev) == {"acme", "globex", "initech"}
    assert set(prod) == {"acme", "globex", "initech", "umbrella"}
    assert dev["acme"].display_name == "dev-acme" and prod["acme"].display_name == "acme"
    dev_conv, prod_conv = dev["globex"].conversation, prod["globex"].conversation
    assert isinstance(dev_conv, dict) and isinstance(prod_conv, dict)
    assert set(dev_conv["channel_settings"]) == {"CHAT"}
    assert set(prod_conv["channel_settings"]) == {"SMS", "WHATSAPP", "VOICE", "CHAT"}
    assert dev_conv["channel_settings"]["CHAT"]["status_timeouts"] == {"inactive": 5, "closed": 30}
    assert prod_conv["channel_settings"]["CHAT"]["status_timeouts"] == {"inactive": 15, "closed": 720}
    assert stack_config("dev")["twilio-memory:operationTimeout"] == "120"
    assert stack_config("prod")["twilio-memory:operationTimeout"] == "900"
    # one account holds both in the demo: their budgets add up to Twilio's 15
    assert int(document("dev")["maxStores"]) + int(document("prod")["maxStores"]) == 15


def test_templates_and_per_tenant_extras_combine() -> None:
    acme = {t.name: t for t in resolve_fleet(document("dev"))}["acme"]
    assert set(acme.trait_groups) == {"Preferences", "Orders", "Warranty"}
    prefs = acme.trait_groups["Preferences"]["traits"]
    assert set(prefs) == {"tier", "language", "marketingOptIn", "seatCount"}  # template + extra trait
    assert prefs["seatCount"] == {
        "data_type": "NUMBER",
        "validation_rule": {"rule_type": "NUMBER", "min": 1.0},
    }
    globex = {t.name: t for t in resolve_fleet(document("dev"))}["globex"]
    assert set(globex.trait_groups) == {"Preferences"}  # defaults.templates only


def test_a_tenant_section_replaces_or_merges_over_the_defaults() -> None:
    prod = {t.name: t for t in resolve_fleet(document("prod"))}
    umbrella = prod["umbrella"].conversation
    assert isinstance(umbrella, dict)
    assert set(umbrella["channel_settings"]) == {"SMS", "VOICE"}  # replaced key
    assert umbrella["memory_extraction_enabled"] is True  # merged from defaults
    assert prod["initech"].identity_resolution == {
        "identifier_configs": [
            {"id_type": "email", "matching_algo": "exact", "normalization": "email", "limit": 5},
            {"id_type": "phone", "matching_algo": "exact", "normalization": "phone", "limit": 3},
        ],
        "matching_rules": ["email", "phone"],
    }
    dev = {t.name: t for t in resolve_fleet(document("dev"))}
    assert dev["initech"].conversation is False
    assert dev["acme"].identity_resolution is None  # None = TenantMemory's defaults


# -- rules that fail the preview -------------------------------------------------------------------


def test_more_tenants_than_the_account_holds_is_one_clear_error() -> None:
    raw = {"tenants": [{"name": f"tenant-{i}"} for i in range(16)]}
    problems = problems_of(raw)
    assert len(problems) == 1
    assert "16 tenants need 16 memory stores" in problems[0]
    assert "at most 15" in problems[0] and "examples/multi-account" in problems[0]
    assert len(resolve_fleet({"tenants": raw["tenants"][:15]})) == 15


def test_max_stores_lowers_the_budget_of_a_stack() -> None:
    raw = {"maxStores": 2, "tenants": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    assert "at most 2 (maxStores" in problems_of(raw)[0]
    assert any("maxStores" in p for p in problems_of({"maxStores": 16, "tenants": []}))


def test_two_tenants_with_one_name_collide() -> None:
    problems = problems_of({"tenants": [{"name": "acme"}, {"name": "globex"}, {"name": "acme"}]})
    assert problems == [
        "tenants[2]: name 'acme' is already used by tenants[0] (acme); it must be unique in the account "
        "(compared case-insensitively)"
    ]


def test_display_names_collide_even_when_tenant_names_differ() -> None:
    raw = {
        "namePrefix": "dev-",
        "tenants": [{"name": "acme"}, {"name": "acme2", "displayName": "DEV-ACME"}],
    }
    (problem,) = problems_of(raw)
    assert problem.startswith("tenants[1]: store displayName 'DEV-ACME' is already used by tenants[0]")
    conv = {"tenants": [{"name": "a"}, {"name": "b", "conversation": {"displayName": "a"}}]}
    (problem,) = problems_of(conv)
    assert "conversation displayName 'a'" in problem


def test_every_problem_in_the_document_is_reported_together() -> None:
    raw = copy.deepcopy(document("dev"))
    raw["tenants"] += [
        {"name": "Bad_Name"},
        {"name": "x", "templates": ["Nope"], "traitGroups": {"Contact": {}}},
        {
            "name": "y",
            "identityResolution": {"identifierConfigs": [{"idType": "email"}], "matchingRules": ["sms"]},
            "conversation": {"channelSettings": {"FAX": {}}},
        },
        {"name": "globex"},
    ]
    problems = problems_of(raw)
    text = "\n".join(problems)
    assert "tenants[3].name: 'Bad_Name' is not a tenant name" in text
    assert "tenants[4].templates: unknown trait group template 'Nope'" in text
    assert "tenants[4].traitGroups.Contact:" in text
    assert "tenants[5].identityResolution.matchingRules: 'sms' is not a configured idType" in text
    assert "tenants[5].conversation.channelSettings.FAX:" in text
    assert "tenants[6]: name 'globex' is already used by tenants[1]" in text
    assert "at most 5 (maxStores" in text  # 7 tenants in a stack allowed 5


def test_error_paths_use_the_configs_camel_case_and_keep_user_keys() -> None:
    raw = {
        "traitGroupTemplates": {"Prefs": {"traits": {"my_trait": {"dataType": "TEXT"}}}},
        "tenants": [{"name": "a", "templates": ["Prefs"]}],
    }
    (problem,) = problems_of(raw)
    assert problem.startswith("traitGroupTemplates.Prefs.traits.my_trait.dataType: Input should be")


def test_a_missing_tenants_key_is_an_error_not_an_empty_stack() -> None:
    (problem,) = problems_of({"namePrefix": "dev-"})
    assert problem.startswith("tenants: is required")
    assert resolve_fleet({"tenants": []}) == []


def test_unknown_keys_are_rejected() -> None:
    problems = problems_of({"tenants": [{"name": "a", "displayname": "x"}], "nameprefix": "x"})
    assert "nameprefix: unknown field: not accepted here" in problems
    assert "tenants[0].displayname: unknown field: not accepted here" in problems


# -- the program under mocks --------------------------------------------------------------------------


def config_for(stack: str) -> dict[str, Any]:
    return {k: v for k, v in stack_config(stack).items() if k.startswith(f"{PROJECT}:")}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_program_registers_every_tenant_and_exports_the_store_map(stack: str) -> None:
    exported: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        deployed = run_fleet_program()
        ids = {name: t.store_id for name, t in deployed.items()}
        return pulumi.Output.from_input(ids).apply(exported.update)

    with mocked(project=PROJECT, stack=stack, config=config_for(stack)) as rec:
        run(program)
    names = {t.name for t in resolve_fleet(document(stack))}
    assert {r.name for r in rec.of_kind("TenantMemory")} == names
    stores = {r.name: r for r in rec.of_kind("Store")}
    assert exported == {name: stores[name].id for name in names}
    prefix = "dev-" if stack == "dev" else ""
    assert {r.inputs["display_name"] for r in stores.values()} == {prefix + n for n in names}


def test_program_file_runs_and_fails_preview_on_a_collision() -> None:
    config = config_for("dev")
    with mocked(project=PROJECT, stack="dev", config=config) as rec:
        run(lambda: runpy.run_path(str(ROOT / "__main__.py")) and None)
    assert len(rec.of_kind("TenantMemory")) == 3

    tenants = [*stack_config("dev")[f"{PROJECT}:tenants"], {"name": "acme"}]
    with mocked(project=PROJECT, stack="dev", config={**config, f"{PROJECT}:tenants": tenants}) as rec:
        with pytest.raises(TenantConfigurationError) as info:
            runpy.run_path(str(ROOT / "__main__.py"))
        assert rec.registrations == []  # nothing registered: preview stops before any resource
    assert str(info.value).startswith("Configuration of stack 'dev' has 1 problem:")


def test_program_rejects_a_misspelt_config_key() -> None:
    config = {**config_for("dev"), f"{PROJECT}:tenant": json.dumps([])}
    with mocked(project=PROJECT, stack="dev", config=config), pytest.raises(TenantConfigurationError) as info:
        run_fleet_program()
    assert f"{PROJECT}:tenant: unknown key" in str(info.value)


@pytest.mark.parametrize(
    "project", sorted(p.parent for p in (ROOT / "examples").glob("*/Pulumi.yaml")), ids=lambda p: p.name
)
def test_example_projects_are_valid_and_use_the_repository_virtualenv(project: Path) -> None:
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    assert settings["name"] == project.name
    assert settings["runtime"]["name"] == "python"
    venv = (project / settings["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (ROOT / ".venv").resolve()
    assert (project / "__main__.py").is_file()
    for stack_file in project.glob("Pulumi.*.yaml"):
        document = yaml.safe_load(stack_file.read_text())
        assert "encryptionsalt" not in document
        keys = set(document.get("config") or {})
        assert not keys & {"twilio-memory:authToken", "twilio-memory:apiSecret", "twilio-memory:apiKey"}


# -- the provider host pool ------------------------------------------------------------------------


def _pool_hosts(tenants: int, **document_extra: Any) -> list[str]:
    """Names of the explicit provider hosts the program registers for ``tenants`` tenants."""
    config = {
        f"{PROJECT}:tenants": [{"name": f"t{i:02d}"} for i in range(tenants)],
        **{f"{PROJECT}:{k}": v for k, v in document_extra.items()},
    }
    with mocked(project=PROJECT, stack="pool", config=config) as rec:
        run(run_fleet_program)
    return sorted(r.name for r in rec.registrations if r.type == "pulumi:providers:pulumi-python")


def test_the_pool_grows_with_the_tenants_and_one_tenant_uses_the_default_provider() -> None:
    assert _pool_hosts(1) == []  # host 0 is the default provider: one tenant changes nothing
    assert _pool_hosts(4) == []
    assert _pool_hosts(5) == ["twilio-memory-host-1"]
    assert _pool_hosts(15) == [f"twilio-memory-host-{i}" for i in range(1, 4)]  # 4 hosts at most
    assert _pool_hosts(4, providerHosts=1) == []
    assert _pool_hosts(4, providerHosts=3) == ["twilio-memory-host-1", "twilio-memory-host-2"]


def test_provider_hosts_out_of_range_names_the_key_and_the_range() -> None:
    problems = problems_of({"tenants": [], "providerHosts": 0})
    assert any(p.startswith("providerHosts:") and "1" in p for p in problems), problems
    problems = problems_of({"tenants": [], "providerHosts": 33})
    assert any(p.startswith("providerHosts:") and "32" in p for p in problems), problems


def test_host_pool_spreads_sorted_keys_round_robin() -> None:
    from pulumi_twilio_memory import HostPool
    from pulumi_twilio_memory.hosts import hosts_for

    with mocked(project=PROJECT, stack="pool"):
        pool = HostPool(size=3)
        spread = pool.spread(["c", "a", "b", "d"])
        names = {key: None if host is None else host._name for key, host in spread.items()}
    assert names == {"a": None, "b": "twilio-memory-host-1", "c": "twilio-memory-host-2", "d": None}
    assert pool.parallel == max(12, 4 * (os.cpu_count() or 1))
    assert [hosts_for(n) for n in (0, 1, 4, 5, 8, 15, 45)] == [1, 1, 1, 2, 2, 4, 4]
    with pytest.raises(ValueError, match=r"1\.\.32"):
        HostPool(size=0)


def test_a_document_under_another_projects_namespace_says_where_it_belongs() -> None:
    config = {"tenant-onboarding:tenants": [{"name": "acme"}], "tenant-onboarding:namePrefix": "x-"}
    with (
        mocked(project="my-tenants", stack="dev", config=config),
        pytest.raises(TenantConfigurationError) as info,
    ):
        run(run_fleet_program)
    (problem,) = info.value.problems
    assert "'my-tenants:'" in problem and "tenant-onboarding:tenants" in problem
    assert "my-tenants:tenants" in problem


def test_data_mappings_of_a_tenant_are_resolved_and_checked_in_camel_case() -> None:
    raw = {
        "traitGroupTemplates": {"Prefs": {"traits": {"tier": {"dataType": "STRING"}}}},
        "tenants": [
            {
                "name": "a",
                "templates": ["Prefs"],
                "dataMappings": {
                    "crm-import": {
                        "mappingFrom": {"type": "INGRESS", "columns": ["tier"]},
                        "mappingTo": [{"expression": "$.tier", "traitGroup": "Prefs", "traitName": "tier"}],
                        "isEnabled": False,
                    }
                },
            }
        ],
    }
    (tenant,) = resolve_fleet(raw)
    assert tenant.data_mappings["crm-import"]["is_enabled"] is False
    assert json.loads(tenant.to_json())["data_mappings"]["crm-import"]["mapping_from"]["type"] == "INGRESS"
    mappings = raw["tenants"][0]["dataMappings"]
    mappings["crm-import"]["mappingFrom"] = {"type": "DATASET_WAREHOUSE", "datasetId": "ds1"}
    (problem,) = problems_of(raw)
    assert problem.startswith("tenants[0].dataMappings.crm-import.mappingFrom.datasetId: String should match")
    mappings["bad"] = {"mappingFrom": {"type": "INGRESS", "columns": ["x"]}}
    assert "tenants[0].dataMappings.bad.mappingTo: is required" in problems_of(raw)
