-- mfakit.doctor.context: what the checks look at. Each AWS read is made
-- once, on first use, and kept (value, or nil and the error) for every
-- later check; nothing here changes anything in AWS.
--   new(opts) -> ctx; see mfakit.doctor for opts and docs/DOCTOR.md for
--   the fields and methods a check may use.
local aws = require "mfakit.aws"
local endpoints = require "mfakit.aws.endpoints"
local json = require "mfakit.json"
local errors = require "mfakit.errors"
local sys = require "mfakit.sys"
local state_mod = require "mfakit.stack.state"
local settings_mod = require "mfakit.stack.settings"
local sms_regions = require "mfakit.cognito.sms_regions"
local cloudwatch = require "mfakit.doctor.cloudwatch"
local paginate = require "mfakit.aws.paginate"

local M = {}

local Ctx = {}
Ctx.__index = Ctx

local function nonempty(s)
    if s == nil or s == "" or s == json.null then return nil end
    return s
end
M.nonempty = nonempty

-- A method that computes its answer once: the value, or nil and an error.
local function memo(name, fn)
    return function(self)
        local c = self.cache[name]
        if not c then
            c = table.pack(fn(self))
            self.cache[name] = c
        end
        return table.unpack(c, 1, c.n)
    end
end
M.memo = memo

local function load_stack(self, opts)
    local stack = opts.stack
    if not stack and not opts.user_pool_id then stack, self.default_stack = "mfa-sms", true end
    if not stack then return end
    local st, err = state_mod.load(self.state_dir, stack)
    if not st then
        self.state_error = err
    elseif st.existed then
        self.state, self.state_path = st.doc, st.path
    else
        self.state_path = st.path
    end
    if self.state or not self.default_stack then self.stack = stack end
    local saved = self.state and self.state.settings
    if saved then
        local merged = {}
        for k, v in pairs(saved) do merged[k] = v end
        merged.stack = stack
        self.expect = settings_mod.from(merged)
    end
end

function M.new(opts)
    opts = opts or {}
    local self = setmetatable({ opts = opts, cache = {}, results = {}, clients = {}, sns_ran_in = {} }, Ctx)
    self.now = opts.now or sys.now
    self.username = opts.username
    self.client_id = opts.client_id
    self.state_dir = opts.state_dir or state_mod.default_dir()
    load_stack(self, opts)
    local resources = self.state and self.state.resources or {}
    local stack_pool = (resources.pool or {}).id
    self.pool_id = opts.user_pool_id or stack_pool
    if self.pool_id == stack_pool then self.client_id = self.client_id or (resources.client or {}).id end
    self.region = opts.region or aws.region(opts.client) or (self.state and self.state.region)
        or endpoints.pool_region(self.pool_id)
    -- an AWS pool id starts with its region: that is where the pool is
    self.pool_region = endpoints.pool_region(self.pool_id) or self.region
    return self
end

-- An AWS client for a service in a region, made once. `extra` adds client
-- options (e.g. fewer retries for a call an emulator may not answer).
function Ctx:client(service, region, extra, tag)
    region = region or self.region
    local key = table.concat({ service, tostring(region), tag or "" }, "|")
    if not self.clients[key] then
        local o = {}
        for k, v in pairs(self.opts.client or {}) do o[k] = v end
        o.region = region
        local ep = (self.opts.endpoints or {})[service]
        if ep then o.endpoint = ep end
        for k, v in pairs(extra or {}) do o[k] = v end
        self.clients[key] = service == "cloudwatch" and cloudwatch.client(o) or aws.client(service, o)
    end
    return self.clients[key]
end

function Ctx:idp() return self:client("cognito-idp", self.pool_region) end
function Ctx:iam() return self:client("iam", self.region or self.pool_region) end

-- The result of a check that already ran: { id, status, message, fix }.
function Ctx:result(id) return self.results[id] end

-- Failures that stop every AWS read alike (no credentials, no region, no
-- network): once the credentials check has failed, the other checks skip
-- and point at it rather than repeat the same failure.
local UNREACHABLE = {
    NoCredentials = true, ExpiredCredentials = true, UnsupportedProfile = true, CredentialProcessFailed = true,
    InvalidConfigFile = true, NoRegion = true, InvalidRegion = true, InvalidEndpoint = true, ExpiredToken = true,
    InvalidClientTokenId = true, UnrecognizedClientException = true, SignatureDoesNotMatch = true,
    InvalidSignatureException = true, ConnectFailed = true, ResolveFailed = true, Timeout = true, TLSError = true,
}

function Ctx:unreachable(err)
    local r = self.results.credentials
    if type(err) == "table" and UNREACHABLE[err.code] and r and r.status == "fail" then
        return "cannot reach AWS (see credentials): " .. tostring(err.code)
    end
