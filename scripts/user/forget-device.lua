-- Forgets a remembered device: --device-key KEY, or the one in
-- --device-file (whose file is then removed). usage: as user-info.lua
local session = require "mfakit.session"
local json = require "mfakit.json"

local idp, r, o = session.open(arg, { options = {
    { "device-key", "string", "KEY", "the device to forget (else the one in --device-file)" } },
    validate = function(o)
        if not o["device-key"] and not o["device-file"] then
            return "--device-key KEY or --device-file PATH is required"
        end
    end })
if not idp then return r end
local key = o["device-key"]
if not key and o["device-file"] then
    local f = io.open(o["device-file"])
    local d = f and json.decode(f:read("a"))
    if f then f:close() end
    key = type(d) == "table" and d.key or nil
end
if not key then return session.fail("--device-key KEY or --device-file PATH is required") end
local ok, err = idp:forget_device(r.tokens.AccessToken, key)
if not ok then return session.fail(err) end
if o["device-file"] and not o["device-key"] then os.remove(o["device-file"]) end
session.print({ forgotten = key }, "device " .. key .. " forgotten")
