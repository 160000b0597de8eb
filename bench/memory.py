"""Memory of a page (issue 39), measured two ways, the same way for the main page and the bare references:

- The RSS of the Chromium renderer process that holds the page: its main thread and its dedicated
  workers (threads of that process), with everything they hold: JS heaps, WebAssembly memories and
  compiled code, thread stacks, Blink's DOM and canvases, malloc, and the shared libraries' pages it has
  touched (the same for every page, so they cancel in a difference). The GPU and browser processes are
  not in it. The PID is found without guessing among processes: a short DevTools trace of the page
  begins with `TracingStartedInBrowser`, which lists the page's frames with the PID of the process that
  renders each (how the DevTools performance panel finds it); the page's main frame gives it, and
  /proc/<pid>/cmdline must say `--type=renderer`. (Picking a `--type=renderer` process from the process
  list could pick Chromium's spare renderer, its headless UI's, or another tab's: a fresh headless browser
  here has three.) RSS and RssAnon (its private part)
  come from /proc/<pid>/status, so this runs on Linux only.
- `performance.measureUserAgentSpecificMemory()` in the page (it needs cross-origin isolation, which the
  bench's server gives): the bytes of each JS realm, attributed by URL: the page (Window), each dedicated
  worker (the Python worker is PyScript's; the inference workers all share one script URL, so they are told
  apart by count only), anything shared or unattributed. It counts the JS heap and the ArrayBuffers each
  realm holds, WebAssembly memories included; not compiled code, stacks or Blink's own memory.
  Chromium answers it at its next garbage collection (10 to 20 s) unless launched with
  `--enable-blink-features=ForceEagerMeasureMemory` (MEMORY_ARGS), when it collects and counts at once.

Each measurement runs the measure first (it collects garbage) and then reads the RSS.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bench.loads import PAGE_READY, REFERENCE_READY, TIMEOUT_MS
from webapp import precache

MEMORY_ARGS = ["--enable-blink-features=ForceEagerMeasureMemory"]
MB = 1e6
SETTLE_S = 5.0  # "at rest": after ready, nothing asked of the page for this long
STORED_SETTLE_S = 30.0  # and once sw.js has stored the site: its buffers freed and given back (seen here: 20-30 s)
INFERENCE_SCRIPT = "inference-worker.js"

# Each breakdown entry as plain data: {bytes, types, attribution: [{url, scope}]}.
MEASURE = """async () => {
  if (!self.crossOriginIsolated) throw new Error("measureUserAgentSpecificMemory needs cross-origin isolation");
  const { breakdown } = await performance.measureUserAgentSpecificMemory();
  return breakdown.map(({ bytes, types, attribution }) => ({
    bytes, types, attribution: attribution.map(({ url, scope }) => ({ url, scope })),
  }));
}"""


def renderer_pid(browser, page) -> int:
    """The PID of the renderer process that holds `page` (its main frame), from a short trace."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace.json"
        browser.start_tracing(page=page, path=str(path), categories=["disabled-by-default-devtools.timeline"])
        page.evaluate("new Promise((done) => requestAnimationFrame(() => done()))")
        browser.stop_tracing()
        events = json.loads(path.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    frames = [
        frame
        for e in events
        if e.get("name") == "TracingStartedInBrowser"
        for frame in e.get("args", {}).get("data", {}).get("frames", [])
    ]
    main = [f for f in frames if not f.get("parent") and f.get("url") == page.url] or [
        f for f in frames if not f.get("parent")
    ]
    if not main or "processId" not in main[0]:
        raise RuntimeError(f"the trace names no process for the page's main frame ({len(frames)} frames)")
    pid = int(main[0]["processId"])
    # (A zygote's children rewrite their command line as one string: a substring, not an argument, is looked for.)
    if b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
        raise RuntimeError(f"process {pid}, named by the trace, is not a Chromium renderer")
    return pid


def process_mb(pid: int) -> dict[str, float]:
    """{"rss", "anon"} of process `pid` in MB (/proc/<pid>/status: VmRSS, RssAnon)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon"):
            fields[name] = int(value.split()[0]) * 1024 / MB  # kB
    return {"rss": fields["VmRSS"], "anon": fields["RssAnon"]}


def realm_name(attribution: list[dict]) -> str:
    """What a breakdown entry belongs to: page, python, inference, service worker, shared (several realms),
    unattributed, or the worker's script name."""
    if not attribution:
        return "unattributed"
    if len(attribution) > 1:
        return "shared"
    url, scope = attribution[0].get("url", ""), attribution[0].get("scope", "")
    if scope == "Window":
        return "page"
    if scope == "DedicatedWorkerGlobalScope":
        if url.split("?")[0].endswith(INFERENCE_SCRIPT):
            return "inference"
        # The page's one other dedicated worker is PyScript's Python worker (a blob: or module URL);
        # in the bare reference page in a worker, its Pyodide worker.
        return "python"
    if scope == "ServiceWorkerGlobalScope":
        return "service worker"
    return url.rsplit("/", 1)[-1] or scope


def js_memory(page) -> dict:
    """measureUserAgentSpecificMemory by realm, in MB: {"total", "page", "python", "inference": [each worker's],
    "other": {name: MB}}. A worker's entries are summed, except the inference workers': one entry each."""
    breakdown = page.evaluate(MEASURE)
    by_realm: dict[str, float] = {}
    inference: list[float] = []
    for entry in breakdown:
        name = realm_name(entry["attribution"])
        if name == "inference":
            inference.append(entry["bytes"] / MB)
        else:
            by_realm[name] = by_realm.get(name, 0.0) + entry["bytes"] / MB
    total = sum(by_realm.values()) + sum(inference)
    page_mb, python_mb = by_realm.pop("page", 0.0), by_realm.pop("python", 0.0)
    return {"total": total, "page": page_mb, "python": python_mb, "inference": sorted(inference, reverse=True),
            "other": by_realm}  # fmt: skip


def sample(page, pid: int) -> dict:
    """Both measures now: {"rss", "anon", "js": js_memory}; the JS measure first (it collects garbage)."""
    js = js_memory(page)
    return {**process_mb(pid), "js": js}


def at_rest_once(playwright, chromium: str, url: str, ready: str, args: list[str], dist: Path | None = None) -> dict:
    """One page in its own browser, measured SETTLE_S after ready; with `dist` (the page's build), again once sw.js
    has stored the whole site (it stores what the page did not need at once after ready) and STORED_SETTLE_S passed:
    {"pid", "rss", "anon", "js", "stored": the second sample or None}."""
    browser = playwright.chromium.launch(executable_path=chromium, args=[*args, *MEMORY_ARGS])
    try:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function(ready, timeout=TIMEOUT_MS)
        time.sleep(SETTLE_S)
        pid = renderer_pid(browser, page)
        first = sample(page, pid)
        stored = None
        if dist is not None:
            precache.wait_stored(page, dist, TIMEOUT_MS / 1000)
            time.sleep(STORED_SETTLE_S)
            stored = sample(page, pid)
        return {"pid": pid, **first, "stored": stored}
    finally:
        browser.close()


def at_rest(playwright, chromium: str, page_url: str, reference_url: str, args: list[str], runs: int = 1,
            dist: Path | None = None) -> dict:  # fmt: skip
    """{"ours", "bare", "bare in a worker"}: each a list of `runs` at_rest_once results, the pages in turns (the page
    measured again once its site is stored, given its build `dist`)."""
    pages = {
        "ours": (page_url, PAGE_READY),
        "bare": (reference_url, REFERENCE_READY),
        "bare in a worker": (reference_url + "reference-worker.html", REFERENCE_READY),
    }
    results: dict[str, list[dict]] = {name: [] for name in pages}
    for _ in range(runs):
        for name, (url, ready) in pages.items():
            results[name].append(at_rest_once(playwright, chromium, url, ready, args, dist if name == "ours" else None))
    return results


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summarize(results: dict) -> dict:
    """Per page, the median of each figure over its runs (MB); inference: the workers' sum, and their count."""
    figures = {}
    for name, runs in results.items():
        figures[name] = {
            "rss": _median([r["rss"] for r in runs]),
            "stored_rss": _median([r["stored"]["rss"] for r in runs]) if all(r.get("stored") for r in runs) else None,
            "anon": _median([r["anon"] for r in runs]),
            "total": _median([r["js"]["total"] for r in runs]),
            "page": _median([r["js"]["page"] for r in runs]),
            "python": _median([r["js"]["python"] for r in runs]),
            "inference": _median([sum(r["js"]["inference"]) for r in runs]),
            "inference_workers": max(len(r["js"]["inference"]) for r in runs),
            "other": _median([sum(r["js"]["other"].values()) for r in runs]),
            "runs": len(runs),
        }
    return figures


GOAL_MB = 150  # the page's renderer within this much of bare Pyodide + numpy's


def report(f: dict) -> None:
    ours, bare, in_worker = f["ours"], f["bare"], f["bare in a worker"]
    extra = ours["rss"] - bare["rss"]
    print(
        f"memory at rest, {SETTLE_S:.0f} s after ready, median of {ours['runs']} runs, each page in its own browser "
        f"(bench/memory.py; goal: the page's renderer RSS within {GOAL_MB} MB of bare Pyodide + numpy's)"
    )
    print("                                     renderer (MB)      measureUserAgentSpecificMemory (MB)")
    print("                                     RSS  private      all    page  Python  inference  other")
    for label, m in (("this page", ours), ("bare Pyodide + numpy", bare), ("the same in a worker", in_worker)):
        workers = f"({m['inference_workers']})" if m["inference_workers"] else "   "
        print(f"  {label:<30} {m['rss']:7.1f}  {m['anon']:7.1f}  {m['total']:7.1f} {m['page']:7.1f} {m['python']:7.1f}"
              f" {m['inference']:7.1f} {workers} {m['other']:6.1f}")  # fmt: skip
    verdict = "ok" if extra <= GOAL_MB else "MISSED"
    print(
        f"  the page − bare Pyodide + numpy: RSS {extra:+.1f} MB (goal ≤ +{GOAL_MB} MB: {verdict}), "
        f"private {ours['anon'] - bare['anon']:+.1f} MB, JS realms {ours['total'] - bare['total']:+.1f} MB"
    )
    if ours.get("stored_rss") is not None:
        stored_extra = ours["stored_rss"] - bare["rss"]
        print(f"  once sw.js has stored the site (it fetches the rest after ready) and {STORED_SETTLE_S:.0f} s more: "
              f"the page's RSS {ours['stored_rss']:.1f} MB, {stored_extra:+.1f} MB over bare Pyodide + numpy "
              f"(goal ≤ +{GOAL_MB} MB: {'ok' if stored_extra <= GOAL_MB else 'MISSED'})")  # fmt: skip
    print("  where the extra goes, against the bare page in a worker (its Pyodide in a worker, as the page's):")
    print(f"    the page's main thread {ours['page'] - in_worker['page']:+.1f} MB, its Python worker "
          f"{ours['python'] - in_worker['python']:+.1f} MB, the inference worker(s) {ours['inference']:+.1f} MB "
          "(measureUserAgentSpecificMemory)")  # fmt: skip
    outside = (ours["rss"] - ours["total"]) - (in_worker["rss"] - in_worker["total"])
    print(f"    outside the JS realms (compiled WebAssembly, thread stacks, Blink, malloc): {outside:+.1f} MB "
          f"(renderer RSS less the realms' bytes, each page's)")  # fmt: skip
