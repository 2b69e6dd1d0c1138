#!/usr/bin/env bash
# Installs the Debian packages the test suite drives as real peers (DCMTK, nmap, redis-server, chromium,
# docker-compose for `config` checks, nftables/ipset/iptables for the blackhole, curl, openssl)
# when they are missing. As root it uses apt-get; otherwise it stops and names what to install.
set -euo pipefail
declare -A need=(
  [dcmtk]=/usr/bin/echoscu
  [nmap]=/usr/bin/nmap
  [redis-server]=/usr/bin/redis-server
  [nftables]=/usr/sbin/nft
  [iproute2]=/usr/sbin/ip
  [chromium]=/usr/bin/chromium
  [docker-compose]=/usr/bin/docker-compose
  [curl]=/usr/bin/curl
  [openssl]=/usr/bin/openssl
  [ipset]=/usr/sbin/ipset
  [iptables]=/usr/sbin/iptables
)
missing=()
for pkg in "${!need[@]}"; do
  [ -x "${need[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "The test suite needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages for the tests: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
