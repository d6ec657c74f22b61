#!/usr/bin/env bash
# Starts the services the kiosk needs on this machine: pcscd with Debian's vpcd driver (there is no
# systemd here; on the appliance pcscd is socket-activated). Waits for vpcd on 127.0.0.1:35963.
set -euo pipefail
if ! pgrep -x pcscd >/dev/null; then
  /usr/sbin/pcscd
fi
for _ in $(seq 1 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/35963) 2>/dev/null; then exit 0; fi
  sleep 0.1
done
echo "services: vpcd is not listening on 127.0.0.1:35963 (is vsmartcard-vpcd installed?)" >&2
exit 1
