"""The native face: the resource core served as the ``twilio-memory`` Pulumi provider, usable from
every Pulumi language (YAML, TypeScript, Go, C#, Java, Python).

``pulumi-resource-twilio-memory`` (installed with the package) is the plugin executable;
:mod:`.schema` is its package schema. Nothing here is imported by the dynamic face.
"""
