"""Render the results of :mod:`bench.run` as Markdown tables, JSON and an SVG plot."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from .svg import Series, line_plot
from .trace import RESOURCE_TYPES, physical_delay

__all__ = ["render_markdown", "write_report"]


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _methods(requests: dict[str, Any]) -> str:
    by_method = requests.get("by_method", {})
    return ", ".join(f"{method} {count}" for method, count in by_method.items()) or "none"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _machine(results: dict[str, Any]) -> list[str]:
    m, s = results["machine"], results["settings"]
    return [
        f"# Benchmarks: `{results['command']}`",
        "",
        f"Measured {results['date']}. Numbers to steer by, not assertions. "
        "Regenerate with the command above; see `bench/README.md` for what each number means.",
        "",
        *_table(
            ["machine", "value"],
            [
                ["nproc", str(m["nproc"])],
                ["CPU", m["cpu_model"]],
                ["memory", f"{m['memory_gib']} GiB"],
                ["OS", m["os"]],
                ["Python", m["python"]],
                ["Pulumi CLI", m["pulumi_cli"]],
                ["pulumi (Python SDK)", m["pulumi_sdk"]],
                ["twilio (baseline SDK)", m["twilio_sdk"]],
                [
                    "load average (1 min) at start / end",
                    f"{results['load_start']:.2f} / {results['load_end']:.2f}",
                ],
            ],
        ),
        *_table(
            ["setting", "value"],
            [
                ["emulator provisioning delay", f"{s['provisioning_delay']:g} s"],
                ["emulator operation delay", f"{s['operation_delay']:g} s"],
                ["provider host worker threads", str(s["host_workers"])],
                ["engine `--parallel` (default, 4 x CPUs)", str(s["engine_parallel"])],
                ["`pulumi up` runs per N (median shown)", str(s["repeat"])],
                ["SDK script's fixed poll sleep", f"{s['poll_interval']:g} s"],
            ],
        ),
    ]


def _per_tenant(run: dict[str, Any] | None, tenants: int) -> str:
    return f"{run['requests']['total'] / tenants:.1f}" if run else "n/a"


def _onboarding(results: dict[str, Any]) -> list[str]:
    rows = []
    for e in results["onboarding"]:
        up, pooled, floor, base = e["up"], e.get("pooled"), e["floor"], e.get("baseline")
        unlimited = floor["unlimited_seconds"]
        rows.append(
            [
                str(e["tenants"]),
                str(e.get("accounts", 1)),
                str(e["resources"]),
                _s(unlimited),
                _s(up["seconds"]),
                _x(up["seconds"] / unlimited if unlimited else None),
                f"{e.get('hosts', 1)} x 4 / {e.get('parallel', 'default')}",
                _s(pooled["seconds"]) if pooled else "n/a",
                _x(pooled["seconds"] / unlimited if pooled and unlimited else None),
                _s(base["seconds"]) if base else "skipped",
                _per_tenant(pooled, e["tenants"]),
                _per_tenant(up, e["tenants"]),
                _per_tenant(base, e["tenants"]),
                f"{_s(up.get('hosts_total_mib'))} / {_s(pooled.get('hosts_total_mib')) if pooled else 'n/a'}",
                f"{up.get('host_processes', 1)} / {pooled.get('host_processes', 'n/a') if pooled else 'n/a'}",
            ]
        )
    return [
        "## 1. Onboarding N tenants: `pulumi up`",
        "",
        "Per tenant: a store, one trait group, identity resolution and a Conversations configuration "
        "(4 resources, plus the component). Fresh stacks and an empty emulator for every run; "
        "`pulumi up --yes --skip-preview`; beyond 15 tenants one stack per account (15 stores each), "
        "all `pulumi up`s started together, timed to the last one's exit. **No-limit floor** (the "
        "reference): the critical path, operation + provisioning + operation, with no concurrency "
        "limit and zero overhead (`bench/floor.py`). **No pool**: every resource on the default "
        "provider host (4 worker threads), the engine's default `--parallel`. **Pool**: the "
        "program's automatic `providerHosts` (one host per 4 tenants, at most 4, per stack) and "
        "`--parallel` 4 per host. **SDK script**: `bench/baseline_twilio_sdk.py`, the same resources "
        "one after another with the official `twilio` SDK, polling with a fixed sleep (run up to 15 "
        "tenants). RSS: the peaks (`VmHWM`) of every provider host process added up.",
        "",
        *_table(
            [
                "N",
                "accounts",
                "resources",
                "no-limit floor (s)",
                "`up`, no pool (s)",
                "no pool / floor",
                "pool: slots / --parallel",
                "`up`, pool (s)",
                "pool / floor",
                "SDK script (s)",
                "requests per tenant (pool)",
                "(no pool)",
                "(SDK script)",
                "hosts' total peak RSS, no pool / pool (MiB)",
                "host processes, no pool / pool",
            ],
            rows,
        ),
    ]


def _native_entries(results: dict[str, Any]) -> list[dict[str, Any]]:
    return list((results.get("native") or {}).get("onboarding") or [])


def _ratio(seconds: float | None, floor: float | None) -> str:
    return _x(seconds / floor) if seconds is not None and floor else "n/a"


def _native(results: dict[str, Any]) -> list[str]:
    """The native face's runs beside the dynamic face's of the same N (section 1b)."""
    native = results.get("native")
    entries = _native_entries(results)
    if not native or not entries:
        return []
    dynamic = {e["tenants"]: e for e in results.get("onboarding") or []}
    s = native["settings"]
    rows = []
    for n in entries:
        tenants, up = n["tenants"], n["up"]
        d = dynamic.get(tenants)
        unlimited = n["floor"]["unlimited_seconds"]
        d_up, d_pool = (d["up"], d.get("pooled")) if d else (None, None)
        rows.append(
            [
                str(tenants),
                str(n.get("accounts", 1)),
                str(n["resources"]),
                _s(unlimited),
                f"{_s(d_up['seconds'])} ({_ratio(d_up['seconds'], unlimited)})" if d_up else "n/a",
                f"{_s(d_pool['seconds'])} ({_ratio(d_pool['seconds'], unlimited)})" if d_pool else "n/a",
                str(n["parallel"]),
                _s(up["seconds"]),
                _ratio(up["seconds"], unlimited),
                " / ".join(f"{v:.2f}" for v in n["up_seconds"]),
                f"{_per_tenant(d_pool, tenants)} / {_per_tenant(up, tenants)}",
                f"{_s(d_pool.get('hosts_total_mib')) if d_pool else 'n/a'} / "
                f"{_s(up['peak_mib'].get('native_provider'))} / {_s(up.get('native_total_mib'))}",
                f"{up.get('native_processes', 'n/a')} ({up.get('serving_processes', 'n/a')})",
            ]
        )
    return [
        "## 1b. The native face beside the dynamic face",
        "",
        f"Measured {native['date']} (`{native['command']}`; load average {native['load_start']:.2f} / "
        f"{native['load_end']:.2f} at start / end; provisioning {s['provisioning_delay']:g} s, operation "
        f"{s['operation_delay']:g} s, {s['repeat']} run(s) per N, median shown). The same tenants as "
        "section 1 (per tenant a store, the `Preferences` trait group, identity resolution with email + "
        "phone and a Conversations configuration with CHAT timeouts, the inputs `TenantMemory` gives "
        "them), written as a Pulumi YAML program (`bench/workspace.py`, `native_program`) and served by "
        "the native provider `pulumi-resource-twilio-memory`: one stack per account of at most 15 "
        "tenants, all `pulumi up --yes --skip-preview --parallel P` started together, timed from exec to "
        "the last exit, fresh stacks and an empty emulator for every run. *P* is 4 per tenant of a stack "
        "(every resource at once; at least the engine's default) unless `--native-parallel`; the "
        f"provider runs up to {s['provider_calls']} calls at once. Ratios are to the same no-limit floor "
        "as section 1 (per stack). Dynamic figures: section 1's medians (no pool, and the pool). Provider "
        "RSS (`VmHWM`): the dynamic pool's hosts added up / the largest native provider process (the one "
        "the aim is about) / every native provider process added up. "
        "Native provider processes: all seen (those that served a resource's `Check` or `Create`): the "
        "YAML language host has the engine start one more for the schema alone. The issue's aims for "
        "the native face, for reading, never asserted: N = 15 within 1.5x the floor, N = 1 within "
        "1.25x, provider RSS at most 150 MiB at N = 15, at most 15 requests per tenant.",
        "",
        *_table(
            [
                "N",
                "accounts",
                "resources",
                "no-limit floor (s)",
                "dynamic, no pool (s, / floor)",
                "dynamic, pool (s, / floor)",
                "native `--parallel`",
                "**native** `up` (s)",
                "**native / floor**",
                "native, all runs (s)",
                "requests per tenant, dynamic pool / native",
                "provider peak RSS (MiB): dynamic pool, all hosts / native, largest / native, all",
                "native provider processes (serving resources)",
            ],
            rows,
        ),
    ]


_NATIVE_WHERE = (
    " *Native*: the native provider's trace (the same probe; its RPCs are coroutines, each `Create` on "
    "a thread of its own), the slots `min(provider calls, --parallel)` and the floor on those slots; a "
    "YAML program has no Python program start."
)


def _where(results: dict[str, Any]) -> list[str]:
    s = results["settings"]
    rows = []
    native = {n["tenants"]: n for n in _native_entries(results)}
    for e in results["onboarding"]:
        runs: list[tuple[str, dict[str, Any] | None, int, float]] = [
            ("no pool", e["up"], e["floor"]["slots"], e["floor"]["seconds"]),
            (
                f"pool of {e.get('hosts', 1)}",
                e.get("pooled"),
                4 * e.get("hosts", 1),
                e["floor"]["unlimited_seconds"],
            ),
        ]
        if e["tenants"] in native:
            n = native[e["tenants"]]
            runs.append(
                (f"native, --parallel {n['parallel']}", n["up"], n["floor"]["slots"], n["floor"]["seconds"])
            )
        for label, run, slots, floor in runs:
            if run is None:
                continue
            t = run.get("trace") or {}
            phase = t.get("create_phase")
            busy = t.get("create_busy_seconds")
            rows.append(
                [
                    f"{e['tenants']}, {label}",
                    _s(run["seconds"]),
                    _s(t.get("first_create")),
                    _s(t.get("host_start")),
                    _s(phase),
                    _s(floor),
                    _x(phase / floor) if phase and floor else "n/a",
                    _s(run["seconds"] - t["last_create_end"]) if t.get("last_create_end") else "n/a",
                    f"{busy / (slots * phase):.0%}" if busy and phase else "n/a",
                    str(t.get("max_concurrent_creates", "n/a")),
                    _s(statistics.median(t["dependency_hops"])) if t.get("dependency_hops") else "n/a",
                ]
            )
    lines = [
        "## 2. Where the time goes",
        "",
        "From the provider host's own trace (`bench/hostprobe`, `bench/trace.py`), seconds since "
        "the CLI started. *startup* = CLI, program, registration, provider host start and the "
        "first `Check` (which imports the package); *creates* = first `Create` start to last "
        "`Create` end; *teardown* = last `Create` end to exit. *slot use* = time spent inside "
        "`Create` / (slots x create phase). *store done -> dependents start* = from a store's "
        "`Create` returning to the first `Create` of its dependents, per tenant: the engine's round trip "
        "through the program (N = 1) plus, once every slot is taken, the wait for a free slot. "
        "Beyond 15 tenants, the first account's stack. With the pool: the floor is the no-limit one, "
        "the slots are 4 per host, and the hop also holds the engine's wait on a `Check` sent to a "
        "host whose threads are all busy (the engine calls `Check` from its one step loop)."
        + (_NATIVE_WHERE if native else ""),
        "",
        *_table(
            [
                "N",
                "`pulumi up` (s)",
                "startup: first Create at (s)",
                "host process started at (s)",
                "creates (s)",
                "floor (s)",
                "creates / floor",
                "teardown (s)",
                "slot use",
                "max concurrent Creates",
                "store done -> dependents start (s, median)",
            ],
            rows,
        ),
    ]
    largest = results["onboarding"][-1]
    twin = native.get(largest["tenants"])
    creates = (largest["up"].get("trace") or {}).get("create_seconds_by_type", {})
    native_creates = ((twin or {}).get("up", {}).get("trace") or {}).get("create_seconds_by_type", {})
    type_rows = []
    for kind in RESOURCE_TYPES:
        values = creates.get(kind)
        if not values:
            continue
        physical = physical_delay(kind, s["provisioning_delay"], s["operation_delay"])
        row = [kind, str(len(values)), _s(physical), *_excess(values, physical)]
        if twin is not None:
            row += _excess(native_creates.get(kind) or [], physical)
        type_rows.append(row)
    header = ["resource", "creates", "emulator wait (s)", "mean Create (s)", "excess"]
    if twin is not None:
        header += ["native: mean Create (s)", "native: excess"]
    lines += [
        f"Each `Create` against the emulator time it must wait (N = {largest['tenants']}); the excess "
        "is polling cadence, HTTP and the provider's extra reads:",
        "",
        *_table(header, type_rows),
    ]
    by_route = dict(largest["up"]["requests"].get("by_route", {}))
    native_routes = (twin or {}).get("up", {}).get("requests", {}).get("by_route", {})
    if by_route or native_routes:
        n = largest["tenants"]
        header = ["route", "requests", "per tenant"]
        if twin is not None:
            header += ["native: requests", "native: per tenant"]
        route_rows = []
        for route in [*by_route, *(r for r in native_routes if r not in by_route)]:
            count = by_route.get(route, 0)
            row = [f"`{route}`", str(count), f"{count / n:.1f}"]
            if twin is not None:
                count = native_routes.get(route, 0)
                row += [str(count), f"{count / n:.1f}"]
            route_rows.append(row)
        lines += [f"API requests of `pulumi up` by route (N = {n}):", "", *_table(header, route_rows)]
    return lines


def _excess(values: list[float], physical: float) -> list[str]:
    """Mean ``Create`` and its excess over the emulator's delay, or n/a."""
    if not values:
        return ["n/a", "n/a"]
    mean = sum(values) / len(values)
    return [_s(mean), f"{mean - physical:+.2f} ({(mean / physical - 1):+.0%})"]


