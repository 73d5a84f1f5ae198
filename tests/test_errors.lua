-- tests/test_errors.lua: the error object's one line, whatever its size.
local errors = require "mfakit.errors"

local t = require "mfakit.test"
t.case("one line with operation, code, message, status and request id", function()
    t.eq(tostring(errors.new{ code = "C", message = "m", status = 400, request_id = "r", operation = "svc:Op" }),
        "svc:Op: C: m (HTTP 400, request r)")
    t.eq(tostring(errors.new{ code = "C" }), "C")
    t.eq(tostring(errors.new{ code = "C", message = "m", status = 500 }), "C: m (HTTP 500)")
    t.eq(tostring(errors.new{ code = "C", request_id = "r" }), "C (request r)")
end)

t.case("a long message from outside does not break the printer", function()
    for _, n in ipairs{ 1000, 2100, 5000, 100000 } do
        local s = tostring(errors.new{ code = "X", message = string.rep("a", n), status = 400, request_id = "r",
                                       operation = "svc:Op" })
        t.eq(#s, #"svc:Op: X: " + n + #" (HTTP 400, request r)", "length " .. n)
    end
end)
