#!/bin/sh
# Debian packages the test suite uses, installed only where missing (a new CI
# machine has nothing installed by hand). As root it installs them with
# apt-get; otherwise it names what is missing and the tests that need it skip
# with a reason (under CI=true such a skip fails the run instead: see
# tests/conftest.py).
#   postgresql-15       initdb/pg_ctl for the throwaway PostgreSQL cluster of the registry tests
#   poppler-utils       pdftotext, to read back the PDF reports
#   desktop-file-utils, appstream  desktop-file-validate, appstreamcli: the desktop metadata
#   nsis                makensis, compiles the Windows installer script
#   man-db              man, renders the man page to check it
set -eu
PACKAGES="postgresql-15 poppler-utils desktop-file-utils appstream nsis man-db"

command -v dpkg-query >/dev/null 2>&1 || exit 0   # not Debian: tests say what they miss
missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "note: the tests that need these Debian packages will skip:$missing" >&2
    exit 0
fi
echo "installing test packages:$missing"
apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"
}
apt_get update -qq
# No service start inside the install (CI has no init system; the tests start their own cluster).
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy" && made_policy=1
fi
apt_get install -y -qq --no-install-recommends $missing
[ -n "$made_policy" ] && rm -f "$policy"
exit 0
