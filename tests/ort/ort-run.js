// SPDX-License-Identifier: GPL-3.0-or-later
//
// ort-run.js: runs an ONNX model with ONNX Runtime (npm onnxruntime-node,
// installed with --ignore-scripts) on .npy inputs and writes every output
// as .npy — the reference side of the ORT-agreement tests.
//
//   node ort-run.js MODEL.onnx OUTDIR NAME=INPUT.npy... [--threads N]
//
// Output files are named after the output tensors (characters outside
// [A-Za-z0-9._-] replaced by '_'), like `lamina-cli run`.
'use strict';

const fs = require('fs');
const path = require('path');
const { loadOrt } = require('../ref/ref-common.js');

const DTYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '|i1': ['int8', Int8Array], '|u1': ['uint8', Uint8Array],
  '<i4': ['int32', Int32Array], '<i8': ['int64', BigInt64Array], '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(Boolean).map(Number);
  const [type, Ctor] = DTYPES[descr] || (() => { throw new Error(`${file}: dtype ${descr}`); })();
  const data = buf.subarray(start + hlen);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  let arr = new Ctor(copy.buffer, 0, copy.length / Ctor.BYTES_PER_ELEMENT);
  if (type === 'bool') arr = Array.from(arr, v => v !== 0);
  return { type, shape, arr };
}

const NPY_DESCR = { float32: '<f4', float64: '<f8', int8: '|i1', uint8: '|u1', int32: '<i4', int64: '<i8', bool: '|b1' };

function writeNpy(file, tensor) {
  const descr = NPY_DESCR[tensor.type];
  if (!descr) throw new Error(`cannot write ${tensor.type}`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.type === 'bool' ? Buffer.from(Uint8Array.from(tensor.data, v => v ? 1 : 0))
    : Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
  fs.renameSync(tmp, file);
}

async function main() {
  const args = process.argv.slice(2);
  let threads = 1;
  const ti = args.indexOf('--threads');
  if (ti >= 0) { threads = Number(args[ti + 1]); args.splice(ti, 2); }
  const [model, outDir, ...inputs] = args;
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const spec of inputs) {
    const eq = spec.indexOf('=');
    const t = readNpy(spec.slice(eq + 1));
    feeds[spec.slice(0, eq)] = new ort.Tensor(t.type, t.arr, t.shape);
  }
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of session.outputNames) {
    writeNpy(path.join(outDir, name.replace(/[^A-Za-z0-9._-]/g, '_') + '.npy'), results[name]);
  }
}

main().catch(e => { console.error(e.message || e); process.exit(1); });