def _previews(results: dict[str, Any]) -> list[str]:
    if not results["previews"]:
        return []
    state = results.get("state", {})
    dynamic = state.get("dynamic_resources") or 0
    rows = []
    for p in results["previews"]:
        total = p["requests"]["total"]
        rows.append(
            [
                f"`{p['command']} --expect-no-changes`",
                _s(p["seconds"]),
                " / ".join(f"{v:.1f}" for v in p.get("all_seconds", [p["seconds"]])),
                str(total),
                _methods(p["requests"]),
                f"{total / dynamic:.2f}" if dynamic else "n/a",
                _s(p["peak_mib"].get("provider_host")),
            ]
        )
    n = results["onboarding"][-1]["tenants"] if results["onboarding"] else "?"
    return [
        f"## 3. No-op previews of the {n}-tenant stack",
        "",
        *_table(
            [
                "command",
                "wall (s, median)",
                "all runs (s)",
                "API requests",
                "by method",
                "requests per resource",
                "host peak RSS (MiB)",
            ],
            rows,
        ),
    ]


def _state(results: dict[str, Any]) -> list[str]:
    st = results.get("state")
    if not st:
        return []
    return [
        "## 4. State",
        "",
        *_table(
            ["measure", "value"],
            [
                ["checkpoint (`pulumi stack export`, compact JSON)", f"{st['total_bytes']:,} bytes"],
                ["resources (of which dynamic)", f"{st['resources']} ({st['dynamic_resources']})"],
                ["bytes per resource (all)", f"{st['bytes_per_resource']:.0f}"],
                ["bytes per dynamic resource", f"{st['bytes_per_dynamic_resource']:.0f}"],
                [
                    "`__provider` bytes per copy (2 copies per resource: inputs, outputs)",
                    f"{st['provider_bytes_per_resource']:.0f}",
                ],
                ["share of a dynamic resource spent on `__provider`", f"{st['provider_share']:.0%}"],
            ],
        ),
    ]


