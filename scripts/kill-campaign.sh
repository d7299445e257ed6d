#!/usr/bin/env bash
# Kill campaign against real servers (Dovecot + the SMTP harness, started by the test itself):
# N runs of the built CLI (default 12), each killed with SIGKILL at moments drawn from its whole
# life and resumed until it ends; prints, per run and in total, pings delivered twice, lost and
# uncertain, answers lost, doubled and mistimed, reports present and locks left.
#   scripts/kill-campaign.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
ROLLCALL_KILL_RUNS="${1:-12}" npx vitest run test/faults/kill-campaign.test.ts
