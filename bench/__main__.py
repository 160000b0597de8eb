"""python -m bench: measure the built page (dist/) in headless Chromium and print figures.

Run it through `python build.py bench`, which builds dist/ first and finds Chromium.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import threading
from pathlib import Path

from bench import costs, drawing, elements, loads, memory, number, offline, ort_reference, phone, soak, storms
from bench.report import COST_PARTS, ELEMENT_PARTS, NUMBER_PARTS, report
from toolchain import CHROMIUM_ARGS, DIST, find_chromium
from webapp.server import make_server

STAGE_MARKS = [f"digit-pad:{stage}:done" for stage in ("python", "numpy", "model")]
VISIT_STAY_S = 5.0  # each visit of the loads stays open after ready: a returning visitor had used the page a little


def serve(directory: Path, isolation: bool = True) -> tuple[str, object]:
    server = make_server(directory, 0, quiet=True, isolation=isolation)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python build.py bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold+warm load pairs per page (medians are printed)")
    parser.add_argument("--predictions", type=int, default=100, help="predictions timed while drawing")
    parser.add_argument("--cost-predictions", type=int, default=100,
                        help="predictions timed with and without Grad-CAM, with the MLP and with the layers view "
                        "(0: skip)")  # fmt: skip
    parser.add_argument("--number-predictions", type=int, default=100,
                        help="predictions timed writing a number's 8th digit, Number mode (0: skip)")  # fmt: skip
    parser.add_argument("--element-predictions", type=int, default=50,
                        help="predictions timed on each <digit-pad> of the host pages with one and three "
                        "elements (0: skip those pages)")  # fmt: skip
    parser.add_argument("--elements-only", action="store_true", help="only the host pages with one and three elements")
    parser.add_argument("--offline-only", action="store_true",
                        help="only the first, second and offline visits of a returning visitor")  # fmt: skip
    parser.add_argument("--costs-only", action="store_true",
                        help="only what Grad-CAM, the MLP and the layers view cost per prediction")  # fmt: skip
    parser.add_argument("--storms", action="store_true",
                        help="only the storms of input, full size: long tasks, catch-up (bench/storms.py)")  # fmt: skip
    parser.add_argument("--memory", action="store_true",
                        help="only the memory at rest: the page against bare Pyodide + numpy "
                        "(bench/memory.py)")  # fmt: skip
    parser.add_argument("--memory-runs", type=int, default=3, help="loads of each page for the memory at rest")
    parser.add_argument("--soak", action="store_true",
                        help="only the soak: predictions without pause in one page, memory and p95 per block "
                        "(bench/soak.py)")  # fmt: skip
    parser.add_argument("--soak-predictions", type=int, default=5000, help="the soak's predictions")
    parser.add_argument("--soak-block", type=int, default=1000, help="the soak's predictions per block")
    parser.add_argument("--soak-plain", action="store_true",
                        help="the soak in Digit mode throughout, nothing switched on or off")  # fmt: skip
    parser.add_argument("--soak-mixed", action="store_true",
                        help="the soak with every feature used in every block, a quarter each")  # fmt: skip
    parser.add_argument("--phone-only", action="store_true",
                        help="only the cold loads under a phone's profile, the page against bare Pyodide + numpy "
                        "(bench/phone.py)")  # fmt: skip
    parser.add_argument("--phone-runs", type=int, default=3, help="cold loads of each page under the phone profile "
                        "(0: skip)")  # fmt: skip
    parser.add_argument("--phone-before", type=Path,
                        help="the dist/ of an older build (e.g. `git worktree add /tmp/old c1d5a2a`, the commit before "
                        "issue 38, built there): loaded under the phone profile in the same turns")  # fmt: skip
    parser.add_argument("--ort-only", action="store_true",
                        help="only the page's prediction against a bare onnxruntime-web worker's round trip "
                        "(bench/ort_reference.py)")  # fmt: skip
    parser.add_argument("--ort-predictions", type=int, default=100,
                        help="predictions timed in the page and in a bare onnxruntime-web worker "
                        "(0: skip)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("Chromium not found: run `python build.py bench`, which installs it")
    servers, folders = [], []

    def served(directory: Path, isolation: bool = True) -> str:
        url, server = serve(directory, isolation)
        servers.append(server)
        return url

    figures, raw = {}, {}
    only = args.offline_only or args.costs_only or args.storms or args.memory or args.soak or args.phone_only
    only = only or args.ort_only
    try:
        with sync_playwright() as playwright:
            if args.phone_only:
                figures["phone"] = measure_phone(playwright, chromium, args.phone_runs, folders, args.phone_before)
            elif args.ort_only:
                figures["ort"] = measure_ort(playwright, chromium, served, args.ort_predictions, folders)
            elif args.soak:
                print(f"the soak: {args.soak_predictions:,} predictions in one page…", flush=True)
                sizes = {"predictions": args.soak_predictions, "block": args.soak_block, "plain": args.soak_plain,
                         "mixed": args.soak_mixed}  # fmt: skip
                figures["soak"] = soak.measure(playwright, chromium, served(DIST), CHROMIUM_ARGS, **sizes)
            elif args.memory:
                figures["memory"] = measure_memory(playwright, chromium, served, args.memory_runs, folders)
            elif args.storms:
                print("storms of input on the main page, at full size…", flush=True)
                figures["storms"] = storms.measure(playwright, chromium, served(DIST), CHROMIUM_ARGS)
            elif args.costs_only:
                print("drawing with and without the Grad-CAM output, with the MLP and with the layers…", flush=True)
                variants = costs.measure(playwright, chromium, served(DIST), DIST, CHROMIUM_ARGS, args.cost_predictions)
                figures["costs"], raw = summarize_costs(variants), {"variants": variants}
            else:
                print("a first, a second and an offline visit in one profile…", flush=True)
                figures["offline"] = offline.measure(playwright, chromium, DIST, CHROMIUM_ARGS)
            if only:
                pass
            elif not args.elements_only:
                folders.append(loads.reference_site(DIST))
                page_url, reference_url = served(DIST), served(folders[-1])
                page_figures, raw = measure_page(playwright, chromium, page_url, reference_url, args)
                figures.update(page_figures)  # beside the offline visits' figures
                figures["memory"] = measure_memory(playwright, chromium, served, args.memory_runs, folders)
                if args.ort_predictions:
                    figures["ort"] = measure_ort(playwright, chromium, served, args.ort_predictions, folders)
                if args.phone_runs:
                    figures["phone"] = measure_phone(playwright, chromium, args.phone_runs, folders, args.phone_before)
            if args.element_predictions and not only:
                folders.append(elements.host_site(DIST))
                urls = {"isolated": served(folders[-1]), "no isolation": served(folders[-1], isolation=False)}
                print(f"loading host pages with one and three <digit-pad> elements, with and without isolation, "
                      f"{args.runs} cold + warm runs each, and drawing on each element…", flush=True)  # fmt: skip
                measured = elements.measure(
                    playwright, chromium, urls, CHROMIUM_ARGS, args.runs, args.element_predictions
                )
                figures["elements"] = summarize_elements(measured)
                raw["elements"] = measured
    finally:
        for server in servers:
            server.shutdown()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    report(figures)
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, **raw}, indent=1))
    return 0


def measure_memory(playwright, chromium: str, served, runs: int, folders: list[Path]) -> dict:
    """The memory at rest of the page and of the bare references (bench/memory.py), summarized."""
    print(f"the memory at rest of the page and of bare Pyodide + numpy, {runs} runs each…", flush=True)
    folders.append(loads.reference_site(DIST))
    results = memory.at_rest(playwright, chromium, served(DIST), served(folders[-1]), CHROMIUM_ARGS, runs, DIST)
    return {**memory.summarize(results), "raw": results}


def measure_ort(playwright, chromium: str, served, predictions: int, folders: list[Path]) -> dict:
    """The page's prediction against a bare onnxruntime-web worker's round trip (bench/ort_reference.py), summarized."""
    print(f"drawing {predictions} predictions in the page and running their inputs in a bare onnxruntime-web "
          "worker, in turns…", flush=True)  # fmt: skip
    folders.append(loads.reference_site(DIST))
    measured = ort_reference.measure(playwright, chromium, served(DIST), served(folders[-1]), DIST, CHROMIUM_ARGS,
                                     predictions)  # fmt: skip
    page, bare = spread([t["total"] for t in measured["page"]]), spread(measured["reference_ms"])
    return {"page": page, "reference": bare, "ratio": page["median"] / bare["median"],
            "predictions": len(measured["page"]), "round_trips": len(measured["reference_ms"]),
            "fetches": measured["fetches"]}  # fmt: skip


def measure_phone(playwright, chromium: str, runs: int, folders: list[Path], before: Path | None = None) -> dict:
    """Cold loads under a phone's profile, the page and bare Pyodide + numpy (and the page of an older build,
    `before`) (bench/phone.py), summarized."""
    print(f"cold loads under a phone's profile, the page and bare Pyodide + numpy, {runs} runs each…", flush=True)
    folders.append(loads.reference_site(DIST))
    return phone.summarize(phone.measure(playwright, chromium, DIST, folders[-1], CHROMIUM_ARGS, runs, before))


def measure_page(playwright, chromium: str, page_url: str, reference_url: str, args) -> tuple[dict, dict]:
    """The main page's figures (and their raw data): loads against the bare Pyodide
    references, drawing while it boots and predicts, and what Grad-CAM and the MLP cost."""
    print(f"loading the page and the bare Pyodide references, {args.runs} cold + warm + third visits each, "
          f"each open {VISIT_STAY_S:.0f} s after ready…", flush=True)  # fmt: skip
    reference_marks = ["reference:ready"]
    pages = {
        "ours": (page_url, loads.PAGE_READY, ["digit-pad:pad", "digit-pad:ready", *STAGE_MARKS]),
        "bare": (reference_url, loads.REFERENCE_READY, reference_marks),
        "bare in a worker": (reference_url + "reference-worker.html", loads.REFERENCE_READY, reference_marks),
    }
    visits = ("cold", "warm", "third")
    loaded = loads.cold_and_warm(playwright, chromium, pages, args.runs, visits, stay_s=VISIT_STAY_S)
    ours, bare, bare_worker = loaded["ours"], loaded["bare"], loaded["bare in a worker"]
    print("drawing during boot and while predicting…", flush=True)
    drawn = drawing.measure(playwright, chromium, page_url, CHROMIUM_ARGS, args.predictions)
    variants = None
    if args.cost_predictions:
        print("drawing with and without the Grad-CAM output, with the MLP and with the layers…", flush=True)
        variants = costs.measure(playwright, chromium, page_url, DIST, CHROMIUM_ARGS, args.cost_predictions)
    numbered = None
    if args.number_predictions:
        print("writing an 8-digit number in Number mode…", flush=True)
        numbered = number.measure(playwright, chromium, page_url, CHROMIUM_ARGS, args.number_predictions)
    figures = summarize(ours, bare, bare_worker, drawn)
    if variants is not None:
        figures["costs"] = summarize_costs(variants)
    if numbered is not None:
        figures["number"] = summarize_number(numbered, drawn)
    raw = {"ours": ours, "bare": bare, "bare_worker": bare_worker, "drawn": drawn, "variants": variants,
           "number": numbered}  # fmt: skip
    return figures, raw


def summarize(ours: dict, bare: dict, bare_worker: dict, drawn: dict) -> dict:
    def times(runs: list[dict], mark: str) -> list[float]:
        return [run["times"][mark] for run in runs]

    figures: dict = {"pad_ms": median(times(ours["cold"] + ours["warm"], "digit-pad:pad"))}
    for kind in ours:
        page = median(times(ours[kind], "digit-pad:ready"))
        reference = median(times(bare[kind], "reference:ready"))
        in_worker = median(times(bare_worker[kind], "reference:ready"))
        figures[kind] = {"page_s": page / 1000, "reference_s": reference / 1000, "ratio": page / reference,
                         "worker_reference_s": in_worker / 1000, "worker_ratio": page / in_worker}  # fmt: skip
        figures[kind]["stages_s"] = {mark.split(":")[1]: median(times(ours[kind], mark)) / 1000 for mark in STAGE_MARKS}
    figures["bytes"] = ours["cold"][0]["bytes"]
    timings = drawn["timings"]
    parts = {
        "pixel read": [t["read"] for t in timings],
        "preprocessing": [t["preprocess"] for t in timings],
        "inference": [t["inference"] for t in timings],
        "worker messaging": [t["roundTrip"] - t["preprocess"] - max(t["inference"], t["companions"]) for t in timings],
        "DOM update": [t["dom"] for t in timings],
        "  of which heatmaps": [t["gradcam"] for t in timings],
        "total": [t["total"] for t in timings],
    }
    figures["latency_ms"] = {name: {"median": median(v), "p95": p95(v)} for name, v in parts.items()}
    figures["predictions"] = len(timings)
    figures["remembering"] = drawing.remembering_cost(drawn)
    for phase in ("boot_tasks", "drawing_tasks"):
        tasks = drawn[phase]
        figures[phase] = {"longest_ms": tasks[0] if tasks else 0.0, "over_50ms": sum(t > 50 for t in tasks)}
    return figures


def _messaging(t: dict) -> float:
    """What a prediction spent between the threads: its total less the work done in each of them."""
    work = t["read"] + t.get("segment", 0.0) + t["preprocess"] + max(t["inference"], t.get("companions", 0.0))
    return t["total"] - work - t["dom"]


def summarize_number(numbered: dict, drawn: dict) -> dict:
    """Per-prediction parts (median, p95) for the 8-digit number and, beside it, the single digit."""

    def parts(timings: list[dict]) -> dict:
        timings = [{**t, "messaging": _messaging(t)} for t in timings]
        return {part: spread([t.get(part, 0.0) for t in timings]) for part in NUMBER_PARTS}

    return {"predictions": len(numbered["timings"]), "read": numbered["number"],
            "eight": parts(numbered["timings"]), "single": parts(drawn["timings"])}  # fmt: skip


def summarize_costs(variants: dict[str, list[dict]]) -> dict:
    """Median and p95 of each part per variant, and what Grad-CAM and the MLP add (median total)."""
    figures = {
        name: {part: {"median": median([t[part] for t in timings]), "p95": p95([t[part] for t in timings])}
               for part in COST_PARTS}
        for name, timings in variants.items()
    }  # fmt: skip
    total = {name: figures[name]["total"]["median"] for name in variants}
    figures["predictions"] = len(variants["shipped"])
    figures["gradcam_extra_ms"] = total["shipped"] - total["without cam"]
    figures["gradcam_in_graph_ms"] = (
        figures["shipped"]["inference"]["median"] - figures["without cam"]["inference"]["median"]
    )
    figures["mlp_extra_ms"] = total["with MLP"] - total["shipped"]
    figures["layers_extra_ms"] = total["with layers"] - total["shipped"]
    return figures


def spread(values: list[float]) -> dict:
    return {"median": median(values), "p95": p95(values)}


def summarize_elements(measured: dict) -> dict:
    """Per variant ("<count>, <isolation>", bench/elements.py): start-up in s (medians),
    per-prediction ms (all elements pooled, and per element), the longest main-thread
    task while drawing; and, per element count, what leaving out the isolation headers adds."""
    variants = {}
    for variant, kinds in measured["loads"].items():

        def at(mark: str, runs: list[dict]) -> float:
            return median([run["times"][mark] for run in runs]) / 1000

        drawn = measured["drawn"][variant]
        pooled = [t for timings in drawn["timings"] for t in timings]
        tasks = drawn["tasks"]
        variants[variant] = {
            "pad_ms": 1000 * at("digit-pad:pad", kinds["cold"] + kinds["warm"]),
            "first_ready_s": {kind: at("host:first-ready", kinds[kind]) for kind in ("cold", "warm")},
            "all_ready_s": {kind: at("host:all-ready", kinds[kind]) for kind in ("cold", "warm")},
            "latency_ms": {part: spread([t[part] for t in pooled]) for part in ELEMENT_PARTS},
            "per_element_ms": [
                {"model": model, **spread([t["total"] for t in timings])}
                for model, timings in zip(drawn["models"], drawn["timings"], strict=True)
            ],
            "predictions": len(pooled),
            "longest_task_ms": tasks[0] if tasks else 0.0,
            "tasks_over_50ms": sum(t > 50 for t in tasks),
        }
    isolation_cost = {}
    for count in elements.COUNTS:
        plain, isolated = variants[f"{count}, no isolation"], variants[f"{count}, isolated"]
        ready = {kind: plain["all_ready_s"][kind] - isolated["all_ready_s"][kind] for kind in ("cold", "warm")}
        latency = plain["latency_ms"]["total"]["median"] - isolated["latency_ms"]["total"]["median"]
        isolation_cost[count] = {"all_ready_s": ready, "prediction_ms": latency}
    return {"variants": variants, "isolation_cost": isolation_cost}


if __name__ == "__main__":
    sys.exit(main())
