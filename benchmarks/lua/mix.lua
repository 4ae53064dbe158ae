-- 90 % product reads, 10 % one-line orders.
dofile("benchmarks/lua/common.lua")
function request()
  if math.random(10) == 1 then
    return wrk.format("POST", "/orders", auth_headers, order_body(1))
  end
  return wrk.format("GET", "/products/" .. random_product())
end
