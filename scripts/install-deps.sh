#!/usr/bin/env bash
# scripts/install-deps.sh: installs every Debian package parigot needs.
#
# Idempotent and quick: it asks dpkg which packages are missing and only then
# runs apt-get update and apt-get install. Needs root (or sudo) only when
# something is missing.
#
# With --check it installs nothing: it says in one line which packages that
# building parigot needs are missing, and how to install them, and exits 1
# (plain `make` runs it so before configuring). The Rust and AssemblyScript
# toolchains and the tests' peers are not needed to build: without them
# those parts configure away.
set -euo pipefail

packages=(
  make cmake gcc clang lld           # host build, guest compiler and wasm-ld
  clang-format                       # make format, and the check in make test
  wabt                               # wasm2c, wat2wasm, wasm-validate
  wasi-libc libclang-rt-14-dev-wasm32  # C guests for wasm32-wasi
  llvm-14                            # llvm-ar: the C guest SDK's bitcode library
  libc++-dev-wasm32                  # C++ guests: libc++ for wasm32-wasi
  rustc libstd-rust-dev-wasm32       # Rust guests: /usr/bin/rustc, wasm32-wasi
  doxygen                            # make docs: guides and C API
  graphviz                           # make docs: parigot graph --format svg
  python3                            # make docs: docs/tools (site, link check)
  nodejs                             # bench peer: V8 WebAssembly
  npm                                # tools/npm: @bufbuild/protobuf
  protobuf-compiler                  # protoc
  libprotobuf-dev                    # descriptor.proto; C++ protobuf bench peer
  libprotobuf-c-dev                  # protoc-gen-parigot reads its request with protobuf-c
  libprotoc-dev                      # plugin.proto, protoc's request format
  protobuf-c-compiler                # protoc-gen-c: protobuf-c bench peer
  g++                                # C++ protobuf bench peer
  pkg-config                         # finds libprotobuf for that peer
  libclang-rt-14-dev                 # libFuzzer, sanitizers with clang
  libuv1-dev libnghttp2-dev          # wire/: the event loop, HTTP/2
  libhttp-parser-dev                 # wire/: HTTP/1.1 for Connect
  libsqlite3-dev                     # services/db/: the database built-in
  libcrypt-dev                       # auth/: password hashes (libxcrypt crypt_r)
  apache2-utils                      # tests/auth: files real htpasswd -B writes
  python3-grpcio python3-protobuf    # interop tests: a real gRPC client
  nghttp2-client curl                # h2load (bench), curl (interop)
  xxd                                # tests: hex dumps of codec bytes
  debootstrap                        # tests/install: the .deb in a clean root
  libgrpc++-dev protobuf-compiler-grpc  # bench/peers: the gRPC C++ peer
  chromium                           # make test: tests/http/browser.mjs drives it
)

# Not needed to build parigot itself (see --check above).
optional=" rustc libstd-rust-dev-wasm32 nodejs npm python3-grpcio \
python3-protobuf nghttp2-client curl xxd libgrpc++-dev protobuf-compiler-grpc \
libclang-rt-14-dev graphviz debootstrap python3 doxygen clang-format chromium "

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *)
      # A tool present from another source (e.g. a newer node) is enough.
      if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
      if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
      missing+=("$p")
      ;;
  esac
done

if [ "${1:-}" = --check ]; then
  needed=()
  for p in "${missing[@]+"${missing[@]}"}"; do
    case "$optional" in *" $p "*) ;; *) needed+=("$p") ;; esac
  done
  if [ ${#needed[@]} -gt 0 ]; then
    echo "parigot: missing Debian packages: ${needed[*]}; install them with" \
      "'make deps' (scripts/install-deps.sh, as root or with sudo)" >&2
    exit 1
  fi
  exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
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
fi

# npm packages (tests/proto/bufbuild.mjs): tools/npm/package-lock.json pins
# them; npm ci runs only when tools/npm/node_modules is missing or older than
# the lock file, so a second run makes no network access. No browser is ever
# downloaded: playwright-core has no install script and tests/http/browser.mjs
# runs Debian's /usr/bin/chromium; the variables below keep it so should a
# package with a download step ever come in.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
npm_dir="$root/tools/npm"
if [ ! -f "$npm_dir/node_modules/.package-lock.json" ] ||
   [ "$npm_dir/package-lock.json" -nt "$npm_dir/node_modules/.package-lock.json" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm not found, needed for $npm_dir" >&2
    exit 1
  fi
  echo "install-deps: npm ci in tools/npm"
  npm ci --prefix "$npm_dir" --no-audit --no-fund
fi
