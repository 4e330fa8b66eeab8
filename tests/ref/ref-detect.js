// SPDX-License-Identifier: GPL-3.0-or-later
//
// ref-detect.js: the publishers' reference pipelines for the shared ONNX
// models, ONNX Runtime for inference and their pre/post-processing written
// out here from ../shared/models/README.md and their Python code. Prints the
// detections as JSON in the shape of `lamina-cli detect --json`:
//
//   node ref-detect.js MODEL.onnx IMAGE.jpg [--dump DIR]
//
// {"model":..,"image":..,"detections":[{"class_id","label","score","box",
//  "polygon"?,"text"?}]}. Boxes are in original-image pixels. --dump writes
// the raw model outputs as .npy (to check decoders without a simulator).
//
// Models: yolo-fastestv2-coco-352, ultraface-rfb-320, ultraface-slim-320,
// ppocrv4-det, ppocrv4-rec (recognises the whole image as one text line).
// Needs djpeg (Debian libjpeg-turbo-progs) and onnxruntime-node.
'use strict';

const fs = require('fs');
const path = require('path');
const C = require('./ref-common.js');

// ---- Yolo-FastestV2 (its OpenCV demo) --------------------------------------

async function yoloFastestV2(model, img) {
  const S = 352, strides = [16, 32], na = 3;
  const anchors = [[12.64, 19.39, 37.88, 51.48, 55.71, 138.31], [126.91, 78.23, 131.57, 214.55, 279.92, 258.87]];
  const input = C.toNCHW(C.resizeLinear(img, S, S), 'BGR', [0, 0, 0], [255, 255, 255]);
  const [out] = await C.runModel(model, [{ data: input, dims: [1, 3, S, S] }]);
  const cols = out.dims[1], nc = cols - 5 * na, labels = C.readLabels(path.join(path.dirname(model), 'coco.names'));
  const dets = [];
  let row = 0;
  strides.forEach((s, i) => {
    const g = Math.floor(S / s);
    for (let cell = 0; cell < g * g; cell++, row++) {
      const r = out.data.subarray(row * cols, (row + 1) * cols);
      let cls = 0;
      for (let k = 1; k < nc; k++) if (r[5 * na + k] > r[5 * na + cls]) cls = k;
      for (let a = 0; a < na; a++) {
        const obj = r[4 * na + a], score = obj * r[5 * na + cls];
        if (!(obj > 0.3 && score > 0.3)) continue;
        const gx = cell % g, gy = Math.floor(cell / g);
        const cx = (r[4 * a] * 2 - 0.5 + gx) * s, cy = (r[4 * a + 1] * 2 - 0.5 + gy) * s;
        const w = (r[4 * a + 2] * 2) ** 2 * anchors[i][2 * a], h = (r[4 * a + 3] * 2) ** 2 * anchors[i][2 * a + 1];
        const sx = img.width / S, sy = img.height / S, clip = (v, m) => Math.min(Math.max(v, 0), m);
        // scaled back by width/height ratios; clipped to the image as drawn
        dets.push({ class_id: cls, label: labels[cls], score,
                    box: [clip((cx - w / 2) * sx, img.width), clip((cy - h / 2) * sy, img.height),
                          clip((cx + w / 2) * sx, img.width), clip((cy + h / 2) * sy, img.height)] });
      }
    }
  });
  // cv::dnn::NMSBoxes over all boxes (one NMS for every class)
  return { outputs: [out], detections: C.hardNms(dets, 0.4, true) };
}

// ---- UltraFace (run_video_face_detect_onnx.py: predict / hard_nms) ---------

