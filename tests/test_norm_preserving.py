"""Norm-preserving recurrences checked by hand-written NumPy/torch computations that do not reuse the checks' code."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import get
from tests.helpers import assert_checks_catch


def _fd_jacobian(f, v0: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = []
    for j in range(v0.size):
        e = np.zeros_like(v0)
        e[j] = h
        cols.append((f(v0 + e) - f(v0 - e)) / (2 * h))
    return np.stack(cols, axis=1)


def _modrelu_real(v: np.ndarray, b: float) -> np.ndarray:
    m = np.linalg.norm(v)
    return max(m + b, 0.0) * v / m


def test_modrelu_3_4_by_hand():
    """z = 3 + 4i, b = -1: |z| = 5; radial factor 1, tangential (5 - 1)/5 = 4/5; J is symmetric."""
    z = np.array([3.0, 4.0])
    jac = _fd_jacobian(lambda v: _modrelu_real(v, -1.0), z)
    assert np.allclose(jac @ (z / 5), z / 5, atol=1e-8)
    tang = np.array([-4.0, 3.0]) / 5
    assert np.allclose(jac @ tang, 0.8 * tang, atol=1e-8)
    assert np.allclose(jac, jac.T, atol=1e-8)
    p = get("modrelu_jacobian").result.parts
    assert p["sv_tangential"].subs({sp.Symbol("r", positive=True): 5, sp.Symbol("b", real=True): -1}) == sp.Rational(
        4, 5
    )
    # with b > 0 the tangential factor exceeds 1: modReLU expands, it is not 1-Lipschitz
    jac_pos = _fd_jacobian(lambda v: _modrelu_real(v, 0.5), z)
    assert np.linalg.norm(jac_pos, 2) == pytest.approx(1.1, rel=1e-7)


def _urnn_run(v: np.ndarray, omega: float, b: float, steps: int) -> np.ndarray:
    h = complex(v[0], v[1])
    for _ in range(steps):
        z = np.exp(1j * omega) * h
        h = max(abs(z) + b, 0.0) * z / abs(z) if abs(z) > 0 else 0.0
    return np.array([np.real(h), np.imag(h)])


def test_urnn_unit_shrinks_and_grows():
    """|h_0| = 1, T = 9: b = -0.1 gives singular values {1, 0.1}; b = +0.1 gives {1.9, 1}; W^9 keeps {1, 1}."""
    v0 = np.array([0.6, 0.8])
    for b, want in ((-0.1, [1.0, 0.1]), (0.1, [1.9, 1.0])):
        s = np.linalg.svd(_fd_jacobian(lambda v, b=b: _urnn_run(v, 0.7, b, 9), v0), compute_uv=False)
        assert np.allclose(s, want, atol=1e-7)
    t = get("urnn_one_unit_jacobian").result.text
    assert (t["shrink"], t["grow"]) == (r"\frac{1}{10}", r"\frac{19}{10}")


def test_urnn_unit_dies_when_modulus_plus_bias_is_negative():
    """b = -0.3, |h_0| = 1: after 4 steps the unit is exactly 0 and so is the Jacobian."""
    v0 = np.array([1.0, 0.0])
    assert np.array_equal(_urnn_run(v0, 0.4, -0.3, 4), [0.0, 0.0])
    assert np.max(np.abs(_fd_jacobian(lambda v: _urnn_run(v, 0.4, -0.3, 4), v0))) == 0.0


def test_orthogonal_tanh_fixed_point_finite_differences():
    rng = np.random.default_rng(11)
    n, steps = 6, 20
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    hs = 0.5 * np.array([1, -1, 1, 1, -1, -1], dtype=float)
    u = np.arctanh(hs) - q @ hs

    def run(h: np.ndarray) -> np.ndarray:
        for _ in range(steps):
            h = np.tanh(q @ h + u)
        return h

    jac = _fd_jacobian(run, hs, h=1e-5)
    assert np.linalg.norm(jac, 2) == pytest.approx(0.75**steps, rel=1e-6)
    assert np.linalg.norm(np.linalg.matrix_power(q, steps), 2) == pytest.approx(1.0, abs=1e-12)
    assert get("orthogonal_tanh_fixed_point").result.parts["example_per_step"] == sp.Rational(3, 4)


def test_torch_default_orthogonal_keeps_a_reflection(torch):
    """Default (dynamic trivialisation) stores a base B and returns B e^A: starting from det -1 it stays det -1,
    although e^A alone is always in SO(n)."""
    from torch.nn.utils.parametrizations import orthogonal

    lin = torch.nn.Linear(3, 3, bias=False).double()
    with torch.no_grad():
        lin.weight.copy_(torch.diag(torch.tensor([-1.0, 1.0, 1.0], dtype=torch.float64)))
    orthogonal(lin, orthogonal_map="matrix_exp")
    with torch.no_grad():
        lin.parametrizations.weight.original.copy_(torch.randn(3, 3, dtype=torch.float64))
    assert float(torch.linalg.det(lin.weight.detach())) == pytest.approx(-1.0, abs=1e-12)
    skew = torch.randn(3, 3, dtype=torch.float64)
    assert float(torch.linalg.det(torch.linalg.matrix_exp(skew - skew.T))) == pytest.approx(1.0, abs=1e-12)


def test_two_cayley_conventions_by_hand(torch):
    """a = 1: torch gives [[3/5, -4/5], [4/5, 3/5]] (53.13 deg); (I + A)^{-1}(I - A) gives [[0, 1], [-1, 0]] (-90 deg).
    a = 2: torch gives the rotation by 90 degrees."""
    from torch.nn.utils.parametrizations import orthogonal

    def torch_q(av: float) -> np.ndarray:
        lin = torch.nn.Linear(2, 2, bias=False).double()
        orthogonal(lin, orthogonal_map="cayley", use_trivialization=False)
        with torch.no_grad():
            lin.parametrizations.weight.original.copy_(torch.tensor([[0.0, 0.0], [av, 0.0]], dtype=torch.float64))
        return lin.weight.detach().numpy()

    assert np.allclose(torch_q(1.0), [[0.6, -0.8], [0.8, 0.6]], atol=1e-15)
    assert np.allclose(torch_q(2.0), [[0.0, -1.0], [1.0, 0.0]], atol=1e-15)
    am = np.array([[0.0, -1.0], [1.0, 0.0]])
    assert np.allclose(np.linalg.inv(np.eye(2) + am) @ (np.eye(2) - am), [[0.0, 1.0], [-1.0, 0.0]], atol=1e-15)
    t = get("cayley_conventions").result.text
    assert (t["deg_torch"], t["deg_paper"]) == ("53.13", "−90")


def test_scaled_cayley_reaches_minus_one_but_plain_cayley_does_not():
    """scoRNN's D: A = 0, D = -I gives W = -I; no skew A makes the plain Cayley map -I (the gap |lambda + 1| > 0)."""
    d = -np.eye(2)
    w = np.linalg.solve(np.eye(2), np.eye(2)) @ d
    assert np.allclose(np.linalg.eigvals(w), [-1, -1])
    for av in (1.0, 1e3, 1e7):
        am = np.array([[0.0, -av], [av, 0.0]])
        q = np.linalg.solve(np.eye(2) - am / 2, np.eye(2) + am / 2)
        assert np.linalg.svd(q + np.eye(2), compute_uv=False).min() > 0


