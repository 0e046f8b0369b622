#!/bin/sh
# Build "Stewardship Console.app" and a .dmg on macOS (runs on the macos CI runner).
#   packaging/macos/build_app.sh [ORG_CONFIG]
# The spec's BUNDLE step makes the .app (build_bundle.py also makes the .icns).
# The organisation file is not inside the .app: IT installs it (e.g. with an MDM
# profile or a script) at
#   /Library/Application Support/Stewardship Console/organisation.conf
# and the template ships in the .dmg beside the app for that purpose.
# Signing and notarisation (codesign, xcrun notarytool) need the organisation's
# Developer ID and are left to the release pipeline.
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
ORG_CONFIG=${1:-packaging/organisation.conf}
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' src/stewardship/__init__.py)
APP="dist/Stewardship Console.app"

"$PYTHON" packaging/build_bundle.py
test -x "$APP/Contents/MacOS/stewardship"
"$APP/Contents/MacOS/stewardship" --version
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/stewardship" --demo \
    --data-dir build/macos-smoke --screenshot build/macos-smoke/dashboard.png

STAGE=build/dmg
rm -rf "$STAGE" && mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
cp "$ORG_CONFIG" "$STAGE/organisation.conf (for IT).txt"
DMG="dist/StewardshipConsole-$VERSION-macos.dmg"
rm -f "$DMG"
hdiutil create -volname "Stewardship Console $VERSION" -srcfolder "$STAGE" \
    -fs HFS+ -format UDZO -ov "$DMG"
echo "dmg: $DMG $(du -h "$DMG" | cut -f1)"