def _memory(results: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"`pulumi up`, N = {e['tenants']}, {label}",
            _s(run["peak_mib"].get("provider_host")),
            _s(run.get("hosts_total_mib")),
            _s(run["peak_mib"].get("program")),
            _s(run["peak_mib"].get("engine")),
        ]
        for e in results.get("onboarding") or []
        for label, run in (("no pool", e["up"]), ("pool", e.get("pooled")))
        if run is not None
    ]
    rows += [
        [
            f"`pulumi up`, N = {n['tenants']}, native (YAML)",
            _s(n["up"]["peak_mib"].get("native_provider")),
            _s(n["up"].get("native_total_mib")),
            _s(n["up"]["peak_mib"].get("program")),
            _s(n["up"]["peak_mib"].get("engine")),
        ]
        for n in _native_entries(results)
    ]
    return [
        "## 5. Peak memory (max RSS, `VmHWM` from /proc)",
        "",
        *(
            [
                "Native rows: the provider column is the native provider process "
                "(`pulumi-resource-twilio-memory`), *all* adds the one started for the schema; the program "
                "is the YAML language host (`pulumi-language-yaml`), which evaluates the program itself.",
                "",
            ]
            if _native_entries(results)
            else []
        ),
        *_table(
            [
                "command",
                "largest provider host (MiB)",
                "all provider hosts (MiB)",
                "program (MiB)",
                "pulumi engine (MiB)",
            ],
            rows,
        ),
    ]


