#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench-vs-ort.sh: Lamina's simulator against ONNX Runtime on the models of
# issue 3's speed budget, with the same thread counts, in one go; prints a
# Markdown table of latencies and the Lamina/ORT ratio (budget: <= 1.5).
# The "int8/" rows are Yolo-FastestV2 and UltraFace-slim quantized here by
# `lamina-cli quantize` (QDQ ONNX, min-max, four shared images), run by
# both: Lamina on its integer kernels, ORT on its own.
#
#   build-aux/bench-vs-ort.sh [BUILDDIR]
#
# Environment: RUNS (timed runs per measurement, default 20), ROUNDS
# (alternating Lamina/ORT rounds, default 3: the minimum over rounds is
# kept, which is what stays comparable on a busy machine), THREADS
# (default "1 2"), LAMINA_SHARED_DIR (default ../shared beside the
# checkout). ONNX Runtime comes from onnxruntime-node, installed with
#   npm install --ignore-scripts --prefix build-aux/ort onnxruntime-node
# (its prebuilt linux-x64 binary ships in the package; no download needed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${1:-$src/build}
cli=$build/src/cli/lamina-cli
shared=${LAMINA_SHARED_DIR:-$src/../shared}
runs=${RUNS:-20}
rounds=${ROUNDS:-3}
threads_list=${THREADS:-"1 2"}

[ -x "$cli" ] || { echo "bench-vs-ort: $cli not built" >&2; exit 1; }
command -v node >/dev/null || { echo "bench-vs-ort: node is missing" >&2; exit 77; }

# model file and its --shape for dynamic inputs
models="yolo-fastestv2-coco-352.onnx:
ultraface-rfb-320.onnx:
ultraface-slim-320.onnx:
ppocrv4-det.onnx:x=1x3x640x640
ppocrv4-rec.onnx:x=1x3x48x320"

# field of a one-line JSON object
field () {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const o=JSON.parse(s);console.log(o[process.argv[1]])})' "$1"
}

min () {
  node -e 'console.log(Math.min(...process.argv.slice(1).map(Number)))' "$@"
}

# the fixed (QDQ) models, written to a temporary folder
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/calib" "$tmp/int8"
for image in bus.jpg zidane.jpg faces-2.jpg voc-000004.jpg; do
  [ -f "$shared/images/$image" ] && ln -s "$shared/images/$image" "$tmp/calib/$image"
done
for model in yolo-fastestv2-coco-352.onnx ultraface-slim-320.onnx; do
  if [ -f "$shared/models/$model" ] && "$cli" quantize "$shared/models/$model" --calib "$tmp/calib" \
       -o "$tmp/int8/$model" >/dev/null 2>&1; then
    models="$models
int8/$model:"
  fi
done

printf '| Model | Threads | Lamina min (ms) | ORT min (ms) | Lamina median | ORT median | Ratio (min) |\n'
printf '|---|---|---|---|---|---|---|\n'
echo "$models" | while IFS=: read -r model shape; do
  case $model in
    int8/*) path=$tmp/$model ;;
    *) path=$shared/models/$model ;;
  esac
  [ -f "$path" ] || { echo "| $model | – | absent | | | | |"; continue; }
  for t in $threads_list; do
    lmin=; omin=; lmed=; omed=
    i=0
    while [ "$i" -lt "$rounds" ]; do
      if [ -n "$shape" ]; then
        l=$("$cli" bench "$path" --threads "$t" --runs "$runs" --shape "$shape" --json)
        o=$(node "$here/bench-ort.js" "$path" --threads "$t" --runs "$runs" --shape "$shape" --json)
      else
        l=$("$cli" bench "$path" --threads "$t" --runs "$runs" --json)
        o=$(node "$here/bench-ort.js" "$path" --threads "$t" --runs "$runs" --json)
      fi
      lmin="$lmin $(echo "$l" | field min_ms)"; lmed="$lmed $(echo "$l" | field median_ms)"
      omin="$omin $(echo "$o" | field min_ms)"; omed="$omed $(echo "$o" | field median_ms)"
      i=$((i + 1))
    done
    # shellcheck disable=SC2016,SC2086 # JavaScript in single quotes; the lists split on purpose
    node -e '
      const [m, t, lm, om, ld, od] = process.argv.slice(1);
      const f = (x) => Number(x).toFixed(2);
      console.log(`| ${m} | ${t} | ${f(lm)} | ${f(om)} | ${f(ld)} | ${f(od)} | ${(lm / om).toFixed(2)} |`);
    ' "$model" "$t" "$(min $lmin)" "$(min $omin)" "$(min $lmed)" "$(min $omed)"
  done
done
