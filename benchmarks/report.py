"""Turns the benchmark's JSON lines into results JSON and a Markdown table with the budgets checked."""
import json
import platform
import subprocess
import sys

results_path, seed_seconds, products, database, unbalanced, json_out, md_out = sys.argv[1:8]
rows = {row["scenario"]: row for row in map(json.loads, open(results_path))}


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


sqlite = database.startswith("sqlite")
orders_floor = 5000 if sqlite else 2000


def rate(scenario):
    return rows[scenario]["requests_per_second"]


def share(scenario, of, at_least):
    """A budget that one scenario's rate is at least a share of another's in the same run."""
    return (f"{scenario} ≥ {at_least:.0%} of {of} req/s", [scenario, of],
            lambda: rate(scenario) >= at_least * rate(of), lambda: f"{rate(scenario) / rate(of):.0%}")


def p99(scenario, at_most):
    return (f"{scenario} p99 ≤ {at_most} ms", [scenario], lambda: rows[scenario]["p99_ms"] <= at_most,
            lambda: f'{rows[scenario]["p99_ms"]:.2f} ms')


# Issue 23's budgets: against the framework's floor on SQLite, against /health on PostgreSQL.
second_round = [share("health", "floor", 0.7), share("product_by_id", "floor", 0.6), p99("product_by_id", 5)] if sqlite else [
    share("product_by_id", "health", 0.4), share("products_first_page", "health", 0.25),
    ("POST /orders (1 line) ≥ 3,000/s", ["place_order_1_line"], lambda: rate("place_order_1_line") >= 3000,
     lambda: f'{rate("place_order_1_line"):.0f}/s')]
# (budget, scenarios it needs, met?, measured): a budget is checked only when its scenarios ran
# (BENCH_ONLY runs a subset).
checks = second_round + [
    share("product_by_id", "health", 0.5), p99("product_by_id", 10),
    ("GET /products/{id} zero non-2xx", ["product_by_id"], lambda: rows["product_by_id"]["non_2xx"] == 0,
     lambda: str(rows["product_by_id"]["non_2xx"])),
    ("deep page p50 ≤ 1.5 × first page p50", ["products_deep_page", "products_first_page"],
     lambda: rows["products_deep_page"]["p50_ms"] <= 1.5 * rows["products_first_page"]["p50_ms"],
     lambda: f'{rows["products_deep_page"]["p50_ms"]:.2f} vs {rows["products_first_page"]["p50_ms"]:.2f} ms'),
    p99("products_search", 50), p99("products_search_rare", 50),
    ("POST /orders (1 line) ≥ 5,000/s (SQLite) or 2,000/s (PostgreSQL)", ["place_order_1_line"],
     lambda: rows["place_order_1_line"]["requests_per_second"] >= orders_floor,
     lambda: f'{rows["place_order_1_line"]["requests_per_second"]:.0f}/s'),
    ("POST /orders zero 5xx / non-2xx", ["place_order_1_line"], lambda: rows["place_order_1_line"]["non_2xx"] == 0,
     lambda: str(rows["place_order_1_line"]["non_2xx"])),
    ("stock consistent after the run", [], lambda: unbalanced == "0", lambda: f"{unbalanced} products unbalanced"),
    ("server RSS ≤ 150 MB throughout", [], lambda: max(r["peak_rss_mb"] for r in rows.values()) <= 150,
     lambda: f'{max(r["peak_rss_mb"] for r in rows.values())} MB'),
]
budgets = [(name, met(), measured()) for name, needs, met, measured in checks if all(n in rows for n in needs)]
machine = f"{cpu()}, {subprocess.getoutput('nproc')} cores, load generator on the same machine"
report = {"database": database, "products": int(products), "seed_seconds": float(seed_seconds),
          "machine": machine, "scenarios": list(rows.values()),
          "budgets": [{"budget": b, "met": met, "measured": m} for b, met, m in budgets]}
json.dump(report, open(json_out, "w"), indent=2)

lines = [f"Database: {database}; {int(products):,} products (seeded in {float(seed_seconds):.1f} s); {machine}.", "",
         "| scenario | req/s | share of the floor | p50 ms | p90 ms | p99 ms | non-2xx | peak RSS MB |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows.values():
    floor = f'{r["requests_per_second"] / rate("floor"):.0%}' if "floor" in rows else "–"
    lines.append(f'| {r["scenario"]} | {r["requests_per_second"]:.0f} | {floor} | {r["p50_ms"]:.2f} | {r["p90_ms"]:.2f} | '
                 f'{r["p99_ms"]:.2f} | {r["non_2xx"]} | {r["peak_rss_mb"]} |')
lines += ["", "| budget | met | measured |", "|---|---|---|"]
lines += [f"| {b} | {'yes' if met else '**no**'} | {m} |" for b, met, m in budgets]
open(md_out, "w").write("\n".join(lines) + "\n")
