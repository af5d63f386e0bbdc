"""BPTT: path sums, the '+' recursion, the adjoint, truncation and the any-T gradient against independent oracles."""

from __future__ import annotations

import itertools
import math
import time

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import bptt as bp
from derivations import get
from derivations.nets import rnn
from tests.helpers import assert_checks_catch


def scalar_loss(w, u, b, v, xs, ys, h0):
    h, loss = h0, 0.0
    for x, y in zip(xs, ys, strict=True):
        h = math.tanh(w * h + u * x + b)
        loss += 0.5 * (v * h - y) ** 2
    return loss


def test_single_chain_is_the_first_of_k_paths_and_vanishes_when_c0_is_zero():
    r = get("bptt_single_chain_is_one_path").result
    assert len(r.parts["terms"]) == 4
    assert sp.expand(r.parts["total"] - sum(r.parts["terms"])) == 0
    at0, at_half = bp.blog_example(0.0), bp.blog_example(0.5)
    assert at0["single_chain"] == 0.0 and abs(at0["total"]) > 0.1
    assert abs(at_half["total"] - at_half["single_chain"]) > 0.1
    # finite-difference oracle written here
    c = bp.BLOG_CASE

    def loss(wc, c0=0.5):
        s = c0
        for x in c["X"]:
            s = math.tanh(wc * s + c["W_x"] * x)
        return 0.5 * (c["W_h"] * s - c["Y"]) ** 2

    fd = (loss(c["W_c"] + 1e-6) - loss(c["W_c"] - 1e-6)) / 2e-6
    assert at_half["total"] == pytest.approx(fd, abs=1e-8)


def test_total_derivative_expansion_has_all_paths():
    r = get("bptt_total_derivative").result
    assert r.text["n_terms_T4"] == "10"  # T (T + 1) / 2 paths for T = 4
    assert len(sp.Add.make_args(r.parts["dh3_dW"])) == 3
    assert r"\frac{\partial^{+} h_3}{\partial W}" in r.text["dh3_dW_latex"]
    for n in range(1, 7):
        gg, jj, pp = bp._nc("g", n), bp._nc("J", n), bp._nc("p", n)
        assert len(sp.Add.make_args(sp.expand(bp.path_sum(gg, jj, pp)))) == n * (n + 1) // 2


def test_total_derivative_check_fails_with_only_the_longest_paths(monkeypatch):
    d = get("bptt_total_derivative")
    n = bp.T_SMALL
    _, _, ys, hs, a_s = bp._unrolled_scalar(n)
    g = [bp.v * (bp.v * hs[t] - ys[t - 1]) for t in range(1, n + 1)]
    jac = [bp.f_prime(a_s[t]) * bp.w for t in range(n)]
    imm = [bp.f_prime(a_s[t]) * hs[t] for t in range(n)]
    only_longest = sum(g[t - 1] * sp.Mul(*jac[1:t]) * imm[0] for t in range(1, n + 1))
    assert d.result.parts["derivative"] != only_longest
    assert_checks_catch(monkeypatch, "bptt_total_derivative", "derivative", only_longest)


def test_recursion_closed_form_against_plain_loop():
    rng = np.random.default_rng(0)
    bv, cv = rng.normal(size=12), rng.normal(size=12)
    closed = get("bptt_recursion_closed_form").result.parts["closed_form"]
    ts = sp.Symbol("t", integer=True, positive=True)
    bb, cc = sp.IndexedBase("b"), sp.IndexedBase("c")
    a = 0.0
    for t in range(1, 11):
        a = bv[t] + cv[t] * a if t > 1 else bv[1]
        val = closed.subs(ts, t).doit().subs({bb[k]: bv[k] for k in range(12)} | {cc[k]: cv[k] for k in range(12)})
        assert float(val) == pytest.approx(a, rel=1e-12, abs=1e-14)


def test_equals_instead_of_plus_is_wrong_and_its_check_can_fail(monkeypatch):
    r = get("bptt_equals_instead_of_plus").result.parts
    c = bp.CASE

    def h4(wv):  # oracle written here: the four-step recurrence of the named case
        h = c["h0"]
        for x in c["x"][: bp.CASE_T]:
            h = math.tanh(wv * h + c["u"] * x + c["b"])
        return h

    fd = (h4(c["w"] + 1e-6) - h4(c["w"] - 1e-6)) / 2e-6
    assert float(r["correct_T4"]) == pytest.approx(fd, abs=1e-9)
    assert abs(float(r["wrong_T4"]) - fd) > 0.3
    assert_checks_catch(monkeypatch, "bptt_equals_instead_of_plus", "correct_T4", r["wrong_T4"])


def test_adjoint_equals_double_sum_numerically():
    params, xs, ys, h0 = bp.random_rnn(3, 2, 2, 8, seed=1, scale=1.4)
    hs, pre = rnn.forward(params, xs, h0)
    fp = 1 - np.tanh(pre) ** 2
    g = (hs[1:] @ params["Woh"].T - ys) @ params["Woh"]
    total = np.zeros_like(params["Whh"])
    for t in range(1, 9):  # the double sum, written out with explicit Jacobian products
        for k in range(1, t + 1):
            chain = np.eye(3)
            for j in range(t, k, -1):
                chain = chain @ (fp[j - 1][:, None] * params["Whh"])
            row = g[t - 1] @ chain * fp[k - 1]
            total += np.outer(row, hs[k - 1])
    assert np.allclose(rnn.grad_adjoint(params, xs, ys, h0)["Whh"], total, rtol=1e-12, atol=1e-14)