end

-- Account --------------------------------------------------------------------

Ctx.identity = memo("identity", function(self)
    return self:client("sts"):call("GetCallerIdentity")
end)

-- Pool -------------------------------------------------------------------------

local function no_pool(self)
    local why
    if self.stack and self.state_error then
        why = tostring(self.state_error)
    elseif self.stack and not self.state then
        why = "no state file " .. tostring(self.state_path) .. " for stack " .. self.stack
    elseif self.stack then
        why = "stack " .. self.stack .. " has no user pool recorded"
    else
        why = "no user pool given (--user-pool-id or --stack)"
    end
    return nil, errors.new{ code = "NoPool", message = why }
end

Ctx.pool = memo("pool", function(self)
    if not self.pool_id then return no_pool(self) end
    local out, err = self:idp():call("DescribeUserPool", { UserPoolId = self.pool_id })
    if not out then return nil, err end
    if type(out.UserPool) ~= "table" then
        return nil, errors.new{ code = "InvalidResponse", operation = "cognito-idp:DescribeUserPool",
                                message = "DescribeUserPool answered without a UserPool" }
    end
    return out.UserPool
end)

Ctx.mfa = memo("mfa", function(self)
    if not self:pool() then return nil, select(2, self:pool()) end
    return self:idp():call("GetUserPoolMfaConfig", { UserPoolId = self.pool_id })
end)

-- "OFF" | "ON" | "OPTIONAL" | nil: GetUserPoolMfaConfig says, else the pool.
function Ctx:mfa_mode()
    local m = self:mfa()
    if m and m.MfaConfiguration then return m.MfaConfiguration end
    local p = self:pool()
    return p and p.MfaConfiguration
end

-- The SMS message template, from the pool or its MFA configuration.
function Ctx:sms_message()
    local p, m = self:pool(), self:mfa()
    return p and nonempty(p.SmsAuthenticationMessage)
        or m and m.SmsMfaConfiguration and nonempty(m.SmsMfaConfiguration.SmsAuthenticationMessage)
end

-- The SMS role: { arn, name, account, external_id, sns_region, source }.
-- The pool's SmsConfiguration first; else its MFA configuration's; else the
-- role the stack made (so the role checks still run when the pool lost its
-- SMS settings: pool-sms-config reports that).
Ctx.sms_ref = memo("sms_ref", function(self)
    local p = self:pool()
    local m = p and self:mfa()
    local from_pool = p and p.SmsConfiguration
    local from_mfa = m and m.SmsMfaConfiguration and m.SmsMfaConfiguration.SmsConfiguration
    local role_rec = self.state and self.state.resources.role
    local ref
    if type(from_pool) == "table" and nonempty(from_pool.SnsCallerArn) then
        ref = { arn = from_pool.SnsCallerArn, external_id = nonempty(from_pool.ExternalId),
                sns_region = nonempty(from_pool.SnsRegion), source = "the pool's SmsConfiguration" }
    elseif type(from_mfa) == "table" and nonempty(from_mfa.SnsCallerArn) then
        ref = { arn = from_mfa.SnsCallerArn, external_id = nonempty(from_mfa.ExternalId),
                sns_region = nonempty(from_mfa.SnsRegion), source = "the pool's MFA configuration" }
    elseif role_rec and role_rec.arn then
        ref = { arn = role_rec.arn, external_id = self.state.external_id,
                source = "stack " .. self.stack .. "'s state" }
    else
        return nil
    end
    ref.name = (ref.arn:match(":role/(.+)$") or ""):match("([^/]+)$")
    ref.account = ref.arn:match("^arn:[^:]+:iam::(%d+):")
    return ref
end)

-- Role -------------------------------------------------------------------------

Ctx.role = memo("role", function(self)
    local ref = self:sms_ref()
    if not ref then return nil, errors.new{ code = "NoRole", message = "the pool names no SMS role" } end
    if not ref.name then
        return nil, errors.new{ code = "NoRole", message = ref.arn .. " is not an IAM role ARN" }
    end
    local out, err = self:iam():call("GetRole", { RoleName = ref.name })
    if not out then return nil, err end
    return out.Role
end)

local function managed_document(iam, arn)
    local pol, err = iam:call("GetPolicy", { PolicyArn = arn })
    if not pol then return nil, err end
    local v
    v, err = iam:call("GetPolicyVersion", { PolicyArn = arn, VersionId = pol.Policy.DefaultVersionId })
    if not v then return nil, err end
    return v.PolicyVersion.Document, pol.Policy.PolicyName
end

