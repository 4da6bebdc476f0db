#!/usr/bin/env bash
# Builds one libFuzzer target from Tools/Fuzz and runs it for a fixed time.
#
#   Tools/fuzz.sh TARGET SECONDS        e.g. Tools/fuzz.sh FuzzRecords 60
#
# The working corpus lives in Tools/Fuzz/.build/corpus/TARGET (seeded from
# Tools/Fuzz/Seeds/TARGET when that exists) and crash inputs go to
# Tools/Fuzz/.build/artifacts/. Exits non-zero if the build fails or libFuzzer finds a crash;
# replay one with `Tools/Fuzz/.build/release/TARGET <crash-file>`.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 TARGET SECONDS" >&2
    exit 2
fi
target=$1
seconds=$2
fuzz_dir=$(cd "$(dirname "$0")/Fuzz" && pwd)
scratch=$fuzz_dir/.build
corpus=$scratch/corpus/$target
artifacts=$scratch/artifacts

# swiftc honours only the last of several `-sanitize=` flags, and SwiftPM emits one per
# `--sanitize` in no fixed order, so a build got either coverage (no ASan) or ASan (no
# coverage, so libFuzzer fuzzes blind) at random. The combined flag, which -Xswiftc places
# after SwiftPM's own, gives Swift code both; C targets get both from clang either way.
flags=(-c release --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address --scratch-path "$scratch")

cd "$fuzz_dir"
swift build "${flags[@]}" --product "$target"
binary=$(swift build "${flags[@]}" --show-bin-path)/$target

mkdir -p "$corpus" "$artifacts"
if [ -d "$fuzz_dir/Seeds/$target" ]; then
    cp -n "$fuzz_dir/Seeds/$target"/* "$corpus"/ 2>/dev/null || true
fi
# The request fuzzer starts from every frame a real client sent (the golden fixtures).
if [ "$target" = FuzzRequests ]; then
    for file in "$fuzz_dir"/../../Tests/ProtocolTests/Fixtures/golden/*/*-req.bin; do
        client=$(basename "$(dirname "$file")")
        cp -n "$file" "$corpus/$client-$(basename "$file")"
    done
fi

# The Swift runtime's backtracer would otherwise handle the trap before libFuzzer and, under
# ASan, report a bogus heap-buffer-overflow.
set +e
SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/$target-" "$corpus"
status=$?
set -e
if [ $status -ne 0 ]; then
    echo "fuzz.sh: $target failed with status $status; crash inputs in $artifacts" >&2
    exit $status
fi
echo "fuzz.sh: $target ran ${seconds}s with no crash"
