"""The native peer of `aelab bench`'s last line: best mnist_auto_2's autoencode
phase in JAX on the CPU (XLA, every core), the same network, loss, optimiser,
schedule, batch and number of steps.

  784 -> 64 ReLU -> 10 linear -> 64 ReLU -> 784 sigmoid, binary cross-entropy
  on the logits summed over pixels (mean over the batch), He init for ReLU
  layers and Glorot for the others, zero biases, Adam (0.9, 0.999, 1e-8) at
  2e-3 with a cosine decay to zero over the phase, batch 128, 10 epochs over
  48,000 training images reshuffled every epoch (375 whole batches an epoch,
  as aelab drops the last partial one).

One jitted function runs a whole epoch (`lax.scan` over its batches), so
Python is out of the loop. The first call compiles; the script times the
compile apart, then 10 epochs from a fresh init, and prints one JSON line.
aelab deskews its images first (a preparation step outside its timing);
this script does not, so its MSE is on plain pixels (not comparable to the
digit: the timing is the figure).

Run by bench/jax.sh, which installs JAX from PyPI into target/jax-venv.
"""

import gzip
import json
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

EPOCHS, BATCH, LR, TRAIN = 10, 128, 2e-3, 48_000
WIDTHS = [784, 64, 10, 64, 784]
RELU = [True, False, True, False]  # the last layer's sigmoid is in the loss


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def init(key):
    params = []
    for i, (n_in, n_out) in enumerate(zip(WIDTHS, WIDTHS[1:])):
        key, k = jax.random.split(key)
        std = np.sqrt(2.0 / n_in) if RELU[i] else np.sqrt(2.0 / (n_in + n_out))
        params.append((jax.random.normal(k, (n_in, n_out), jnp.float32) * std, jnp.zeros(n_out)))
    return params


def logits(params, x):
    for (w, b), relu in zip(params, RELU):
        x = x @ w + b
        if relu:
            x = jax.nn.relu(x)
    return x


def loss(params, x):
    z = logits(params, x)
    return jnp.mean(jnp.sum(jax.nn.softplus(z) - x * z, axis=1))


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "../shared/mnist"
    x = idx(os.path.join(data, "train-images-idx3-ubyte.gz"))[:TRAIN].reshape(TRAIN, 784)
    x = jnp.asarray(x, jnp.float32) / 255.0
    test = idx(os.path.join(data, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784)
    test = jnp.asarray(test, jnp.float32) / 255.0
    steps_per_epoch = TRAIN // BATCH
    total = EPOCHS * steps_per_epoch

    def adam_step(state, xb):
        params, m, v, t = state
        g = jax.grad(loss)(params, xb)
        t = t + 1
        lr = LR * 0.5 * (1.0 + jnp.cos(jnp.pi * (t - 1) / total))
        m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
        c1, c2 = 1.0 - 0.9**t, 1.0 - 0.999**t
        params = jax.tree.map(lambda p, m, v: p - lr * (m / c1) / (jnp.sqrt(v / c2) + 1e-8), params, m, v)
        return (params, m, v, t), None

    @jax.jit
    def epoch(state, key):
        order = jax.random.permutation(key, TRAIN)[: steps_per_epoch * BATCH]
        batches = x[order].reshape(steps_per_epoch, BATCH, 784)
        state, _ = jax.lax.scan(adam_step, state, batches)
        return state

    def fresh(seed):
        params = init(jax.random.PRNGKey(seed))
        zeros = jax.tree.map(jnp.zeros_like, params)
        return (params, zeros, zeros, jnp.zeros((), jnp.float32))

    keys = jax.random.split(jax.random.PRNGKey(1), EPOCHS)
    t0 = time.perf_counter()
    jax.block_until_ready(epoch(fresh(0), keys[0]))  # compiles (and runs one epoch)
    compile_s = time.perf_counter() - t0
    state = fresh(1)
    t0 = time.perf_counter()
    for k in keys:
        state = epoch(state, k)
    jax.block_until_ready(state)
    secs = time.perf_counter() - t0
    params = state[0]
    mse = float(jnp.mean((jax.nn.sigmoid(logits(params, test)) - test) ** 2))
    print(
        json.dumps(
            {
                "engine": f"JAX {jax.__version__} (XLA CPU, {os.cpu_count()} cores)",
                "epochs": EPOCHS,
                "images": TRAIN,
                "batch": BATCH,
                "seconds": round(secs, 3),
                "samples_per_s": round(EPOCHS * steps_per_epoch * BATCH / secs),
                "compile_and_first_epoch_s": round(compile_s, 3),
                "test_mse": round(mse, 5),
            }
        )
    )


if __name__ == "__main__":
    main()
