#!/bin/sh
# Starts Alertmanager with monitoring/alertmanager.yml on 127.0.0.1:9093, its secrets taken from
# the environment and written to files only this user can read (Alertmanager reads secrets from
# files, it does not expand environment variables in its configuration).
#
#   PAGERDUTY_ROUTING_KEY=...  SURGE_ALERT_WEBHOOK_TOKEN=...  monitoring/run-alertmanager.sh
#
# SURGE_ALERTMANAGER_DIR: where the config copy, secrets and state go
#   (default: $XDG_RUNTIME_DIR/surge-alertmanager, else ~/.local/state/surge-alertmanager).
# Extra arguments are passed to Alertmanager.
set -eu

: "${PAGERDUTY_ROUTING_KEY:?set PAGERDUTY_ROUTING_KEY to the PagerDuty Events API v2 integration key}"
: "${SURGE_ALERT_WEBHOOK_TOKEN:?set SURGE_ALERT_WEBHOOK_TOKEN to the token the app accepts at /api/alerts/webhook}"

here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${XDG_RUNTIME_DIR:-}" ]; then default_dir="$XDG_RUNTIME_DIR/surge-alertmanager"; else default_dir="$HOME/.local/state/surge-alertmanager"; fi
run_dir=${SURGE_ALERTMANAGER_DIR:-$default_dir}

umask 077
mkdir -p "$run_dir/secrets" "$run_dir/data"
printf '%s' "$PAGERDUTY_ROUTING_KEY" > "$run_dir/secrets/pagerduty_routing_key"
printf '%s' "$SURGE_ALERT_WEBHOOK_TOKEN" > "$run_dir/secrets/alert_webhook_token"
cp "$here/alertmanager.yml" "$run_dir/alertmanager.yml"

# Debian names the binary prometheus-alertmanager; upstream builds call it alertmanager
bin=$(command -v alertmanager || command -v prometheus-alertmanager || true)
if [ -z "$bin" ]; then echo "alertmanager not found (Debian: apt-get install prometheus-alertmanager)" >&2; exit 1; fi

# the secret paths in the config are relative: run from the folder that holds them
cd "$run_dir"
exec "$bin" --config.file=alertmanager.yml --storage.path=data \
  --web.listen-address=127.0.0.1:9093 --cluster.listen-address= "$@"
