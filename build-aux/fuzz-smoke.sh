#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A short libFuzzer run of every loader (CI): clang + ASan/UBSan, 30 s each,
# seeded with the fixtures and, where present, the models in ../shared.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build-ci-fuzz
command -v clang >/dev/null || { echo "fuzz: clang not installed, skipped"; exit 0; }
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" "$top" -Dfuzzers=enabled -Db_sanitize=address,undefined -Db_lundef=false >"$dir.setup.log" 2>&1 ||
    { tail -20 "$dir.setup.log"; exit 1; }
fi
ninja -C "$dir" tests/fuzz/fuzz-onnx tests/fuzz/fuzz-tflite >"$dir.build.log" 2>&1 || { tail -30 "$dir.build.log"; exit 1; }
status=0
for target in onnx tflite; do
  corpus=$(mktemp -d)
  seeds=("$top/tests/fuzz/seeds")
  [ -d "$top/../shared/models" ] && seeds+=("$top/../shared/models")
  echo "fuzz-$target: 30 s"
  "$dir/tests/fuzz/fuzz-$target" -max_total_time=30 -rss_limit_mb=2048 -max_len=4000000 \
    "$corpus" "${seeds[@]}" >"$dir.fuzz-$target.log" 2>&1 || { tail -40 "$dir.fuzz-$target.log"; status=1; }
  tail -1 "$dir.fuzz-$target.log"
  rm -rf "$corpus"
done
exit $status
