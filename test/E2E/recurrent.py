# RUN: %python %s
# ONNX LSTM, GRU and RNN over several steps (imported as one kiln.scan loop)
# against a numpy reference written from the ONNX operator definitions:
# forward, reverse and bidirectional; sequence_lens given at run time (steps
# past a sequence's end keep the state and output zeros); initial states,
# peepholes, clip, linear_before_reset; a sequence length and a batch known
# only at run time. Tolerance rtol 1e-4, atol 1e-5.

import numpy as np

import kiln_testing as kt

rng = kt.rng(17)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def reference(kind, x, w, r, b, lens, h0, c0, p, reverse_dirs, clip=None,
              linear_before_reset=0):
    """Y [T, D, B, H], Y_h [D, B, H] and (LSTM) Y_c, in float64."""
    x, w, r = (np.asarray(a, np.float64) for a in (x, w, r))
    steps, batch, _ = x.shape
    dirs, gh, hidden = r.shape
    clipf = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    ys = np.zeros((steps, dirs, batch, hidden))
    yh = np.zeros((dirs, batch, hidden))
    yc = np.zeros((dirs, batch, hidden))
    lens = np.full(batch, steps) if lens is None else lens
    for d in range(dirs):
        wb = b[d, :gh] if b is not None else np.zeros(gh)
        rb = b[d, gh:] if b is not None else np.zeros(gh)
        h = np.array(h0[d], np.float64) if h0 is not None else np.zeros(
            (batch, hidden))
        c = np.array(c0[d], np.float64) if c0 is not None else np.zeros(
            (batch, hidden))
        order = range(steps)
        if d in reverse_dirs:
            order = reversed(order)
        for t in order:
            xt = x[t] @ w[d].T + wb
            if kind == "LSTM":
                g = xt + h @ r[d].T + rb
                gi, go, gf, gc = np.split(g, 4, axis=1)
                if p is not None:
                    gi = gi + p[d, :hidden] * c
                    gf = gf + p[d, 2 * hidden:] * c
                i, f = sigmoid(clipf(gi)), sigmoid(clipf(gf))
                cn = f * c + i * np.tanh(clipf(gc))
                if p is not None:
                    go = go + p[d, hidden:2 * hidden] * cn
                hn = sigmoid(clipf(go)) * np.tanh(cn)
            elif kind == "GRU":
                xz, xr, xh = np.split(xt, 3, axis=1)
                rz, rr, rh = np.split(r[d], 3, axis=0)
                bz, br, bh = np.split(rb, 3)
                z = sigmoid(clipf(xz + h @ rz.T + bz))
                rg = sigmoid(clipf(xr + h @ rr.T + br))
                if linear_before_reset:
                    cand = xh + rg * (h @ rh.T + bh)
                else:
                    cand = xh + (rg * h) @ rh.T + bh
                hn = (1 - z) * np.tanh(clipf(cand)) + z * h
                cn = c
            else:
                hn = np.tanh(clipf(xt + h @ r[d].T + rb))
                cn = c
            inside = (t < lens)[:, None]
            ys[t, d] = np.where(inside, hn, 0.0)
            h = np.where(inside, hn, h)
            c = np.where(inside, cn, c)
        yh[d], yc[d] = h, c
    return ys, yh, yc


def case(kind, steps, batch, hidden, direction="forward", lens=None,
         initial=False, peepholes=False, clip=None, linear_before_reset=0,
         dynamic=False, tag=""):
    inputs_size = 3
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[kind]
    dirs = 2 if direction == "bidirectional" else 1
    reverse_dirs = {0} if direction == "reverse" else (
        {1} if dirs == 2 else set())
    x = kt.randn(rng, steps, batch, inputs_size)
    w = kt.randn(rng, dirs, gates * hidden, inputs_size, scale=0.5)
    r = kt.randn(rng, dirs, gates * hidden, hidden, scale=0.5)
    b = kt.randn(rng, dirs, 2 * gates * hidden, scale=0.3)
    h0 = kt.randn(rng, dirs, batch, hidden) if initial else None
    c0 = kt.randn(rng, dirs, batch, hidden) if initial and kind == "LSTM" \
        else None
    p = kt.randn(rng, dirs, 3 * hidden, scale=0.3) if peepholes else None

    names = ["x", "w", "r", "b"]
    feeds = {"x": x}
    inits = {"w": w, "r": r, "b": b}
    graph_inputs = [kt.tensor_input(
        "x", ["T", "N", inputs_size] if dynamic else list(x.shape))]
    if lens is not None:
        lens = np.asarray(lens, np.int32)
        feeds["lens"] = lens
        graph_inputs.append(kt.tensor_input("lens", [batch], np.int32))
    names.append("lens" if lens is not None else "")
    if h0 is not None:
        inits["h0"] = h0
    names.append("h0" if h0 is not None else "")
    if kind == "LSTM":
        if c0 is not None:
            inits["c0"] = c0
        names.append("c0" if c0 is not None else "")
        if p is not None:
            inits["p"] = p
            names.append("p")
    while names[-1] == "":
        names.pop()
    attrs = {"hidden_size": hidden, "direction": direction}
    if clip:
        attrs["clip"] = clip
    if kind == "GRU":
        attrs["linear_before_reset"] = linear_before_reset
    outputs = ["y", "yh"] + (["yc"] if kind == "LSTM" else [])
    t_dim, n_dim = ("T", "N") if dynamic else (steps, batch)
    model = kt.make_model(
        [kt.node(kind, names, outputs, **attrs)],
        inputs=graph_inputs,
        outputs=[kt.tensor_output("y", [t_dim, dirs, n_dim, hidden]),
                 kt.tensor_output("yh", [dirs, n_dim, hidden])] +
        ([kt.tensor_output("yc", [dirs, n_dim, hidden])]
         if kind == "LSTM" else []),
        initializers=inits)
    ys, yh, yc = reference(kind, x, w, r, b, lens, h0, c0, p, reverse_dirs,
                           clip, linear_before_reset)
    want = {"y": ys, "yh": yh}
    if kind == "LSTM":
        want["yc"] = yc
    kt.check(model, feeds, want, tag=f"{kind}-{tag}")


def test_lstm():
    case("LSTM", 5, 2, 4, tag="forward")
    case("LSTM", 6, 3, 4, direction="bidirectional", lens=[6, 2, 4],
         initial=True, peepholes=True, tag="bidirectional")
    case("LSTM", 4, 2, 3, direction="reverse", lens=[1, 4], clip=0.7,
         tag="reverse-clip")


def test_gru():
    case("GRU", 5, 2, 4, direction="reverse", lens=[3, 5], initial=True,
         tag="reverse")
    case("GRU", 4, 3, 4, direction="bidirectional", linear_before_reset=1,
         tag="linear-before-reset")


def test_rnn():
    case("RNN", 7, 2, 5, lens=[7, 3], initial=True, tag="lens")


def test_dynamic_steps():
    # The steps and the batch come with the input (kiln.scan needs no static
    # trip count).
    case("LSTM", 6, 2, 4, direction="bidirectional", lens=[5, 6],
         dynamic=True, tag="dynamic")
    case("GRU", 3, 1, 2, dynamic=True, tag="dynamic")


kt.main(test_lstm, test_gru, test_rnn, test_dynamic_steps)
