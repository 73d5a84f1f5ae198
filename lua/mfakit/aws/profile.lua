-- mfakit.aws.profile: the named profile from the shared files, merged
-- (credentials file wins for keys, config file gives region and the rest).
--   load(name) -> { name=, region=, aws_access_key_id=, ..., credential_process= } | nil, err
local ini = require "mfakit.aws.ini"
local config = require "mfakit.config"

local M = {}

local function home_file(env, rel)
    local p = os.getenv(env)
    if p and p ~= "" then return (p:gsub("^~", os.getenv("HOME") or "~")) end
    local home = os.getenv("HOME")
    return home and (home .. "/.aws/" .. rel) or nil
end

function M.name(opts)
    return (opts and opts.profile) or config.profile or os.getenv("AWS_PROFILE")
        or os.getenv("AWS_DEFAULT_PROFILE") or "default"
end

local cache = {}

function M.load(name)
    if cache[name] then return cache[name] end
    local conf_path = home_file("AWS_CONFIG_FILE", "config")
    local cred_path = home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
    local conf, creds, err
    if conf_path then
        conf, err = ini.read(conf_path)
        if err then return nil, err end
    end
    if cred_path then
        creds, err = ini.read(cred_path)
        if err then return nil, err end
    end
    local merged = { name = name }
    local found = false
    for _, section in ipairs({ ini.profile(conf, name, true) or false, ini.profile(creds, name, false) or false }) do
        if section then
            found = true
            for k, v in pairs(section) do merged[k] = v end
        end
    end
    merged.found = found
    cache[name] = merged
    return merged
end

-- Forget cached files (tests change them between cases).
function M.reset() cache = {} end

return M
