"""Same program as the root tenant onboarding; each stack is one Twilio account.

The stack's ``twilio-memory:accountSid`` selects the account; its secret comes from
``TWILIO_AUTH_TOKEN`` in the job that runs the stack (or ``pulumi config set --secret
twilio-memory:authToken``). Each stack holds at most 15 tenants; preview fails before any call if
one would hold more.
"""

from pulumi_twilio_memory.components.fleet import run_fleet_program

run_fleet_program()
