"""derivations.nets.act against torch in float64: activations and their derivatives (autograd), and the two
sigmoids' behaviour where the naive formula overflows."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.nets import act

T = np.concatenate([np.linspace(-30.0, 30.0, 601), [-745.0, -709.0, -50.0, 0.0, 50.0, 709.0, 745.0]])


@pytest.mark.parametrize(
    ("name", "torch_fn"),
    [("tanh", "tanh"), ("sigmoid", "sigmoid"), ("relu", "relu")],
)
def test_activation_and_derivative_match_torch_autograd(torch, name, torch_fn):
    f, df = act.ACTS[name]
    t = torch.tensor(T, dtype=torch.float64, requires_grad=True)
    y = getattr(torch, torch_fn)(t)
    y.sum().backward()
    assert np.max(np.abs(f(T) - y.detach().numpy())) <= 1e-15
    assert np.max(np.abs(df(T) - t.grad.numpy())) <= 1e-15


def test_sigmoid_is_overflow_safe_and_the_naive_one_is_not():
    with np.errstate(over="raise"):
        s = act.sigmoid(np.array([-800.0, -745.0, 0.0, 800.0]))
    assert s[0] == 0.0 and 0.0 < s[1] < 1e-320 and s[2] == 0.5 and s[3] == 1.0  # e^-745 is subnormal, not 0
    assert act.sigmoid_naive(np.array([-745.0]))[0] == 0.0  # e^745 overflows: 1/(1 + inf)
    mid = np.linspace(-700.0, 700.0, 2801)
    assert np.max(np.abs(act.sigmoid(mid) - act.sigmoid_naive(mid)) / act.sigmoid(mid)) < 1e-15


def test_naive_sigmoid_agrees_with_torch_to_two_ulp_and_underflows_where_torch_does(torch):
    ref = torch.sigmoid(torch.tensor(T, dtype=torch.float64)).numpy()
    naive = act.sigmoid_naive(T)
    assert np.max(np.abs(naive - ref) / np.maximum(ref, 1e-300)) <= 4.5e-16
    assert np.array_equal(naive == 0.0, ref == 0.0)


def test_relu_derivative_at_zero_is_torchs():
    assert act.drelu(np.array([0.0]))[0] == 0.0
