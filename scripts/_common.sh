# Shared by scripts/demo and scripts/test: a project virtualenv with everything installed.
# Sourced, not run. Idempotent: reinstalls only when pyproject.toml changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PULUMI_TWILIO_MEMORY_VENV:-$ROOT/.venv}"
PYTHON_BIN="${PYTHON:-python3}"

log() { printf '==> %s\n' "$*" >&2; }

# pytest-xdist workers for scripts/test and scripts/sdk-matrix ($PYTEST_WORKERS overrides; 0 runs
# in this process). More workers than cores: most tests wait on the emulator's realistic delays and
# on process start (the CLI, language host, provider hosts), not on the CPU.
pytest_workers() { printf '%s' "${PYTEST_WORKERS:-6}"; }

# The Pulumi CLI and SDK version this repository builds, installs and tests with.
pulumi_version() { tr -d '[:space:]' < "$ROOT/scripts/pulumi-version"; }

ensure_venv() {
  if ! "$PYTHON_BIN" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: Python >= 3.11 is required ($PYTHON_BIN is $("$PYTHON_BIN" --version 2>&1))" >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv $VENV"
    "$PYTHON_BIN" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/pulumi-version" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    log "installing pulumi-twilio-memory[dev] into $VENV (Pulumi SDK $(pulumi_version))"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    # The package accepts a range of SDKs; this repository develops against the CLI's version.
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT[dev]" "pulumi==$(pulumi_version)"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
}

ensure_pulumi() {
  log "ensuring the pulumi CLI (scripts/install-pulumi)"
  local dir
  dir="$("$ROOT/scripts/install-pulumi" | tail -n 1)"
  export PATH="$dir:$PATH"
  export PULUMI_CLI_DIR="$dir"
}

# Offline, self-contained Pulumi: file backend, passphrase secrets, no update checks or plugin downloads.
pulumi_offline_env() {
  local home="$1"
  mkdir -p "$home/state" "$home/pulumi-home"
  export PULUMI_HOME="$home/pulumi-home"
  export PULUMI_BACKEND_URL="file://$home/state"
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-demo-passphrase}"
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
}
