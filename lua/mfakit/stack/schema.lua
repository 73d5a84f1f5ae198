-- mfakit.stack.schema: the state file's shape, checked field by field as
-- input from outside (a hand edit, a bad disk, another tool): every field
-- that mfakit later sends to AWS or indexes must have the type it expects.
-- check(doc) -> true | nil, "resources.role.arn: string expected, got table"
local json = require "mfakit.json"
local errors = require "mfakit.errors"

local M = {}

-- printable, bounded: what every name, id and ARN in the state must be
local function text(max, pattern)
    return { kind = "string", max = max or 2048, pattern = pattern }
end
local function bool() return { kind = "boolean" } end
local function enum(...) return { kind = "enum", values = { ... } } end
local function object(fields, open) return { kind = "object", fields = fields, open = open } end
local function array(item, max) return { kind = "array", item = item, max = max or 1000 } end
local function map_of(item) return { kind = "map", item = item } end

local NAME = text(256)
local STATUS = enum("creating", "created")

M.DOC = object{
    version = { kind = "integer", min = 1, max = 2 },
    stack = text(40),
    region = text(64, "^[a-z][a-z0-9%-]*$"),
    -- sts:ExternalId: 2 to 1224 characters of [\w+=,.@:/-]
    external_id = text(1224, "^[%w_+=,.@:/%-][%w_+=,.@:/%-]+$"),
    settings = object({
        stack = text(40), mfa = enum("OFF", "OPTIONAL", "ON"), sms = bool(), totp = bool(),
        sns_policy = enum("inline", "full"), spend_limit = text(32, "^%d+$"), test_user = NAME, phone = text(32),
        role_name = NAME, pool_name = NAME, client_name = NAME, device_tracking = enum("always", "opt-in", "off"),
        alarm_email = NAME, alarm_at = { kind = "integer", min = 1, max = 100 }, sms_delivery_logs = bool(),
    }, true),
    -- a step of one's own keeps its record under its own name
    resources = object({
        role = object{ name = NAME, arn = NAME, role_id = text(128, "^[%w]+$"), status = STATUS,
                       attached_full = bool(), made = bool() },
        pool = object{ name = NAME, id = text(64, "^[%w%-]+_[%w]+$"), arn = NAME, status = STATUS, made = bool() },
        client = object{ name = NAME, id = text(128, "^[%w]+$"), status = STATUS },
        user = object{ username = NAME, status = STATUS },
        sns = object{ previous = { kind = "null_or", item = map_of(text(256)) }, set = map_of(text(256)) },
        alarm = object{ region = text(64, "^[a-z][a-z0-9%-]*$"), name = NAME, topic_arn = NAME, alarm_arn = NAME,
                        email = NAME, threshold = { kind = "number" }, status = STATUS },
        delivery_logs = object{ region = text(64, "^[a-z][a-z0-9%-]*$"), role_name = NAME, role_arn = NAME,
                                previous_role = text(2048), previous_rate = text(16), status = STATUS },
        retired_roles = array(object{ name = NAME, arn = NAME, role_id = text(128, "^[%w]+$"), made = bool() }),
    }, { kind = "record" }),
    names_used = object{ role = array(NAME), pool = array(NAME), client = array(NAME) },
}

local function describe(v)
    if v == json.null then return "null" end
    if type(v) == "table" then return getmetatable(v) == json.array_mt and "array" or "object" end
    return math.type(v) or type(v)
end

local function is_array(v)
    return type(v) == "table" and getmetatable(v) == json.array_mt
end

local check

-- A key as it is shown in a field path: one line, bounded.
local function shown(k) return errors.shown(k, 40) end

local CHECKS = {
    string = function(s, v)
        if type(v) ~= "string" then return "string expected" end
        if #v > s.max then return "longer than " .. s.max .. " characters" end
        if v:find("[%c]") then return "control characters" end
        if s.pattern and not v:match(s.pattern) then return "not of the expected form" end
    end,
    boolean = function(_, v) if type(v) ~= "boolean" then return "boolean expected" end end,
    number = function(_, v)
        if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then return "number expected" end
    end,
    integer = function(s, v)
        if math.type(v) ~= "integer" then return "integer expected" end
        if v < s.min or v > s.max then return "must be " .. s.min .. " to " .. s.max end
    end,
    enum = function(s, v)
        for _, x in ipairs(s.values) do if v == x then return end end
        return "one of " .. table.concat(s.values, ", ") .. " expected"
    end,
    null_or = function(s, v, path)
        if v == json.null then return end
        return check(s.item, v, path)
    end,
    object = function(s, v, path)
        if type(v) ~= "table" or is_array(v) then return "object expected" end
        for k, x in pairs(v) do
            if type(k) ~= "string" then return "object expected" end
            local field = s.fields[k]
            if field then
                local e, p = check(field, x, path .. "." .. shown(k))
                if e then return e, p end
            elseif type(s.open) == "table" then
                local e, p = check(s.open, x, path .. "." .. shown(k))
                if e then return e, p end
            elseif not s.open then
                return "unknown field", path .. "." .. shown(k)
            end
        end
    end,
    -- a resource record of a step of one's own: an object of plain values
    record = function(_, v, path)
        if type(v) ~= "table" or is_array(v) then return "object expected" end
        for k, x in pairs(v) do
            local t = type(x)
            if type(k) ~= "string" or not (t == "string" or t == "boolean" or t == "number" or x == json.null) then
                return "string, number or boolean expected, got " .. describe(x), path .. "." .. shown(k)
            end
        end
    end,
    map = function(s, v, path)
        if type(v) ~= "table" or is_array(v) then return "object expected" end
        for k, x in pairs(v) do
            if type(k) ~= "string" then return "object expected" end
            local e, p = check(s.item, x, path .. "." .. shown(k))
            if e then return e, p end
        end
    end,
    array = function(s, v, path)
        -- an empty array decodes like an empty object: both are fine here
        if type(v) ~= "table" or (next(v) ~= nil and not is_array(v)) then return "array expected" end
        if #v > s.max then return "more than " .. s.max .. " items" end
        for i, x in ipairs(v) do
            local e, p = check(s.item, x, path .. "[" .. i .. "]")
            if e then return e, p end
        end
    end,
}

function check(s, v, path)
    local e, p = CHECKS[s.kind](s, v, path)
    if e then
        p = p or path
        if e:find("expected$") then
            e = e .. ", got " .. describe(v)
        end
        return e, p
    end
end

function M.check(doc)
    local e, p = check(M.DOC, doc, "")
    if e then
        p = p:gsub("^%.", "")
        return nil, (p == "" and "the document" or p) .. ": " .. e
    end
    return true
end

return M
