# RUN: %python %s
# A small CNN (Conv + Relu + MaxPool twice, Flatten, Gemm) with seeded random
# weights, checked against a numpy reference written from the ONNX op
# definitions (kiln_testing.conv2d / pool2d) to rtol 1e-4, atol 1e-5.

import numpy as np

import kiln_testing as kt


def test():
    rng = kt.rng(2)
    n, c, h, w = 2, 3, 12, 12
    k1 = kt.glorot(rng, 3 * 9, 8, 3, 3, 3)
    c1 = kt.randn(rng, 8, scale=0.1)
    k2 = kt.glorot(rng, 8 * 9, 16, 8, 3, 3)
    c2 = kt.randn(rng, 16, scale=0.1)
    # 12x12 -conv pad 1-> 12x12 -pool 2/2-> 6x6 -conv valid-> 4x4 -pool 2/2->
    # 2x2; 16 * 2 * 2 = 64 features.
    fc = kt.glorot(rng, 64, 64, 10)
    fc_b = kt.randn(rng, 10, scale=0.1)
    model = kt.make_model(
        [
            kt.node("Conv", ["x", "k1", "c1"], ["conv1"], kernel_shape=[3, 3],
                    pads=[1, 1, 1, 1]),
            kt.node("Relu", ["conv1"], ["relu1"]),
            kt.node("MaxPool", ["relu1"], ["pool1"], kernel_shape=[2, 2],
                    strides=[2, 2]),
            kt.node("Conv", ["pool1", "k2", "c2"], ["conv2"]),
            kt.node("Relu", ["conv2"], ["relu2"]),
            kt.node("MaxPool", ["relu2"], ["pool2"], kernel_shape=[2, 2],
                    strides=[2, 2]),
            kt.node("Flatten", ["pool2"], ["flat"], axis=1),
            kt.node("Gemm", ["flat", "fc", "fc_b"], ["y"]),
        ],
        inputs=[kt.tensor_input("x", [n, c, h, w])],
        outputs=[kt.tensor_output("pool1", [n, 8, 6, 6]),
                 kt.tensor_output("y", [n, 10])],
        initializers={"k1": k1, "c1": c1, "k2": k2, "c2": c2, "fc": fc,
                      "fc_b": fc_b})

    x = kt.randn(rng, n, c, h, w)
    relu1 = kt.relu(kt.conv2d(x, k1, c1, pads=(1, 1, 1, 1)))
    pool1 = kt.pool2d(relu1, (2, 2), strides=(2, 2))
    relu2 = kt.relu(kt.conv2d(pool1, k2, c2))
    pool2 = kt.pool2d(relu2, (2, 2), strides=(2, 2))
    y = pool2.reshape(n, -1) @ fc.astype(np.float64) + fc_b
    kt.check(model, {"x": x}, {"pool1": pool1, "y": y})


kt.main(test)