async function ultraface(model, img) {
  const input = C.toNCHW(C.resizeLinear(img, 320, 240), 'RGB', [127, 127, 127], [128, 128, 128]);
  const outs = await C.runModel(model, [{ data: input, dims: [1, 3, 240, 320] }]);
  const scores = outs.find(o => o.dims[2] === 2), boxes = outs.find(o => o.dims[2] === 4);
  const n = scores.dims[1];
  let cand = [];
  for (let i = 0; i < n; i++) {
    const p = scores.data[2 * i + 1];
    if (p > 0.7) {
      const b = boxes.data.subarray(4 * i, 4 * i + 4);
      cand.push({ score: p, b: [b[0], b[1], b[2], b[3]] });
    }
  }
  // hard_nms: the 200 best candidates, IoU with eps 1e-5 and clipped areas
  cand.sort((a, b) => b.score - a.score);
  cand = cand.slice(0, 200);
  const area = b => Math.max(b[2] - b[0], 0) * Math.max(b[3] - b[1], 0);
  const iouOf = (a, b) => {
    const inter = Math.max(Math.min(a[2], b[2]) - Math.max(a[0], b[0]), 0) * Math.max(Math.min(a[3], b[3]) - Math.max(a[1], b[1]), 0);
    return inter / (area(a) + area(b) - inter + 1e-5);
  };
  const picked = [];
  while (cand.length > 0) {
    const cur = cand.shift();
    picked.push(cur);
    cand = cand.filter(c => iouOf(c.b, cur.b) <= 0.3);
  }
  const dets = picked.map(p => ({ class_id: 1, label: 'face', score: p.score,
                                  box: [p.b[0] * img.width, p.b[1] * img.height, p.b[2] * img.width, p.b[3] * img.height] }));
  return { outputs: outs, detections: dets };
}

// ---- PP-OCRv4 det (DetResizeForTest + DBPostProcess + filter_tag_det_res) --

const pyRound = v => {   // Python 3 round(): halves to even
  const f = Math.floor(v), d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : (f % 2 === 0 ? f : f + 1);
};

function hull(points) {
  const p = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower = [], upper = [];
  for (const q of p) { while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop(); lower.push(q); }
  for (const q of p.reverse()) { while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop(); upper.push(q); }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

// cv2.minAreaRect + boxPoints by brute force over the hull edges, then
// get_mini_boxes' corner order; returns [corners, shorter side].
function miniBox(points) {
  const h = hull(points);
  let best = null;
  for (let i = 0; i < h.length && h.length >= 3; i++) {
    const a = h[i], b = h[(i + 1) % h.length], len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len], v = [-u[1], u[0]];
    let lo = Infinity, hi = -Infinity, lo2 = Infinity, hi2 = -Infinity;
    for (const q of h) {
      const s = q[0] * u[0] + q[1] * u[1], t = q[0] * v[0] + q[1] * v[1];
      lo = Math.min(lo, s); hi = Math.max(hi, s); lo2 = Math.min(lo2, t); hi2 = Math.max(hi2, t);
    }
    const area = (hi - lo) * (hi2 - lo2);
    if (!best || area < best.area) {
      const at = (s, t) => [s * u[0] + t * v[0], s * u[1] + t * v[1]];
      best = { area, side: Math.min(hi - lo, hi2 - lo2), pts: [at(lo, lo2), at(hi, lo2), at(hi, hi2), at(lo, hi2)] };
    }
  }
  if (!best) return [null, 0];
  const p = best.pts.slice().sort((a, b) => a[0] - b[0]);
  const [i1, i4] = p[1][1] > p[0][1] ? [0, 1] : [1, 0];
  const [i2, i3] = p[3][1] > p[2][1] ? [2, 3] : [3, 2];
  return [[p[i1], p[i2], p[i3], p[i4]], best.side];
}

// box_score_fast: mean of the map over cv2.fillPoly of the truncated box.
// fillPoly fills the pixels whose centres lie inside the polygon and also
// draws its outline (8-connected Bresenham lines), so both are counted.
function boxScoreFast(pred, W, H, box) {
  const xs = box.map(p => p[0]), ys = box.map(p => p[1]);
  const xmin = Math.min(Math.max(Math.floor(Math.min(...xs)), 0), W - 1), xmax = Math.min(Math.max(Math.ceil(Math.max(...xs)), 0), W - 1);
  const ymin = Math.min(Math.max(Math.floor(Math.min(...ys)), 0), H - 1), ymax = Math.min(Math.max(Math.ceil(Math.max(...ys)), 0), H - 1);
  const poly = box.map(p => [Math.trunc(p[0] - xmin), Math.trunc(p[1] - ymin)]);
  const cw = xmax - xmin + 1, ch = ymax - ymin + 1, mask = new Uint8Array(cw * ch);
  const set = (x, y) => { if (x >= 0 && y >= 0 && x < cw && y < ch) mask[y * cw + x] = 1; };
  for (let y = 0; y < ch; y++) {
    let l = Infinity, r = -Infinity;   // the span between the edge crossings
    for (let e = 0; e < 4; e++) {
      const a = poly[e], b = poly[(e + 1) % 4];
      if (y < Math.min(a[1], b[1]) || y > Math.max(a[1], b[1])) continue;
      if (a[1] === b[1]) { l = Math.min(l, a[0], b[0]); r = Math.max(r, a[0], b[0]); continue; }
      const x = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
      l = Math.min(l, x); r = Math.max(r, x);
    }
    for (let x = Math.ceil(l - 1e-9); x <= Math.floor(r + 1e-9); x++) set(x, y);
  }
  for (let e = 0; e < 4; e++) {   // Bresenham outline
    let [x0, y0] = poly[e];
    const [x1, y1] = poly[(e + 1) % 4], dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      set(x0, y0);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }
  let sum = 0, n = 0;
  for (let y = 0; y < ch; y++)
    for (let x = 0; x < cw; x++)
      if (mask[y * cw + x]) { sum += pred[(y + ymin) * W + x + xmin]; n++; }
  return n ? sum / n : 0;
}

