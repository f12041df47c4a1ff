// Times ONNX Runtime (onnxruntime-node, CPU) on one model, for bench/run.sh:
//
//   node ort_bench.mjs MODEL THREADS RUNS WARMUP OUT_DIR NAME=FILE.npy...
//
// Reads the inputs from .npy files, runs WARMUP untimed and RUNS timed calls
// of session.run with THREADS intra-op threads (one inter-op thread), writes
// each output as OUT_DIR/NAME.npy and prints `median_ms=X min_ms=X`.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");

const NPY_TYPES = {
  "<f4": ["float32", Float32Array], "<f8": ["float64", Float64Array],
  "<i8": ["int64", BigInt64Array], "<i4": ["int32", Int32Array],
};

/// A .npy file (version 1 or 2, little-endian, C order) as an ort.Tensor.
function readNpy(path) {
  const buf = readFileSync(path);
  if (buf.toString("latin1", 1, 6) !== "NUMPY") throw new Error(`${path}: not .npy`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString("latin1", major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",")
      .map((s) => s.trim()).filter((s) => s.length).map(Number);
  const [type, Array] = NPY_TYPES[descr] ?? [];
  if (!type) throw new Error(`${path}: dtype ${descr} not supported`);
  const bytes = buf.subarray(start);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new ort.Tensor(type, new Array(copy.buffer), shape);
}

/// Writes a float32 tensor as .npy (version 1).
function writeNpy(path, tensor) {
  if (tensor.type !== "float32") return;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${
      tensor.dims.join(", ")}${tensor.dims.length === 1 ? "," : ""}), }`;
  header += " ".repeat(63 - ((header.length + 10) % 64)) + "\n";
  const pre = Buffer.alloc(10);
  pre.write("\x93NUMPY", 0, "latin1");
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, "latin1"),
      Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)]));
}

const [model, threads, runs, warmup, outDir, ...inputSpecs] = process.argv.slice(2);
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: Number(threads),
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
});
const feeds = {};
for (const spec of inputSpecs) {
  const [name, file] = spec.split("=");
  feeds[name] = readNpy(file);
}
let results;
for (let i = 0; i < Math.max(1, Number(warmup)); ++i) results = await session.run(feeds);
const times = [];
for (let i = 0; i < Number(runs); ++i) {
  const start = process.hrtime.bigint();
  results = await session.run(feeds);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
for (const [name, tensor] of Object.entries(results))
  writeNpy(`${outDir}/${name.replace(/[^A-Za-z0-9_-]/g, "_")}.npy`, tensor);
times.sort((a, b) => a - b);
const mid = times.length >> 1;
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
console.log(`median_ms=${median.toFixed(4)} min_ms=${times[0].toFixed(4)}`);
