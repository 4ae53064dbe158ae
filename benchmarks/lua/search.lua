-- GET /products?q={a word that names some products}
dofile("benchmarks/lua/common.lua")
words = { "lamp", "blue", "wooden", "kettle", "smart", "desk", "organic", "charger", "vintage", "mug" }
function request()
  return wrk.format("GET", "/products?limit=50&q=" .. words[math.random(#words)])
end