def test_euler_growth_2x2():
    """M = [[0, -mu], [mu, 0]]: ||(I + eps M)^T||_2 = (1 + eps^2 mu^2)^{T/2}; with gamma in the window it is <= 1."""
    e, m, steps = 0.2, 2.0, 40
    mm = np.array([[0.0, -m], [m, 0.0]])
    growth = np.linalg.norm(np.linalg.matrix_power(np.eye(2) + e * mm, steps), 2)
    assert growth == pytest.approx((1 + e**2 * m**2) ** (steps / 2), rel=1e-12)
    g_lo = (1 - np.sqrt(1 - e**2 * m**2)) / e
    for g in (g_lo, g_lo + 0.5, 2 / e - g_lo):
        jm = np.eye(2) + e * (mm - g * np.eye(2))
        assert np.linalg.norm(np.linalg.matrix_power(jm, steps), 2) <= 1 + 1e-12
    jm = np.eye(2) + e * (mm - 0.5 * g_lo * np.eye(2))
    assert np.linalg.norm(np.linalg.matrix_power(jm, steps), 2) > 1


A_, MU, EPS = sp.Symbol("a", real=True), sp.Symbol("mu", real=True), sp.Symbol("epsilon", positive=True)
R_, C_, T_ = sp.Symbol("r", positive=True), sp.Symbol("c", positive=True), sp.Symbol("T", integer=True, positive=True)


