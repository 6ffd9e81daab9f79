#!/usr/bin/env bash
# Builds one libFuzzer target of Fuzz/ with the fuzzer and AddressSanitizer
# and runs it for a number of executions (1,000,000 by default). Not run by
# CI. The committed seeds in Fuzz/Corpus/TARGET are copied to a working corpus
# under .build-fuzz/ so new inputs never land in git; a crashing input is
# written to .build-fuzz/artifacts/TARGET/ and the script exits non-zero.
#
#   scripts/fuzz.sh TARGET [--runs N] [-- LIBFUZZER_FLAGS...]
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(FuzzUpdateDecoder FuzzWebhookRequest FuzzRESPReader FuzzCatalogParser FuzzConversationState)

usage() {
    echo "usage: scripts/fuzz.sh TARGET [--runs N] [-- LIBFUZZER_FLAGS...]" >&2
    echo "targets: ${targets[*]}" >&2
    exit 2
}

[ $# -ge 1 ] || usage
target=$1
shift
[[ " ${targets[*]} " == *" $target "* ]] || usage
runs=1000000
extra=()
while [ $# -gt 0 ]; do
    case $1 in
        --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) usage ;;
    esac
done
[[ $runs =~ ^[0-9]+$ ]] || usage

scratch=$PWD/.build-fuzz
# libFuzzer brings main, so the targets are compiled as libraries
# (-parse-as-library). `--sanitize fuzzer` makes SwiftPM link libFuzzer and
# keep the executable's `main` under its own name (otherwise it links with
# `--defsym main=TARGET_main`, a symbol a library never defines), but it
# instruments nothing; `-Xswiftc -sanitize=fuzzer` adds the coverage
# instrumentation to every Swift module. Testability lets a target reach an
# internal type (RESPReader).
flags=(--sanitize fuzzer --sanitize address
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -enable-testing)
swift build --package-path Fuzz --scratch-path "$scratch" --product "$target" "${flags[@]}"
binary=$(swift build --package-path Fuzz --scratch-path "$scratch" "${flags[@]}" --show-bin-path)/$target

corpus=$scratch/corpus/$target
artifacts=$scratch/artifacts/$target
mkdir -p "$corpus" "$artifacts"
cp -n Fuzz/Corpus/"$target"/* "$corpus"/ 2>/dev/null || true

log=$scratch/$target.log
status=0
"$binary" -runs="$runs" -artifact_prefix="$artifacts/" -print_final_stats=1 ${extra[@]+"${extra[@]}"} \
    "$corpus" 2>&1 | tee "$log" || status=$?
executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
echo "fuzz.sh: $target ran ${executed:-?} executions (log: $log, artifacts: $artifacts/)"
exit "$status"
