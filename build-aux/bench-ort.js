#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// bench-ort.js: latency of one model in ONNX Runtime (onnxruntime-node), the
// yardstick for Lamina's simulator (issue 3, "Speed").
//
//   node build-aux/bench-ort.js MODEL [--threads N] [--runs N] [--warmup N]
//        [--shape NAME=1x3x640x640 ...] [--json]
//
// Inputs are uniform random floats in [0, 1) (seeded, so runs compare);
// dynamic dimensions must be given with --shape. Prints min and median
// milliseconds of session.run. onnxruntime-node is looked up in
// $LAMINA_ORT_DIR, then build-aux/ort (npm install --ignore-scripts there).
'use strict';

const path = require('path');

function loadOrt () {
  const dirs = [process.env.LAMINA_ORT_DIR, path.join(__dirname, 'ort')].filter(Boolean);
  for (const dir of dirs) {
    try {
      return require(require.resolve('onnxruntime-node', { paths: [dir] }));
    } catch (e) { /* try the next one */ }
  }
  console.error('bench-ort: onnxruntime-node not found; run\n' +
                '  npm install --ignore-scripts --prefix build-aux/ort onnxruntime-node');
  process.exit(77);
}

function parseArgs (argv) {
  const opts = { threads: 1, runs: 20, warmup: 3, shapes: {}, json: false, model: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--threads') opts.threads = parseInt(next(), 10);
    else if (a === '--runs') opts.runs = parseInt(next(), 10);
    else if (a === '--warmup') opts.warmup = parseInt(next(), 10);
    else if (a === '--json') opts.json = true;
    else if (a === '--help') {
      console.log('usage: bench-ort.js MODEL [--threads N] [--runs N] [--warmup N] [--shape NAME=1x3x640x640] [--json]');
      process.exit(0);
    }
    else if (a === '--shape') {
      const [name, dims] = next().split('=');
      // 1x3x640x640 as lamina-cli writes it, or 1,3,640,640
      opts.shapes[name] = dims.split(/[x,]/).map((d) => parseInt(d, 10));
    } else if (!opts.model) opts.model = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.model) throw new Error('usage: bench-ort.js MODEL [--threads N] [--runs N] [--shape NAME=d,d,...]');
  if (!(opts.threads >= 1) || !(opts.runs >= 1)) throw new Error('--threads and --runs must be >= 1');
  return opts;
}

// A small deterministic generator (mulberry32): the same input every run.
function random (seed) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeInputs (ort, session, shapes) {
  const feeds = {};
  const next = random(42);
  const meta = session.inputMetadata || [];
  session.inputNames.forEach((name, i) => {
    let dims = shapes[name];
    if (!dims) {
      const m = Array.isArray(meta) ? meta[i] : meta[name];
      dims = m && m.shape ? m.shape : null;
      if (!dims || dims.some((d) => typeof d !== 'number' || d < 0))
        throw new Error(`input ${name} has dynamic dimensions; give --shape ${name}=...`);
    }
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let j = 0; j < n; j++) data[j] = next();
    feeds[name] = new ort.Tensor('float32', data, dims);
  });
  return feeds;
}

async function main () {
  const opts = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(opts.model, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const feeds = makeInputs(ort, session, opts.shapes);
  for (let i = 0; i < opts.warmup; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < opts.runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const min = times[0];
  const median = times.length % 2 ? times[(times.length - 1) / 2]
    : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  if (opts.json)
    console.log(JSON.stringify({ model: opts.model, threads: opts.threads, runs: opts.runs,
                                 min_ms: min, median_ms: median }));
  else
    console.log(`${path.basename(opts.model)}  threads ${opts.threads}  runs ${opts.runs}  ` +
                `min ${min.toFixed(2)} ms  median ${median.toFixed(2)} ms`);
}

main().catch((e) => {
  console.error(`bench-ort: ${e.message}`);
  process.exit(1);
});
