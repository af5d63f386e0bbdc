"""Time the exact gradient of a scalar tanh RNN vs sequence length T: derived local derivatives + adjoint sweep,
against the naive route (build the unrolled SymPy expression, call sympy.diff, lambdify, evaluate).

Run: ``python benchmarks/bptt_scaling.py``. Every naive attempt runs in a child process with a time cap, so the
script ends in well under 60 s; a RecursionError in SymPy is caught and reported.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sympy as sp

from derivations.bptt import SCALE_CASE, b, scalar_rnn_grad, scale_sequence, u, v, w

NAIVE_T = (5, 10, 20, 50, 100, 1000)
ADJOINT_T = (10, 100, 1000)
CAP_PER_RUN = 20.0  # seconds for one naive attempt
TOTAL_BUDGET = 50.0  # seconds for all naive attempts together


def naive_unrolled_diff(seq: int) -> sp.Expr:
    """The naive way: build the fully nested unrolled loss sum_t (v h_t - y_t)^2/2, h_t = tanh(w h_{t-1} + u x_t + b),
    for T = ``seq`` and call sympy.diff on it with respect to w."""
    xs = sp.symbols(f"x_1:{seq + 1}", real=True)
    ys = sp.symbols(f"y_1:{seq + 1}", real=True)
    h, loss = sp.Symbol("h_0", real=True), sp.Integer(0)
    for t in range(seq):
        h = sp.tanh(w * h + u * xs[t] + b)
        loss += (v * h - ys[t]) ** 2 / 2
    return sp.diff(loss, w)


def time_adjoint(seq: int, repeat: int = 3) -> float:
    """Best wall time (s) over ``repeat`` runs of ``derivations.bptt.scalar_rnn_grad`` on a seeded sequence of length
    ``seq`` (the local derivatives are derived and lambdified once, outside the timing)."""
    xs, ys = scale_sequence(seq)
    c = SCALE_CASE
    scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs[:2], ys[:2], c["h0"])
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs, ys, c["h0"])
        best = min(best, time.perf_counter() - t0)
    return best


def _naive_child(seq: int, out: mp.Queue) -> None:
    try:
        t0 = time.perf_counter()
        d = naive_unrolled_diff(seq)
        t_diff = time.perf_counter() - t0
        out.put(("diff", t_diff, t_diff, math.nan))
        syms = sorted(d.free_symbols, key=str)
        fn = sp.lambdify(syms, d, "math")
        xs, ys = scale_sequence(seq)
        values = {f"x_{t + 1}": float(xs[t]) for t in range(seq)} | {f"y_{t + 1}": float(ys[t]) for t in range(seq)}
        values |= {"w": SCALE_CASE["w"], "u": SCALE_CASE["u"], "b": SCALE_CASE["b"], "v": SCALE_CASE["v"]}
        values["h_0"] = SCALE_CASE["h0"]
        grad = fn(*[values[str(s)] for s in syms])
        out.put(("ok", t_diff, time.perf_counter() - t0, grad))
    except RecursionError:
        out.put(("RecursionError", math.nan, time.perf_counter() - t0, math.nan))


def naive(seq: int, cap: float) -> tuple[str, float, float, float]:
    """Run the naive pipeline for T = seq in a child process; ('timeout', ...) if it exceeds ``cap`` seconds."""
    q: mp.Queue = mp.Queue()
    p = mp.get_context("fork").Process(target=_naive_child, args=(seq, q))
    p.start()
    msgs = []
    deadline = time.perf_counter() + cap
    while len(msgs) < 2 and time.perf_counter() < deadline:
        try:
            msgs.append(q.get(timeout=max(0.01, deadline - time.perf_counter())))
        except Exception:  # queue.Empty at the deadline
            break
        if msgs[-1][0] == "RecursionError":
            break
    p.join(0.5)
    if p.is_alive():
        p.terminate()
        p.join()
    if not msgs:
        return ("timeout in diff", math.nan, cap, math.nan)
    last = msgs[-1]
    if last[0] == "diff":
        return ("diff ok, timeout in lambdify/eval", last[1], cap, math.nan)
    return last if last[0] != "ok" else ("ok", msgs[0][1], last[2], last[3])


def main() -> None:
    """Print a table of wall times (s) for both methods and the adjoint gradient's agreement with the naive one."""
    start = time.perf_counter()
    t0 = time.perf_counter()
    xs, ys = scale_sequence(1000)
    c = SCALE_CASE
    scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs, ys, c["h0"])  # includes deriving + lambdifying once
    print(f"adjoint, cold start (derive local derivatives, lambdify, T = 1000): {time.perf_counter() - t0:.3f} s")
    print(f"{'T':>6}  {'adjoint (s)':>12}  {'naive diff (s)':>15}  {'naive diff+lambdify+eval (s)':>29}  note")
    spent = 0.0
    for seq in sorted(set(NAIVE_T) | set(ADJOINT_T)):
        adj = time_adjoint(seq)
        status, t_diff, t_all, grad = ("skipped", math.nan, math.nan, math.nan)
        if spent < TOTAL_BUDGET:
            status, t_diff, t_all, grad = naive(seq, min(CAP_PER_RUN, TOTAL_BUDGET - spent))
            spent += t_all if not math.isnan(t_all) else 0.0
        note = status
        if status == "ok":
            xs, ys = scale_sequence(seq)
            mine = scalar_rnn_grad(c["w"], c["u"], c["b"], c["v"], xs, ys, c["h0"])["w"]
            note = f"ok, |adjoint - naive| / |naive| = {abs(mine - grad) / abs(grad):.1e}"
        diff_s = "-" if math.isnan(t_diff) else f"{t_diff:.3f}"
        all_s = f"{t_all:.3f}" if status == "ok" else (f"> {t_all:.0f}" if "timeout" in status else "-")
        print(f"{seq:>6}  {adj:>12.5f}  {diff_s:>15}  {all_s:>29}  {note}")
    print(f"total {time.perf_counter() - start:.1f} s (recursion limit {sys.getrecursionlimit()})")


if __name__ == "__main__":
    main()
