// Times ONNX Runtime's session.run on one model from Node: ROUNDS rounds of
// CALLS calls after a warm-up, one intra-op thread; prints the median
// microseconds per call.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");

const [model, calls, rounds = "7"] = process.argv.slice(2);
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
});
const x = new ort.Tensor("float32", Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)), [1, 16]);
const feeds = { x };
for (let i = 0; i < Number(calls) / 10 + 1; ++i) await session.run(feeds);
const perCall = [];
for (let r = 0; r < Number(rounds); ++r) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < Number(calls); ++i) await session.run(feeds);
  perCall.push(Number(process.hrtime.bigint() - start) / 1e3 / Number(calls));
}
perCall.sort((a, b) => a - b);
console.log(perCall[Math.floor(perCall.length / 2)].toFixed(3));