def _host_memory(results: dict[str, Any]) -> list[str]:
    measured = results.get("host_memory")
    if not measured:
        return []
    rows = [
        [
            row["release"],
            _s(row["host_peak_mib"]),
            _s(row["program_peak_mib"]),
            _s(row["import_rss_mib"]),
            str(row["import_modules"]),
        ]
        for row in measured["releases"]
    ]
    extra = sorted(
        set(measured["releases"][1]["import_packages"]) - set(measured["releases"][0]["import_packages"])
    )
    return [
        "## 8. The provider host beside an earlier release's",
        "",
        f"Measured {measured['date']} (`bench/host_memory.py`): the earlier release and this checkout each",
        "installed from its own tree into a virtualenv of its own (the package and its dependencies only,",
        "the same Pulumi SDK), then this checkout in the development virtualenv (editable, `[dev]`",
        f"extras); `pulumi up` of the root program for {measured['tenants']} tenant on one emulator, peak",
        "RSS (`VmHWM`) from /proc; then a fresh interpreter's `import pulumi_twilio_memory` in the same",
        "virtualenv.",
        "",
        *_table(
            ["release", "provider host (MiB)", "program (MiB)", "import alone (MiB)", "modules imported"],
            rows,
        ),
        f"Packages this checkout's import loads that the earlier release's does not (both installed as a "
        f"user installs them): {', '.join(extra) or 'none'}.",
        "",
    ]


