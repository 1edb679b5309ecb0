"""The native face's names: the schema's camelCase and the core's snake_case, converted by the
core's own models so map keys (trait names, channels) stay as the user wrote them."""

from __future__ import annotations

from pulumi_twilio_memory.native.spelling import camel_path, to_core, to_engine
from pulumi_twilio_memory.resources.conversation_configuration import ConversationConfigurationInputs
from pulumi_twilio_memory.resources.data_mapping import DataMappingInputs
from pulumi_twilio_memory.resources.trait_group import TraitGroupInputs

TRAITS = {
    "loyalty_tier": {"data_type": "STRING", "validation_rule": {"rule_type": "STRING", "min_length": 1}},
}


def test_object_fields_are_renamed_and_map_keys_are_not() -> None:
    engine = to_engine(TraitGroupInputs, {"store_id": "s", "traits": TRAITS, "version": 3, "__binding": {}})
    assert engine == {
        "storeId": "s",
        "traits": {
            "loyalty_tier": {"dataType": "STRING", "validationRule": {"ruleType": "STRING", "minLength": 1}}
        },
        "version": 3,
        "__binding": {},
    }
    assert to_core(TraitGroupInputs, engine) == {
        "store_id": "s",
        "traits": TRAITS,
        "version": 3,
        "__binding": {},
    }


def test_aliases_that_are_python_keywords_and_lists_of_objects() -> None:
    core = {"channel_settings": {"CHAT": {"capture_rules": [{"from_": "a", "to": "b"}]}}}
    engine = to_engine(ConversationConfigurationInputs, core)
    assert engine == {"channelSettings": {"CHAT": {"captureRules": [{"from": "a", "to": "b"}]}}}
    assert to_core(ConversationConfigurationInputs, engine) == core


def test_keys_the_model_does_not_know_pass_through_for_check_to_name() -> None:
    assert to_core(DataMappingInputs, {"mappingFrom": {"typo": 1}}) == {"mapping_from": {"typo": 1}}


def test_check_failure_paths_in_the_schemas_spelling() -> None:
    assert camel_path(TraitGroupInputs, "traits.loyalty_tier.data_type") == "traits.loyalty_tier.dataType"
    assert camel_path(TraitGroupInputs, "display_name") == "displayName"
    assert (
        camel_path(DataMappingInputs, "mapping_to.mappings[0].trait_name")
        == "mappingTo.mappings[0].traitName"
    )
    assert camel_path(TraitGroupInputs, "") == ""
