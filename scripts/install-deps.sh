#!/usr/bin/env bash
# scripts/install-deps.sh: installs every Debian package parigot needs.
#
# Idempotent and quick: it asks dpkg which packages are missing and only then
# runs apt-get update and apt-get install. Needs root (or sudo) only when
# something is missing.
set -euo pipefail

packages=(
  make cmake gcc clang lld           # host build, guest compiler and wasm-ld
  wabt                               # wasm2c, wat2wasm, wasm-validate
  wasi-libc libclang-rt-14-dev-wasm32  # C guests for wasm32-wasi
  doxygen                            # make docs
  nodejs                             # bench peer: V8 WebAssembly
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *)
      # A tool present from another source (e.g. a newer node) is enough.
      if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
      missing+=("$p")
      ;;
  esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
