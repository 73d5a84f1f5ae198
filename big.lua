local http = require "mfakit.http"
local sys = require "mfakit.sys"
local t = sys.monotonic()
for i = 1, 3 do local r = assert(http.request{ url = "http://127.0.0.1:35637/big?n=" .. 15*1024*1024, max_body = 16*1024*1024 }); assert(#r.body == 15*1024*1024) end
print(("%.2f s"):format(sys.monotonic() - t))