def _experiments(results: dict[str, Any]) -> list[str]:
    if not results["experiments"]:
        return []
    size = results["experiments"][0].get("tenants")
    base = next((e for e in results["onboarding"] if e["tenants"] == size), results["onboarding"][-1])
    shipped = {"label": "no pool", **base["up"], "floor": base["floor"], "slots": base["floor"]["slots"]}
    rows = []
    for run in [shipped, *results["experiments"]]:
        by_route = run["requests"].get("by_route", {})
        rows.append(
            [
                run["label"],
                _s(run["seconds"]),
                _s((run.get("trace") or {}).get("first_create")),
                _s((run.get("trace") or {}).get("create_phase")),
                str(run["slots"]),
                _s(run["floor"]["seconds"]),
                str(run["requests"]["total"]),
                str(by_route.get("GET /v1/ControlPlane/Stores/{storeId}", 0)),
            ]
        )
    return [
        f"## 6. Experiments (N = {base['tenants']})",
        "",
        "Each a fresh `pulumi up` of the largest one-account stack with one thing changed, to price a "
        "limit or a change:",
        "",
        "* **one host widened**: a dynamic provider's `Create` holds one of the provider host's gRPC "
        "worker threads while it waits, and `pulumi/dynamic/__main__.py` builds its server with "
        "`ThreadPoolExecutor(max_workers=4)`. The patch (`bench/hostprobe`, `BENCH_PATCH`, never "
        "shipped: it sets private attributes of CPython's executor) makes `BaseProvider.configure` "
        "raise that executor's `_max_workers` to 64, with `--parallel` 64: what the host pool would "
        "reach if the engine neither started hosts one after another nor waited on a busy host's "
        "`Check`.",
        "* **latency**: the emulator's `latency` fault on every API request, a realistic round trip to "
        "Twilio, which loopback hides: every request a `Create` makes then costs wall time, without and "
        "with the pool.",
        "",
        *_table(
            [
                "configuration",
                "`pulumi up` (s)",
                "first Create at (s)",
                "creates (s)",
                "slots",
                "floor (s)",
                "API requests",
                "store GETs",
            ],
            rows,
        ),
    ]


