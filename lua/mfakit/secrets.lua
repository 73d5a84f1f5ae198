-- mfakit.secrets: the secrets this process holds, so that none of them is
-- shown or handed on, whatever form it arrived in.
--   add(value)        remember a secret value: redact.text and redact.header
--                     replace it with <redacted> from now on (values shorter
--                     than MIN_LENGTH are not scrubbed: they would mangle text)
--   from_env(name)    read a secret from the environment: the value is added,
--                     and the variable is withheld from cmd: children
--   withheld()        the names of the variables read by from_env
--   scrub(text)       text with every secret added so far replaced
-- The first secret turns core dumps off for the rest of the run
-- (sys.no_core_dumps), so a crash cannot write one to disk.
local sys = require "mfakit.sys"
local check = require("mfakit.args").check

local M = {}

M.MIN_LENGTH = 4
-- A load script signs in many users; the oldest values are dropped beyond
-- this, so scrubbing stays cheap. A login's own values are recent.
M.MAX_VALUES = 512

local REDACTED = "<redacted>"

local values = {} -- the forms to replace, longest first
local known = {} -- value -> true (the value as added)
local order = {} -- values as added, oldest first
local names, name_list = {}, {}

-- Servers echo values inside JSON strings: scrub that spelling too.
local function json_form(v)
    return (v:gsub('[%c"\\/]', function(c)
        if c == '"' or c == "\\" or c == "/" then return "\\" .. c end
        return string.format("\\u%04x", c:byte())
    end))
end

-- ...and with every non-ASCII character as \uXXXX (what Python's json.dumps
-- and others send by default), in lower and upper case.
local function json_ascii_forms(v)
    if not v:find("[\128-\255]") or not utf8.len(v) then return {} end
    local lower = {}
    for _, cp in utf8.codes(json_form(v)) do
        if cp < 0x80 then
            lower[#lower + 1] = string.char(cp)
        elseif cp < 0x10000 then
            lower[#lower + 1] = string.format("\\u%04x", cp)
        else
            cp = cp - 0x10000
            lower[#lower + 1] = string.format("\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF))
        end
    end
    local l = table.concat(lower)
    return { l, (l:gsub("\\u(%x%x%x%x)", function(h) return "\\u" .. h:upper() end)) }
end

-- Every form a value is scrubbed in, each once.
local function forms_of(v)
    local out, seen = {}, {}
    local all = { v, json_form(v) }
    for _, f in ipairs(json_ascii_forms(v)) do all[#all + 1] = f end
    for _, f in ipairs(all) do
        if not seen[f] then
            seen[f] = true
            out[#out + 1] = f
        end
    end
    return out
end

-- `values` is kept sorted, longest first, one form added or removed at a
-- time: a load run adds a session and three tokens per sign-in, and
-- re-sorting every form held for each (as this once did) cost some 12 ms a
-- value once 512 were held. `count` says how many held values share a form.
local count = {}
local held_forms = {} -- value -> its forms

local function insert_form(f)
    count[f] = (count[f] or 0) + 1
    if count[f] > 1 then return end
    local lo, hi = 1, #values + 1
    while lo < hi do
        local mid = (lo + hi) // 2
        if #values[mid] >= #f then lo = mid + 1 else hi = mid end
    end
    table.insert(values, lo, f)
end

local function remove_form(f)
    count[f] = count[f] - 1
    if count[f] > 0 then return end
    count[f] = nil
    for i, v in ipairs(values) do
        if v == f then
            table.remove(values, i)
            return
        end
    end
end

function M.add(value)
    if type(value) ~= "string" then return value end
    sys.no_core_dumps()
    if #value < M.MIN_LENGTH or known[value] then return value end
    known[value] = true
    order[#order + 1] = value
    held_forms[value] = forms_of(value)
    for _, f in ipairs(held_forms[value]) do insert_form(f) end
    if #order > M.MAX_VALUES then
        local old = table.remove(order, 1)
        known[old] = nil
        for _, f in ipairs(held_forms[old]) do remove_form(f) end
        held_forms[old] = nil
    end
    return value
end

function M.from_env(name)
    check(1, "secrets.from_env", name, "string")
    if not names[name] then
        names[name] = true
        name_list[#name_list + 1] = name
    end
    local v = os.getenv(name)
    if v == nil or v == "" then return nil end
    return M.add(v)
end

function M.withheld()
    return table.move(name_list, 1, #name_list, 1, {})
end

-- The forms scrub replaces, longest first (for redact.values, which also
-- catches the start of one that a cut split).
function M.held()
    return values
end

function M.scrub(text)
    if type(text) ~= "string" or #values == 0 then return text end
    for _, v in ipairs(values) do
        if text:find(v, 1, true) then
            local parts, pos = {}, 1
            while true do
                local s, e = text:find(v, pos, true)
                if not s then break end
                parts[#parts + 1] = text:sub(pos, s - 1)
                parts[#parts + 1] = REDACTED
                pos = e + 1
            end
            parts[#parts + 1] = text:sub(pos)
            text = table.concat(parts)
        end
    end
    return text
end

-- For tests: forget everything.
function M._reset()
    values, known, order, names, name_list, count, held_forms = {}, {}, {}, {}, {}, {}, {}
end

return M
