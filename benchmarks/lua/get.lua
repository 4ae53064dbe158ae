-- A fixed GET (the URL given to wrk), authenticated so admin-only reads work too.
dofile("benchmarks/lua/common.lua")
function request()
  return wrk.format("GET", nil, auth_headers)
end
