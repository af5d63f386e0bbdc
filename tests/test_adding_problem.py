"""Adding problem: baseline, data, manual BPTT (vs torch autograd written here and finite differences), cache."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from derivations import adding_problem as ap
from derivations import get
from derivations.experiments import adding as ex
from tests.helpers import assert_checks_catch


def test_baseline_numbers():
    assert get("adding_baseline_mse").result.parts["baseline"] == sp.Rational(1, 6)
    p = get("adding_baseline_le2015").result.parts
    assert p["relative_difference"] == sp.Rational(301, 5000)  # (0.1767 - 1/6) / (1/6) = 0.0602
    assert get("adding_baseline_le2015").result.text["relative_difference"] == "6.02%"


def test_one_standard_error_bound_is_a_floor():
    """sd^2/gap^2 = 386.31: the gap is within one standard error for N <= 386, not 387 (the ceiling)."""
    p = get("adding_baseline_le2015").result.parts
    assert p["n_bound"] == sp.Rational(5000000, 12943) and p["n_for_one_se"] == 386
    sd = float(get("adding_baseline_mse").result.parts["std_of_squared_error"])
    gap = 0.1767 - 1 / 6
    assert sd / np.sqrt(386) >= gap > sd / np.sqrt(387)
    assert get("adding_baseline_le2015").result.text["n_for_one_se"] == "386"


def test_data_generator():
    x, y = ex.adding_data(np.random.default_rng(0), 64, 20)
    assert x.shape == (20, 64, 2) and y.shape == (64,)
    marks = x[:, :, 1]
    assert np.all(marks.sum(axis=0) == 2)
    assert np.all(marks[:10].sum(axis=0) == 1) and np.all(marks[10:].sum(axis=0) == 1)
    assert np.allclose((x[:, :, 0] * marks).sum(axis=0), y)
    x2, y2 = ex.adding_data(np.random.default_rng(0), 64, 20)
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


@pytest.mark.parametrize("model", ex.MODELS)
def test_manual_bptt_matches_torch_ops(torch, model):
    rng = np.random.default_rng(5)
    p = ex.initial_weights(model, 6, rng)
    for k in p:
        p[k] = p[k] + rng.normal(scale=0.2, size=p[k].shape)
    x, y = ex.adding_data(rng, 5, 15)
    loss, g, lags = ex.loss_and_grads(model, p, x, y)
    t_loss, t_g, t_dx = _torch_forward(torch, model, p, x, y)
    assert loss == pytest.approx(t_loss, rel=1e-13)
    for k in p:
        assert np.max(np.abs(g[k] - t_g[k])) <= 1e-12 * max(1.0, np.max(np.abs(t_g[k]))), k
    dx = 5 * np.linalg.norm(t_dx, axis=2).mean(axis=1)[::-1]
    assert np.allclose(lags["x"], dx, rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("model", ex.MODELS)
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
    a = ex.train("lstm", seed=3, steps=15, T=12, hidden=4, eval_every=5, test_size=16)
    b = ex.train("lstm", seed=3, steps=15, T=12, hidden=4, eval_every=5, test_size=16)
    assert a["train_loss"] == b["train_loss"] and a["test_mse"] == b["test_mse"]
    assert max(a["grad_norm"]) > 0 and a["test_step"] == [1, 5, 10, 15]


def test_cached_runner(tmp_path, monkeypatch):
    hp = {"steps": 4, "T": 8, "hidden": 3, "batch": 4, "eval_every": 2, "test_size": 8}
    first = ex.run_cached(seed=1, cache_dir=tmp_path, **hp)
    assert first["cached"] is False
    files = list(tmp_path.glob("*.json"))
    assert [f.stem for f in files] == [ex.cache_key(1, hp)]
    second = ex.run_cached(seed=1, cache_dir=tmp_path, **hp)
    assert second["cached"] is True and second["runs"] == json.loads(json.dumps(first["runs"]))
    assert ex.cache_key(2, hp) != ex.cache_key(1, hp) != ex.cache_key(1, {**hp, "lr": 0.02})
    # new code -> new key: a result computed by old code is never returned
    monkeypatch.setattr(ex, "source_digest", lambda: "0" * 64)
    third = ex.run_cached(seed=1, cache_dir=tmp_path, **hp)
    assert third["cached"] is False and len(list(tmp_path.glob("*.json"))) == 2


def test_cache_key_covers_every_module_the_experiment_imports():
    """The disk cache is never stale: DEPENDS is exactly the static import closure of the experiment module."""
    from docsgen.deps import closure

    assert set(ex.DEPENDS) == set(closure("derivations.experiments.adding"))


def test_source_digest_changes_with_any_dependency(tmp_path, monkeypatch):
    before = ex.source_digest()
    root = tmp_path / "root"
    for module in ex.DEPENDS:
        base = ex.ROOT.joinpath(*module.split("."))
        src = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        dest = root / src.relative_to(ex.ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())
    monkeypatch.setattr(ex, "ROOT", root)
    assert ex.source_digest() == before
    act = root / "derivations" / "nets" / "act.py"
    act.write_text(act.read_text() + "\n# edited\n")
    assert ex.source_digest() != before


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("adding_baseline_le2015", "reported", sp.Rational(1, 6)),  # if the printed value were right
        ("adding_baseline_le2015", "n_for_one_se", sp.Integer(387)),  # the ceiling, off by one
        ("adding_second_value_mse", "mse", sp.Rational(1, 6)),  # as if the second value did not help
        ("adding_second_value_mse", "best_shift", sp.Integer(0)),  # predicting u2 alone
        ("adding_baseline_hs1997", "best_constant", sp.Integer(1)),
        ("adding_training_run", "baseline_on_test_set", sp.Float(0.1767)),
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("adding_training_run", "final_test_mse_lstm", sp.Float(0.05)),
        ("adding_gradient_vs_lag", "ratio_rnn", sp.Float(1e-3)),
    ],
)
def test_torch_checks_catch_a_wrong_result(monkeypatch, torch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_flat_gradient_check_fails_for_a_tanh_rnn(monkeypatch):
    """The same check on a tanh RNN (whose Jacobians are not I) gives a large spread."""
    real = ex.loss_and_grads
    monkeypatch.setattr(ap, "loss_and_grads", lambda m, p, x, y, h0=None: real("rnn", p, x, y, h0))
    check = get("irnn_identity_gradient").checks[0]
    assert check.run() > check.tol


def test_experiment_imports_no_topic_module():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(ex.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"__future__", "derivations.nets.act", "derivations.nets.clip", "pathlib"}


def test_exercise_rows_for_the_baselines_and_the_test_set_size(monkeypatch):
    # one mutation at a time (adding_test_set_size and adding_sum_predictor_mse are built from adding_baseline_mse)
    assert_checks_catch(monkeypatch, "adding_test_set_size", "n_min", sp.Integer(3476))  # the floor, off by one
    monkeypatch.undo()
    assert_checks_catch(monkeypatch, "adding_baseline_mse", "baseline", sp.Rational(1767, 10000))
    monkeypatch.undo()
    assert_checks_catch(monkeypatch, "adding_baseline_hs1997", "baseline", sp.Rational(1, 6))  # Le et al.'s variant


def test_the_sum_of_the_values_is_not_useless(monkeypatch):
    """As if a predictor of the plain sum of the values could not beat the constant baseline 1/6."""
    assert_checks_catch(monkeypatch, "adding_sum_predictor_mse", "mse", sp.Rational(1, 6))
