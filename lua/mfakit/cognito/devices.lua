-- mfakit.cognito.devices: a remembered device, kept between sign-ins.
-- The device password is a credential (like ~/.aws/credentials): the file
-- is written atomically with mode 0600 and holds nothing else secret.
local json = require "mfakit.json"
local sys = require "mfakit.sys"
local errors = require "mfakit.errors"
local secrets = require "mfakit.secrets"

local M = {}

local function valid(d)
    return type(d) == "table" and type(d.key) == "string" and type(d.group_key) == "string"
        and type(d.password) == "string"
end

-- The device for a sign-in: opts.device (a table) or opts.device_file
-- (absent file: no device yet).
function M.load(opts)
    if opts.device ~= nil then
        if not valid(opts.device) then error("sign_in: device needs key, group_key and password strings", 3) end
        secrets.add(opts.device.password)
        return opts.device
    end
    if not opts.device_file then return nil end
    local st = sys.stat(opts.device_file)
    if st and st.type ~= "file" then
        return nil, errors.new{ code = "InvalidDeviceFile", message = opts.device_file .. " is a " .. st.type ..
            ", not a device file" }
    end
    local f = io.open(opts.device_file, "r")
    if not f then return nil end
    local text = f:read("a")
    f:close()
    local d = text and json.decode(text)
    if not valid(d) then
        return nil, errors.new{ code = "InvalidDeviceFile",
            message = opts.device_file .. " is not a device file written by mfakit (key, group_key, password)" }
    end
    secrets.add(d.password)
    return d
end

function M.save(path, device, pool_id, username)
    local doc = { key = device.key, group_key = device.group_key, password = device.password,
                  name = device.name, user_pool_id = pool_id, username = username }
    return sys.write_file_atomic(path, json.encode(doc) .. "\n", tonumber("600", 8))
end

return M
