-- mfakit.doctor.policy_eval: reads IAM policy documents the way IAM
-- evaluates them, for the questions doctor asks ("may this role
-- sns:Publish?", "may Cognito assume this role?").
--   evaluate(docs, action, resource) -> verdict
--     docs: { {label=, document=table|string} }
--     verdict: { decision = "allow"|"deny"|"implicit"|"conditional",
--                by = label of the deciding statement, caveats = {...} }
-- Explicit Deny wins over Allow; Action and NotAction, Resource and
-- NotResource, `*` and `?` wildcards (actions case-insensitive). Statements
-- with a Condition cannot be decided without the request's context: they
-- are reported as "conditional", never silently counted.
local json = require "mfakit.json"

local M = {}

function M.list(v)
    if v == nil or v == json.null then return {} end
    if type(v) == "table" then return v end
    return { v }
end

-- IAM wildcard match: `*` any run of characters, `?` one character.
function M.glob(pattern, s, ignore_case)
    if type(pattern) ~= "string" or type(s) ~= "string" then return false end
    if ignore_case then pattern, s = pattern:lower(), s:lower() end
    local lua = pattern:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".")
    return s:match("^" .. lua .. "$") ~= nil
end

local function any_glob(patterns, s, ignore_case)
    for _, p in ipairs(M.list(patterns)) do
        if M.glob(p, s, ignore_case) then return true end
    end
    return false
end

-- A document as a table (IAM may hand one back as JSON text).
function M.document(doc)
    if type(doc) == "string" then
        local decoded = json.decode(doc)
        if type(decoded) ~= "table" then return nil end
        return decoded
    end
    if type(doc) ~= "table" then return nil end
    return doc
end

-- The statements of a document, whether Statement is one object or a list.
function M.statements(doc)
    doc = M.document(doc)
    if not doc then return nil end
    local st = doc.Statement
    if type(st) ~= "table" then return {} end
    if st.Effect or st.Action or st.NotAction then return { st } end
    local out = {}
    for _, s in ipairs(st) do
        if type(s) == "table" then out[#out + 1] = s end
    end
    return out
end

function M.action_matches(stmt, action)
    if stmt.Action ~= nil then return any_glob(stmt.Action, action, true) end
    if stmt.NotAction ~= nil then return not any_glob(stmt.NotAction, action, true) end
    return false
end

function M.resource_matches(stmt, resource)
    if stmt.Resource ~= nil then return any_glob(stmt.Resource, resource) end
    if stmt.NotResource ~= nil then return not any_glob(stmt.NotResource, resource) end
    return true -- trust policies name no resource
end

local function has_condition(stmt)
    return type(stmt.Condition) == "table" and next(stmt.Condition) ~= nil
end

local function label_of(doc_label, stmt, i)
    return string.format("%s, statement %s", doc_label, stmt.Sid and stmt.Sid ~= "" and stmt.Sid or tostring(i))
end

-- matches(stmt) -> bool: an extra test, such as the principal of a trust policy.
function M.evaluate(docs, action, resource, matches)
    local found = {}
    local caveats = {}
    for _, d in ipairs(docs) do
        local stmts = M.statements(d.document)
        if not stmts then
            caveats[#caveats + 1] = d.label .. " is not readable JSON"
        else
            for i, s in ipairs(stmts) do
                if M.action_matches(s, action) and M.resource_matches(s, resource or "*")
                    and (not matches or matches(s)) then
                    local kind = (s.Effect == "Deny" and "deny" or s.Effect == "Allow" and "allow" or nil)
                    if kind then
                        if has_condition(s) then kind = "cond_" .. kind end
                        found[kind] = found[kind] or label_of(d.label, s, i)
                    end
                end
            end
        end
    end
    local v = { caveats = caveats }
    if found.deny then
        v.decision, v.by = "deny", found.deny
    elseif found.allow then
        v.decision, v.by = "allow", found.allow
        if found.cond_deny then
            caveats[#caveats + 1] = "a Deny with a condition may still apply: " .. found.cond_deny
        end
    elseif found.cond_allow then
        v.decision, v.by = "conditional", found.cond_allow
    else
        v.decision = "implicit"
    end
    return v
end

-- Trust policies -------------------------------------------------------------

-- Does the statement's Principal include this service (or everyone)?
-- NotPrincipal matches everyone it does not list.
local function principal_has(p, service)
    if p == "*" then return true end
    if type(p) ~= "table" then return false end
    for _, a in ipairs(M.list(p.AWS)) do
        if a == "*" then return true end
    end
    for _, s in ipairs(M.list(p.Service)) do
        if type(s) == "string" and s:lower() == service then return true end
    end
    return false
end

function M.names_service(stmt, service)
    if stmt.NotPrincipal ~= nil then return not principal_has(stmt.NotPrincipal, service) end
    return principal_has(stmt.Principal, service)
end

-- The sts:ExternalId values a statement's Condition requires:
-- { {operator=, values={...}} }, empty when it requires none.
function M.external_ids(stmt)
    local out = {}
    if type(stmt.Condition) ~= "table" then return out end
    for op, kv in pairs(stmt.Condition) do
        if type(kv) == "table" then
            for key, v in pairs(kv) do
                if type(key) == "string" and key:lower() == "sts:externalid" then
                    out[#out + 1] = { operator = op, values = M.list(v) }
                end
            end
        end
    end
    return out
end

-- Does `value` satisfy one ExternalId condition? Values within one
-- condition are alternatives; a Not operator inverts the match; IfExists
-- is satisfied when no ExternalId is sent.
function M.external_id_satisfies(cond, value)
    local op = cond.operator:lower()
    if value == nil then return op:find("ifexists", 1, true) ~= nil end
    local negated = op:find("not", 1, true) ~= nil
    local like, nocase = op:find("like", 1, true), op:find("ignorecase", 1, true)
    local matched = false
    for _, want in ipairs(cond.values) do
        if type(want) == "string" then
            if like then
                matched = matched or M.glob(want, value, nocase)
            elseif nocase then
                matched = matched or want:lower() == value:lower()
            else
                matched = matched or want == value
            end
        end
    end
    if negated then return not matched end
    return matched
end

-- Does one statement's Condition let `value` through? Every ExternalId
-- condition in it must hold, as IAM requires of all its conditions.
function M.statement_allows_id(stmt, value)
    for _, c in ipairs(M.external_ids(stmt)) do
        if not M.external_id_satisfies(c, value) then return false end
    end
    return true
end

return M
