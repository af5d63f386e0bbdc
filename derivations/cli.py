"""Command line: ``python -m derivations list | show NAME [--format latex|text|json] | verify [NAME ...]``, each
with ``--lang en|zh`` (titles, table headers, oracle descriptions and verdicts in Chinese with ``--lang zh``).

Bad input gives one line on stderr (what was wrong, what is accepted) and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from typing import NoReturn

import sympy as sp

from derivations.core import registry
from derivations.verify import format_table, run_parallel

FORMATS = ("latex", "text", "json")
LANGS = ("en", "zh")
PROG = "python -m derivations"


class UsageError(Exception):
    """Bad command-line input; the message is the single line shown to the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(
            f"{message}; usage: {PROG} list | show NAME [--format latex|text|json] | verify [NAME ...] [--jobs N]"
            " (each with --lang en|zh)"
        )


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Executable derivations of vanishing and exploding gradients.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    lst = sub.add_parser("list", help="names of all derivations with one-line titles（所有推导的名称与标题）")
    lst.add_argument("--lang", default="en", choices=LANGS, help="language of the titles（标题语言）")
    show = sub.add_parser("show", help="show one derived result（显示一个推导结果）")
    show.add_argument("name")
    show.add_argument("--format", default="latex", choices=FORMATS)
    show.add_argument("--lang", default="en", choices=LANGS, help="language of the title（标题语言）")
    ver = sub.add_parser("verify", help="run the numerical checks and print a table（运行数值校验并输出表格）")
    ver.add_argument("names", nargs="*", metavar="NAME")
    ver.add_argument("--lang", default="en", choices=LANGS, help="language of the table（表格语言）")
    ver.add_argument("--jobs", type=_positive, default=0, help="worker processes (default: one per core)")
    return p


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--jobs takes a positive integer, not {text!r}")
    return int(text)


def _resolve(name: str) -> str:
    names = list(registry())
    if name in names:
        return name
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"run '{PROG} list' for the {len(names)} names"
    raise UsageError(f"unknown derivation {name!r}; {hint}")


def _show(name: str, fmt: str, lang: str) -> str:
    d = registry()[name]
    r = d.result
    title = d.title_zh if lang == "zh" else d.title
    if fmt == "latex":
        return r.display_latex()
    if fmt == "text":
        return f"{name}: {title}\n\n{sp.pretty(r.expr, use_unicode=True)}"
    return json.dumps(
        {
            "name": name,
            "title": title,
            "latex": r.display_latex(),
            "sympy": sp.srepr(r.expr),
            "symbols": r.symbols,
            "parts": {k: sp.srepr(v) for k, v in r.parts.items()},
            "text": r.text,
            "how_to_rebuild": (
                "from sympy import *; from sympy.functions.elementary.piecewise import ExprCondPair; "
                "expr = eval(data['sympy'])  # or derivations.core.rebuild(data['sympy'])"
            ),
        },
        ensure_ascii=False,
        indent=2,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 1 a check failed, 2 bad input)."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            reg = registry()
            width = max(map(len, reg))
            print(
                "\n".join(f"{n.ljust(width)}  {d.title_zh if args.lang == 'zh' else d.title}" for n, d in reg.items())
            )
            return 0
        if args.command == "show":
            print(_show(_resolve(args.name), args.format, args.lang))
            return 0
        names = [_resolve(n) for n in args.names] or list(registry())
        start = time.perf_counter()
        rows = run_parallel(names, args.jobs or None)
        zh = {(n, c.oracle): c.oracle_zh for n in names for c in registry()[n].checks if c.oracle_zh}
        print(format_table(rows, args.lang, zh))
        failed = sum(r.status == "FAIL" for r in rows)
        skipped = sum(r.status == "skip" for r in rows)
        passed = len(rows) - failed - skipped
        seconds = time.perf_counter() - start
        if args.lang == "zh":
            print(f"\n{passed} 项通过，{failed} 项失败，{skipped} 项跳过，用时 {seconds:.2f} 秒")
        else:
            print(f"\n{passed} passed, {failed} failed, {skipped} skipped in {seconds:.2f} s")
        return 1 if failed else 0
    except UsageError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
