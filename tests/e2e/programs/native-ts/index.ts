// One tenant's Conversation Memory, written against the typed classes of the SDK generated from the
// native provider's schema: a store, its trait group, identity resolution, a data mapping and the
// Conversations configuration that feeds it.
import * as pulumi from "@pulumi/pulumi";
import * as memory from "@pulumi-twilio-memory/native";

const config = new pulumi.Config();
const tenant = config.require("tenant"); // the other keys have defaults in Pulumi.yaml

const store = new memory.Store("store", {
    displayName: tenant,
    description: config.require("storeDescription"),
});

const loyalty = new memory.TraitGroup("loyalty", {
    storeId: store.id,
    displayName: "Loyalty",
    traits: {
        tier: { dataType: "STRING", description: "Loyalty tier" },
        points: { dataType: "NUMBER", validationRule: { ruleType: "NUMBER", min: 0 } },
    },
});

const identity = new memory.IdentityResolutionSettings("identity", {
    storeId: store.id,
    identifierConfigs: [
        { idType: "email", normalization: "email", limit: 5 },
        { idType: "phone", normalization: "phone" },
    ],
    matchingRules: ["email", "phone"],
});

const mapping = new memory.DataMapping("crm", {
    storeId: store.id,
    displayName: "crm-import",
    mappingFrom: { type: "INGRESS", columns: ["tier"] },
    mappingTo: {
        type: "TRAITS",
        mappings: [{ expression: "$.tier", traitGroup: loyalty.displayName, traitName: "tier" }],
    },
});

const conversations = new memory.ConversationConfiguration(
    "conversations",
    {
        memoryStoreId: store.id,
        displayName: `${tenant}-conversations`,
        description: `Conversations of ${tenant}`,
        conversationGroupingType: "GROUP_BY_PARTICIPANT_ADDRESSES",
        channelSettings: {
            CHAT: { statusTimeouts: { inactive: config.requireNumber("inactiveMinutes"), closed: 30 } },
        },
    },
    // Display names are unique: a replacement must delete the old configuration first.
    { deleteBeforeReplace: true },
);

export const storeId = store.id;
export const storeStatus = store.status;
export const groupId = loyalty.id;
export const identityId = identity.id;
export const mappingId = mapping.id;
export const configurationId = conversations.id;
