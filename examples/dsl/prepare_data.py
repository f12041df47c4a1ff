#!/usr/bin/env python3
"""Writes the data the DSL examples train on, as .npy files.

    prepare_data.py OUT_DIR [diabetes|breast_cancer|digits|text]...

The sklearn data sets ship with Debian's python3-sklearn as CSV files; this
reads them with numpy alone (no sklearn import), standardizes the features
with the training split's statistics, and splits 80/20 with a fixed
permutation (numpy.random.RandomState(0)), so that every run sees the same
data. `text` turns examples/dsl/data/tiny_corpus.txt into windows of 16
character ids and the id of the character after each window.
"""

import gzip
import os
import sys

import numpy as np

SKLEARN = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
HERE = os.path.dirname(os.path.abspath(__file__))
CONTEXT = 16


def split(x, y):
    order = np.random.RandomState(0).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def standardize(train, val):
    mean, std = train.mean(0), train.std(0)
    std[std == 0] = 1
    return (train - mean) / std, (val - mean) / std


def save(out, name, **arrays):
    for key, value in arrays.items():
        np.save(os.path.join(out, f"{name}_{key}.npy"), value)


def diabetes(out):
    x = np.loadtxt(gzip.open(os.path.join(SKLEARN, "diabetes_data_raw.csv.gz")))
    y = np.loadtxt(gzip.open(os.path.join(SKLEARN, "diabetes_target.csv.gz")))
    xt, yt, xv, yv = split(x, y.reshape(-1, 1))
    xt, xv = standardize(xt, xv)
    # The target standardized too, so that one learning rate fits.
    yt, yv = standardize(yt, yv)
    save(out, "diabetes", x_train=xt.astype(np.float32),
         y_train=yt.astype(np.float32), x_val=xv.astype(np.float32),
         y_val=yv.astype(np.float32))


def breast_cancer(out):
    data = np.loadtxt(os.path.join(SKLEARN, "breast_cancer.csv"),
                      delimiter=",", skiprows=1)
    x, y = data[:, :-1], data[:, -1:]
    xt, yt, xv, yv = split(x, y)
    xt, xv = standardize(xt, xv)
    save(out, "breast_cancer", x_train=xt.astype(np.float32),
         y_train=yt.astype(np.float32), x_val=xv.astype(np.float32),
         y_val=yv.astype(np.float32))


def digits(out):
    data = np.loadtxt(gzip.open(os.path.join(SKLEARN, "digits.csv.gz")),
                      delimiter=",")
    x = (data[:, :-1] / 16.0).reshape(-1, 1, 8, 8)
    y = data[:, -1].astype(np.int64)
    xt, yt, xv, yv = split(x, y)
    save(out, "digits", x_train=xt.astype(np.float32), y_train=yt,
         x_val=xv.astype(np.float32), y_val=yv)


def text(out):
    with open(os.path.join(HERE, "data", "tiny_corpus.txt")) as f:
        corpus = f.read()
    vocab = sorted(set(corpus))
    ids = np.array([vocab.index(c) for c in corpus], dtype=np.int64)
    windows = np.stack([ids[i:i + CONTEXT] for i in range(len(ids) - CONTEXT)])
    nexts = ids[CONTEXT:]
    xt, yt, xv, yv = split(windows, nexts)
    save(out, "text", x_train=xt, y_train=yt, x_val=xv, y_val=yv)
    with open(os.path.join(out, "text_vocab.txt"), "w") as f:
        f.write("".join(vocab))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = sys.argv[2:] or ["diabetes", "breast_cancer", "digits", "text"]
    for name in names:
        globals()[name](out)


if __name__ == "__main__":
    main()
