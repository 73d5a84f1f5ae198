-- Signs in and remembers this device (ConfirmDevice + remembered status);
-- the device key and password go to --device-file (mode 0600), and later
-- sign-ins with that file skip MFA where the pool allows.
-- usage: as user-info.lua, with --device-file PATH
local session = require "mfakit.session"

local idp, r, o = session.open(arg, { remember = true, validate = function(o)
    if not o["device-file"] then return "--device-file PATH is required (the device's keys are kept there)" end
end })
if not idp then return r end
if not r.device then
    return session.fail("Cognito did not offer to remember a device: turn on device tracking for the pool")
end
session.print({ device_key = r.device.key, remembered = r.device.remembered, file = o["device-file"] },
    "device " .. r.device.key .. " remembered; saved to " .. o["device-file"])
