#!/usr/bin/env bash
# Starts the services the kiosk needs on this machine: pcscd with Debian's vpcd driver (there is no
# systemd here; on the appliance pcscd is socket-activated). Waits for vpcd on 127.0.0.1:35963.
set -euo pipefail

# vpcd (Debian's virtual reader driver) writes each message in two pieces; with delayed ACKs on loopback
# every APDU then waits ~40 ms. Real USB readers do not have this. Quick ACKs on the loopback route
# remove that artificial delay on test and demo machines (not on the appliance, which has a USB reader).
if command -v ip >/dev/null && [ "$(id -u)" = "0" ] && ! ip route show table local | grep -q "^local 127.0.0.1 .*quickack 1"; then
  ip route replace local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 table local quickack 1 || true
fi

if ! pgrep -x pcscd >/dev/null; then
  /usr/sbin/pcscd
fi
# wait for vpcd to LISTEN (read from /proc: connecting to it would look like a card being inserted)
for _ in $(seq 1 100); do
  if grep -q ':8C7B 00000000:0000 0A' /proc/net/tcp 2>/dev/null; then exit 0; fi
  sleep 0.1
done
echo "services: vpcd is not listening on 127.0.0.1:35963 (is vsmartcard-vpcd installed?)" >&2
exit 1
