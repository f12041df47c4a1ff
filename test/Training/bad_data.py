# RUN: %python %s
# `kiln train` on data it must reject stops with exit status 1 and one error
# that names the file, the array and the problem, and writes no model file
# (not even a partial one). So does a run whose loss diverges.

import numpy as np

import kiln_testing as kt

rng = kt.rng(5)


def classifier():
    return kt.make_model(
        [kt.node("Gemm", ["x", "w", "b"], ["logits"])],
        inputs=[kt.tensor_input("x", ["N", 4])],
        outputs=[kt.tensor_output("logits", ["N", 3])],
        initializers={"w": kt.randn(rng, 4, 3), "b": np.zeros(3, np.float32)})


ARGS = ["--loss", "cross-entropy", "--batch-size", "4"]


def good_x(n=8):
    return kt.randn(rng, n, 4)


def good_y(n=8):
    return rng.integers(0, 3, n).astype(np.int64)


def test_wrong_feature_shape():
    kt.train_kiln(classifier(), {"x": kt.randn(rng, 8, 5), "y": good_y()},
                  ARGS, expect_error="array 'x' has shape 8x5, but 'x' takes "
                                     "Nx4")


def test_wrong_dtype():
    kt.train_kiln(classifier(),
                  {"x": good_x().astype(np.float64), "y": good_y()}, ARGS,
                  expect_error="array 'x' is f64, but the model input 'x' "
                               "takes f32")


def test_label_out_of_range():
    y = good_y()
    y[5] = 3
    kt.train_kiln(classifier(), {"x": good_x(), "y": y}, ARGS,
                  expect_error="label 3 of sample 5 is out of range: the "
                               "model has 3 classes (0 to 2)")


def test_negative_label():
    y = good_y()
    y[0] = -1
    kt.train_kiln(classifier(), {"x": good_x(), "y": y}, ARGS,
                  expect_error="label -1 of sample 0 is out of range")


def test_nan_in_inputs():
    x = good_x()
    x[6, 2] = np.nan
    kt.train_kiln(classifier(), {"x": x, "y": good_y()}, ARGS,
                  expect_error="array 'x' has a NaN in sample 6")


def test_sample_counts_differ():
    kt.train_kiln(classifier(), {"x": good_x(8), "y": good_y(7)}, ARGS,
                  expect_error="array 'labels' has 7 samples, the others 8")


def test_missing_labels():
    kt.train_kiln(classifier(), {"x": good_x()}, ARGS,
                  expect_error="has no array 'labels' for the labels "
                               "(it has: x)")


def test_fewer_samples_than_a_batch():
    kt.train_kiln(classifier(), {"x": good_x(3), "y": good_y(3)}, ARGS,
                  expect_error="has 3 samples, fewer than --batch-size 4")


def test_unknown_loss():
    kt.train_kiln(classifier(), {"x": good_x(), "y": good_y()},
                  ["--loss", "hinge"],
                  expect_error="unknown --loss 'hinge'")


def test_unknown_optimizer():
    kt.train_kiln(classifier(), {"x": good_x(), "y": good_y()},
                  ARGS + ["--optimizer", "lbfgs"],
                  expect_error="unknown optimizer 'lbfgs'")


def test_diverging_loss_saves_nothing():
    x = kt.randn(rng, 8, 4, scale=100.0)
    y = kt.randn(rng, 8, 3, scale=100.0)
    kt.train_kiln(classifier(), {"x": x, "y": y},
                  ["--loss", "mse", "--lr", "10", "--epochs", "50",
                   "--batch-size", "8"],
                  expect_error="the loss became")


def test_compressed_archive_trains():
    # The same data deflated (numpy.savez_compressed) reads the same.
    x, y, model = good_x(), good_y(), classifier()
    _, plain = kt.train_kiln(model, {"x": x, "y": y}, ARGS + ["--quiet"])
    _, packed = kt.train_kiln(model, {"x": x, "y": y},
                              ARGS + ["--quiet"], compressed=True)
    for name, value in kt.initializers(plain).items():
        if not np.array_equal(value, kt.initializers(packed)[name]):
            kt.fail(f"training on the compressed archive gave another '{name}'")


def test_corrupt_archive():
    work = kt.scratch_dir("corrupt")
    model = f"{work}/model.onnx"
    kt.onnx.save(classifier(), model)
    with open(f"{work}/bad.npz", "wb") as f:
        f.write(b"PK\x03\x04 definitely not a zip archive")
    proc = kt.subprocess.run([kt.kiln_executable(), "train", model, "--data",
                              f"{work}/bad.npz"], capture_output=True,
                             text=True)
    if proc.returncode != 1 or "is not a valid .npz archive" not in proc.stderr:
        kt.fail(f"a corrupt archive should fail cleanly, got status "
                f"{proc.returncode}: {proc.stderr}")


if __name__ == "__main__":
    kt.main(test_wrong_feature_shape, test_wrong_dtype,
            test_label_out_of_range, test_negative_label, test_nan_in_inputs,
            test_sample_counts_differ, test_missing_labels,
            test_fewer_samples_than_a_batch, test_unknown_loss,
            test_unknown_optimizer, test_diverging_loss_saves_nothing,
            test_compressed_archive_trains, test_corrupt_archive)
