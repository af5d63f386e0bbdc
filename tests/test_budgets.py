"""The budget script's server must serve pages as GitHub Pages does (gzip for text), or its figures mislead."""

from __future__ import annotations

import gzip
import urllib.request

from tools import budgets


def test_server_gzips_text_when_asked_and_serves_raw_otherwise(tmp_path):
    page = "<!doctype html><title>t</title>" + "gradient " * 500
    (tmp_path / "bptt").mkdir()
    (tmp_path / "bptt" / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "plot.png").write_bytes(b"\x89PNG" + bytes(100))
    httpd, base = budgets.serve(tmp_path)
    try:
        req = urllib.request.Request(base + "bptt/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            body = r.read()
        assert len(body) < len(page) and gzip.decompress(body).decode() == page
        with urllib.request.urlopen(base + "bptt/") as r:
            assert r.headers["Content-Encoding"] is None and r.read().decode() == page
        req = urllib.request.Request(base + "plot.png", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:  # images are served as they are
            assert r.headers["Content-Encoding"] is None
        req = urllib.request.Request(base + "bptt", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:  # the directory redirect still works
            assert r.url.endswith("/bptt/")
    finally:
        httpd.shutdown()


def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys):
    assert budgets.main([str(tmp_path / "missing")]) == 2
    assert budgets.main([str(tmp_path), "--lighthouse", "--runs", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("budgets: ") for line in err)
