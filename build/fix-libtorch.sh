#!/usr/bin/env bash
# Makes TorchSharp's libLibTorchSharp.so load on platforms whose libstdc++ predates GCC 13.2
# (Debian 12: GLIBCXX_3.4.30). Idempotent; a no-op where the system libstdc++ has GLIBCXX_3.4.32.
# Called by the build (Directory.Build.targets) with the output's native folder. See docs/NATIVE.md.
set -euo pipefail
native_dir="${1:?usage: fix-libtorch.sh NATIVE_DIR}"
lib="$native_dir/libLibTorchSharp.so"
shim_name="libLeverIosBaseShim.so"
need_version="GLIBCXX_3.4.32"
[ -f "$lib" ] || exit 0

system_libstdcxx() {
  ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}'
}
stdcxx="$(system_libstdcxx)"
[ -n "$stdcxx" ] || stdcxx=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if grep -qa "$need_version" "$stdcxx" 2>/dev/null; then
  exit 0  # the platform has moved on: nothing to do
fi

# Already patched (this output folder was fixed by an earlier build)?
if [ -f "$native_dir/$shim_name" ] && grep -qa "$shim_name" "$lib"; then
  exit 0
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/../artifacts/native"
mkdir -p "$cache"

ensure_tool() { # command, apt package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "lever: installing $2 (needed to adapt libtorch to this platform's libstdc++)" >&2
  if [ "$(id -u)" != 0 ]; then echo "lever: run 'sudo apt-get install -y $2' and build again" >&2; exit 1; fi
  apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >/dev/null; }
}
(
  # Several projects build in parallel and all reach this point: one installs and compiles, the
  # others wait (apt and dpkg also refuse to run twice at once).
  flock 9
  ensure_tool g++ g++
  ensure_tool gcc gcc
  ensure_tool patchelf patchelf
  if [ ! -f "$cache/$shim_name" ]; then
    g++ -shared -fPIC -O2 -o "$cache/$shim_name.tmp" "$here/native/ios_base_shim.cpp"
    mv -f "$cache/$shim_name.tmp" "$cache/$shim_name"
  fi
  if [ ! -x "$cache/elf_weaken_verneed" ]; then
    gcc -O2 -o "$cache/elf_weaken_verneed.tmp" "$here/native/elf_weaken_verneed.c"
    mv -f "$cache/elf_weaken_verneed.tmp" "$cache/elf_weaken_verneed"
  fi
) 9>"${TMPDIR:-/tmp}/lever-native-fix.lock"

# Patch a private copy, then rename it over the output's file: the output's file may be a hard link
# into the NuGet cache, which must never change.
tmp="$lib.lever-tmp"
cp -f "$lib" "$tmp"
patchelf --add-needed "$shim_name" "$tmp"
"$cache/elf_weaken_verneed" "$tmp" "$need_version" >/dev/null
cp -f "$cache/$shim_name" "$native_dir/$shim_name.tmp" && mv -f "$native_dir/$shim_name.tmp" "$native_dir/$shim_name"
mv -f "$tmp" "$lib"