-- The role's permission policies: { {label=, kind=, document=} }, and the
-- permissions boundary's as a second list (empty when there is none).
Ctx.role_policies = memo("role_policies", function(self)
    local role, err = self:role()
    if not role then return nil, err end
    local iam, docs = self:iam(), {}
    local names
    names, err = paginate.all(iam, "ListRolePolicies", { RoleName = role.RoleName }, "PolicyNames")
    if not names then return nil, err end
    for _, name in ipairs(names) do
        local p
        p, err = iam:call("GetRolePolicy", { RoleName = role.RoleName, PolicyName = name })
        if not p then return nil, err end
        docs[#docs + 1] = { label = "inline policy " .. name, kind = "inline", document = p.PolicyDocument }
    end
    local attached
    attached, err = paginate.all(iam, "ListAttachedRolePolicies", { RoleName = role.RoleName }, "AttachedPolicies")
    if not attached then return nil, err end
    for _, a in ipairs(attached) do
        local doc, name = managed_document(iam, a.PolicyArn)
        if not doc then return nil, name end
        docs[#docs + 1] = { label = "managed policy " .. (a.PolicyName or name), kind = "managed", document = doc }
    end
    local boundary = {}
    local pb = role.PermissionsBoundary and nonempty(role.PermissionsBoundary.PermissionsBoundaryArn)
    if pb then
        local doc, name = managed_document(iam, pb)
        if not doc then return nil, name end
        boundary[1] = { label = "permissions boundary " .. name, kind = "boundary", document = doc }
    end
    return docs, boundary
end)

-- SNS ----------------------------------------------------------------------------

-- Where Cognito sends this pool's SMS from: see mfakit.cognito.sms_regions.
Ctx.sms_region = memo("sms_region", function(self)
    local region = self.pool_region
    if not region then return nil, errors.new{ code = "NoRegion", message = "no region known" } end
    local ref = self:pool() and self:sms_ref()
    return sms_regions.resolve(region, ref and ref.sns_region)
end)

-- An SNS call in the SMS region; remembers where the SNS checks ran.
function Ctx:sns_call(op, params, extra)
    local where = self:sms_region()
    local region = where and where.region or self.region
    self.sns_ran_in[region] = (self.sns_ran_in[region] or 0) + 1
    return self:client("sns", region, extra, extra and "quick" or nil):call(op, params)
end

Ctx.sms_attributes = memo("sms_attributes", function(self)
    -- all of them: moto answers a filter of two names with only the first
    local out, err = self:sns_call("GetSMSAttributes")
    if not out then return nil, err end
    return out.attributes or {}
end)

Ctx.month_spend = memo("month_spend", function(self)
    local where = self:sms_region()
    return cloudwatch.month_to_date_spend(self:client("cloudwatch", where and where.region or self.region,
        { max_attempts = 2, retry_base = 0.25 }), self.now())
end)

-- User and clients -------------------------------------------------------------------

-- The --username user for a check about them, or why the check skips:
-- nil, "skip", message [, fix].
function Ctx:user_or_skip()
    if not self.username then return nil, "skip", "no --username given", "add --username NAME to check a user" end
    if not self:pool() then return nil, "skip", "no user pool to look at (see pool-exists)" end
    local u = self:user()
    if not u then return nil, "skip", "user " .. self.username .. " cannot be read (see user-exists)" end
    return u
end

Ctx.user = memo("user", function(self)
    if not self.username then
        return nil, errors.new{ code = "NoUsername", message = "no --username given" }
    end
    local p, err = self:pool()
    if not p then return nil, err end
    local u
    u, err = self:idp():call("AdminGetUser", { UserPoolId = self.pool_id, Username = self.username })
    if not u then return nil, err end
    u.attributes = {}
    for _, a in ipairs(u.UserAttributes or {}) do u.attributes[a.Name] = a.Value end
    return u
end)

-- The app clients to look at: --client-id, else the stack's, else all of the pool's.
Ctx.app_clients = memo("app_clients", function(self)
    local p, err = self:pool()
    if not p then return nil, err end
    local ids = {}
    if self.client_id then
        ids[1] = self.client_id
    else
        local list
        list, err = paginate.all(self:idp(), "ListUserPoolClients", { UserPoolId = self.pool_id, MaxResults = 60 },
            "UserPoolClients")
        if not list then return nil, err end
        for _, c in ipairs(list) do ids[#ids + 1] = c.ClientId end
    end
    local clients = {}
    for _, id in ipairs(ids) do
        local d
        d, err = self:idp():call("DescribeUserPoolClient", { UserPoolId = self.pool_id, ClientId = id })
        if not d then return nil, err end
        clients[#clients + 1] = d.UserPoolClient
    end
    return clients
end)

M.Ctx = Ctx
return M
