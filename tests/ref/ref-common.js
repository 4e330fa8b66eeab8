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

// onnxruntime-node from $LAMINA_ORT_DIR, build-aux/ort or the usual places.
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

// cv2.resize(..., INTER_LINEAR) on 8-bit RGB in OpenCV 4's fixed-point
// arithmetic (resize.cpp: HResizeLinear, VResizeLinear<uchar>): source
// coordinate (d + 0.5) * scale - 0.5 in float, weights (1 - f, f) rounded
// to 11 bits; horizontally a tap outside the image gets weight one on the
// border pixel, vertically only the row is clamped; the vertical step is
// ((h0 >> 4) * b0 >> 16) + ((h1 >> 4) * b1 >> 16), then (+ 2) >> 2.
const rintEven = v => {   // lrintf: halves to even
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

function resizeTaps(src, dst, clampWeights) {
  const scale = 1 / (dst / src), taps = [];
  for (let d = 0; d < dst; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5), s = Math.floor(f);
    f = Math.fround(f - s);
    if (clampWeights && s < 0) { f = 0; s = 0; }
    if (clampWeights && s >= src - 1) { f = 0; s = src - 1; }
    taps.push({ ofs: Math.min(Math.max(s, 0), src - 1), ofs1: Math.min(Math.max(s + 1, 0), src - 1),
                w0: rintEven(Math.fround(1 - f) * 2048), w1: rintEven(f * 2048) });
  }
  return taps;
}

function resizeLinear(img, w, h) {
  if (w === img.width && h === img.height) return { width: w, height: h, data: Buffer.from(img.data) };
  const out = Buffer.alloc(w * h * 3), xt = resizeTaps(img.width, w, true), yt = resizeTaps(img.height, h, false);
  const hrow = r => {
    const sums = new Int32Array(w * 3);
    for (let x = 0; x < w; x++) {
      const t = xt[x], border = t.ofs + 1 >= img.width;
      for (let k = 0; k < 3; k++) {
        const p0 = img.data[(r * img.width + t.ofs) * 3 + k], p1 = img.data[(r * img.width + t.ofs1) * 3 + k];
        sums[3 * x + k] = border ? p0 * 2048 : p0 * t.w0 + p1 * t.w1;
      }
    }
    return sums;
  };
  for (let y = 0; y < h; y++) {
    const t = yt[y], h0 = hrow(t.ofs), h1 = hrow(t.ofs1);
    for (let i = 0; i < w * 3; i++) {
      const v = ((((h0[i] >> 4) * t.w0) >> 16) + (((h1[i] >> 4) * t.w1) >> 16) + 2) >> 2;
      out[y * w * 3 + i] = Math.min(255, Math.max(0, v));
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

module.exports = { loadOrt, loadImage, resizeLinear, toNCHW, iou, hardNms, runModel, readLabels, round };
