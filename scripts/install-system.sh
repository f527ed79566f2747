#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need, only when one is missing,
# so a second run is a quick no-op. (libicu-dev, pkg-config and g++ build PyICU.)
set -euo pipefail
# nginx, systemd and openssl: the tests check the files in deploy/ with them (nginx -t and a real
# proxied request, systemd-analyze verify); curl: the README's production commands end with it
# (tests/test_production.py runs them); wrk drives bench/web.py.
PKGS="python3-venv postgresql chromium libharfbuzz-subset0 poppler-utils fonts-noto-core fonts-dejavu-core redis-server libmagic1
nginx systemd openssl curl wrk libicu-dev pkg-config g++"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then exit 0; fi
echo "Installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
