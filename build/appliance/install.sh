#!/bin/bash
# Turns a fresh Debian 12 (bookworm) into a Facilitateur kiosk appliance (build/APPLIANCE.md).
# Idempotent: run it again to apply a newer version of these files; it never formats a disk and never
# overwrites this kiosk's configuration once written.
#
#   sudo build/appliance/install.sh --appimage Facilitateur-1.0.0-x86_64.AppImage \
#        --env kiosk.env --ca ca.cert.pem [--camera 1778:0d06] [--read-only] [--no-packages]
#
# --appimage FILE   the app (first install; later versions come through its own updater)
# --env FILE        this kiosk's configuration (→ /etc/facilitateur/kiosk.env, only if absent)
# --ca FILE         the platform CA certificate (→ /etc/facilitateur/ca.cert.pem, only if absent)
# --camera VID:PID  the document camera's USB id (udev rule with a stable name)
# --read-only       mount the system read-only at next boot (needs the data partition, LABEL=FAC-DATA)
# --no-packages     do not call apt (an image built offline with the packages already in)
# DO NOT run it on a development machine: it takes tty1 over and changes how the system boots.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB=/usr/local/lib/facilitateur
DOC=/usr/local/share/doc/facilitateur
ETC=/etc/facilitateur
KIOSK_USER=kiosk
DATA=/data
MARK_BEGIN='# --- facilitateur: read-only system, writable data'
MARK_END='# --- end facilitateur ---'

APPIMAGE='' ENV_FILE='' CA_FILE='' CAMERA='' READ_ONLY=0 PACKAGES=1

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --appimage) APPIMAGE=${2:?}; shift 2 ;;
    --env) ENV_FILE=${2:?}; shift 2 ;;
    --ca) CA_FILE=${2:?}; shift 2 ;;
    --camera) CAMERA=${2:?}; shift 2 ;;
    --read-only) READ_ONLY=1; shift ;;
    --no-packages) PACKAGES=0; shift ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root"
# shellcheck source=/dev/null
. /etc/os-release
[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] || die "Debian 12 expected, found ${PRETTY_NAME:-unknown}"
[ -z "$APPIMAGE" ] || [ -f "$APPIMAGE" ] || die "no such AppImage: $APPIMAGE"
[ -z "$ENV_FILE" ] || [ -f "$ENV_FILE" ] || die "no such file: $ENV_FILE"
[ -z "$CA_FILE" ] || [ -f "$CA_FILE" ] || die "no such file: $CA_FILE"
if [ -n "$CAMERA" ]; then
  [[ "$CAMERA" =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$ ]] || die "--camera expects VID:PID in hexadecimal, e.g. 1778:0d06"
fi

# 1. packages: the compositor, smart cards (pcscd + CCID), what Electron needs under Wayland, disk encryption
if [ "$PACKAGES" -eq 1 ]; then
  say "packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends \
    cage dbus-user-session systemd-timesyncd udev network-manager \
    pcscd libccid libpcsclite1 libudev1 \
    libgtk-3-0 libnss3 libasound2 libgbm1 libdrm2 libxkbcommon0 libxshmfence1 libsecret-1-0 libatspi2.0-0 \
    fonts-dejavu-core fonts-noto-core \
    cryptsetup libtss2-esys-3.0.2-0 libtss2-rc0
fi

# 2. the kiosk user: home on the data partition, login shell = kiosk-session (no shell for anyone)
say "kiosk user"
getent group "$KIOSK_USER" >/dev/null || groupadd --system "$KIOSK_USER"
if ! id "$KIOSK_USER" >/dev/null 2>&1; then
  useradd --gid "$KIOSK_USER" --groups video,render,input --home-dir "$DATA/home/$KIOSK_USER" --no-create-home \
    --shell "$LIB/kiosk-session" --comment "Facilitateur kiosk" "$KIOSK_USER"
fi
usermod --gid "$KIOSK_USER" --groups video,render,input --home "$DATA/home/$KIOSK_USER" --shell "$LIB/kiosk-session" "$KIOSK_USER"
passwd --lock "$KIOSK_USER" >/dev/null

# 3. the data partition's tree (on the root filesystem until /data is its own partition)
say "data directories"
install -d -m 0755 "$DATA"
install -d -m 0700 -o "$KIOSK_USER" -g "$KIOSK_USER" "$DATA/home/$KIOSK_USER" "$DATA/kiosk" "$DATA/app" "$DATA/config"
install -d -m 0755 "$DATA/log"
install -d -m 2755 -g systemd-journal "$DATA/log/journal" 2>/dev/null || install -d -m 2755 "$DATA/log/journal"
mountpoint -q "$DATA" || echo "    note: $DATA is not a separate partition yet (see APPLIANCE.md, 'Disks')"