def _ms(value: float) -> str:
    return f"{value:.1f}"


_RECALL_KINDS = (
    ("query", "with a query (rotating)"),
    ("no_query", "without a query (newest first)"),
    ("threshold", "with a query and relevanceThreshold"),
    ("query_every_profile", "with a query, round-robin over every profile"),
    ("after_each_write", "with a query, each after writing 1 observation"),
)
_MEMORY_POINTS = ("started", "before_fill", "after_fill", "after_recalls", "after_alternating")


def _layout_label(layout: dict[str, Any]) -> str:
    count = layout["profiles"]
    return f"{count} profile{'s' if count > 1 else ''} x {layout['observations_per_profile']:,}"


def _dataplane(results: dict[str, Any]) -> list[str]:
    dp = results.get("dataplane")
    if not dp:
        return []
    size, layouts = dp["size"], dp["layouts"]
    m = dp["machine"]
    recall_rows = []
    for layout in layouts:
        label = _layout_label(layout)
        recall = layout["recall"]
        first = recall["first"]
        recall_rows.append(
            [
                label,
                "first after the writes, with a query (builds the index)",
                "1",
                _ms(first["ms"]),
                "",
                "",
                "",
                str(first["server_ms"]),
                "",
            ]
        )
        for kind, text in _RECALL_KINDS:
            r = recall.get(kind)
            if r is None:
                continue
            returned = r.get("observations_returned_mean")
            recall_rows.append(
                [
                    label,
                    text,
                    str(r["calls"]),
                    _ms(r["median_ms"]),
                    _ms(r["p95_ms"]),
                    _ms(r["min_ms"]),
                    _ms(r["max_ms"]),
                    f"{r['server_median_ms']:g}" if "server_median_ms" in r else "",
                    f"{returned:g}" if returned is not None else "",
                ]
            )
    fill_rows = [
        [
            _layout_label(layout),
            f"{layout['fill']['observations']:,}",
            f"{layout['fill']['requests']:,}",
            _s(layout["fill"]["seconds"]),
            f"{layout['fill']['observations_per_second']:,.0f}",
            _ms(layout["fill"]["request"]["median_ms"]),
            _ms(layout["fill"]["request"]["p95_ms"]),
        ]
        for layout in layouts
    ]
    memory_rows = [
        [
            _layout_label(layout),
            *(f"{layout['memory_mib'][point]['rss']:.1f}" for point in _MEMORY_POINTS),
            f"{layout['memory_mib']['after_alternating']['hwm']:.1f}",
        ]
        for layout in layouts
    ]
    return [
        f"## 7. Data plane: Recall and memory at {size['observations']:,} observations in a store",
        "",
        f"Measured {dp['date']} (`{dp['command']}`; {m['nproc']} CPUs, Python {m['python']}; load average "
        f"{dp['load_start']:.2f} / {dp['load_end']:.2f} at start / end). `bench/dataplane.py`: for each "
        "layout a fresh emulator server without delays, one store, its profiles, then "
        f"{size['observations']:,} observations of varied support-note text, {dp['batch']} per "
        "`POST .../Observations`, one request after another from one client, batches round-robin over "
        "the profiles. Recall times are the client's (request to parsed answer, loopback); *emulator* is "
        f"its own `meta.queryTime` (whole ms). Repeated calls rotate over {len(dp['queries'])} queries; "
        f"the threshold is {dp['threshold']:g}; the {size['alternations']} write-then-Recall rounds add "
        "one observation to the profile before each Recall.",
        "",
        *_table(
            [
                "layout",
                "observations",
                "requests",
                "fill (s)",
                "observations/s",
                "POST median (ms)",
                "POST p95 (ms)",
            ],
            fill_rows,
        ),
        *_table(
            [
                "layout",
                "Recall",
                "calls",
                "median (ms)",
                "p95 (ms)",
                "min (ms)",
                "max (ms)",
                "emulator median (ms)",
                "observations returned (mean)",
            ],
            recall_rows,
        ),
        "The emulator process's resident memory (`VmRSS`, MiB, from `/proc/<pid>/status`) at each step, "
        "and its peak (`VmHWM`) at the end:",
        "",
        *_table(
            [
                "layout",
                "started",
                "store and profiles made",
                "after filling",
                "after the Recalls",
                "after the write-then-Recall rounds",
                "peak (`VmHWM`)",
            ],
            memory_rows,
        ),
    ]


