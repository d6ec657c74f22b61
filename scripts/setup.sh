#!/usr/bin/env bash
# Installs what the project needs on Debian 12 with Node 20, idempotently and fast on a second run:
# Debian packages (pcscd + vpcd, Chromium, tesseract, PostgreSQL, fonts — the many faces are for the
# independent OCR corpus of tests/corpus —, build headers, systemd for the
# unit checks, poppler-utils whose pdftotext reads back the PDFs we make in tests), then the npm
# dependencies (Electron's binary is not downloaded where it cannot be), then checks that the native
# modules really load.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc scdaemon
  chromium fonts-dejavu-core fonts-liberation2
  fonts-noto-core fonts-freefont-ttf fonts-urw-base35 fonts-linuxlibertine fonts-crosextra-carlito
  fonts-crosextra-caladea fonts-cantarell fonts-open-sans fonts-roboto
  tesseract-ocr tesseract-ocr-fra
  postgresql
  libudev-dev libusb-1.0-0-dev
  python3 make g++ iproute2
  systemd
  poppler-utils
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export ELECTRON_SKIP_BINARY_DOWNLOAD=1
stamp=node_modules/.facilitateur-install
want="$(sha256sum package-lock.json | cut -d' ' -f1) $(node -v)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# npm 11 only runs the install scripts allowed in package.json; make sure the native modules load
node -e '
const mods = ["better-sqlite3", "pcsclite", "node-hid", "sharp"];
const bad = [];
for (const m of mods) { try { require(m); } catch (e) { bad.push(m + ": " + e.message.split("\n")[0]); } }
try { new (require("better-sqlite3"))(":memory:").close(); } catch (e) { bad.push("better-sqlite3 open: " + e.message); }
if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
' || {
  echo "setup: rebuilding native modules"
  npm rebuild better-sqlite3 pcsclite node-hid sharp --loglevel=error
  node -e 'for (const m of ["better-sqlite3","pcsclite","node-hid","sharp"]) require(m)'
}
echo "setup: ok"
