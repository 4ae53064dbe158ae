-- Shared by every scenario: settings come from the environment, and done() prints one JSON line
-- that run.sh collects.
products = tonumber(os.getenv("BENCH_PRODUCTS") or "1000")
users = tonumber(os.getenv("BENCH_USERS") or "100")
first_product = tonumber(os.getenv("BENCH_FIRST_PRODUCT") or "1")
first_user = tonumber(os.getenv("BENCH_FIRST_USER") or "1")
token = os.getenv("BENCH_TOKEN") or ""
scenario = os.getenv("BENCH_SCENARIO") or "unnamed"

auth_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function random_product()
  return first_product + math.random(0, products - 1)
end

function order_body(lines)
  local seen, items = {}, {}
  while #items < lines do
    local id = random_product()
    if not seen[id] then
      seen[id] = true
      items[#items + 1] = string.format('{"product_id": %d, "quantity": 1}', id)
    end
  end
  local user = first_user + math.random(0, users - 1)
  return string.format('{"user_id": %d, "items": [%s]}', user, table.concat(items, ", "))
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    '{"scenario": "%s", "requests": %d, "requests_per_second": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "non_2xx": %d, "socket_errors": %d}\n',
    scenario, summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
