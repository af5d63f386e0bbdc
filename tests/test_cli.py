"""The command line as a user runs it: real subprocesses, exit codes, one-line errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair

from derivations import cli, get, registry

from .conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derivations", *args], cwd=ROOT, capture_output=True, text=True)


def test_list_names_every_derivation():
    p = run("list")
    assert p.returncode == 0
    listed = [line.split()[0] for line in p.stdout.splitlines()]
    assert listed == list(registry())


def test_show_formats():
    latex = run("show", "sigmoid_derivative")
    assert latex.returncode == 0 and r"\sigma'(x)" in latex.stdout
    text = run("show", "sigmoid_derivative", "--format", "text")
    assert text.returncode == 0 and "sigmoid_derivative" in text.stdout
    zh = run("show", "sigmoid_derivative", "--format", "json", "--lang", "zh")
    assert "σ" in json.loads(zh.stdout)["title"]


def test_show_json_rebuilds_the_expression():
    p = run("show", "hochreiter_weight_bound", "--format", "json")
    data = json.loads(p.stdout)
    assert {"name", "title", "latex", "sympy", "symbols"} <= data.keys()
    rebuilt = eval(data["sympy"], {**vars(sp), "ExprCondPair": ExprCondPair})
    assert rebuilt == get("hochreiter_weight_bound").result.expr
    assert rebuilt[0](sp.Integer(2)) == sp.Rational(1, 2)


def test_verify_passes_and_prints_a_table():
    p = run("verify", "sigmoid_derivative", "tanh_derivative")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.splitlines()[0].split()[:2] == ["name", "oracle"]
    assert "0 failed" in p.stdout


def test_verify_exits_nonzero_when_a_check_fails(monkeypatch, capsys):
    d = get("sigmoid_derivative")
    monkeypatch.setattr(d, "checks", [type(d.checks[0])(oracle="always wrong", run=lambda: 1.0, tol=0.5)])
    assert cli.main(["verify", "sigmoid_derivative"]) == 1
    assert "FAIL" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["show", "sigmoid_derivativ"], "did you mean sigmoid_derivative"),
        (["show", "zzzz"], "derivations list"),
        (["verify", "tanh_derivatve"], "did you mean tanh_derivative"),
        (["show", "sigmoid_derivative", "--format", "xml"], "choose from 'latex', 'text', 'json'"),
        (["show", "sigmoid_derivative", "--lang", "fr"], "choose from 'en', 'zh'"),
        (["list", "--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
        (["show"], "required: name"),
    ],
)
def test_bad_input_is_one_line_exit_2_no_traceback(args, expect):
    p = run(*args)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr and expect in lines[0]
    assert "usage" in lines[0] or "derivations list" in lines[0] or "did you mean" in lines[0]