# 4. files of the appliance
say "system files"
install -D -m 0755 "$SRC/bin/kiosk-launch" "$LIB/kiosk-launch"
install -D -m 0755 "$SRC/bin/kiosk-session" "$LIB/kiosk-session"
install -D -m 0644 "$SRC/systemd/user/facilitateur-kiosk.service" /etc/systemd/user/facilitateur-kiosk.service
install -D -m 0644 "$SRC/systemd/system/getty@tty1.service.d/autologin.conf" /etc/systemd/system/getty@tty1.service.d/autologin.conf
install -D -m 0644 "$SRC/udev/70-facilitateur-box.rules" /etc/udev/rules.d/70-facilitateur-box.rules
install -D -m 0644 "$SRC/udev/71-facilitateur-camera.rules" /etc/udev/rules.d/71-facilitateur-camera.rules
if [ -n "$CAMERA" ]; then
  vid=$(echo "${CAMERA%%:*}" | tr 'A-F' 'a-f') pid=$(echo "${CAMERA##*:}" | tr 'A-F' 'a-f')
  sed -e "s/@VID@/$vid/g" -e "s/@PID@/$pid/g" "$SRC/udev/72-facilitateur-camera-model.rules.in" >/etc/udev/rules.d/72-facilitateur-camera-model.rules
fi
install -D -m 0644 "$SRC/etc/logind.conf.d/facilitateur.conf" /etc/systemd/logind.conf.d/facilitateur.conf
install -D -m 0644 "$SRC/etc/journald.conf.d/facilitateur.conf" /etc/systemd/journald.conf.d/facilitateur.conf
install -D -m 0644 "$SRC/etc/sysctl.d/60-facilitateur.conf" /etc/sysctl.d/60-facilitateur.conf
install -D -m 0644 "$SRC/etc/security/limits.d/facilitateur.conf" /etc/security/limits.d/facilitateur.conf
install -D -m 0644 "$SRC/../APPLIANCE.md" "$DOC/APPLIANCE.md"
install -d -m 0755 "$ETC"
install -m 0644 "$SRC/etc/facilitateur/kiosk.env.example" "$ETC/kiosk.env.example"
if [ ! -e "$ETC/kiosk.env" ]; then
  if [ -n "$ENV_FILE" ]; then install -m 0640 -g "$KIOSK_USER" "$ENV_FILE" "$ETC/kiosk.env"; else echo "    note: no $ETC/kiosk.env yet (--env)"; fi
fi
[ -e "$ETC/ca.cert.pem" ] || [ -z "$CA_FILE" ] || install -m 0644 "$CA_FILE" "$ETC/ca.cert.pem"

# 5. the app: on the data partition, where its updater can replace it
if [ -n "$APPIMAGE" ]; then
  say "app"
  install -m 0755 -o "$KIOSK_USER" -g "$KIOSK_USER" "$APPIMAGE" "$DATA/app/Facilitateur.AppImage"
fi

# 6. services: pcscd on demand, no Ctrl+Alt+Del reboot, tmpfs /tmp
say "services"
systemctl enable pcscd.socket
systemctl mask ctrl-alt-del.target
if [ -f /usr/share/systemd/tmp.mount ] && [ ! -e /etc/systemd/system/tmp.mount ]; then
  cp /usr/share/systemd/tmp.mount /etc/systemd/system/tmp.mount
fi
systemctl enable tmp.mount 2>/dev/null || true
# live reloads only on a booted system (an image built in a chroot gets them at first boot)
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  udevadm control --reload
  udevadm trigger --subsystem-match=hidraw --subsystem-match=video4linux --subsystem-match=usb
  sysctl --system >/dev/null
fi

# 7. read-only system: fstab block (replaced between its markers), resolv.conf in /run
if [ "$READ_ONLY" -eq 1 ]; then
  say "read-only system"
  blkid -L FAC-DATA >/dev/null || die "--read-only needs the data partition (an ext4 filesystem labelled FAC-DATA)"
  tmp=$(mktemp)
  awk -v b="$MARK_BEGIN" -v e="$MARK_END" 'index($0, b) == 1 { skip = 1 } !skip { print } index($0, e) == 1 { skip = 0 }' /etc/fstab >"$tmp"
  # the root line gets `ro` (once)
  awk '$2 == "/" && $4 !~ /(^|,)ro(,|$)/ { $4 = "ro," $4 } { print }' "$tmp" >"$tmp.2"
  cat "$tmp.2" "$SRC/etc/fstab.facilitateur" >/etc/fstab
  rm -f "$tmp" "$tmp.2"
  ln -sfn /run/NetworkManager/resolv.conf /etc/resolv.conf
  say "the system will be read-only from the next boot"
fi

say "done: reboot to start the kiosk"