@pytest.mark.parametrize(
    ("name", "part", "wrong"),
    [
        ("modrelu_jacobian", "sv_tangential", sp.Integer(1)),  # "modReLU is an isometry"
        ("modrelu_jacobian", "jacobian", sp.eye(2)),
        ("urnn_one_unit_jacobian", "sv_tangential", sp.Integer(1)),  # "unitary W => norm preserved"
        ("orthogonal_tanh_fixed_point", "norm_T", sp.Integer(1)),
        ("orthogonal_tanh_fixed_point", "example_norm", sp.Integer(1)),
        ("skew_exp_orthogonal", "exp_2x2", sp.Matrix([[sp.cos(A_), sp.sin(A_)], [-sp.sin(A_), sp.cos(A_)]])),
        ("skew_exp_orthogonal", "det_exp", sp.Integer(-1)),
        ("cayley_conventions", "torch", sp.Matrix([[1 - A_**2, 2 * A_], [-2 * A_, 1 - A_**2]]) / (1 + A_**2)),
        ("cayley_conventions", "scale", sp.Integer(2)),
        ("cayley_no_minus_one", "dist_to_minus_one", 2 / sp.sqrt(1 + MU**2)),
        ("antisymmetric_euler_growth", "modulus_sq", sp.Integer(1)),  # "Euler keeps the norm"
        ("antisymmetric_euler_growth", "gamma_min", EPS * MU**2 / 2),  # the small-eps approximation
    ],
)
def test_checks_catch_a_wrong_result(monkeypatch, name, part, wrong):
    assert_checks_catch(monkeypatch, name, part, wrong)


def test_exercise_derivations_catch_plausible_mistakes(monkeypatch):
    """The derivations behind the page's exercises fail their checks on a plausible wrong answer."""
    # "the two conventions differ only by the sign of A": a' = -a
    assert_checks_catch(monkeypatch, "cayley_convention_conversion", "a_converted", sp.Integer(-2))
    assert_checks_catch(monkeypatch, "cayley_convention_conversion", "paper", sp.Matrix([[0, -1], [1, 0]]))
    # "the Cayley map is orthogonal for any A"
    assert_checks_catch(monkeypatch, "cayley_orthogonal_iff_skew", "sv_max", sp.Integer(1))
    assert_checks_catch(monkeypatch, "cayley_orthogonal_iff_skew", "Q_pow", sp.eye(2))
    # the small-eps estimate eps mu^2/2 taken for the exact gamma_-
    assert_checks_catch(monkeypatch, "antisymmetric_diffusion_example", "gamma_min", sp.Rational(1, 5))
    assert_checks_catch(monkeypatch, "antisymmetric_diffusion_example", "growth_T", sp.Integer(1))
    assert_checks_catch(monkeypatch, "cayley_conventions", "scale", sp.Integer(-1))
    assert_checks_catch(monkeypatch, "skew_exp_orthogonal", "det_exp", sp.Integer(-1))
    assert_checks_catch(monkeypatch, "cayley_no_minus_one", "dist_to_minus_one", sp.Integer(0))
    assert_checks_catch(monkeypatch, "antisymmetric_euler_growth", "gamma_min", EPS * MU**2 / 2)
