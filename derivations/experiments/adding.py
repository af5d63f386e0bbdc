"""The adding-problem experiment: data, three NumPy models with manual BPTT, training, and a never-stale disk cache.

Task (the variant of Le, Jaitly and Hinton 2015; originally Hochreiter and Schmidhuber 1997): at each of T steps the
input is (value, marker) with value ~ U(0, 1) i.i.d.; exactly two markers are 1 (one uniformly in the first half, one
in the second half), the rest 0. The target is the sum of the two marked values; the loss is the mean squared error.

Conventions: inputs X of shape (T, B, 2); hidden size H; h_0 = 0. tanh RNN / IRNN: a_t = h_{t-1} W^T + x_t U^T + b,
h_t = tanh(a_t) or relu(a_t); output y_hat = h_T v + c. LSTM gate order (i, f, g, o) as torch: z_t = x_t Wx^T +
h_{t-1} Wh^T + b, c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t). "Gradient at lag k" is the batch mean of the
per-example 2-norm of dL/dh_{T-k} (for the LSTM with c_{T-k} held fixed) and of dL/dx_{T-k}.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from derivations.nets.act import sigmoid
from derivations.nets.clip import clip_by_norm

ROOT = Path(__file__).resolve().parent.parent.parent
MODELS = ("rnn", "irnn", "lstm")
CACHE_DIR = ROOT / ".cache" / "experiments"
DEFAULTS: dict = {
    "T": 50,
    "hidden": 16,
    "batch": 32,
    "steps": 1000,
    "lr": 0.01,
    "clip": 1.0,
    "test_size": 256,
    "eval_every": 50,
}
# Every module of ours that this one imports, with the packages whose __init__ runs on the way: the cache key hashes
# their source (tests/test_adding_problem.py compares this list with the static import graph, docsgen.deps.closure).
DEPENDS = (
    "derivations",
    "derivations.core",
    "derivations.experiments",
    "derivations.experiments.adding",
    "derivations.nets",
    "derivations.nets.act",
    "derivations.nets.clip",
)


# --- data ----------------------------------------------------------------------------------------------------------
def adding_data(rng: np.random.Generator, batch: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """A batch of the adding problem: X of shape (T, batch, 2) (value, marker) and targets y of shape (batch,).

    Values U(0, 1); one marker uniform in the first half [0, T//2), one uniform in the second half [T//2, T).
    """
    vals = rng.uniform(0.0, 1.0, size=(T, batch))
    first = rng.integers(0, T // 2, size=batch)
    second = rng.integers(T // 2, T, size=batch)
    marks = np.zeros((T, batch))
    cols = np.arange(batch)
    marks[first, cols] = 1.0
    marks[second, cols] = 1.0
    y = vals[first, cols] + vals[second, cols]
    return np.stack([vals, marks], axis=2), y


# --- models ---------------------------------------------------------------------------------------------------------
def initial_weights(model: str, hidden: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Initial parameters (float64) of ``model`` in {"rnn", "irnn", "lstm"} with input size 2 and a scalar output.

    rnn: W ~ N(0, 1/H), U ~ N(0, 1/2), b = 0. irnn (Le et al. 2015): W = I, b = 0, U ~ N(0, 0.001^2).
    lstm: all weights U(-1/sqrt(H), 1/sqrt(H)) as torch, forget-gate bias 1. Read-out v ~ N(0, 1/H), c = 0.
    """
    h = hidden
    p: dict[str, np.ndarray] = {}
    if model == "rnn":
        p["W"] = rng.normal(scale=1 / math.sqrt(h), size=(h, h))
        p["U"] = rng.normal(scale=math.sqrt(0.5), size=(h, 2))
        p["b"] = np.zeros(h)
    elif model == "irnn":
        p["W"] = np.eye(h)
        p["U"] = rng.normal(scale=1e-3, size=(h, 2))
        p["b"] = np.zeros(h)
    elif model == "lstm":
        k = 1 / math.sqrt(h)
        p["Wx"] = rng.uniform(-k, k, size=(4 * h, 2))
        p["Wh"] = rng.uniform(-k, k, size=(4 * h, h))
        p["b"] = rng.uniform(-k, k, size=4 * h)
        p["b"][h : 2 * h] = 1.0  # forget gate
    else:
        raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")
    p["v"] = rng.normal(scale=1 / math.sqrt(h), size=h)
    p["c"] = np.zeros(1)
    return p


def _outer_sum(d: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Sum over time and batch of outer(d[t, b], a[t, b]) as one matrix product."""
    return d.reshape(-1, d.shape[-1]).T @ a.reshape(-1, a.shape[-1])


def loss_and_grads(
    model: str, p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None
) -> tuple[float, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """MSE loss, its gradients (same keys as ``p``) by manual BPTT, and per-lag gradient norms, all float64.

    Returns (loss, grads, lags) where lags["h"][k] and lags["x"][k] are the batch means of the per-example 2-norms
    of dL/dh_{T-k} and dL/dx_{T-k} (k = 0..T-1), rescaled by the batch size so they do not depend on it.
    ``h0`` (default 0) is the initial hidden state (the LSTM's initial cell state is always 0).
    """
    T, B, _ = x.shape
    if model == "lstm":
        return _lstm(p, x, y, h0)
    H = p["W"].shape[0]
    inp = x @ p["U"].T + p["b"]  # (T, B, H): the input part of every pre-activation, in one product
    hs = np.zeros((T + 1, B, H))
    if h0 is not None:
        hs[0] = h0
    pre = np.zeros((T, B, H))
    wt = p["W"].T
    for t in range(T):
        pre[t] = hs[t] @ wt + inp[t]
        hs[t + 1] = np.tanh(pre[t]) if model == "rnn" else np.maximum(pre[t], 0.0)
    deriv = 1 - hs[1:] ** 2 if model == "rnn" else (pre > 0).astype(float)
    yhat = hs[T] @ p["v"] + p["c"][0]
    err = yhat - y
    loss = float(np.mean(err**2))
    dy = 2 * err / B
    dh_all = np.zeros((T, B, H))  # dL/dh_t for t = 1..T (row t-1)
    das = np.zeros((T, B, H))
    dh = np.outer(dy, p["v"])
    for t in range(T - 1, -1, -1):
        dh_all[t] = dh
        das[t] = dh * deriv[t]
        dh = das[t] @ p["W"]
    g = {
        "W": _outer_sum(das, hs[:T]),
        "U": _outer_sum(das, x),
        "b": das.sum(axis=(0, 1)),
        "v": hs[T].T @ dy,
        "c": np.array([dy.sum()]),
    }
    lags = {
        "h": B * np.linalg.norm(dh_all, axis=2).mean(axis=1)[::-1],
        "x": B * np.linalg.norm(das @ p["U"], axis=2).mean(axis=1)[::-1],
    }
    return loss, g, lags


def _lstm(
    p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, h0: np.ndarray | None
) -> tuple[float, dict[str, np.ndarray], dict[str, np.ndarray]]:
    T, B, _ = x.shape
    H = p["Wh"].shape[1]
    inp = x @ p["Wx"].T + p["b"]  # (T, B, 4H)
    hs = np.zeros((T + 1, B, H))
    cs = np.zeros((T + 1, B, H))
    if h0 is not None:
        hs[0] = h0
    gates = np.zeros((T, B, 4 * H))  # activated gates i, f, g, o
    tcs = np.zeros((T, B, H))
    wht = p["Wh"].T
    for t in range(T):
        z = hs[t] @ wht + inp[t]
        ga = gates[t]
        ga[:, : 2 * H] = sigmoid(z[:, : 2 * H])
        ga[:, 2 * H : 3 * H] = np.tanh(z[:, 2 * H : 3 * H])
        ga[:, 3 * H :] = sigmoid(z[:, 3 * H :])
        cs[t + 1] = ga[:, H : 2 * H] * cs[t] + ga[:, :H] * ga[:, 2 * H : 3 * H]
        tcs[t] = np.tanh(cs[t + 1])
        hs[t + 1] = ga[:, 3 * H :] * tcs[t]
    yhat = hs[T] @ p["v"] + p["c"][0]
    err = yhat - y
    loss = float(np.mean(err**2))
    dy = 2 * err / B
    i, f, gg, o = gates[..., :H], gates[..., H : 2 * H], gates[..., 2 * H : 3 * H], gates[..., 3 * H :]
    dpre = np.concatenate([i * (1 - i), f * (1 - f), 1 - gg**2, o * (1 - o)], axis=2)  # activation derivatives
    dh_all = np.zeros((T, B, H))
    dzs = np.zeros((T, B, 4 * H))
    dh = np.outer(dy, p["v"])
    dc = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        dh_all[t] = dh
        dct = dc + dh * o[t] * (1 - tcs[t] ** 2)
        dz = dzs[t]
        dz[:, :H] = dct * gg[t]
        dz[:, H : 2 * H] = dct * cs[t]
        dz[:, 2 * H : 3 * H] = dct * i[t]
        dz[:, 3 * H :] = dh * tcs[t]
        dz *= dpre[t]
        dh = dz @ p["Wh"]
        dc = dct * f[t]
    g = {
        "Wx": _outer_sum(dzs, x),
        "Wh": _outer_sum(dzs, hs[:T]),
        "b": dzs.sum(axis=(0, 1)),
        "v": hs[T].T @ dy,
        "c": np.array([dy.sum()]),
    }
    lags = {
        "h": B * np.linalg.norm(dh_all, axis=2).mean(axis=1)[::-1],
        "x": B * np.linalg.norm(dzs @ p["Wx"], axis=2).mean(axis=1)[::-1],
    }
    return loss, g, lags


# --- training ---------------------------------------------------------------------------------------------------
def seeded_test_set(seed: int, size: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """The fixed test set of a run with ``seed``: ``size`` sequences of length ``T`` (generator seeded [seed, 99])."""
    return adding_data(np.random.default_rng([seed, 99]), size, T)


def train(model: str, seed: int = 0, **hparams: float) -> dict:
    """Train ``model`` on fresh seeded batches with Adam (beta 0.9, 0.999, eps 1e-8) and norm clipping (Algorithm 1).

    Returns train loss per step, test MSE every ``eval_every`` steps (and at step 1) on the fixed seeded test set, the
    predict-1 MSE on that same test set, the pre-clip gradient norms, the final parameters, wall and CPU time.
    Deterministic for a given seed and hyper-parameters (float64 NumPy).
    """
    hp = {**DEFAULTS, **hparams}
    rng = np.random.default_rng([seed, MODELS.index(model)])
    test_x, test_y = seeded_test_set(seed, int(hp["test_size"]), int(hp["T"]))
    p = initial_weights(model, int(hp["hidden"]), rng)
    m1 = {k: np.zeros_like(v) for k, v in p.items()}
    m2 = {k: np.zeros_like(v) for k, v in p.items()}
    losses, norms, test_steps, test_mse = [], [], [], []
    start, cpu_start = time.perf_counter(), time.process_time()
    for step in range(1, int(hp["steps"]) + 1):
        x, y = adding_data(rng, int(hp["batch"]), int(hp["T"]))
        loss, g, _ = loss_and_grads(model, p, x, y)
        flat = np.concatenate([v.ravel() for v in g.values()])
        norms.append(float(np.linalg.norm(flat)))
        clipped = clip_by_norm(flat, float(hp["clip"]))
        offset = 0
        for k, v in p.items():
            gk = clipped[offset : offset + v.size].reshape(v.shape)
            offset += v.size
            m1[k] = 0.9 * m1[k] + 0.1 * gk
            m2[k] = 0.999 * m2[k] + 0.001 * gk**2
            v -= hp["lr"] * (m1[k] / (1 - 0.9**step)) / (np.sqrt(m2[k] / (1 - 0.999**step)) + 1e-8)
        losses.append(loss)
        if step % int(hp["eval_every"]) == 0 or step == 1:
            test_steps.append(step)
            test_mse.append(loss_and_grads(model, p, test_x, test_y)[0])
    return {
        "model": model,
        "train_loss": losses,
        "grad_norm": norms,
        "test_step": test_steps,
        "test_mse": test_mse,
        "baseline_on_test_set": float(np.mean((test_y - 1.0) ** 2)),  # predict-1 MSE on this finite test set
        "final_params": {k: v.tolist() for k, v in p.items()},
        "seconds": time.perf_counter() - start,  # wall time: inflated when other processes share the CPU
        "cpu_seconds": time.process_time() - cpu_start,
    }


def run_experiment(seed: int = 0, **hparams: float) -> dict:
    """Train the tanh RNN, the IRNN and the LSTM with the same hyper-parameters; one result dict per model."""
    hp = {**DEFAULTS, **hparams}
    return {"seed": seed, "hparams": hp, "runs": {m: train(m, seed, **hp) for m in MODELS}}


# --- the disk cache -----------------------------------------------------------------------------------------------
def source_digest() -> str:
    """SHA-256 of the source of every module in ``DEPENDS`` (the code a run executes), in that order."""
    h = hashlib.sha256()
    for module in DEPENDS:
        base = ROOT.joinpath(*module.split("."))
        path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        h.update(module.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cache_key(seed: int, hparams: dict) -> str:
    """SHA-256 of (source digest, seed, hyper-parameters with defaults filled in): a stale result never matches."""
    payload = json.dumps({"source": source_digest(), "seed": seed, "hparams": {**DEFAULTS, **hparams}}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def run_cached(seed: int = 0, cache_dir: Path | None = None, **hparams: float) -> dict:
    """``run_experiment`` memoised on disk in <cache_dir>/<cache_key>.json (default .cache/experiments).

    The key hashes the code, the seed and the hyper-parameters, so results from old code are never returned.
    The returned dict has "cached": True when it was read from disk.
    """
    folder = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    key = cache_key(seed, hparams)
    path = folder / f"{key}.json"
    if path.is_file():
        data = json.loads(path.read_text())
        if data.get("key") == key:
            return {**data, "cached": True}
    data = {"key": key, **run_experiment(seed, **hparams)}
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)  # atomic: a reader never sees half a file
    return {**data, "cached": False}
