"""Time to a stable graph on /explore (`python -m bench.explore`, run by `make bench`).

A generated graph is built and served by `agrikg serve`; Debian's Chromium (Playwright, every
request off 127.0.0.1 blocked) opens /explore, which cuts the graph to its 300 nodes, and the
time from the start of navigation to vis-network's "stabilized" event is recorded (hooked on
the page's `vis.Network` by an init script, so the page needs no help from us to be timed).
The median of a few runs goes to bench/results/explore.json and EXPLORE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from bench.data import dataset
from bench.measure import BIN, PROJECT, free_port, server

RESULTS = PROJECT / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
# Wraps vis.Network as soon as the inlined script defines `vis`: the first "stabilized" event
# of the first network is written to window.__stable (ms since navigation start).
HOOK = """
(() => {
  let real, wrapped;
  Object.defineProperty(window, "vis", {configurable: true, set(v) { real = v; }, get() {
    if (real && real.Network && !wrapped) {
      const Network = real.Network;
      wrapped = function (...args) {
        const net = new Network(...args);
        net.once("stabilized", () => { window.__stable = performance.now(); });
        return net;
      };
      wrapped.prototype = Network.prototype;
      real.Network = wrapped;
    }
    return real;
  }});
})();
"""


def settle_times(base: str, runs: int, width: int = 1366) -> dict:
    from playwright.sync_api import sync_playwright

    times, nodes, sizes, served, received = [], [], [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for _ in range(runs):
                context = browser.new_context(viewport={"width": width, "height": 800})
                outside: list[str] = []

                def only_local(route, outside=outside) -> None:
                    if urlparse(route.request.url).hostname == "127.0.0.1" or \
                            route.request.url.startswith(("data:", "blob:", "about:")):
                        route.continue_()
                    else:
                        outside.append(route.request.url)
                        route.abort()

                context.route("**/*", only_local)
                context.add_init_script(HOOK)
                page = context.new_page()
                response = page.goto(f"{base}/explore?lang=en", timeout=120_000)
                page.wait_for_function("window.__stable !== undefined", timeout=120_000,
                                       polling=50)
                times.append(page.evaluate("window.__stable") / 1000)
                nav = page.evaluate("(() => { const t = performance.getEntriesByType('navigation')[0];"
                                    " return [t.responseStart, t.responseEnd]; })()")
                served.append(nav[0] / 1000)
                received.append(nav[1] / 1000)
                nodes.append(page.evaluate("window.agrikgView.nodes"))
                sizes.append(len(response.body()))
                if outside:
                    raise RuntimeError(f"the page asked for outside resources: {outside[:3]}")
                context.close()
        finally:
            browser.close()
    return {"seconds": [round(t, 3) for t in times], "median_seconds": statistics.median(times),
            "nodes": nodes[0], "page_bytes": sizes[0],
            "first_byte_median_seconds": statistics.median(served),
            "last_byte_median_seconds": statistics.median(received)}


def measure(triples: int, runs: int, work: Path) -> dict:
    file = dataset(work / "data", triples)
    home = work / f"explore-home-{triples}"
    if not (home / "current" / "build.json").is_file():
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(BIN / "agrikg"), "build", "--from", str(file)], check=True,
                       env={"AGRIKG_HOME": str(home), "PATH": "/usr/bin:/bin"},
                       capture_output=True)
    port = free_port()
    env = {"AGRIKG_HOME": str(home), "AGRIKG_PORT": str(port)}
    with server([str(BIN / "agrikg"), "serve"], f"http://127.0.0.1:{port}/health", env=env,
                log=work / "explore-serve.log"):
        result = settle_times(f"http://127.0.0.1:{port}", runs)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=PROJECT, check=False).stdout.strip()
    return result | {"triples": triples, "commit": commit, "command": "python -m bench.explore"}


def report(result: dict, before: dict | None = None) -> str:
    earlier = ""
    if before:
        earlier = (f"\nBefore (commit {before.get('commit') or 'main'}, same graph, same machine, measured "
                   f"just before): {', '.join(f'{s:.2f}' for s in before['seconds'])} s, median "
                   f"**{before['median_seconds']:.2f} s**; {before['page_bytes'] / 1e3:.0f} KB page.\n")
    return ("# /explore: time to a stable graph\n\n"
            f"`{result['command']}` at commit {result['commit']}: a generated graph of "
            f"{result['triples']:,} triples, /explore cut to {result['nodes']} nodes "
            f"({result['page_bytes'] / 1e3:.0f} KB page), Debian Chromium headless, 1366 px wide.\n\n"
            "| runs (s, navigation start to vis-network's \"stabilized\") | median |\n|---|---|\n"
            f"| {', '.join(f'{s:.2f}' for s in result['seconds'])} | "
            f"**{result['median_seconds']:.2f} s** |\n\n"
            f"Of which the server's answer: first byte at {result['first_byte_median_seconds']:.2f} s, "
            f"last byte at {result['last_byte_median_seconds']:.2f} s (medians). The first run "
            "after a start makes the whole-graph view (its layout) once per build; later runs "
            "get it ready-made. Sizes are before compression (the page travels gzipped, ~20%)."
            f"{' Load average during the run: ' + result['load'] + '.' if result.get('load') else ''}\n"
            + earlier)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explore", description=__doc__)
    parser.add_argument("--triples", type=int, default=20_000, help="generated graph size")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=PROJECT / "var" / "bench")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--before", type=Path, help="an explore.json of an earlier run to report beside")
    args = parser.parse_args(argv)
    result = measure(args.triples, args.runs, args.work)
    result["load"] = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    before = json.loads(args.before.read_text()) if args.before else None
    if before:
        result["before"] = before
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "explore.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "EXPLORE.md").write_text(report(result, before), encoding="utf-8")
    print(report(result, before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
