# RUN: %python %s
# Gemm with transA/transB/alpha/beta and every shape of C ONNX allows to
# broadcast (none, scalar, [1], [N], [M, 1], [M, N]); MatMul with batch
# dimensions, broadcast batches and vectors; against numpy (rtol 1e-4,
# atol 1e-5).

import itertools

import numpy as np

import kiln_testing as kt

rng = kt.rng(9)


def f64(a):
    return np.asarray(a, dtype=np.float64)


M, K, N = 4, 6, 5


def gemm_case(trans_a, trans_b, alpha, beta, c_shape, a_as_input=True,
              declared_m=None):
    a = kt.randn(rng, *((K, M) if trans_a else (M, K)))
    b = kt.randn(rng, *((N, K) if trans_b else (K, N)))
    attrs = {"transA": trans_a, "transB": trans_b}
    if alpha is not None:
        attrs["alpha"] = alpha
    if beta is not None:
        attrs["beta"] = beta
    want = (alpha if alpha is not None else 1.0) * (
        (f64(a).T if trans_a else f64(a)) @ (f64(b).T if trans_b else f64(b)))
    inits = {"b": b}
    names = ["a", "b"]
    if c_shape is not None:
        c = kt.randn(rng, *c_shape)
        inits["c"] = c
        names.append("c")
        want = want + (beta if beta is not None else 1.0) * f64(c)
    a_shape = list(a.shape)
    if declared_m:
        a_shape[1 if trans_a else 0] = declared_m
    model = kt.make_model(
        [kt.node("Gemm", names, ["y"], **attrs)],
        inputs=[kt.tensor_input("a", a_shape)],
        outputs=[kt.tensor_output("y", [declared_m or M, N])],
        initializers=inits)
    kt.check(model, {"a": a}, {"y": want},
             tag=f"gemm-{trans_a}{trans_b}-{c_shape}")


def test_gemm_flags():
    for trans_a, trans_b in itertools.product((0, 1), repeat=2):
        gemm_case(trans_a, trans_b, None, None, (N,))
    gemm_case(0, 1, 0.5, 2.0, (M, N))
    gemm_case(1, 0, -1.5, 0.25, (M, 1))
    gemm_case(1, 1, 2.0, 0.0, (1,))
    gemm_case(0, 0, 1.0, -1.0, ())


def test_gemm_no_c():
    gemm_case(0, 1, 3.0, 2.0, None)
    gemm_case(1, 0, None, None, None)


def test_gemm_dynamic_m():
    gemm_case(0, 1, 0.5, 1.5, (N,), declared_m="M")
    gemm_case(1, 0, None, None, (1, N), declared_m="M")


def test_gemm_both_inputs_runtime():
    # Neither operand is a constant: the product must be computed at run time.
    a = kt.randn(rng, M, K)
    b = kt.randn(rng, N, K)
    c = kt.randn(rng, M, N)
    model = kt.make_model(
        [kt.node("Gemm", ["a", "b", "c"], ["y"], transB=1, alpha=0.75,
                 beta=1.25)],
        inputs=[kt.tensor_input("a", [M, K]), kt.tensor_input("b", [N, K]),
                kt.tensor_input("c", [M, N])],
        outputs=[kt.tensor_output("y", [M, N])])
    kt.check(model, {"a": a, "b": b, "c": c},
             {"y": 0.75 * f64(a) @ f64(b).T + 1.25 * f64(c)})


def matmul_case(a_shape, b_shape, declared=None):
    a = kt.randn(rng, *a_shape)
    b = kt.randn(rng, *b_shape)
    want = np.matmul(f64(a), f64(b))
    da, db = declared or (a_shape, b_shape)
    model = kt.make_model(
        [kt.node("MatMul", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", list(da)), kt.tensor_input("b", list(db))],
        outputs=[kt.tensor_output("y", [f"d{i}" for i in range(want.ndim)])])
    kt.check(model, {"a": a, "b": b}, {"y": want},
             tag=f"matmul-{len(a_shape)}-{len(b_shape)}")


def test_matmul_shapes():
    matmul_case((M, K), (K, N))
    matmul_case((3, M, K), (K, N))
    matmul_case((3, M, K), (3, K, N))
    matmul_case((2, 1, M, K), (3, K, N))
    matmul_case((K,), (K, N))
    matmul_case((M, K), (K,))
    matmul_case((3, M, K), (K,))


def test_matmul_dynamic():
    matmul_case((7, M, K), (K, N), declared=(["B", M, K], [K, N]))
    matmul_case((M, K), (K, N), declared=(["m", K], [K, "n"]))


kt.main(test_gemm_flags, test_gemm_no_c, test_gemm_dynamic_m,
        test_gemm_both_inputs_runtime, test_matmul_shapes, test_matmul_dynamic)
