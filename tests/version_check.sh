#!/bin/sh
# `<binary> --version` prints exactly one line, "<name> <version> (git <commit>)", and exits 0.
#   usage: version_check.sh <binary> <name> <version>
out=$("$1" --version) || { echo "$1 --version exited $?"; exit 1; }
echo "$out"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || { echo "more than one line"; exit 1; }
printf '%s\n' "$out" | grep -Eq "^$2 $3 [(]git ([0-9a-f]{12}(-dirty)?|unknown)[)]\$" ||
  { echo "not '<name> <version> (git <commit>)'"; exit 1; }