// pyclipper offset with JT_ROUND by area * ratio / perimeter: every edge
// pushed out, the corners joined by arcs (sampled).
function unclip(box, ratio) {
  let area = 0, perim = 0;
  for (let i = 0; i < 4; i++) {
    const a = box[i], b = box[(i + 1) % 4];
    area += a[0] * b[1] - b[0] * a[1];
    perim += Math.hypot(b[0] - a[0], b[1] - a[1]);
  }
  const d = Math.abs(area) / 2 * ratio / perim, out = [];
  for (const p of box) for (let k = 0; k < 64; k++) {
    const t = 2 * Math.PI * k / 64;
    out.push([p[0] + d * Math.cos(t), p[1] + d * Math.sin(t)]);
  }
  return out;   // the hull of these is the offset polygon
}

async function ppocrDet(model, img) {
  let ratio = 1;
  if (Math.max(img.height, img.width) > 960) ratio = 960 / Math.max(img.height, img.width);
  const rh = Math.max(pyRound(Math.trunc(img.height * ratio) / 32) * 32, 32);
  const rw = Math.max(pyRound(Math.trunc(img.width * ratio) / 32) * 32, 32);
  const mean = [0.485, 0.456, 0.406].map(v => v * 255), std = [0.229, 0.224, 0.225].map(v => v * 255);
  const input = C.toNCHW(C.resizeLinear(img, rw, rh), 'BGR', mean, std);
  const [out] = await C.runModel(model, [{ data: input, dims: [1, 3, rh, rw] }]);
  const H = out.dims[2], W = out.dims[3], pred = out.data;
  const seen = new Uint8Array(W * H), dets = [];
  let regions = 0;
  for (let s = 0; s < W * H && regions < 1000; s++) {
    if (seen[s] || !(pred[s] > 0.3)) continue;
    regions++;
    const stack = [s], pix = [];
    seen[s] = 1;
    while (stack.length) {
      const q = stack.pop(), x = q % W, y = (q - x) / W;
      pix.push([x, y]);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx, ny = y + dy, nq = ny * W + nx;
        if (nx >= 0 && ny >= 0 && nx < W && ny < H && !seen[nq] && pred[nq] > 0.3) { seen[nq] = 1; stack.push(nq); }
      }
    }
    const [box, side] = miniBox(pix);
    if (!box || side < 3) continue;
    const score = boxScoreFast(pred, W, H, box);
    if (score < 0.6) continue;
    const [big, side2] = miniBox(unclip(box, 1.5));
    if (!big || side2 < 5) continue;
    let p = big.map(q => [Math.min(Math.max(pyRound(q[0] / W * img.width), 0), img.width),
                          Math.min(Math.max(pyRound(q[1] / H * img.height), 0), img.height)]);
    // filter_tag_det_res: clockwise order, clip to the last pixel, sides > 3
    const byX = p.slice().sort((a, b) => a[0] - b[0]);
    const left = byX.slice(0, 2).sort((a, b) => a[1] - b[1]), right = byX.slice(2).sort((a, b) => a[1] - b[1]);
    p = [left[0], right[0], right[1], left[1]].map(q => [Math.min(Math.max(q[0], 0), img.width - 1), Math.min(Math.max(q[1], 0), img.height - 1)]);
    if (Math.trunc(Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1])) <= 3 || Math.trunc(Math.hypot(p[0][0] - p[3][0], p[0][1] - p[3][1])) <= 3) continue;
    const xs = p.map(q => q[0]), ys = p.map(q => q[1]);
    dets.push({ class_id: 0, label: null, score, polygon: p,
                box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] });
  }
  // sorted_boxes: top to bottom, then left to right within 10 pixels
  dets.sort((a, b) => a.polygon[0][1] - b.polygon[0][1] || a.polygon[0][0] - b.polygon[0][0]);
  for (let i = 0; i < dets.length - 1; i++)
    for (let j = i; j >= 0; j--) {
      if (Math.abs(dets[j + 1].polygon[0][1] - dets[j].polygon[0][1]) < 10 && dets[j + 1].polygon[0][0] < dets[j].polygon[0][0])
        [dets[j], dets[j + 1]] = [dets[j + 1], dets[j]];
      else break;
    }
  return { outputs: [out], detections: dets };
}