def _header(results: dict[str, Any]) -> list[str]:
    """The control-plane run's header, or (one other part alone) that part's own command."""
    if "settings" in results:
        return _machine(results)
    part = results.get("native") or results.get("dataplane") or {}
    return [f"# Benchmarks: `{part.get('command', 'python -m bench.run')}`", ""]


def render_markdown(results: dict[str, Any], svg_name: str) -> str:
    lines = [*_header(results)]
    if results.get("onboarding"):
        lines += [
            *_onboarding(results),
            f"![pulumi up, floor and SDK script against N]({svg_name})",
            "",
            *_native(results),
            *_where(results),
            *_previews(results),
            *_state(results),
            *_memory(results),
            *_experiments(results),
        ]
    elif results.get("native"):
        lines += [*_native(results), *_memory(results)]
    lines += _dataplane(results)
    lines += _host_memory(results)
    return "\n".join(lines).rstrip() + "\n"


def _plot(results: dict[str, Any]) -> str:
    onboarding = results["onboarding"]
    series = [Series("pulumi up, no pool", [(e["tenants"], e["up"]["seconds"]) for e in onboarding])]
    if any("pooled" in e for e in onboarding):
        series.append(
            Series(
                "pulumi up, pool",
                [(e["tenants"], e["pooled"]["seconds"]) for e in onboarding if "pooled" in e],
            )
        )
    if any("baseline" in e for e in onboarding):
        series.append(
            Series(
                "twilio SDK script",
                [(e["tenants"], e["baseline"]["seconds"]) for e in onboarding if "baseline" in e],
            )
        )
    native = _native_entries(results)
    if native:
        series.append(
            Series("pulumi up, native (YAML)", [(n["tenants"], n["up"]["seconds"]) for n in native])
        )
    slots = onboarding[0]["floor"]["slots"] if onboarding else 4
    series.append(
        Series(
            f"floor ({slots} slots)", [(e["tenants"], e["floor"]["seconds"]) for e in onboarding], dashed=True
        )
    )
    series.append(
        Series(
            "no-limit floor (reference)",
            [(e["tenants"], e["floor"]["unlimited_seconds"]) for e in onboarding],
            dashed=True,
        )
    )
    s = results["settings"]
    title = (
        f"Onboarding N tenants (provisioning {s['provisioning_delay']:g} s, "
        f"operation {s['operation_delay']:g} s)"
    )
    return line_plot(title, "tenants (N)", "seconds", series)


def write_report(results: dict[str, Any], out: Path, name: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    svg = out / f"{name}.svg"
    md = out / f"{name}.md"
    data = out / f"{name}.json"
    md.write_text(render_markdown(results, svg.name))
    data.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    if not results.get("onboarding"):
        return [md, data]
    svg.write_text(_plot(results))
    return [md, svg, data]
