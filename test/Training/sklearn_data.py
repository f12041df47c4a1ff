# RUN: %python %s
# Real training on the data sets Debian's python3-sklearn ships
# (sklearn/datasets/data), each from a fixed seed in a few seconds, through
# `kiln train`. Every figure is computed here, in numpy, from the ONNX file
# Kiln wrote (never from Kiln's own progress output):
# - diabetes, linear regression with SGD and MSE: the training MSE comes
#   within 1% of the closed-form least-squares fit (numpy.linalg.lstsq), and
#   the predictions within 2% of the target's spread;
# - breast_cancer, an MLP with Adam and binary cross-entropy: >= 95%
#   validation accuracy;
# - digits, a softmax classifier and a small CNN with Adam and categorical
#   cross-entropy: >= 95% validation accuracy each.

import numpy as np
from sklearn import datasets

import kiln_testing as kt

rng = kt.rng(3)


def split(x, y, seed, valid_fraction=0.2):
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(len(x) * (1 - valid_fraction))
    return (x[order[:cut]], y[order[:cut]]), (x[order[cut:]], y[order[cut:]])


def standardize(train, *others):
    mean, std = train.mean(axis=0), train.std(axis=0) + 1e-8
    return [((a - mean) / std).astype(np.float32) for a in (train,) + others]


def test_diabetes_linear_regression():
    x, y = datasets.load_diabetes(return_X_y=True)
    (x,) = standardize(x)
    y = ((y - y.mean()) / y.std()).astype(np.float32).reshape(-1, 1)
    model = kt.make_model(
        [kt.node("Gemm", ["x", "w", "b"], ["y"])],
        inputs=[kt.tensor_input("x", ["N", 10])],
        outputs=[kt.tensor_output("y", ["N", 1])],
        initializers={"w": np.zeros((10, 1), np.float32),
                      "b": np.zeros(1, np.float32)})
    # Full-batch gradient descent (442 samples per step).
    _, trained = kt.train_kiln(
        model, {"x": x, "y": y},
        ["--loss", "mse", "--optimizer", "sgd", "--lr", "0.1", "--epochs",
         "3000", "--batch-size", str(len(x)), "--quiet"])
    w = kt.initializers(trained)
    got = x.astype(np.float64) @ w["w"] + w["b"]

    design = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])
    coef, *_ = np.linalg.lstsq(design, y.astype(np.float64), rcond=None)
    best = design @ coef
    mse, best_mse = np.mean((got - y) ** 2), np.mean((best - y) ** 2)
    if mse > 1.01 * best_mse:
        kt.fail(f"training MSE {mse:.6f} is not within 1% of the "
                f"least-squares MSE {best_mse:.6f}")
    gap = np.max(np.abs(got - best))
    print(f"diabetes: training MSE {mse:.6f}, least squares {best_mse:.6f}, "
          f"largest prediction gap {gap:.4f}")
    if gap > 0.02:
        kt.fail(f"predictions differ from least squares by up to {gap:.4f} "
                f"standard deviations (allowed 0.02)")


def test_breast_cancer_mlp():
    x, y = datasets.load_breast_cancer(return_X_y=True)
    (xt, yt), (xv, yv) = split(x, y, seed=0)
    xt, xv = standardize(xt, xv)
    yt = yt.astype(np.float32).reshape(-1, 1)
    yv = yv.astype(np.float32).reshape(-1, 1)
    h = 16
    model = kt.make_model(
        [kt.node("Gemm", ["x", "w1", "b1"], ["h"]),
         kt.node("Relu", ["h"], ["a"]),
         kt.node("Gemm", ["a", "w2", "b2"], ["logit"])],
        inputs=[kt.tensor_input("x", ["N", 30])],
        outputs=[kt.tensor_output("logit", ["N", 1])],
        initializers={"w1": kt.glorot(rng, 30, 30, h),
                      "b1": np.zeros(h, np.float32),
                      "w2": kt.glorot(rng, h, h, 1),
                      "b2": np.zeros(1, np.float32)})
    out, trained = kt.train_kiln(
        model, {"x": xt, "y": yt},
        ["--loss", "bce", "--optimizer", "adam", "--lr", "0.01", "--epochs",
         "30", "--batch-size", "32", "--seed", "1"],
        validation={"x": xv, "y": yv})
    if "val_accuracy" not in out:
        kt.fail(f"no per-epoch progress line with val_accuracy:\n{out}")
    w = kt.initializers(trained)
    a = np.maximum(xv @ w["w1"] + w["b1"], 0)
    logit = a @ w["w2"] + w["b2"]
    accuracy = np.mean((logit > 0) == (yv > 0.5))
    print(f"breast_cancer MLP: validation accuracy {accuracy:.4f}")
    if accuracy < 0.95:
        kt.fail(f"validation accuracy {accuracy:.4f} < 0.95")


