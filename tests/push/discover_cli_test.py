#!/usr/bin/python3
"""`h2push discover` (docs/push.md): the binary run on the test sites (tests/push/sites/) and on the built-in demo
site. Checks the JSON plan's exact order, the text table, the manifest option, and the exit codes of mistakes.
Prints one line per case; exits 1 if any failed.

    /usr/bin/python3 tests/push/discover_cli_test.py --binary build/h2push --sites tests/push/sites
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

SHOP_PLAN = [
    "/static/v2/css/shop.css", "/static/v2/fonts/lumen-sans.woff2", "/static/v2/js/polyfills.js",
    "/static/v2/css/base.css", "/static/v2/css/components/buttons.css", "/static/v2/css/print.css",
    "/static/v2/js/cart.js", "/static/v2/js/product.js", "/static/v2/css/components/print-only.css",
    "/static/v2/fonts/print-serif.woff2", "/favicon.ico", "/static/v2/img/badge-sale.svg", "/static/v2/img/logo.svg",
    "/static/v2/img/products/lamp-800.jpg", "/static/v2/img/swatches/brass.png", "/static/v2/img/hero-texture.png",
    "/static/v2/img/icons.svg", "/static/v2/img/hero-texture-wide.png", "/static/v2/img/print-bg.png",
    "/static/v2/img/paper.png", "/static/v2/img/btn-gradient.png",
]

DEMO_PLAN = [
    "/css/main.css", "/css/waterfall.css", "/css/base.css", "/fonts/dots.woff", "/js/site.js", "/js/app.js",
    "/js/catalog.js", "/js/waterfall.js", "/js/format.js", "/favicon.ico", "/img/logo.svg", "/img/hero-1200.png",
    "/img/harbour-day.png", "/img/harbour-fog.png", "/img/harbour-dawn.png", "/img/paper.png", "/img/wave.svg",
    "/data/assets.json",
]


def run(binary, *args, cwd=None):
    return subprocess.run([binary, "discover", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60, cwd=cwd)


def plan_paths(page):
    return [r["path"] for r in page["resources"]]


def json_directory(args):
    result = run(args.binary, os.path.join(args.sites, "shop"), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    pages = {p["page"]: p for p in doc["pages"]}
    assert list(pages) == ["/products/lamp.html"], list(pages)
    page = pages["/products/lamp.html"]
    assert plan_paths(page) == SHOP_PLAN, plan_paths(page)
    first = page["resources"][0]
    assert first["as"] == "style" and first["critical"] and first["level"] == 1 and first["urgency"] == 4, first
    assert first["media_type"] == "text/css" and first["version"].startswith('"'), first
    assert page["conditional"] == 6 and page["unservable"] == 1 and not page["truncated"], page


def text_file(args):
    result = run(args.binary, os.path.join(args.sites, "docs", "guide", "index.html"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("/index.html: ") and "TRUNCATED" not in lines[0], lines[0]
    rows = [line.split() for line in lines[2:-1] if line.strip()]
    # The file's directory is the root: ../theme/ is outside it, so only what lies below guide/ is planned.
    assert [row[-1] for row in rows] == ["/diagrams/flow.svg", "/diagrams/flow%20chart.svg"], rows
    assert rows[0][:4] == ["1", "1", "image", "6"], rows[0]
    assert lines[-1] == "1 page, 2 resources planned", lines[-1]


def one_page_with_manifest(args):
    with tempfile.TemporaryDirectory(prefix="h2push-discover-") as tmp:
        manifest = os.path.join(tmp, "push.toml")
        with open(manifest, "w", encoding="utf-8") as f:
            f.write('[[page]]\npath = "/"\nremove = ["/img/*", "/src/worker.js"]\nnopush = ["/wasm/engine.wasm"]\n'
                    'order = ["/fonts/ui.woff2"]\nadd = [{ href = "/vendor/lit.js", as = "module_script" }]\n')
        result = run(args.binary, os.path.join(args.sites, "app"), "--page", "/", "--manifest", manifest, "--json")
        assert result.returncode == 0, result.stderr
        page = json.loads(result.stdout)["pages"][0]
        paths = plan_paths(page)
        assert paths[0] == "/fonts/ui.woff2", paths
        assert not any(p.startswith("/img/") for p in paths) and "/src/worker.js" not in paths, paths
        assert "/vendor/lit.js" in paths, paths
        wasm = [r for r in page["resources"] if r["path"] == "/wasm/engine.wasm"][0]
        assert wasm["nopush"], wasm


def built_in_demo(args):
    result = run(args.binary, "--json")
    assert result.returncode == 0, result.stderr
    pages = {p["page"]: p for p in json.loads(result.stdout)["pages"]}
    assert sorted(pages) == ["/about.html", "/index.html"], list(pages)
    assert plan_paths(pages["/index.html"]) == DEMO_PLAN, plan_paths(pages["/index.html"])
    levels = sorted({r["level"] for r in pages["/index.html"]["resources"]})
    assert levels == [1, 2, 3], levels


def mistakes(args):
    with tempfile.TemporaryDirectory(prefix="h2push-discover-") as tmp:
        bad = os.path.join(tmp, "bad.toml")
        with open(bad, "w", encoding="utf-8") as f:
            f.write('[[page]]\npath = "/"\n\nadd = [{ href = "/x.css", as = "sheet" }]\n')
        cases = [
            ((os.path.join(tmp, "missing"),), 1, "no such file or directory"),
            ((os.path.join(args.sites, "app", "index.html"), "--page", "/"), 2, "--page needs a directory"),
            ((os.path.join(args.sites, "app"), "--page", "/src/main.js"), 1, "is not servable HTML"),
            ((os.path.join(args.sites, "app"), "--manifest", bad), 1, "bad.toml:4: key 'page[0].add[0].as'"),
            ((os.path.join(args.sites, "app"), "--bogus"), 2, ""),
        ]
        for argv, code, message in cases:
            result = run(args.binary, *argv)
            assert result.returncode == code, (argv, result.returncode, result.stderr)
            assert message in result.stderr, (argv, result.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--sites", required=True)
    args = parser.parse_args()
    failed = 0
    for case in [json_directory, text_file, one_page_with_manifest, built_in_demo, mistakes]:
        try:
            case(args)
            print(f"ok   {case.__name__}")
        except (AssertionError, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError, IndexError) as e:
            failed += 1
            print(f"FAIL {case.__name__}: {e!r}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
