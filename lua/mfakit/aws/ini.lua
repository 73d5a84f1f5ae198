-- mfakit.aws.ini: reads the shared AWS config and credentials files.
--   read(path) -> { [section] = { key = value } } | nil, err (nil, nil if absent)
-- Sections keep their header text ("default", "profile dev", "dev");
-- indented sub-keys (s3 = ... nested blocks) are skipped, as the CLI does for
-- settings it does not know.
local errors = require "mfakit.errors"

local M = {}

function M.read(path)
    local f = io.open(path, "r")
    if not f then return nil, nil end
    local sections, current, n = {}, nil, 0
    for line in f:lines() do
        n = n + 1
        local header = line:match("^%s*%[%s*(.-)%s*%]%s*$")
        if header then
            current = sections[header] or {}
            sections[header] = current
        elseif not line:match("^%s*[#;]") and not line:match("^%s*$") then
            local key, value = line:match("^([%w_%-%.]+)%s*=%s*(.-)%s*$")
            if key and current then
                current[key:lower()] = value
            elseif not line:match("^%s") then
                f:close()
                return errors.fail("InvalidConfigFile", "%s:%d: cannot parse this line", path, n)
            end
        end
    end
    f:close()
    return sections
end

-- The section of a profile: config files use [profile NAME] except for
-- [default]; credentials files use [NAME].
function M.profile(sections, name, is_config)
    if not sections then return nil end
    if is_config and name ~= "default" then return sections["profile " .. name] end
    return sections[name] or (is_config and sections["profile default"]) or nil
end

return M
