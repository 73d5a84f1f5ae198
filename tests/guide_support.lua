-- tests/guide_support.lua: what the guide's lifecycle tests share: running
-- `mfakit guide` against moto, reading the state, finding what a stack left
-- in the account, and the one generator of random `up` options (options
-- added later, such as device tracking or alarms, join OPTION_GEN).
--   local gs = dofile("tests/guide_support.lua").new(moto, state_dir)
local json = require "mfakit.json"
local support = dofile("tests/support.lua")

local M = {}

local G = {}
G.__index = G

function M.new(moto, state_dir)
    local self = setmetatable({ moto = moto, dir = state_dir, bin = support.bin() }, G)
    self.iam = support.admin("iam", moto)
    self.idp = support.admin("cognito-idp", moto)
    self.sns = support.admin("sns", moto)
    self.cw = support.admin("cloudwatch", moto)
    return self
end

function G:cmd(args)
    return string.format("AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing " ..
        "AWS_REGION=us-east-1 %s guide %s --state-dir %s", self.moto, self.bin, args, self.dir)
end

function G:run(args)
    return support.run(self:cmd(args))
end

-- Starts `guide ARGS` in the background; returns its pid.
function G:start(args)
    local p = assert(io.popen(self:cmd(args) .. " >/dev/null 2>&1 & echo $!"))
    local pid = p:read("l")
    p:close()
    return pid
end

function G:state_path(stack) return self.dir .. "/" .. stack .. ".json" end

function G:state(stack)
    local f = io.open(self:state_path(stack))
    if not f then return nil end
    local doc = json.decode(f:read("a"))
    f:close()
    return doc
end

function G:write_state(stack, text)
    os.execute("mkdir -p " .. self.dir)
    local f = assert(io.open(self:state_path(stack), "w"))
    f:write(text)
    f:close()
end

local function all_pages(client, op, params, key)
    local out, p = {}, {}
    for k, v in pairs(params or {}) do p[k] = v end
    for _ = 1, 100 do
        local r = assert(client:call(op, p))
        for _, x in ipairs(r[key] or {}) do out[#out + 1] = x end
        local token = r.NextToken or (r.IsTruncated and r.Marker)
        if not token then return out end
        if r.Marker then p.Marker = token else p.NextToken = token end
    end
    error(op .. ": too many pages")
end

-- Every pool whose name is in `names` or that carries the stack's tag.
function G:pools_of(stack, names)
    local want, out = {}, {}
    for _, n in ipairs(names or {}) do want[n] = true end
    for _, p in ipairs(all_pages(self.idp, "ListUserPools", { MaxResults = 60 }, "UserPools")) do
        local d = self.idp:call("DescribeUserPool", { UserPoolId = p.Id })
        local tagged = d and (d.UserPool.UserPoolTags or {})["mfakit:stack"] == stack
        if want[p.Name] or tagged then out[#out + 1] = p.Id end
    end
    return out
end

-- Every role whose name is in `names` or that carries the stack's tag.
function G:roles_of(stack, names)
    local want, out = {}, {}
    for _, n in ipairs(names or {}) do want[n] = true end
    for _, r in ipairs(all_pages(self.iam, "ListRoles", {}, "Roles")) do
        local tagged = false
        local got = self.iam:call("GetRole", { RoleName = r.RoleName })
        for _, t in ipairs(got and got.Role.Tags or {}) do
            if t.Key == "mfakit:stack" and t.Value == stack then tagged = true end
        end
        if want[r.RoleName] or tagged then out[#out + 1] = r.RoleName end
    end
    table.sort(out)
    return out
end

function G:clients_of(pool_id)
    local out = {}
    for _, c in ipairs(all_pages(self.idp, "ListUserPoolClients", { UserPoolId = pool_id, MaxResults = 60 },
        "UserPoolClients")) do
        out[#out + 1] = c.ClientName
    end
    table.sort(out)
    return out
end

-- The stack's spend alarm and its topic (step 10), each false when absent.
function G:alarm_of(stack)
    local name = stack .. "-sms-spend"
    local alarms = assert(self.cw:call("DescribeAlarms", { AlarmNames = { name } })).MetricAlarms or {}
    local topic = false
    for _, tp in ipairs(all_pages(self.sns, "ListTopics", {}, "Topics")) do
        if tp.TopicArn:match(":([^:]+)$") == name then topic = tp.TopicArn end
    end
    return alarms[1] or false, topic
end

-- The one generator of `guide up` options: a random, valid choice for each
-- option that shapes a stack (nil = leave it out, true = a flag). `rng(n)`
-- gives 1..n.
M.OPTION_GEN = {
    { "role-name", function(rng, stack) return ({ nil, stack .. "-r1", stack .. "-r2" })[rng(3)] end },
    { "pool-name", function(rng, stack, first)
        -- only on the first up: a pool cannot be renamed
        if first and rng(2) == 1 then return stack .. "-p1" end
    end },
    { "client-name", function(rng, stack) return ({ nil, stack .. "-c1", stack .. "-c2" })[rng(3)] end },
    { "sns-policy", function(rng) return ({ nil, "inline", "full" })[rng(3)] end },
    { "mfa", function(rng) return ({ nil, "OFF", "OPTIONAL", "ON" })[rng(4)] end },
    { "sms", function(rng) return ({ nil, "on", "off" })[rng(3)] end },
    { "totp", function(rng) return ({ nil, "on", "off" })[rng(3)] end },
    { "spend-limit", function(rng) return ({ nil, "5", "10.00" })[rng(3)] end },
    { "test-user", function(rng) return rng(4) == 1 and "qa@example.com" or nil end },
    { "device-tracking", function(rng) return ({ nil, "always", "opt-in", "off" })[rng(4)] end },
    { "alarm-email", function(rng) return ({ nil, "ops@example.com", "sec@example.com" })[rng(3)] end },
    { "alarm-at", function(rng) return ({ nil, "50", "100" })[rng(3)] end },
    { "sms-delivery-logs", function(rng) return rng(4) == 1 or nil end },
}

-- Random options for one `up` as an argument string, and the values chosen.
function M.random_options(rng, stack, first)
    local chosen = {}
    for _, gen in ipairs(M.OPTION_GEN) do chosen[gen[1]] = gen[2](rng, stack, first) end
    -- MFA needs one method (left out, a method keeps what the stack has, so
    -- name both when one is off)
    if chosen.sms == "off" or chosen.totp == "off" then
        if chosen.sms == "off" then chosen.totp = "on" else chosen.sms = chosen.sms or "on" end
    end
    -- a threshold alone is refused unless an address came with it (the
    -- state may hold one, but the generator does not track that)
    if not chosen["alarm-email"] then chosen["alarm-at"] = nil end
    local args = {}
    for _, gen in ipairs(M.OPTION_GEN) do
        local k, v = gen[1], chosen[gen[1]]
        if k == "sms" or k == "totp" then
            if v then args[#args + 1] = (v == "on" and "--" or "--no-") .. k end
        elseif v == true then
            args[#args + 1] = "--" .. k
        elseif v ~= nil then
            args[#args + 1] = "--" .. k .. " " .. v
        end
    end
    if chosen["test-user"] then args[#args + 1] = "--phone +15555550100" end
    return table.concat(args, " "), chosen
end

return M
