#!/usr/bin/env bash
# Drift check for CI: does the live tenant still match the program?
#
#   ./drift-check.sh <stack>
#
# Runs `pulumi preview --refresh --expect-no-changes`: --refresh reads every resource from Twilio
# first, so a change made in the Console (or by any script) shows as a planned update;
# --expect-no-changes turns "changes planned" into a non-zero exit status.
# Exit status: 0 no drift; otherwise Pulumi's (non-zero on drift AND on failures such as bad
# credentials: the log says which). For a per-tenant check that tells them apart (3 = drift),
# use `python -m pulumi_twilio_memory.onboard ... --expect-no-changes` (docs/tenants.md).
set -uo pipefail
stack="${1:?usage: drift-check.sh <stack>}"
pulumi preview --stack "$stack" --refresh --expect-no-changes --diff --non-interactive
status=$?
if [ "$status" -eq 0 ]; then
  echo "drift-check: stack $stack matches the live resources"
else
  echo "drift-check: stack $stack does NOT match (drift or failure, exit $status); see the diff above." >&2
  echo "drift-check: to restore the program's values: pulumi up --refresh --stack $stack" >&2
fi
exit "$status"
