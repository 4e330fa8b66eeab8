#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the reference detections of every shared ONNX model on every shared
# image: OUTDIR/MODEL/IMAGE.json (see ref-detect.js). Needs node, djpeg
# (Debian libjpeg-turbo-progs) and onnxruntime-node (build-aux/ort or
# $LAMINA_ORT_DIR).
#   tests/ref/all-refs.sh OUTDIR [SHARED_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: all-refs.sh OUTDIR [SHARED_DIR]}
shared=${2:-$here/../../../shared}
for model in yolo-fastestv2-coco-352 ultraface-rfb-320 ultraface-slim-320 ppocrv4-det ppocrv4-rec; do
  [ -f "$shared/models/$model.onnx" ] || { echo "skip $model: not in $shared/models" >&2; continue; }
  mkdir -p "$out/$model"
  for image in "$shared"/images/*.jpg; do
    node "$here/ref-detect.js" "$shared/models/$model.onnx" "$image" > "$out/$model/$(basename "$image" .jpg).json"
  done
  echo "$model: $(ls "$out/$model" | wc -l) images"
done