def test_truncation():
    params, xs, ys, h0 = bp.random_rnn(4, 2, 2, 15, seed=3, scale=1.2)
    full = rnn.grad_adjoint(params, xs, ys, h0)["Whh"]
    assert np.allclose(rnn.grad_adjoint(params, xs, ys, h0, tau=14)["Whh"], full, rtol=1e-13, atol=1e-15)
    assert not np.allclose(rnn.grad_adjoint(params, xs, ys, h0, tau=2)["Whh"], full, rtol=1e-3)
    r = get("bptt_truncated").result
    assert int(r.parts["n_dropped"]) == 6  # T = 6, tau = 2: (T - tau - 1)(T - tau)/2
    table = bp.truncation_table()
    for scale in (0.9, 1.5):  # the dropped part shrinks as tau grows, and faster for the contractive net
        vals = [table[scale][tau] for tau in bp.TRUNC_TAUS]
        assert all(a > b for a, b in itertools.pairwise(vals))
    assert table[0.9][10] < table[1.5][10]


def test_scalar_any_T_matches_mpmath_and_is_fast():
    xs, ys = bp.scale_sequence(1000)
    c = bp.SCALE_CASE
    t0 = time.perf_counter()
    g = bp.scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs, ys, c["h0"])
    assert time.perf_counter() - t0 < 1.0
    # oracle written here: mpmath loss at 30 digits, central difference with step 1e-12
    mpmath.mp.dps = 30
    try:
        eps = mpmath.mpf("1e-12")

        def loss(wv):
            h, total = mpmath.mpf(c["h0"]), mpmath.mpf(0)
            for x, y in zip(xs, ys, strict=True):
                h = mpmath.tanh(wv * h + mpmath.mpf(c["u"]) * mpmath.mpf(x) + mpmath.mpf(c["b"]))
                total += (mpmath.mpf(c["v"]) * h - mpmath.mpf(y)) ** 2 / 2
            return total

        ref = (loss(mpmath.mpf(c["w"]) + eps) - loss(mpmath.mpf(c["w"]) - eps)) / (2 * eps)
    finally:
        mpmath.mp.dps = 15
    assert abs(g["w"] - float(ref)) / abs(float(ref)) < 1e-8


def test_scalar_any_T_matches_naive_sympy_diff_for_small_T():
    xs, ys = bp.scale_sequence(6)
    c = bp.SCALE_CASE
    seq = 6  # the naive route, written here: differentiate the fully nested unrolled loss
    h, loss = sp.Symbol("h_0", real=True), sp.Integer(0)
    for t in range(seq):
        h = sp.tanh(bp.w * h + bp.u * sp.Symbol(f"x_{t + 1}", real=True) + bp.b)
        loss += (bp.v * h - sp.Symbol(f"y_{t + 1}", real=True)) ** 2 / 2
    d = sp.diff(loss, bp.w)
    subs = {sp.Symbol(f"x_{t + 1}", real=True): xs[t] for t in range(6)}
    subs |= {sp.Symbol(f"y_{t + 1}", real=True): ys[t] for t in range(6)}
    subs |= {bp.w: c["w"], bp.u: c["u"], bp.b: c["b"], bp.v: c["v"], sp.Symbol("h_0", real=True): c["h0"]}
    naive = float(d.subs(subs))
    assert bp.scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs, ys, c["h0"])["w"] == pytest.approx(naive, rel=1e-13)


def test_scalar_any_T_check_fails_with_a_wrong_local_jacobian(monkeypatch):
    th = sp.Symbol("h_t", real=True)
    bp._scalar_local_fns.cache_clear()  # the lambdified local derivatives are cached: rebuild them from the wrong part
    try:
        assert_checks_catch(monkeypatch, "bptt_scalar_tanh_any_T", "jacobian", bp.w * (1 - th))  # tanh' is 1 - h^2
    finally:
        monkeypatch.undo()
        bp._scalar_local_fns.cache_clear()


def test_single_chain_check_fails_when_the_total_is_only_the_single_chain(monkeypatch):
    single = get("bptt_single_chain_is_one_path").result.parts["single_chain"]
    assert_checks_catch(monkeypatch, "bptt_single_chain_is_one_path", "total", single)


def test_named_case_is_shown_as_latex():
    text = get("bptt_equals_instead_of_plus").result.text
    c = bp.CASE
    assert text["case"] == rf"w = {c['w']},\ u = {c['u']},\ b = {c['b']},\ h_0 = {c['h0']}"
    assert text["example_x"].endswith("(0.5, -1.0, 0.3, 0.8)")
    assert get("bptt_single_chain_is_one_path").result.text["single_chain_C0_0.0"] == "0"


def test_cutting_the_graph_every_tau_steps_is_not_truncation_per_loss(monkeypatch, torch):
    """As if h.detach() every tau steps kept the same terms as truncating each loss after tau Jacobians."""
    parts = get("bptt_truncation_path_counts").result.parts
    assert_checks_catch(monkeypatch, "bptt_truncation_path_counts", "n_chunked_tau", parts["n_per_loss"])


def test_recursion_closed_form_check_fails_for_the_longest_path_only(monkeypatch):
    """The closed form replaced by the '=' recursion's result (the longest path only)."""
    wrong = get("bptt_equals_instead_of_plus").result.parts["wrong"]
    assert_checks_catch(monkeypatch, "bptt_recursion_closed_form", "closed_form", wrong)
