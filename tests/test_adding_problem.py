"""Adding problem: baseline, data, manual BPTT (vs torch autograd written here and finite differences), cache."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import sympy as sp

from derivations import adding_problem as ap
from derivations import get


def test_baseline_numbers():
    assert get("adding_baseline_mse").result.parts["baseline"] == sp.Rational(1, 6)
    p = get("adding_baseline_le2015").result.parts
    assert p["relative_difference"] == sp.Rational(301, 5000)  # (0.1767 - 1/6) / (1/6) = 0.0602
    assert get("adding_baseline_le2015").result.text["relative_difference"] == "6.02%"


def test_data_generator():
    x, y = ap.adding_data(np.random.default_rng(0), 64, 20)
    assert x.shape == (20, 64, 2) and y.shape == (64,)
    marks = x[:, :, 1]
    assert np.all(marks.sum(axis=0) == 2)
    assert np.all(marks[:10].sum(axis=0) == 1) and np.all(marks[10:].sum(axis=0) == 1)
    assert np.allclose((x[:, :, 0] * marks).sum(axis=0), y)
    x2, y2 = ap.adding_data(np.random.default_rng(0), 64, 20)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)


def _torch_forward(torch, model: str, p: dict, x: np.ndarray, y: np.ndarray):
    """The three models written directly with torch ops (not nn modules), gate order i, f, g, o."""
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    tx = torch.tensor(x, requires_grad=True)
    batch = x.shape[1]
    if model == "lstm":
        hid = p["Wh"].shape[1]
        h = torch.zeros(batch, hid, dtype=torch.float64)
        c = torch.zeros(batch, hid, dtype=torch.float64)
        for t in range(x.shape[0]):
            z = tx[t] @ tp["Wx"].T + h @ tp["Wh"].T + tp["b"]
            i, f, g, o = z.split(hid, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
    else:
        h = torch.zeros(batch, p["W"].shape[0], dtype=torch.float64)
        act = torch.tanh if model == "rnn" else torch.relu
        for t in range(x.shape[0]):
            h = act(h @ tp["W"].T + tx[t] @ tp["U"].T + tp["b"])
    loss = torch.mean((h @ tp["v"] + tp["c"][0] - torch.tensor(y)) ** 2)
    loss.backward()
    return float(loss.detach()), {k: v.grad.numpy() for k, v in tp.items()}, tx.grad.numpy()


@pytest.mark.parametrize("model", ap.MODELS)
def test_manual_bptt_matches_torch_ops(torch, model):
    rng = np.random.default_rng(5)
    p = ap.init_params(model, 6, rng)
    for k in p:
        p[k] = p[k] + rng.normal(scale=0.2, size=p[k].shape)
    x, y = ap.adding_data(rng, 5, 15)
    loss, g, lags = ap.loss_and_grads(model, p, x, y)
    t_loss, t_g, t_dx = _torch_forward(torch, model, p, x, y)
    assert loss == pytest.approx(t_loss, rel=1e-13)
    for k in p:
        assert np.max(np.abs(g[k] - t_g[k])) <= 1e-12 * max(1.0, np.max(np.abs(t_g[k]))), k
    dx = 5 * np.linalg.norm(t_dx, axis=2).mean(axis=1)[::-1]
    assert np.allclose(lags["x"], dx, rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("model", ap.MODELS)
def test_manual_bptt_matches_finite_differences(model):
    assert ap.max_fd_error(model, seed=30) < 1e-7


def test_gradient_vs_lag_at_initialisation():
    d = ap.figure_data_gradient_vs_lag()
    assert d["rnn_h"][99] / d["rnn_h"][0] < 1e-5  # tanh RNN: vanishes over 100 steps
    assert d["lstm_h"][99] / d["lstm_h"][0] < 1e-5  # forget gates ~ sigmoid(1) = 0.73 at init: vanishes too
    assert d["irnn_h"][99] / d["irnn_h"][1] > 0.5  # identity recurrence: close to flat
    again = ap.figure_data_gradient_vs_lag()
    assert all(np.array_equal(d[k], again[k]) for k in d)


def test_training_is_deterministic():
    a = ap.train("lstm", seed=3, steps=15, T=12, hidden=4, eval_every=5, test_size=16)
    b = ap.train("lstm", seed=3, steps=15, T=12, hidden=4, eval_every=5, test_size=16)
    assert a["train_loss"] == b["train_loss"] and a["test_mse"] == b["test_mse"]
    assert max(a["grad_norm"]) > 0 and a["test_step"] == [1, 5, 10, 15]


def test_cached_runner(tmp_path, monkeypatch):
    hp = {"steps": 4, "T": 8, "hidden": 3, "batch": 4, "eval_every": 2, "test_size": 8}
    first = ap.run_cached(seed=1, cache_dir=tmp_path, **hp)
    assert first["cached"] is False
    files = list(tmp_path.glob("*.json"))
    assert [f.stem for f in files] == [ap.cache_key(1, hp)]
    second = ap.run_cached(seed=1, cache_dir=tmp_path, **hp)
    assert second["cached"] is True and second["runs"] == json.loads(json.dumps(first["runs"]))
    assert ap.cache_key(2, hp) != ap.cache_key(1, hp) != ap.cache_key(1, {**hp, "lr": 0.02})
    # new code -> new key: a result computed by old code is never returned
    monkeypatch.setattr(ap, "source_digest", lambda: "0" * 64)
    third = ap.run_cached(seed=1, cache_dir=tmp_path, **hp)
    assert third["cached"] is False and len(list(tmp_path.glob("*.json"))) == 2


def test_source_digest_is_the_hash_of_both_module_files():
    import hashlib
    from pathlib import Path

    from derivations import clipping

    h = hashlib.sha256(Path(ap.__file__).read_bytes() + Path(clipping.__file__).read_bytes()).hexdigest()
    assert ap.source_digest() == h


def test_le_check_fails_if_the_reported_value_were_right(monkeypatch):
    d = get("adding_baseline_le2015")
    new = dataclasses.replace(d.result, parts={**d.result.parts, "reported": sp.Rational(1, 6)})
    monkeypatch.setitem(d.__dict__, "result", new)
    assert d.checks[0].run() > d.checks[0].tol


def test_flat_gradient_check_fails_for_a_tanh_rnn(monkeypatch):
    """The same check on a tanh RNN (whose Jacobians are not I) gives a large spread."""
    real = ap.loss_and_grads
    monkeypatch.setattr(ap, "loss_and_grads", lambda m, p, x, y, h0=None: real("rnn", p, x, y, h0))
    check = get("irnn_identity_gradient").checks[0]
    assert check.run() > check.tol
