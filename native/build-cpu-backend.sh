#!/usr/bin/env bash
# Builds llama.cpp's CPU backend (libggml-cpu.so) for THIS machine's instruction set and puts it beside LLamaSharp's own
# libllama, libggml and libggml-base, so LookupDecode runs on it with no other change:
#
#   native/build-cpu-backend.sh [OUT]            (default OUT: artifacts/native/cpu-backend)
#   export LOOKUPDECODE_LLAMA_LIBRARY=OUT/libllama.so
#
# Why: LLamaSharp.Backend.Cpu 0.30.0 ships one AVX-512 build for every AVX-512 CPU, compiled without AVX512-VNNI and from
# an older CPU backend; verifying k drafted tokens in one batch costs much more with it than with a build for the CPU at
# hand (on this repository's 2-core EPYC: T(4)/T(1) 3.0 against 2.4, T(16)/T(1) 9.4 against 6.6; see native/README.md).
# Drafting on a CPU lives or dies by that curve.
#
# Source: llama.cpp release b10361, taken from the npm registry's node-llama-cpp 3.20.0 package (which carries the
# release as a git bundle), checked against a pinned sha512 and commit. Only the CPU backend is built, so the rest of the
# process stays LLamaSharp 0.30.0's (llama.cpp c0c7e147). That is sound because the CPU backend talks to the rest only
# through ggml's headers, and those are the same in b10068 and b10361, the releases on either side of c0c7e147 (pinned
# below as a hash; the one change, a new function, is not used by the CPU backend); the script also checks that every
# ggml symbol the new backend needs is exported by LLamaSharp's libggml-base, and that it exports every ggml symbol
# LLamaSharp's own backend does.
#
# Needs: npm, git, cmake (3.14+), a C/C++ compiler (gcc 12 here), ninja or make, nm. Nothing is installed system-wide.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# Both resolved to absolute paths now: the script changes directory below.
out="$(realpath -m "${1:-$root/artifacts/native/cpu-backend}")"
work="$(realpath -m "${LOOKUPDECODE_NATIVE_WORK:-$root/artifacts/native/work}")"
package="node-llama-cpp@3.20.0"
integrity="sha512-KnET3ttADYLCobjMnMTLkWkLt87rPRDhNzTZgGOCt8m8yTmdQW2sfLNmulGBA9laFvcyRIMOsgQST8lunPmMgw=="
commit="c2fd87ef425381d62715c8cd067b900ab0b4c11c"
# sha256 over ggml's headers (include/*.h and src/*.h outside the backends, sorted by name). Against b10068's they differ
# only by ggml_build_forward_order in ggml.h and the RPC protocol version in ggml-rpc.h.
headers_sha256="44057f21ff94abf706cf34c686fc897326507a0171faa0fce1d00c3e2b47ab76"
llamasharp_version="0.30.0"

fail() { echo "error: $*" >&2; exit 1; }
for tool in npm git cmake nm openssl; do
  command -v "$tool" >/dev/null || fail "$tool is required"
done
command -v c++ >/dev/null || command -v g++ >/dev/null || fail "a C++ compiler is required"
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi

# LLamaSharp's CPU runtime for this machine: the AVX-512 build where the CPU has AVX-512, else the AVX2 one.
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
variant=avx2
if grep -qw avx512f /proc/cpuinfo; then variant=avx512; fi
runtime="$packages/llamasharp.backend.cpu/$llamasharp_version/LLamaSharpRuntimes/linux-x64/native/$variant"
for library in libllama.so libggml.so libggml-base.so libggml-cpu.so; do
  [ -f "$runtime/$library" ] || fail "no $library in LLamaSharp's runtime at $runtime (run 'dotnet restore LookupDecode.sln' first)"
done

mkdir -p "$work"
cd "$work"
tarball="node-llama-cpp-3.20.0.tgz"
if [ ! -f "$tarball" ]; then
  echo "fetching $package from the npm registry…"
  npm pack "$package" --silent >/dev/null
