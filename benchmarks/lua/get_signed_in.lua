-- A fixed GET as the admin (the URL given to wrk), for routes that need a token.
dofile("benchmarks/lua/common.lua")
function request()
  return wrk.format("GET", nil, auth_headers)
end
