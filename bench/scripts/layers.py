#!/usr/bin/python3
"""Times each convolution and matmul of an ONNX model alone, Kiln against ONNX
Runtime, to find the layers where a whole-model gap comes from:

  bench/scripts/layers.py MODEL.onnx [--threads N] [--runs N] [--ops Conv,Gemm]

Every Conv, Gemm and MatMul node with static shapes becomes a one-node model
(its constant weights and bias kept, its input random) under a scratch folder.
Layers of the same shape and attributes are timed once and counted. For each,
`kiln bench` (JIT) and onnxruntime-node (bench/scripts/ort_bench.mjs) run
one after the other; outputs are compared (largest error relative to the
largest magnitude). Printed: milliseconds (medians), GFLOP/s and % of one
core's peak, ORT / Kiln, and the share of the model's summed layer time.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from driver import cpu_facts, parse_median, peer_env  # noqa: E402


def static_shape(value_info):
    dims = value_info.type.tensor_type.shape.dim
    if any(not d.HasField("dim_value") for d in dims):
        return None
    return [d.dim_value for d in dims]


def layer_models(model, op_types, batch):
    """Yields (key, count, one-node ModelProto, flops) per distinct layer."""
    for vi in model.graph.input:
        for d in vi.type.tensor_type.shape.dim:
            if d.HasField("dim_param"):
                d.dim_value = batch
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for vi in (list(inferred.graph.value_info) + list(inferred.graph.input) +
               list(inferred.graph.output)):
        shape = static_shape(vi)
        if shape is not None:
            shapes[vi.name] = shape
    inits = {t.name: t for t in model.graph.initializer}
    # PyTorch's exporter passes shared weights through Identity nodes.
    for node in model.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            inits[node.output[0]] = inits[node.input[0]]
    seen = {}
    for node in model.graph.node:
        if node.op_type not in op_types:
            continue
        data = node.input[0]
        if data not in shapes or node.output[0] not in shapes:
            continue
        out_shape = shapes[node.output[0]]
        attrs = tuple(sorted((a.name, str(helper.get_attribute_value(a)))
                             for a in node.attribute))
        weights = [inits.get(i) for i in node.input[1:]]
        wshapes = tuple(tuple(w.dims) if w is not None else
                        tuple(shapes.get(i, [])) for w, i in
                        zip(weights, node.input[1:]))
        key = (node.op_type, tuple(shapes[data]), wshapes, attrs)
        if key in seen:
            seen[key][1] += 1
            continue
        inputs = [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT,
                                                shapes[data])]
        node_inputs, init_list = ["x"], []
        for i, (name, w) in enumerate(zip(node.input[1:], weights)):
            if not name:
                node_inputs.append("")
            elif w is not None:
                init_list.append(onnx.TensorProto())
                init_list[-1].CopyFrom(w)
                init_list[-1].name = f"w{i}"
                node_inputs.append(f"w{i}")
            else:
                inputs.append(helper.make_tensor_value_info(
                    f"in{i}", onnx.TensorProto.FLOAT, shapes[name]))
                node_inputs.append(f"in{i}")
        one = helper.make_node(node.op_type, node_inputs, ["y"])
        one.attribute.extend(node.attribute)
        graph = helper.make_graph(
            [one], "layer", inputs,
            [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT,
                                           out_shape)], init_list)
        m = helper.make_model(graph, opset_imports=model.opset_import)
        if node.op_type == "Conv":
            w = wshapes[0]
            flops = 2 * np.prod(out_shape) * np.prod(w[1:])
        else:
            k = shapes[data][-1]
            flops = 2 * np.prod(out_shape) * k
        seen[key] = [key, 1, m, float(flops), shapes, node]
    for key, count, m, flops, _, node in seen.values():
        yield key, count, m, flops


def describe(key):
    op, x, w, attrs = key
    a = dict(attrs)
    text = f"{op} x{list(x)} w{list(w[0]) if w else ''}"
    for name in ("strides", "group"):
        if name in a and a[name] not in ("[1, 1]", "1"):
            text += f" {name[0]}{a[name]}"
    return text


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--batch", type=int, default=1,
                   help="value of the inputs' symbolic dimensions")
    p.add_argument("--ops", default="Conv,Gemm,MatMul")
    p.add_argument("--kiln", default=os.path.join(ROOT, "build", "bin", "kiln"))
    p.add_argument("--work", default=None, help="scratch folder")
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="kiln-layers-")
    model = onnx.load(args.model)
    peak = cpu_facts()["peak_gflops"]
    rows, rng = [], np.random.default_rng(0)
    for n, (key, count, m, flops) in enumerate(
            layer_models(model, args.ops.split(","), args.batch)):
        folder = os.path.join(work, f"layer{n}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "model.onnx")
        onnx.save(m, path)
        feeds = []
        for vi in m.graph.input:
            shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
            f = os.path.join(folder, vi.name + ".npy")
            np.save(f, rng.standard_normal(shape).astype(np.float32))
            feeds.append(f"{vi.name}={f}")
        env = peer_env(args.threads)
        times, outs = {}, {}
        for system in ("kiln", "ort"):
            out = os.path.join(folder, system)
            os.makedirs(out, exist_ok=True)
            if system == "kiln":
                cmd = [args.kiln, "bench", path, "--threads",
                       str(args.threads), "--runs", str(args.runs),
                       "--warmup", "5", "--output-dir", out]
                for f in feeds:
                    cmd += ["--input", f]
            else:
                # onnxruntime-node runs a one-node model about 6 ms slower
                # for its first ~25-60 calls (whole models do not show this).
                cmd = ["node", os.path.join(HERE, "ort_bench.mjs"), path,
                       str(args.threads), str(args.runs), "100", out] + feeds
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  env=env)
            times[system] = parse_median(proc.stdout)
            if times[system] is None:
                print(f"{describe(key)}: {system} failed: "
                      f"{proc.stderr.strip()[-300:]}", file=sys.stderr)
            files = [f for f in os.listdir(out) if f.endswith(".npy")]
            outs[system] = (np.load(os.path.join(out, files[0]))
                            if files else None)
        err = None
        if outs["kiln"] is not None and outs["ort"] is not None:
            ref = outs["ort"].astype(np.float64)
            err = float(np.abs(outs["kiln"] - ref).max() /
                        max(np.abs(ref).max(), 1e-30))
        rows.append((describe(key), count, flops, times["kiln"],
                     times["ort"], err))
        print(f"  {rows[-1][0]}: kiln {times['kiln']} ms, ort {times['ort']}"
              f" ms", file=sys.stderr, flush=True)
    total_kiln = sum(r[1] * r[3] for r in rows if r[3])
    total_ort = sum(r[1] * r[4] for r in rows if r[4])
    print(f"\n{args.model}, {args.threads} thread(s), medians of {args.runs}"
          f" runs; peak {peak:.0f} GFLOP/s per core\n")
    print("| layer | n | MFLOP | Kiln ms | ORT ms | ORT/Kiln | Kiln GFLOP/s |"
          " % peak | share of Kiln | rel err |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, count, flops, tk, to, err in sorted(
            rows, key=lambda r: -(r[1] * (r[3] or 0))):
        gf = flops / (tk * 1e6) if tk else None
        print(f"| {name} | {count} | {flops / 1e6:.1f} | "
              f"{tk if tk is not None else '-'} | "
              f"{to if to is not None else '-'} | "
              f"{(to / tk) if tk and to else 0:.2f} | "
              f"{gf or 0:.0f} | {100 * (gf or 0) / (peak * args.threads):.0f} | "
              f"{100 * count * (tk or 0) / total_kiln:.1f}% | "
              f"{err if err is not None else '-':.1e} |")
    print(f"\nsum over layers: Kiln {total_kiln:.2f} ms, ORT {total_ort:.2f}"
          f" ms")


if __name__ == "__main__":
    main()
