"""Check every internal link and anchor of the built site (both languages) and list external links.

Usage: python -m tools.links SITE_DIR [--external-report FILE]   (exit 1 and one line per broken link)
No network is used: external links are collected for the report, not fetched.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key] or "")
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"] or "")
        if tag == "link" and a.get("rel") in ("prev", "next", "canonical") and a.get("href"):
            self.links.append(a["href"] or "")


@cache
def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    return p


def _target(site: Path, page: Path, path: str) -> Path | None:
    base = page.parent if path else page
    target = (base / unquote(path)).resolve() if not path.startswith("/") else (site / unquote(path[1:])).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() and target.is_relative_to(site.resolve()) else None


def check(site: Path) -> tuple[list[str], dict[str, set[str]]]:
    """(broken internal links as messages, external URL -> pages linking to it) for the site at ``site``."""
    site = site.resolve()
    broken: list[str] = []
    external: dict[str, set[str]] = defaultdict(set)
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel in ("404.html", "zh/404.html"):
            continue  # served for any missing URL: its links are absolute to the site root
        for href in _parse(page).links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https") or href.startswith("//"):
                external[href].add(rel)
                continue
            if parts.scheme:  # mailto:, javascript:, data:
                continue
            target = _target(site, page, parts.path)
            if target is None:
                broken.append(f"{rel}: broken link {href!r}")
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html" and frag not in _parse(target).ids:
                broken.append(f"{rel}: link {href!r} points to a missing anchor #{frag}")
    return broken, external


def main(argv: list[str] | None = None) -> int:
    """Print broken links (exit 1 if any) and write the external-links report if asked."""
    args = sys.argv[1:] if argv is None else argv
    if not args or not Path(args[0]).is_dir():
        print("links: usage: python -m tools.links SITE_DIR [--external-report FILE]", file=sys.stderr)
        return 2
    broken, external = check(Path(args[0]))
    print("\n".join(broken))
    if "--external-report" in args:
        out = Path(args[args.index("--external-report") + 1])
        out.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{url}\t{', '.join(sorted(pages))}" for url, pages in sorted(external.items())]
        out.write_text("# external links (not fetched: no network at build)\n" + "\n".join(lines) + "\n")
    print(f"links: {len(broken)} broken internal link(s); {len(external)} distinct external link(s)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
