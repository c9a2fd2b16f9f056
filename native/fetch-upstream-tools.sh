#!/usr/bin/env bash
# Obtains upstream llama.cpp's reference tools (llama-lookup, -lookup-create, -lookup-merge, -lookup-stats,
# llama-bench, llama-cli, llama-quantize, …) from Debian unstable into a private prefix, without installing
# anything system-wide: a private apt state directory downloads the .deb files, `dpkg -x` unpacks them, and
# wrapper scripts start each tool through the prefix's own dynamic loader and libraries (the tools need a
# newer glibc than Debian 12 has). See ../shared/DESIGN.md, "Upstream peer on this host".
#
#   native/fetch-upstream-tools.sh [PREFIX]        (default PREFIX: native/upstream)
#
# Afterwards PREFIX/bin holds one wrapper per tool; `export LOOKUPDECODE_UPSTREAM_BIN=PREFIX/bin` lets the tests
# and the Cake CompareUpstream target find them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$(mkdir -p "${1:-$here/upstream}" && cd "${1:-$here/upstream}" && pwd)"

# The Debian archive this machine's own apt configuration uses (its sources and the key they are signed with): the
# first deb entry of a main suite (not -security/-updates/-backports), from deb822 .sources files or a one-line
# sources.list. LOOKUPDECODE_DEBIAN_MIRROR (and LOOKUPDECODE_DEBIAN_KEYRING) override it.
host_debian_source() {
  local etc
  etc="$(apt-config shell etc Dir::Etc/d | sed -n "s/^etc='\(.*\)'$/\1/p")"
  etc="${etc:-/etc/apt/}"
  {
    cat "$etc"sources.list.d/*.sources 2>/dev/null; echo
  } | awk '
    function flush() { if (types ~ /(^| )deb( |$)/ && uri != "" && suites != "" && !found) {
        n = split(suites, list, " "); for (i = 1; i <= n; i++) if (list[i] !~ /-(security|updates|backports)$/) {
          print uri " " key; found = 1; break } }
      types = ""; uri = ""; suites = ""; key = "" }
    /^[ \t]*$/ { flush(); next }
    /^#/ { next }
    tolower($1) == "types:" { $1 = ""; types = $0 }
    tolower($1) == "uris:" { uri = $2 }
    tolower($1) == "suites:" { $1 = ""; suites = $0 }
    tolower($1) == "signed-by:" { key = $2 }
    END { flush() }'
  grep -hE '^[[:space:]]*deb[[:space:]]' "$etc"sources.list "$etc"sources.list.d/*.list 2>/dev/null \
    | sed -E 's/\[([^]]*)\]//' | awk '$3 !~ /-(security|updates|backports)$/ { print $2; exit }' || true
}
source_line="$(host_debian_source | head -n 1 || true)"
mirror="${LOOKUPDECODE_DEBIAN_MIRROR:-${source_line%% *}}"
host_key="$(printf '%s' "$source_line" | awk '{ print $2 }')"
if [ -z "$mirror" ]; then
  echo "error: this machine's apt configuration names no Debian archive; set LOOKUPDECODE_DEBIAN_MIRROR to one" >&2
  exit 1
fi
state="$prefix/apt"
root="$prefix/root"
debs="$prefix/debs"
packages=(
  llama.cpp-examples llama.cpp-tools libllama0 libggml0
  libc6 libgcc-s1 libstdc++6 libgomp1 libssl3t64 libcurl4t64 zlib1g libzstd1
  libnghttp2-14 libnghttp3-9 libngtcp2-16 libngtcp2-crypto-ossl0 libpsl5t64 libidn2-0 libunistring5
  librtmp1 libssh2-1t64 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1
  libldap2 libsasl2-2 libbrotli1 libgnutls30t64 libhogweed6t64 libnettle8t64 libgmp10 libp11-kit0 libtasn1-6 libffi8
)

mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/sources.list.d" "$state/etc/preferences.d" "$debs" "$root"
# Verified, not trusted: apt checks the Release file's signature against the key the host's own source is signed with
# (else Debian's archive keyring) and every downloaded .deb against the hashes in the signed index.
keyring="${LOOKUPDECODE_DEBIAN_KEYRING:-${host_key:-/usr/share/keyrings/debian-archive-keyring.gpg}}"
if [ ! -r "$keyring" ]; then
  echo "error: no Debian archive keyring at $keyring to verify the downloads (apt-get install debian-archive-keyring," >&2
  echo "       or set LOOKUPDECODE_DEBIAN_KEYRING)" >&2
  exit 1
fi
echo "deb [signed-by=$keyring] $mirror sid main" > "$state/etc/sources.list"
apt_options=(
  -o "Dir::State=$state" -o "Dir::State::status=/dev/null" -o "Dir::Cache=$state/cache"
  -o "Dir::Etc::SourceList=$state/etc/sources.list" -o "Dir::Etc::SourceParts=$state/etc/sources.list.d"
  -o "Dir::Etc::Preferences=$state/etc/preferences" -o "Dir::Etc::PreferencesParts=$state/etc/preferences.d"
  -o "APT::Architecture=amd64" -o "Debug::NoLocking=1"
)

echo "updating a private apt index of Debian unstable ($mirror)…"
apt-get "${apt_options[@]}" -qq update

cd "$debs"
for package in "${packages[@]}"; do
  if ! ls "$debs/${package}_"*.deb >/dev/null 2>&1; then
    # Packages that sid renamed or dropped are skipped; the tools report a missing library if one matters.
    apt-get "${apt_options[@]}" -qq download "$package" 2>/dev/null || echo "note: $package not available, skipped"
  fi
done

for deb in "$debs"/*.deb; do
  dpkg -x "$deb" "$root"
done

loader="$(find "$root" -name 'ld-linux-x86-64.so.2' | head -n 1)"
libs="$root/usr/lib/x86_64-linux-gnu"
backends="$libs/ggml/backends0"
cpu_backend=""
for variant in zen4 icelake skylakex haswell sandybridge x64; do
  if [ -z "$cpu_backend" ] && [ -f "$backends/libggml-cpu-$variant.so" ]; then
    flags="$(grep -m1 -o 'avx512f\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
    case "$variant" in
      zen4|icelake|skylakex) [[ "$flags" == *avx512f* ]] && cpu_backend="$backends/libggml-cpu-$variant.so" ;;
      haswell|sandybridge) [[ "$flags" == *avx2* ]] && cpu_backend="$backends/libggml-cpu-$variant.so" ;;
      x64) cpu_backend="$backends/libggml-cpu-$variant.so" ;;
    esac
  fi
done
if [ -z "$cpu_backend" ]; then
  cpu_backend="$(find "$backends" -name 'libggml-cpu-*.so' | head -n 1)"
fi

# Lets llama.cpp's logging thread flush before exit (see linger.c); skipped without a C compiler.
preload=""
if command -v cc >/dev/null 2>&1 && cc -shared -fPIC -O2 "$here/linger.c" -o "$prefix/liblinger.so"; then
  preload="$prefix/liblinger.so"
fi

mkdir -p "$prefix/bin"
for tool in "$root"/usr/bin/llama-* "$root"/usr/libexec/llama.cpp/*/llama-* "$root"/usr/lib/llama.cpp/*/llama-*; do
  [ -f "$tool" ] && [ -x "$tool" ] || continue
  name="$(basename "$tool")"
  cat > "$prefix/bin/$name" <<WRAPPER
#!/usr/bin/env bash
# Runs upstream $name from $root through its own loader and libraries.
export GGML_BACKEND_PATH="\${GGML_BACKEND_PATH:-$cpu_backend}"
exec "$loader" --library-path "$libs:$libs/llama:$libs/ggml" ${preload:+--preload "$preload"} "$tool" "\$@"
WRAPPER
  chmod +x "$prefix/bin/$name"
done

echo "upstream tools in $prefix/bin (CPU backend: $(basename "$cpu_backend")):"
ls "$prefix/bin"
