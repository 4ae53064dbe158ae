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


health = rows["health"]["requests_per_second"]
product = rows["product_by_id"]
budgets = [
    ("GET /products/{id} ≥ 50 % of GET /health req/s", product["requests_per_second"] >= 0.5 * health,
     f'{product["requests_per_second"] / health:.0%}'),
    ("GET /products/{id} p99 ≤ 10 ms", product["p99_ms"] <= 10, f'{product["p99_ms"]:.2f} ms'),
    ("GET /products/{id} zero non-2xx", product["non_2xx"] == 0, str(product["non_2xx"])),
    ("deep page p50 ≤ 1.5 × first page p50",
     rows["products_deep_page"]["p50_ms"] <= 1.5 * rows["products_first_page"]["p50_ms"],
     f'{rows["products_deep_page"]["p50_ms"]:.2f} vs {rows["products_first_page"]["p50_ms"]:.2f} ms'),
    ("q search p99 ≤ 50 ms", rows["products_search"]["p99_ms"] <= 50, f'{rows["products_search"]["p99_ms"]:.2f} ms'),
    ("POST /orders (1 line) ≥ 5,000/s (SQLite) or 2,000/s (PostgreSQL)",
     rows["place_order_1_line"]["requests_per_second"] >= (5000 if database.startswith("sqlite") else 2000),
     f'{rows["place_order_1_line"]["requests_per_second"]:.0f}/s'),
    ("POST /orders zero 5xx / non-2xx", rows["place_order_1_line"]["non_2xx"] == 0, str(rows["place_order_1_line"]["non_2xx"])),
    ("stock consistent after the run", unbalanced == "0", f"{unbalanced} products unbalanced"),
    ("server RSS ≤ 150 MB throughout", max(r["peak_rss_mb"] for r in rows.values()) <= 150,
     f'{max(r["peak_rss_mb"] for r in rows.values())} MB'),
]
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