fi
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  rm -f "$tarball"
  fail "$package's tarball has integrity $actual, expected $integrity (deleted; run again to fetch it anew)"
fi

source="$work/llama.cpp-b10361"
if [ ! -d "$source/.git" ]; then
  rm -rf "$source" bundle
  mkdir bundle
  tar -xzf "$tarball" -C bundle package/llama/gitRelease.bundle
  git clone --quiet bundle/package/llama/gitRelease.bundle "$source"
fi
[ "$(git -C "$source" rev-parse HEAD)" = "$commit" ] || fail "$source is not at $commit"

header_hash="$(cd "$source/ggml" && ls include/*.h src/*.h | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
[ "$header_hash" = "$headers_sha256" ] || fail "ggml's headers in $source hash to $header_hash, not the pinned $headers_sha256"

build="$work/build-$variant"
echo "configuring the CPU backend for this machine (GGML_NATIVE)…"
cmake -S "$source" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=ON \
  -DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF \
  -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_COMMON=OFF -DLLAMA_CURL=OFF >"$work/cmake.log" 2>&1 \
  || fail "cmake failed (see $work/cmake.log)"
echo "building libggml-cpu.so…"
cmake --build "$build" --target ggml-cpu -j "$(nproc)" >"$work/build.log" 2>&1 || fail "build failed (see $work/build.log)"
built="$build/bin/libggml-cpu.so"
[ -f "$built" ] || fail "the build left no $built"

# ABI checks against LLamaSharp's libraries.
symbols() { # FILE defined|undefined -> the ggml/gguf symbols, sorted (into a file, so a failing nm stops the script)
  local column=3; [ "$2" = undefined ] && column=2
  nm -D "--$2-only" "$1" > "$work/nm.txt" || fail "nm could not read $1"
  awk -v c="$column" '{print $c}' "$work/nm.txt" | { grep -E '^(ggml|gguf)_' || true; } | LC_ALL=C sort -u
}
symbols "$built" undefined > "$work/needed.txt"
symbols "$runtime/libggml-base.so" defined > "$work/base-exports.txt"
symbols "$runtime/libggml-cpu.so" defined > "$work/package-cpu-exports.txt"
symbols "$built" defined > "$work/built-cpu-exports.txt"
[ -s "$work/base-exports.txt" ] && [ -s "$work/package-cpu-exports.txt" ] || fail "no ggml symbols read from LLamaSharp's libraries"
missing="$(LC_ALL=C comm -23 "$work/needed.txt" "$work/base-exports.txt")"
[ -z "$missing" ] || fail "the new CPU backend needs symbols LLamaSharp's libggml-base lacks: $missing"
lacking="$(LC_ALL=C comm -23 "$work/package-cpu-exports.txt" "$work/built-cpu-exports.txt")"
[ -z "$lacking" ] || fail "the new CPU backend lacks symbols LLamaSharp's has: $lacking"

# Copied beside each other, each through a temporary name: a running process may have the old files mapped.
mkdir -p "$out"
install_library() { cp -p "$1" "$out/.$2.new" && mv -f "$out/.$2.new" "$out/$2"; } # -p: a re-run changes no identity
for library in libllama.so libggml.so libggml-base.so; do
  install_library "$runtime/$library" "$library"
done
install_library "$built" libggml-cpu.so
cat >"$out/BUILD.txt" <<EOF
libggml-cpu.so: llama.cpp $commit (release b10361, from $package), GGML_NATIVE on $(uname -m),
  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), built $(date -u +%Y-%m-%dT%H:%M:%SZ)
libllama.so, libggml.so, libggml-base.so: LLamaSharp.Backend.Cpu $llamasharp_version ($variant), llama.cpp c0c7e147
EOF
echo "done: $out"
echo "use it with:  export LOOKUPDECODE_LLAMA_LIBRARY=$out/libllama.so"
