-- The user's remembered devices. usage: as user-info.lua
local session = require "mfakit.session"

local idp, r = session.open(arg)
if not idp then return r end
local devices, err = idp:list_devices(r.tokens.AccessToken)
if not devices then return session.fail(err) end
local lines = {}
for _, d in ipairs(devices) do
    local name = ""
    for _, a in ipairs(d.DeviceAttributes or {}) do if a.Name == "device_name" then name = a.Value end end
    lines[#lines + 1] = d.DeviceKey .. "  " .. name
end
session.print(devices, #lines > 0 and table.concat(lines, "\n") or "no remembered devices")
