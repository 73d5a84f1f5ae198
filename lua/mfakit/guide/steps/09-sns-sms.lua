-- Guide step 9: the account's SNS SMS settings: DefaultSMSType
--   Transactional (delivery before cost, as one-time codes need) and, with
--   --spend-limit USD, MonthlySpendLimit.
-- Changes: account-wide SNS attributes in the region. The values found
--   first are kept in the state file and put back by `down`.
-- IAM permissions: sns:GetSMSAttributes, sns:SetSMSAttributes.
-- Run alone: mfakit guide up|down|plan|status --step 09 [--spend-limit USD]
local json = require "mfakit.json"

local step = { id = "09", name = "sns-sms", title = "SNS SMS spend limit and message type" }

local function wanted(ctx)
    local w = { DefaultSMSType = "Transactional" }
    if ctx.settings.spend_limit then w.MonthlySpendLimit = ctx.settings.spend_limit end
    return w
end

function step.inspect(ctx)
    -- all attributes: moto answers a filter of two names with only the first
    local out, err = ctx.sns:call("GetSMSAttributes")
    if not out then return nil, err end
    local current, changes = out.attributes or {}, {}
    for k, v in pairs(wanted(ctx)) do
        if current[k] ~= v then changes[#changes + 1] = k .. " " .. tostring(current[k] or "(unset)") .. " -> " .. v end
    end
    table.sort(changes)
    return { exists = #changes == 0, current = current, changes = changes }
end

function step.up(ctx)
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    if #now.changes == 0 then return "exists", "DefaultSMSType Transactional" end
    local saved = ctx.state:get("sns")
    if not saved then
        -- keep what the account had, once, so `down` can put it back
        assert(ctx.state:set("sns", { previous = next(now.current) and now.current or json.null, set = wanted(ctx) }))
    else
        assert(ctx.state:set("sns", { set = wanted(ctx) }))
    end
    local ok
    ok, err = ctx.sns:call("SetSMSAttributes", { attributes = wanted(ctx) })
    if not ok then return nil, err end
    return "updated", table.concat(now.changes, ", ")
end

function step.down(ctx)
    local saved = ctx.state:get("sns")
    if not saved then return "absent", "SMS attributes were not changed by this stack" end
    local now, err = step.inspect(ctx)
    if not now then return nil, err end
    local restore = {}
    local previous = saved.previous ~= json.null and saved.previous or {}
    for k, v in pairs(saved.set or {}) do
        -- put back only what still holds our value: a later change by hand stays
        if now.current[k] == v and previous[k] and previous[k] ~= v then restore[k] = previous[k] end
    end
    if next(restore) then
        local ok
        ok, err = ctx.sns:call("SetSMSAttributes", { attributes = restore })
        if not ok then return nil, err end
    end
    ctx.state:forget("sns")
    return next(restore) and "restored" or "left", next(restore) and "previous SMS attributes" or
        "account-wide SMS attributes (nothing earlier to restore)"
end

return step
