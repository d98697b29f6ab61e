#!/usr/bin/env bash
# Installs the Debian 12 packages tern builds and runs with. Idempotent: it only calls
# apt-get when a package is missing, so repeated runs cost a dpkg query and nothing else.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git python3
  mosquitto mosquitto-clients libmosquitto-dev   # gateway broker and client library
  libsqlite3-dev sqlite3                         # stores, spool, manifest
  libssl-dev                                     # SHA-256 (EVP), the HTTP API's TLS
  openssl                                        # tests make throwaway certificates with it
  nlohmann-json3-dev                             # control messages, --json output
  libspdlog-dev                                  # logging: levels, sinks, formatting
  libcli11-dev                                   # command-line parsing for every binary
  libzstd-dev                                    # chunk compression
  libcpp-httplib-dev                             # core HTTP API
  libgpiod-dev gpiod                             # GPIO SPI backend (libgpiod 1.6)
  verilator                                      # the control board's RTL model
  doctest-dev                                    # unit and integration tests
  clang libclang-rt-14-dev                       # fuzz targets: clang, libFuzzer, ASan/UBSan runtimes
  procps psmisc                                  # ps/pkill used by the site runner and tests
  faketime                                       # libfaketime: the fault battery's clock jumps
  libncurses-dev                                 # tern-board's live front panel
  tmux                                           # the live panel's test drives a real terminal
  prometheus                                     # promtool: the tests check docs/prometheus/alerts.yml and a real /metrics scrape
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
