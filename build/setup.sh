#!/usr/bin/env bash
# Installs what Lever needs beyond the .NET SDK, idempotently and quietly; each step is skipped when done.
#   build/setup.sh          what `./lever` needs
#   build/setup.sh --tests  also what the tests need
# The libtorch platform fix is not here: the build itself applies it (Directory.Build.targets).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_tests=false
[ "${1:-}" = "--tests" ] && want_tests=true

apt_install() { # packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then echo "lever setup: please install: sudo apt-get install -y ${missing[*]}" >&2; return 1; fi
  echo "lever setup: installing ${missing[*]} (apt)" >&2
  (
    flock 9
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null; }
  ) 9>"${TMPDIR:-/tmp}/lever-apt.lock"
}

# The native fix for libtorch needs a C++ compiler and patchelf where the system libstdc++ is old.
if ! grep -qa GLIBCXX_3.4.32 /usr/lib/x86_64-linux-gnu/libstdc++.so.6 2>/dev/null; then
  command -v g++ >/dev/null && command -v patchelf >/dev/null || apt_install g++ patchelf
fi

if $want_tests; then
  : # test-only prerequisites are added here (npm oracles, corpora), each cached under artifacts/.
  # --- engine: llama.cpp as the oracle of the GGUF parity test (node-llama-cpp's prebuilt CPU binaries, ~85 MB) ---
  # Installed once per machine in a cache outside the clone (CI clones afresh every run), linked into artifacts/node.
  node_dir="${LEVER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lever}/node"
  if [ ! -f "$node_dir/node_modules/node-llama-cpp/package.json" ] || [ ! -f "$node_dir/node_modules/@node-llama-cpp/linux-x64/package.json" ]; then
    command -v npm >/dev/null || apt_install nodejs npm
    mkdir -p "$node_dir"
    [ -f "$node_dir/package.json" ] || echo '{"name":"lever-test-oracles","private":true}' >"$node_dir/package.json"
    echo "lever setup: installing node-llama-cpp (npm, once per machine)" >&2
    (cd "$node_dir" && npm install --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error --prefer-offline \
      node-llama-cpp@3.22.1 @node-llama-cpp/linux-x64@3.22.1 >/dev/null) || { echo "lever setup: npm install of node-llama-cpp failed" >&2; exit 1; }
  fi
  mkdir -p "$repo/artifacts"
  # A real folder left by an earlier layout stays as it is; otherwise point artifacts/node at the cache.
  [ -d "$repo/artifacts/node" ] && [ ! -L "$repo/artifacts/node" ] || ln -sfn "$node_dir" "$repo/artifacts/node"
  # --- end engine ---
  # --- server: the official OpenAI client (npm `openai`) that the fine-tuning API's and the multi-adapter serving tests drive, in the same cache ---
  if [ ! -f "$node_dir/node_modules/openai/package.json" ]; then
    echo "lever setup: installing the openai npm client (once per machine)" >&2
    (cd "$node_dir" && npm install --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error --prefer-offline openai@7.59.0 >/dev/null) \
      || { echo "lever setup: npm install of openai failed" >&2; exit 1; }
  fi
  # --- end server ---
fi
