-- POST /orders with BENCH_LINES random products (one unit each), as the admin for a random user.
dofile("benchmarks/lua/common.lua")
lines = tonumber(os.getenv("BENCH_LINES") or "1")
function request()
  return wrk.format("POST", "/orders", auth_headers, order_body(lines))
end
