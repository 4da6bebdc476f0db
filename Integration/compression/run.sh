#!/usr/bin/env bash
# Cross-check Tern's codecs against the reference Python bindings, both directions:
#   1. Python writes a payload and its gzip/zlib/snappy(raw, xerial)/lz4/zstd forms;
#   2. the Swift CrossCheckTests decode them and write our own compressed forms;
#   3. Python decodes ours and prints PASS/FAIL lines and "N passed, N failed".
# Needs python3 with venv and PyPI access the first time (lz4, zstandard, python-snappy
# go into Integration/.venv). SWIFT_SCRATCH overrides the SwiftPM scratch directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# The default build folder, so that after `Tools/test.sh` has built the tests nothing is rebuilt.
scratch="${SWIFT_SCRATCH:-$repo/.build}"
source "$repo/Integration/venv.sh"
ensure_venv "import lz4.frame, snappy, zstandard" lz4 zstandard python-snappy

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$venv/bin/python" "$here/check_codecs.py" write "$work"

# The Swift side fails by itself on any sample it cannot decode; its per-sample lines go to
# swift-results.txt, which the verify step counts, so carry on to report either way.
swift_status=0
(cd "$repo" && TERN_CODEC_XCHECK_DIR="$work" swift test --scratch-path "$scratch" \
    --disable-xctest --filter CrossCheckTests) > "$work/swift-test.log" 2>&1 || swift_status=$?
if [ "$swift_status" -ne 0 ]; then
    echo "swift test exited $swift_status; last lines of its log:" >&2
    tail -n 20 "$work/swift-test.log" >&2
fi
if grep -q "skipped" "$work/swift-test.log"; then
    echo "CrossCheckTests was skipped: TERN_CODEC_XCHECK_DIR did not reach it" >&2
    swift_status=1
fi

verify_status=0
"$venv/bin/python" "$here/check_codecs.py" verify "$work" || verify_status=$?
[ "$swift_status" -eq 0 ] && [ "$verify_status" -eq 0 ]
