-- GET /products/{random id}
dofile("benchmarks/lua/common.lua")
function request()
  return wrk.format("GET", "/products/" .. random_product())
end
