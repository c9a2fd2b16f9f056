#!/usr/bin/env bash
# Fuzzes LookupDecode's managed parsers with AFL++ (Debian's afl++ package) through SharpFuzz.
#   tests/LookupDecode.Fuzz/run-fuzz.sh [SECONDS_PER_TARGET] [OUTPUT_DIRECTORY]
# Builds the harness, instruments LookupDecode.dll and LookupDecode.Hosting.dll with the SharpFuzz.CommandLine tool (.config/dotnet-tools.json),
# seeds each target (small GGUF files written by the harness, the test models' GGUF headers, the upstream cache
# fixtures, valid suffix memories, generation records and trace files), runs afl-fuzz for the given time per target
# (gguf, cache, suffix-memory, record, trace), replays saved crashes, then runs the structure-aware format fuzzer
# (FORMAT_EXECUTIONS per format, default 10^5) and prints the figures.
set -euo pipefail

seconds="${1:-300}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mkdir -p "${2:-$root/artifacts/fuzz}" && cd "${2:-$root/artifacts/fuzz}" && pwd)"
models="${LOOKUPDECODE_TEST_MODELS:-$root/tests/data/models}"
fixtures="${LOOKUPDECODE_TEST_FIXTURES:-$root/tests/data/fixtures}"

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "installing afl++ (Debian package)…"
  sudo_if_needed=""; [ "$(id -u)" = 0 ] || sudo_if_needed="sudo"
  $sudo_if_needed apt-get update -qq >/dev/null
  $sudo_if_needed apt-get install -y -qq afl++ >/dev/null
fi

cd "$root"
dotnet tool restore >/dev/null
# Two copies: the instrumented one only runs under afl-fuzz (its coverage hooks need AFL's shared memory); the plain
# one writes seeds and replays findings.
rm -rf "$out/bin" "$out/bin-plain"
dotnet publish tests/LookupDecode.Fuzz/LookupDecode.Fuzz.csproj -c Release -o "$out/bin-plain" --nologo -v quiet
cp -r "$out/bin-plain" "$out/bin"
dotnet sharpfuzz "$out/bin/LookupDecode.dll"
dotnet sharpfuzz "$out/bin/LookupDecode.Hosting.dll"

rm -rf "$out/seeds" && mkdir -p "$out/seeds/gguf" "$out/seeds/cache"
dotnet "$out/bin-plain/LookupDecode.Fuzz.dll" seeds "$out/seeds/gguf"
for target in suffix-memory record trace; do dotnet "$out/bin-plain/LookupDecode.Fuzz.dll" seeds "$target" "$out/seeds/$target"; done
if [ -d "$models" ]; then
  # The real models' first 64 KiB: header, metadata and tensor directory (the data is beyond what the gate reads).
  for model in "$models"/*.gguf; do head -c 65536 "$model" > "$out/seeds/gguf/$(basename "$model" .gguf)-head.gguf"; done
fi
if [ -d "$fixtures/upstream" ]; then
  cp "$fixtures"/upstream/*.bin "$out/seeds/cache/"
fi

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
targets="gguf cache suffix-memory record trace"
for target in $targets; do
  rm -rf "$out/findings-$target"
  echo "fuzzing $target for ${seconds}s…"
  afl-fuzz -i "$out/seeds/$target" -o "$out/findings-$target" -t 5000 -m none -V "$seconds" -- dotnet "$out/bin/LookupDecode.Fuzz.dll" "$target" > "$out/afl-$target.log" 2>&1 || true
done

status=0
for target in $targets; do
  stats="$(find "$out/findings-$target" -name fuzzer_stats | head -n 1)"
  crashes_dir="$(dirname "$stats")/crashes"
  hangs_dir="$(dirname "$stats")/hangs"
  crashes=$(find "$crashes_dir" -type f ! -name README.txt 2>/dev/null | wc -l)
  hangs=$(find "$hangs_dir" -type f 2>/dev/null | wc -l)
  field() { grep -E "^$1 " "$stats" | awk -F: '{gsub(/ /, "", $2); print $2}'; }
  echo "$target: $(field execs_done) executions in $(field run_time)s ($(field execs_per_sec)/s), corpus $(field corpus_count), crashes $crashes, hangs $hangs"
  if [ "$crashes" -gt 0 ]; then
    status=1
    case "$target" in gguf|cache) dotnet "$out/bin-plain/LookupDecode.Fuzz.dll" replay "$target" "$crashes_dir" || true ;; esac
  fi
done

# Structure-aware, in process (no AFL): 10^5 executions per format, each a valid input mutated where its structure is.
for target in suffix-memory record trace; do
  dotnet "$out/bin-plain/LookupDecode.Fuzz.dll" formats "$target" "${FORMAT_EXECUTIONS:-100000}" "${FORMAT_SEED:-1}" "$out/findings-formats" || status=1
done
exit $status
