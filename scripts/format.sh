#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# scripts/format.sh: the repo's .clang-format over every C and C++ source
# the repository holds (git ls-files; without git, every such file under
# the tree but build folders).
#
#   scripts/format.sh          formats them in place (make format)
#   scripts/format.sh --check  changes nothing; lists each file that is not
#                              formatted and exits 1 (make test runs it)
set -eu
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = "--check" ] && check=1
if ! command -v clang-format >/dev/null 2>&1; then
  echo "format: clang-format is missing (Debian: apt-get install clang-format)" >&2
  exit 2
fi
list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [ -d .git ] && command -v git >/dev/null 2>&1; then
  git ls-files -- '*.c' '*.h' '*.cc' '*.cpp' >"$list"
else
  find . -path './build*' -prune -o -path './.git' -prune -o \
    \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.cpp' \) \
    -type f -print | sed 's|^\./||' | sort >"$list"
fi
if [ "$check" -eq 0 ]; then
  xargs clang-format -i <"$list"
  exit 0
fi
bad=0
while IFS= read -r f; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format: $f is not formatted (make format fixes it)"
    bad=1
  fi
done <"$list"
exit "$bad"
