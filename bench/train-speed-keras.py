#!/usr/bin/env python3
"""Keras 3 / TensorFlow CPU reference for bench/train-speed.ts (--reference keras): the four paper models of
Yu et al. (2021) with the same layers as @twsa/models' 'paper' presets (../shared/paper-architectures.md; the DCAE
with our default bilinear-resize decoder), trained with Adam + MSE on random data (Pix2Pix: one GAN step = a D
update on real + fake, then a G update on adversarial BCE + 100 * MSE, as bench/train-speed.ts does).

The parameter counts (trainable + BatchNorm moving statistics, as Keras counts them) are printed and asserted equal
to Table 1 of the paper, which is also what our builders give.

Its venv comes from the local wheel index (no internet needed):
    python3 -m venv ~/.cache/twsa/keras-venv
    ~/.cache/twsa/keras-venv/bin/pip install --index-url file:///opt/pypi/simple tensorflow-cpu==2.21.0 keras
Run by bench/train-speed.ts; standalone:
    ~/.cache/twsa/keras-venv/bin/python bench/train-speed-keras.py --steps 3 [--only seunet-b8,convlstm]
Prints one JSON object as its last line: {"keras", "tensorflow", "threads", "results": {case: {"seconds_per_step",
"samples_per_second", "params"}}} (the same shape as train-speed-torch.py's).
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

PAPER_PARAMS = {"seunet": 1_964_093, "pix2pix": 34_544_514, "dcae": 76_125_313, "convlstm": 1_858_049}
CASES = ["seunet-b1", "seunet-b8", "dcae-b1", "dcae-b8", "pix2pix-b1", "convlstm"]


def bn(x):
    # tfjs-layers / Keras defaults: momentum 0.99, epsilon 1e-3.
    return layers.BatchNormalization()(x)


# ------------------------------------------------------------------------------------------------ SEUNet
def seunet():
    filters, enc_r, dec_r = [16, 32, 64, 128, 256], [4, 8, 8, 16, 16], [16, 8, 4, 2]

    def cbr(x, f, k=3):
        return bn(layers.Conv2D(f, k, padding="same", activation="relu")(x))

    def se(x, ratio, c):
        s = layers.GlobalAveragePooling2D()(x)
        s = layers.Dense(c // ratio, activation="relu")(s)
        s = layers.Dense(c, activation="sigmoid")(s)
        return layers.Multiply()([x, layers.Reshape((1, 1, c))(s)])

    inp = keras.Input((48, 48, 1))
    x, skips = inp, []
    for i, f in enumerate(filters):
        x = se(cbr(cbr(x, f), f), enc_r[i], f)
        if i < len(filters) - 1:
            skips.append(x)
            x = layers.MaxPooling2D(2)(x)
    for n, j in enumerate(range(len(filters) - 2, -1, -1)):
        f = filters[j]
        up = cbr(layers.UpSampling2D(2)(x), f, 2)
        x = layers.Concatenate()([skips[j], up])
        x = se(cbr(cbr(x, f), f), dec_r[n], f)
    x = layers.Activation("tanh")(bn(layers.Conv2D(1, 3, padding="same")(x)))
    return keras.Model(inp, x, name="seunet_paper")


# ------------------------------------------------------------------------------------------------ DCAE
def dcae():
    inp = keras.Input((48, 48, 1))
    x = inp
    for f in [64, 128, 256]:
        x = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = bn(layers.Dense(128, activation="relu")(x))
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Reshape((1, 1, 128))(x)
    # 1x1 -> 3x3 (ConvTranspose 3x3, stride 3, valid) -> bilinear 12 + conv -> bilinear 48 + conv, each + BN
    x = bn(layers.Conv2DTranspose(128, 3, strides=3, padding="valid", activation="tanh")(x))
    x = layers.Resizing(12, 12, interpolation="bilinear")(x)
    x = bn(layers.Conv2D(64, 3, padding="same", activation="tanh")(x))
    x = layers.Resizing(48, 48, interpolation="bilinear")(x)
    x = bn(layers.Conv2D(32, 3, padding="same", activation="tanh")(x))
    x = layers.Conv2DTranspose(1, 3, padding="same", activation="tanh")(x)
    return keras.Model(inp, x, name="dcae_paper")


# ------------------------------------------------------------------------------------------------ Pix2Pix
def pix2pix():
    g_filters, bottleneck, k = [64, 128, 256, 512, 512, 512, 512], 512, 3
    lsm = keras.Input((48, 48, 1))
    x = layers.Resizing(256, 256, interpolation="bilinear")(lsm)
    skips = []
    for i, f in enumerate(g_filters):
        x = layers.Conv2D(f, k, strides=2, padding="same")(x)
        if i > 0:
            x = bn(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        skips.append(x)
    x = layers.Activation("relu")(layers.Conv2D(bottleneck, k, strides=2, padding="same")(x))
    for block, j in enumerate(range(len(g_filters) - 1, -1, -1)):
        x = bn(layers.Conv2DTranspose(g_filters[j], k, strides=2, padding="same")(x))
        if block < 3:
            x = layers.Dropout(0.5)(x)
        x = layers.Activation("relu")(layers.Concatenate()([x, skips[j]]))
    x = layers.Activation("tanh")(layers.Conv2DTranspose(1, k, strides=2, padding="same")(x))
    x = layers.Resizing(48, 48, interpolation="bilinear")(x)
    G = keras.Model(lsm, x, name="pix2pix_generator")

    src, tgt = keras.Input((48, 48, 1)), keras.Input((48, 48, 1))
    d = layers.Resizing(256, 256, interpolation="bilinear")(layers.Concatenate()([src, tgt]))
    for i, f in enumerate([64, 128, 256, 512]):
        d = layers.Conv2D(f, k, strides=2, padding="same")(d)
        if i > 0:
            d = bn(d)
        d = layers.LeakyReLU(negative_slope=0.2)(d)
    d = layers.LeakyReLU(negative_slope=0.2)(bn(layers.Conv2D(512, k, padding="same")(d)))
    d = layers.Activation("sigmoid")(layers.Conv2D(1, k, padding="same")(d))
    D = keras.Model([src, tgt], d, name="pix2pix_discriminator")
    return G, D


# ------------------------------------------------------------------------------------------------ ConvLSTM
def convlstm(steps=19):
    filters, k = [64, 32, 32], 5

    def cell(f, **kw):
        return layers.ConvLSTM2D(f, k, padding="same", recurrent_activation="hard_sigmoid", **kw)

    inp = keras.Input((steps, 48, 48, 1))
    x, states = inp, []
    for i, f in enumerate(filters):
        last = i == len(filters) - 1
        seq, h, c = cell(f, return_sequences=not last, return_state=True)(x)
        states.append((h, c))
        if not last:
            x = bn(seq)
    y = layers.Lambda(lambda t: t[:, -1:])(inp)
    outs = []
    for i, f in enumerate(filters):
        h0, c0 = states[i]
        out = bn(cell(f)(y, initial_state=[h0, c0]))
        outs.append(out)
        if i < len(filters) - 1:
            y = layers.Reshape((1, 48, 48, f))(out)
    x = layers.Conv2D(1, 1, activation="tanh")(layers.Concatenate()(outs))
    return keras.Model(inp, x, name="convlstm_paper")


def count(*models):
    return sum(m.count_params() for m in models)


def timed(step, steps, warmup):
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def supervised_case(model, batch, shape, steps, warmup):
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (batch,) + shape).astype("float32")
    y = rng.uniform(-1, 1, (batch, 48, 48, 1)).astype("float32")
    return timed(lambda: model.train_on_batch(x, y), steps, warmup)


def pix2pix_case(steps, warmup):
    G, D = pix2pix()
    og = keras.optimizers.Adam(2e-4, beta_1=0.5)
    od = keras.optimizers.Adam(2e-4, beta_1=0.5)
    bce = keras.losses.BinaryCrossentropy()
    rng = np.random.default_rng(2)
    src = tf.constant(rng.uniform(-1, 1, (1, 48, 48, 1)).astype("float32"))
    tgt = tf.constant(rng.uniform(-1, 1, (1, 48, 48, 1)).astype("float32"))

    @tf.function
    def step():
        # As bench/train-speed.ts: D on real + fake, then G on adversarial BCE + 100 * MSE.
        fake = G(src, training=True)
        with tf.GradientTape() as tape:
            real_p, fake_p = D([src, tgt], training=True), D([src, fake], training=True)
            d_loss = bce(tf.ones_like(real_p), real_p) + bce(tf.zeros_like(fake_p), fake_p)
        od.apply_gradients(zip(tape.gradient(d_loss, D.trainable_variables), D.trainable_variables))
        with tf.GradientTape() as tape:
            fake = G(src, training=True)
            p = D([src, fake], training=True)
            g_loss = bce(tf.ones_like(p), p) + 100.0 * tf.reduce_mean(tf.square(fake - tgt))
        og.apply_gradients(zip(tape.gradient(g_loss, G.trainable_variables), G.trainable_variables))
        return g_loss

    return timed(lambda: step().numpy(), steps, warmup), count(G, D)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="TF intra-op threads (0 = TensorFlow's default)")
    ap.add_argument("--only", default=",".join(CASES))
    a = ap.parse_args()
    if a.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    keras.utils.set_random_seed(0)
    results = {}
    for case in a.only.split(","):
        if case not in CASES:
            sys.exit(f"unknown case {case}; expected one of {CASES}")
        name = case.split("-")[0]
        if case == "pix2pix-b1":
            batch = 1
            sec, params = pix2pix_case(a.steps, a.warmup)
        elif name == "convlstm":
            batch = 1
            m = convlstm()
            params = count(m)
            sec = supervised_case(m, 1, (19, 48, 48, 1), a.steps, a.warmup)
        else:
            batch = int(case.split("-b")[1])
            m = seunet() if name == "seunet" else dcae()
            params = count(m)
            sec = supervised_case(m, batch, (48, 48, 1), a.steps, a.warmup)
        if params != PAPER_PARAMS[name]:
            sys.exit(f"{case}: {params:,} parameters, expected {PAPER_PARAMS[name]:,} (paper Table 1)")
        results[case] = {"seconds_per_step": sec, "samples_per_second": batch / sec, "params": params}
        print(f"{case}: {params:,} params (= paper), {sec:.3f} s/step", file=sys.stderr)
    threads = tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
    print(json.dumps({"keras": keras.__version__, "tensorflow": tf.__version__, "threads": threads, "results": results}))


if __name__ == "__main__":
    main()