// ---- PP-OCRv4 rec (resize_norm_img + CTCLabelDecode) -----------------------

async function ppocrRec(model, img) {
  const imgH = 48, maxRatio = Math.max(320 / 48, img.width / img.height);
  const imgW = Math.trunc(imgH * maxRatio);
  const rw = Math.min(Math.ceil(imgH * img.width / img.height), imgW);
  const input = C.toNCHW(C.resizeLinear(img, rw, imgH), 'BGR', [127.5, 127.5, 127.5], [127.5, 127.5, 127.5], imgW);
  const [out] = await C.runModel(model, [{ data: input, dims: [1, 3, imgH, imgW] }]);
  const keys = C.readLabels(path.join(path.dirname(model), 'ppocr-keys-v1.txt'));
  const chars = ['blank', ...keys, ' '], T = out.dims[1], K = out.dims[2];
  let text = '', sum = 0, n = 0, prev = -1;
  for (let t = 0; t < T; t++) {
    const r = out.data.subarray(t * K, (t + 1) * K);
    let best = 0;
    for (let k = 1; k < K; k++) if (r[k] > r[best]) best = k;
    if (best !== prev && best !== 0) { text += chars[best]; sum += r[best]; n++; }
    prev = best;
  }
  return { outputs: [out], detections: [{ class_id: 0, label: null, score: n ? sum / n : 0, text, box: [0, 0, img.width, img.height] }] };
}

// ---- main ------------------------------------------------------------------

const PIPELINES = {
  'yolo-fastestv2-coco-352': yoloFastestV2,
  'ultraface-rfb-320': ultraface,
  'ultraface-slim-320': ultraface,
  'ppocrv4-det': ppocrDet,
  'ppocrv4-rec': ppocrRec,
};

function writeNpy(file, out) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${out.dims.join(', ')}${out.dims.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  const h = Buffer.alloc(10);
  h.write('\x93NUMPY', 0, 'latin1'); h[6] = 1; h[7] = 0; h.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([h, Buffer.from(header, 'latin1'), Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength)]));
}

async function main() {
  const args = process.argv.slice(2), dump = args.indexOf('--dump');
  const dumpDir = dump >= 0 ? args.splice(dump, 2)[1] : null;
  const [model, image] = args;
  const name = path.basename(model || '').replace(/\.onnx$/, '');
  if (!image || !PIPELINES[name]) {
    process.stderr.write(`usage: node ref-detect.js MODEL.onnx IMAGE [--dump DIR]\nmodels: ${Object.keys(PIPELINES).join(', ')}\n`);
    process.exit(2);
  }
  const img = C.loadImage(image);
  const { outputs, detections } = await PIPELINES[name](model, img);
  if (dumpDir) {
    fs.mkdirSync(dumpDir, { recursive: true });
    outputs.forEach((o, i) => writeNpy(path.join(dumpDir, `output${i}.npy`), o));
  }
  const json = {
    model: path.basename(model), image: path.basename(image), width: img.width, height: img.height,
    detections: detections.map(d => Object.assign({ class_id: d.class_id, label: d.label, score: C.round(d.score),
                                                     box: d.box.map(C.round) },
                                                   d.polygon ? { polygon: d.polygon.map(p => p.map(C.round)) } : {},
                                                   d.text !== undefined ? { text: d.text } : {})),
  };
  process.stdout.write(JSON.stringify(json) + '\n');
}

main().catch(e => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
