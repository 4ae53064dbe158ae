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


orders_floor = 5000 if database.startswith("sqlite") else 2000
# (budget, scenarios it needs, met?, measured): a budget is checked only when its scenarios ran
# (BENCH_ONLY runs a subset).
checks = [
    ("GET /products/{id} ≥ 50 % of GET /health req/s", ["health", "product_by_id"],
     lambda: rows["product_by_id"]["requests_per_second"] >= 0.5 * rows["health"]["requests_per_second"],
     lambda: f'{rows["product_by_id"]["requests_per_second"] / rows["health"]["requests_per_second"]:.0%}'),
    ("GET /products/{id} p99 ≤ 10 ms", ["product_by_id"], lambda: rows["product_by_id"]["p99_ms"] <= 10,
     lambda: f'{rows["product_by_id"]["p99_ms"]:.2f} ms'),
    ("GET /products/{id} zero non-2xx", ["product_by_id"], lambda: rows["product_by_id"]["non_2xx"] == 0,
     lambda: str(rows["product_by_id"]["non_2xx"])),
    ("deep page p50 ≤ 1.5 × first page p50", ["products_deep_page", "products_first_page"],
     lambda: rows["products_deep_page"]["p50_ms"] <= 1.5 * rows["products_first_page"]["p50_ms"],
     lambda: f'{rows["products_deep_page"]["p50_ms"]:.2f} vs {rows["products_first_page"]["p50_ms"]:.2f} ms'),
    ("q search p99 ≤ 50 ms", ["products_search"], lambda: rows["products_search"]["p99_ms"] <= 50,
     lambda: f'{rows["products_search"]["p99_ms"]:.2f} ms'),
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
         "| scenario | req/s | p50 ms | p90 ms | p99 ms | non-2xx | peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|"]
for r in rows.values():
    lines.append(f'| {r["scenario"]} | {r["requests_per_second"]:.0f} | {r["p50_ms"]:.2f} | {r["p90_ms"]:.2f} | '
                 f'{r["p99_ms"]:.2f} | {r["non_2xx"]} | {r["peak_rss_mb"]} |')
lines += ["", "| budget | met | measured |", "|---|---|---|"]
lines += [f"| {b} | {'yes' if met else '**no**'} | {m} |" for b, met, m in budgets]
open(md_out, "w").write("\n".join(lines) + "\n")
