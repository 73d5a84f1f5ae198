-- Guide step 4: the frontend's .env: VITE_AWS_REGION,
--   VITE_MFA_SMS_USER_POOL_ID, VITE_MFA_SMS_CLIENT_ID.
-- Creates: nothing in AWS; `mfakit guide env --write PATH` writes the file.
-- IAM permissions: none (it reads the stack's state file).
-- Run alone: mfakit guide up|plan|status --step 04 [--stack NAME]
local guide = require "mfakit.guide.common"

local step = { id = "04", name = "env", title = "the frontend's .env values" }

function step.inspect(ctx)
    local lines = guide.env_lines(ctx)
    -- guide.inspect runs the pool step first and notes the pool it found
    if not lines or (ctx.inspecting and not ctx.pool_id) then
        return { exists = false, changes = { "(after the pool and client exist)" } }
    end
    return { exists = true, changes = {}, lines = lines }
end

function step.up(ctx)
    local lines = guide.env_lines(ctx)
    if not lines then return "skipped", "no pool or client yet" end
    return "ready", "mfakit guide env --write .env"
end

function step.down()
    return "absent", "nothing to delete"
end

return step
