// SPDX-License-Identifier: GPL-3.0-or-later
//
// ref-common.js: the pieces every reference pipeline shares, written out
// from the publishers' Python (cv2/numpy) code: JPEG decoding as
// cv2.imread does it (libjpeg-turbo's djpeg, EXIF orientation applied),
// cv2.resize INTER_LINEAR, hard NMS, and ONNX Runtime.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

function loadOrt() {
  const roots = [process.env.LAMINA_ORT_DIR, path.join(__dirname, '..', '..', 'build-aux', 'ort')];
  for (const r of roots.filter(Boolean)) {
    try { return require(path.join(r, 'node_modules', 'onnxruntime-node')); } catch (e) { /* next */ }
  }
  return require('onnxruntime-node');
}

// EXIF orientation (tag 0x0112 of IFD0 in the APP1 "Exif" segment); 1 when absent.
function exifOrientation(buf) {
  let p = 2;
  while (p + 4 <= buf.length && buf[p] === 0xff) {
    const marker = buf[p + 1], len = buf.readUInt16BE(p + 2);
    if (marker === 0xe1 && buf.toString('latin1', p + 4, p + 10) === 'Exif\0\0') {
      const t = p + 10, le = buf.toString('latin1', t, t + 2) === 'II';
      const u16 = o => (le ? buf.readUInt16LE(t + o) : buf.readUInt16BE(t + o));
      const u32 = o => (le ? buf.readUInt32LE(t + o) : buf.readUInt32BE(t + o));
      const ifd = u32(4), n = u16(ifd);
      for (let i = 0; i < n; i++) {
        const e = ifd + 2 + 12 * i;
        if (u16(e) === 0x0112) return u16(e + 8);
      }
      return 1;
    }
    if (marker === 0xda) break;
    p += 2 + len;
  }
  return 1;
}

// Applies an EXIF orientation to an RGB image {width, height, data}.
function orient(img, o) {
  if (o <= 1 || o > 8) return img;
  const swap = o >= 5, w = swap ? img.height : img.width, h = swap ? img.width : img.height;
  const out = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // source pixel of output (x, y) for each orientation
      let sx, sy;
      switch (o) {
        case 2: sx = img.width - 1 - x; sy = y; break;
        case 3: sx = img.width - 1 - x; sy = img.height - 1 - y; break;
        case 4: sx = x; sy = img.height - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = img.height - 1 - x; break;
        case 7: sx = img.width - 1 - y; sy = img.height - 1 - x; break;
        default: sx = img.width - 1 - y; sy = x; break;   // 8
      }
      img.data.copy(out, (y * w + x) * 3, (sy * img.width + sx) * 3, (sy * img.width + sx) * 3 + 3);
    }
  }
  return { width: w, height: h, data: out };
}

// RGB bytes of a JPEG file, as cv2.imread(path, IMREAD_COLOR) (in RGB order).
function loadImage(file) {
  const bytes = fs.readFileSync(file);
  const ppm = execFileSync('djpeg', ['-ppm', file], { maxBuffer: 1 << 30 });
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.toString('latin1', 0, 64));
  if (!header) throw new Error(`${file}: djpeg gave no binary PPM`);
  const width = +header[1], height = +header[2];
  const data = ppm.subarray(header[0].length, header[0].length + width * height * 3);
  return orient({ width, height, data: Buffer.from(data) }, exifOrientation(bytes));
}

// cv2.resize(..., INTER_LINEAR) on 8-bit RGB: half-pixel centres, the
// source column/row clamped at the borders, rounded to 8 bits. (OpenCV's
// fixed-point weights can differ from this by one grey level.)
function resizeLinear(img, w, h) {
  const out = Buffer.alloc(w * h * 3);
  const sxs = img.width / w, sys = img.height / h;
  const tap = (f, n) => {
    let s = Math.floor(f), a = f - s;
    if (s < 0) { s = 0; a = 0; }
    if (s >= n - 1) { s = n - 1; a = 0; }
    return [s, Math.min(s + 1, n - 1), a];
  };
  for (let y = 0; y < h; y++) {
    const fy = (y + 0.5) * sys - 0.5;
    let y0 = Math.floor(fy), b = fy - y0;
    const r0 = Math.min(Math.max(y0, 0), img.height - 1), r1 = Math.min(Math.max(y0 + 1, 0), img.height - 1);
    for (let x = 0; x < w; x++) {
      const [c0, c1, a] = tap((x + 0.5) * sxs - 0.5, img.width);
      for (let k = 0; k < 3; k++) {
        const p = (r, c) => img.data[(r * img.width + c) * 3 + k];
        const top = p(r0, c0) * (1 - a) + p(r0, c1) * a, bottom = p(r1, c0) * (1 - a) + p(r1, c1) * a;
        out[(y * w + x) * 3 + k] = Math.min(255, Math.max(0, Math.round(top * (1 - b) + bottom * b)));
      }
    }
  }
  return { width: w, height: h, data: out };
}

// NCHW float32 tensor data from an RGB image: value = (pixel - mean) / std
// per tensor channel; order 'RGB' or 'BGR' gives the tensor's channel order.
function toNCHW(img, order, mean, std, width = img.width) {
  const out = new Float32Array(3 * img.height * width);
  for (let c = 0; c < 3; c++) {
    const src = order === 'BGR' ? 2 - c : c;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++)
        out[c * img.height * width + y * width + x] = (img.data[(y * img.width + x) * 3 + src] - mean[c]) / std[c];
  }
  return out;
}

function iou(a, b) {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]), ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

// The reference implementations' hard NMS: best first, drop boxes with
// IoU > thr against any kept one; per class unless agnostic.
function hardNms(dets, thr, agnostic) {
  const sorted = dets.slice().sort((a, b) => b.score - a.score);
  const kept = [];
  for (const d of sorted) {
    if (!kept.some(k => (agnostic || k.class_id === d.class_id) && iou(k.box, d.box) > thr)) kept.push(d);
  }
  return kept;
}

async function runModel(modelPath, feeds) {
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2, logSeverityLevel: 3 });
  const inputs = {};
  for (const [i, name] of session.inputNames.entries()) {
    const f = feeds[i];
    inputs[name] = new ort.Tensor('float32', f.data, f.dims);
  }
  const results = await session.run(inputs);
  return session.outputNames.map(n => ({ name: n, data: results[n].data, dims: results[n].dims }));
}

function readLabels(file) {
  return fs.readFileSync(file, 'utf8').split('\n').map(l => l.replace(/\r$/, '')).filter((l, i, a) => l !== '' || i < a.length - 1);
}

const round = v => Math.round(v * 1e4) / 1e4;

module.exports = { loadImage, resizeLinear, toNCHW, iou, hardNms, runModel, readLabels, round };
