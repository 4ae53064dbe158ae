-- A fixed, public GET (the URL given to wrk).
dofile("benchmarks/lua/common.lua")
function request()
  return wrk.format("GET", nil)
end
