-- GET /products?q={a term in one product of 2,000: the seeder's "Limited Edition"}
dofile("benchmarks/lua/common.lua")
terms = { "limited", "edition", "Limited%20Edition" }
function request()
  return wrk.format("GET", "/products?limit=50&q=" .. terms[math.random(#terms)])
end
