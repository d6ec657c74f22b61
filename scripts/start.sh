#!/usr/bin/env bash
# The Run command (README): installs what is missing, starts pcscd, then the demo:
#   - the sync-server on its embedded default (SQLite + files in .data/server), seeded with demo data;
#   - the virtual card-holder box simulator with the demo cards (page + `npm run card -- insert …`);
#   - the kiosk: Electron where a binary exists, otherwise the browser host (it opens Chromium itself
#     in kiosk mode when a display exists, with a fake camera showing a demo RIB; else a one-time address).
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
npm run -s build

export FAC_SEED="${FAC_SEED:-assets/seed/demo.json}"
export FAC_SERVER_PORT="${FAC_SERVER_PORT:-7390}"
export FAC_SYNC_URL="${FAC_SYNC_URL:-http://127.0.0.1:${FAC_SERVER_PORT}}"
export FAC_STAFF_TOKEN="${FAC_STAFF_TOKEN:-demo-staff-token-change-me}"
export FAC_MODE=demo
export FAC_BOX="${FAC_BOX:-tcp://127.0.0.1:7392}"
mkdir -p .data/media
# the platform CA (created once, in the issuance station's folder .data/issuance/ca), the server's
# revocation-signing key (renewed before it ends) and the demo cards, issued over PC/SC like an issuing
# station does; the server's folder holds no CA key
npx tsx scripts/demo-cards.ts
export FAC_CA_CERT="${FAC_CA_CERT:-$PWD/.data/server/ca/ca.cert.pem}"
[ -f .data/media/demo-rib.y4m ] || npx tsx tests/fixtures/make-demo-media.ts .data/media
export FAC_FAKE_CAMERA_Y4M="${FAC_FAKE_CAMERA_Y4M:-$PWD/.data/media/demo-rib.y4m}"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

npx tsx sync-server/src/edge/main.ts &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:${FAC_SERVER_PORT}/health" >/dev/null 2>&1 && break
  sleep 0.2
done

npx tsx drivers/vcard/cli.ts simulator &
pids+=($!)

# first start: the demo kiosk is linked to the server with a one-time code (what staff do by hand)
code="$(npx tsx scripts/demo-enroll.ts)"
if [ -n "$code" ]; then
  export FAC_ENROLLMENT_CODE="$code"
  echo "Demo kiosk: enrolling with the one-time code ${code}."
fi

electron_bin="${ELECTRON_OVERRIDE_DIST_PATH:+$ELECTRON_OVERRIDE_DIST_PATH/electron}"
[ -n "$electron_bin" ] || electron_bin="node_modules/electron/dist/electron"
if [ -x "$electron_bin" ]; then
  npx tsx scripts/build.ts --electron
  "$electron_bin" kiosk/main/dist/main.mjs &
else
  echo "No Electron binary here (it cannot be downloaded on this machine): using the browser host."
  npx tsx kiosk/host/main.ts &
fi
pids+=($!)

cat <<INFO

Facilitateur demo is starting.
  sync-server        http://127.0.0.1:${FAC_SERVER_PORT}   (staff token: ${FAC_STAFF_TOKEN})
  box simulator      http://127.0.0.1:7391   (insert / remove the demo cards, LED, latch, button)
  cards from the CLI npm run card -- insert Camille [--slot 1]   |   npm run card -- remove [--slot 1] [--force]
                     npm run card -- box   (LED and latch)   |   npm run card -- button
  demo PINs          in assets/seed/demo.json
INFO
wait -n "${pids[@]}"
