-- mfakit.cost.pricing: the pricing files (pricing/*.json), read and checked.
--   load(spec) -> pricing | nil, message
--     spec: nil (the default profile), a profile name ("guide", "current",
--     "aws-2026-09"), or a path to a JSON file (has a "/" or ends in .json).
--   decode(text, origin) -> pricing | nil, message
--   profiles() -> { names }          embed_source(dir) -> pricing_default.lua
-- A profile is read from the repository's pricing/ directory when one is
-- found (next to MFAKIT_LUA_DIR, or next to the binary), else from the copy
-- embedded in the binary (mfakit.cost.pricing_default), so `mfakit cost`
-- works from any directory. tests/test_cost.lua keeps the two equal.
--
-- Every figure is an entry {value, unit, currency, checked, source, note?}:
-- checked is the date the figure was seen at its source (YYYY-MM-DD), or
-- "undated" when the source gives none. Prices become integer nano-dollars
-- (entry.nano); see mfakit.cost.money.
local json = require "mfakit.json"
local money = require "mfakit.cost.money"

local M = {}

M.DEFAULT = "aws-2026-09"
M.ALIASES = { current = M.DEFAULT }

local function fail(origin, where, msg)
    return nil, string.format("pricing %s: %s%s", origin, where ~= "" and where .. ": " or "", msg)
end

local function is_null(v) return v == nil or v == json.null end

-- Checks one entry in place; `money_entry` says whether it is a price.
local function check_entry(e, money_entry)
    if type(e) ~= "table" then return "must be an object {value, unit, checked, source}" end
    if type(e.value) ~= "number" or e.value < 0 or e.value ~= e.value or e.value == math.huge then
        return "value must be a non-negative number"
    end
    if type(e.unit) ~= "string" or e.unit == "" then return "unit must be a non-empty string" end
    if money_entry then
        if e.currency ~= "USD" then
            return "currency must be \"USD\" (AWS bills these in USD), not " .. tostring(e.currency)
        end
        e.nano = money.from_usd(e.value)
    elseif not is_null(e.currency) then
        return "currency is for prices only"
    end
    if type(e.checked) ~= "string" or not (e.checked == "undated" or e.checked:match("^%d%d%d%d%-%d%d%-%d%d$")) then
        return "checked must be a date YYYY-MM-DD or \"undated\""
    end
    if type(e.source) ~= "string" or e.source == "" then return "source must say where the figure comes from" end
    if not is_null(e.note) and type(e.note) ~= "string" then return "note must be a string" end
    if e.note == json.null then e.note = nil end
    return nil
end

local function check_tier(t, where)
    if type(t) ~= "table" then return where, "must be an object" end
    if type(t.id) ~= "string" or not t.id:match("^[%l%d][%l%d_-]*$") then
        return where, "id must be a lower-case name"
    end
    where = string.format("tiers[%s]", t.id)
    if type(t.name) ~= "string" or t.name == "" then return where, "name must be a non-empty string" end
    local err = check_entry(t.free_mau, false)
    if err then return where .. ".free_mau", err end
    if math.type(t.free_mau.value) ~= "integer" then return where .. ".free_mau", "value must be a whole number" end
    if type(t.mau_prices) ~= "table" or #t.mau_prices == 0 then
        return where, "mau_prices must be a non-empty list"
    end
    local from = t.free_mau.value
    t.bands = {}
    for i, p in ipairs(t.mau_prices) do
        local w = string.format("%s.mau_prices[%d]", where, i)
        err = check_entry(p, true)
        if err then return w, err end
        local last = i == #t.mau_prices
        if last and not is_null(p.up_to) then
            return w, "the last price must have no up_to (it applies to every MAU above the one before)"
        elseif not last then
            if math.type(p.up_to) ~= "integer" or p.up_to <= from then
                return w, "up_to must be a whole number of MAU above " .. from
            end
        end
        local to = (not last) and p.up_to or nil
        t.bands[i] = { from = from, to = to, price = p }
        from = to
    end
    return nil
end

function M.decode(text, origin)
    local p, derr = json.decode(text)
    if p == nil then return fail(origin, "", "not JSON (" .. tostring(derr) .. ")") end
    if type(p) ~= "table" then return fail(origin, "", "must be a JSON object") end
    if type(p.profile) ~= "string" or p.profile == "" then return fail(origin, "", "profile must be a name") end
    if type(p.title) ~= "string" then return fail(origin, "", "title must be a string") end
    if p.currency ~= "USD" then return fail(origin, "", "currency must be \"USD\"") end
    if type(p.tiers) ~= "table" or #p.tiers == 0 then return fail(origin, "", "tiers must be a non-empty list") end
    p.tier_by_id = {}
    for i, t in ipairs(p.tiers) do
        local where, err = check_tier(t, string.format("tiers[%d]", i))
        if where then return fail(origin, where, err) end
        if p.tier_by_id[t.id] then return fail(origin, "tiers", "tier " .. t.id .. " appears twice") end
        p.tier_by_id[t.id] = t
    end
    if type(p.sms) ~= "table" or next(p.sms) == nil then
        return fail(origin, "", "sms must map country codes to prices")
    end
    p.countries = {}
    for code, e in pairs(p.sms) do
        if type(code) ~= "string" or not code:match("^%u%u$") then
            return fail(origin, "sms", "country codes are two capital letters (ISO 3166), not " .. tostring(code))
        end
        local err = check_entry(e, true)
        if err then return fail(origin, "sms." .. code, err) end
        p.countries[#p.countries + 1] = code
    end
    table.sort(p.countries)
    if not p.tier_by_id[p.default_tier] then
        return fail(origin, "", "default_tier must be one of the tiers' ids")
    end
    if not p.sms[p.default_country] then
        return fail(origin, "", "default_country must be one of the sms countries")
    end
    p.origin = origin
    return p
end

local function read(path)
    local f = io.open(path, "rb")
    if not f then return nil end
    local s = f:read("a")
    f:close()
    return s
end

-- Where the repository's pricing/ directory may be: beside the Lua source
-- tree in development, or beside the binary when it runs from a checkout.
local function repository_dirs()
    local dirs = {}
    local lua_dir = os.getenv("MFAKIT_LUA_DIR")
    if lua_dir and lua_dir ~= "" then
        local root = lua_dir:gsub("/+$", ""):match("^(.*)/[^/]+$")
        dirs[#dirs + 1] = root and root .. "/pricing" or "pricing"
    end
    local a = rawget(_G, "arg")
    if type(a) == "table" then
        local k = -1
        while a[k - 1] ~= nil do k = k - 1 end
        local bin = a[k]
        local dir = type(bin) == "string" and bin:match("^(.*)/[^/]+$")
        if dir then dirs[#dirs + 1] = dir .. "/pricing" end
    end
    return dirs
end

function M.profiles()
    local names = {}
    for name in pairs(require "mfakit.cost.pricing_default") do names[#names + 1] = name end
    table.sort(names)
    return names
end

function M.load(spec)
    spec = spec or M.DEFAULT
    spec = M.ALIASES[spec] or spec
    if spec:find("/", 1, true) or spec:match("%.json$") then
        local text = read(spec)
        if not text then return nil, "cannot read pricing file " .. spec end
        return M.decode(text, spec)
    end
    if not spec:match("^[%w_.-]+$") then return nil, "no pricing profile '" .. spec .. "'" end
    for _, dir in ipairs(repository_dirs()) do
        local path = dir .. "/" .. spec .. ".json"
        local text = read(path)
        if text then return M.decode(text, path) end
    end
    local embedded = require("mfakit.cost.pricing_default")[spec]
    if not embedded then
        return nil, string.format("no pricing profile '%s' (profiles: %s, current; or give a FILE.json)", spec,
            table.concat(M.profiles(), ", "))
    end
    return M.decode(embedded, "built-in copy of pricing/" .. spec .. ".json")
end

-- The text of lua/mfakit/cost/pricing_default.lua for the files in `dir`:
--   mfakit -e 'io.write(require("mfakit.cost.pricing").embed_source("pricing"))' \
--     > lua/mfakit/cost/pricing_default.lua
function M.embed_source(dir)
    local p = assert(io.popen("ls " .. dir .. "/*.json"))
    local files = {}
    for line in p:lines() do files[#files + 1] = line end
    p:close()
    table.sort(files)
    local out = {
        "-- mfakit.cost.pricing_default: the pricing/*.json files, embedded so that\n",
        "-- `mfakit cost` works from any directory. Generated; do not edit. Regenerate:\n",
        "--   mfakit -e 'io.write(require(\"mfakit.cost.pricing\").embed_source(\"pricing\"))' \\\n",
        "--     > lua/mfakit/cost/pricing_default.lua\n",
        "-- tests/test_cost.lua fails when this file and pricing/ differ.\n",
        "-- luacheck: no max line length\n",
        "return {\n",
    }
    for _, path in ipairs(files) do
        local text = assert(read(path))
        local level = 1
        while text:find("]" .. string.rep("=", level) .. "]", 1, true) do level = level + 1 end
        local eq = string.rep("=", level)
        out[#out + 1] = string.format('    [%q] = [%s[\n%s]%s],\n', path:match("([^/]+)%.json$"), eq, text, eq)
    end
    out[#out + 1] = "}\n"
    return table.concat(out)
end

return M