def digits():
    x, y = datasets.load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    return split(x, y.astype(np.int64), seed=0)


def test_digits_softmax():
    (xt, yt), (xv, yv) = digits()
    model = kt.make_model(
        [kt.node("Gemm", ["x", "w", "b"], ["logits"])],
        inputs=[kt.tensor_input("x", ["N", 64])],
        outputs=[kt.tensor_output("logits", ["N", 10])],
        initializers={"w": np.zeros((64, 10), np.float32),
                      "b": np.zeros(10, np.float32)})
    _, trained = kt.train_kiln(
        model, {"x": xt, "y": yt},
        ["--loss", "cross-entropy", "--optimizer", "adam", "--lr", "0.01",
         "--epochs", "40", "--batch-size", "32", "--quiet"])
    w = kt.initializers(trained)
    accuracy = np.mean(np.argmax(xv @ w["w"] + w["b"], axis=1) == yv)
    print(f"digits softmax: validation accuracy {accuracy:.4f}")
    if accuracy < 0.95:
        kt.fail(f"validation accuracy {accuracy:.4f} < 0.95")


def test_digits_cnn():
    (xt, yt), (xv, yv) = digits()
    xt, xv = xt.reshape(-1, 1, 8, 8), xv.reshape(-1, 1, 8, 8)
    k = 8
    model = kt.make_model(
        [kt.node("Conv", ["x", "k", "c"], ["h"], pads=[1, 1, 1, 1]),
         kt.node("Relu", ["h"], ["a"]),
         kt.node("MaxPool", ["a"], ["p"], kernel_shape=[2, 2],
                 strides=[2, 2]),
         kt.node("Flatten", ["p"], ["f"]),
         kt.node("Gemm", ["f", "w", "b"], ["logits"])],
        inputs=[kt.tensor_input("x", ["N", 1, 8, 8])],
        outputs=[kt.tensor_output("logits", ["N", 10])],
        initializers={"k": kt.randn(rng, k, 1, 3, 3, scale=0.3),
                      "c": np.zeros(k, np.float32),
                      "w": kt.glorot(rng, k * 16, k * 16, 10),
                      "b": np.zeros(10, np.float32)})
    _, trained = kt.train_kiln(
        model, {"x": xt, "y": yt},
        ["--loss", "cross-entropy", "--optimizer", "adam", "--lr", "0.01",
         "--epochs", "15", "--batch-size", "32", "--quiet"])
    w = kt.initializers(trained)
    h = kt.conv2d(xv, w["k"], w["c"], pads=(1, 1, 1, 1))
    p = kt.pool2d(np.maximum(h, 0), (2, 2), strides=(2, 2), mode="max")
    logits = p.reshape(len(xv), -1) @ w["w"] + w["b"]
    accuracy = np.mean(np.argmax(logits, axis=1) == yv)
    print(f"digits CNN: validation accuracy {accuracy:.4f}")
    if accuracy < 0.95:
        kt.fail(f"validation accuracy {accuracy:.4f} < 0.95")


if __name__ == "__main__":
    kt.main(test_diabetes_linear_regression, test_breast_cancer_mlp,
            test_digits_softmax, test_digits_cnn)
