#!/bin/sh
# Install what `make dist` needs on Debian/Ubuntu, only what is missing.
# As root it installs with apt-get; otherwise it prints the command and fails.
#   binutils            strip and readelf (bundle trimming)
#   patchelf            removes the build machine's library search paths (.deb)
#   dpkg-dev            dpkg-parsechangelog (the .deb's changelog test)
#   desktop-file-utils  desktop-file-validate;  appstream  appstreamcli validate
#   libxcb-*, libxkbcommon-x11-0: what Qt's xcb plugin links to, so PyInstaller
#     bundles them (a bundle built without them fails to start under X11)
#   libwayland-*: taken from the host by design; the .deb depends on them
set -eu
PACKAGES="binutils patchelf dpkg-dev desktop-file-utils appstream libxcb-icccm4 libxcb-keysyms1
libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0
libxcb-xkb1 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 libxkbcommon-x11-0
libwayland-client0 libwayland-cursor0 libwayland-egl1"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "make dist builds a .deb and needs Debian or Ubuntu (dpkg not found)" >&2
    exit 1
fi
missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    echo "installing build packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
else
    echo "make dist needs these packages:$missing" >&2
    echo "install them with:  sudo apt-get install$missing" >&2
    exit 1
fi
