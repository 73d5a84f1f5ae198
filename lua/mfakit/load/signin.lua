-- mfakit.load.signin: one Cognito sign-in as a load scenario, with its
-- phases timed: InitiateAuth, each challenge answered (MFA for SMS_MFA and
-- SOFTWARE_TOKEN_MFA), and the whole sign-in (timed by mfakit.load).
--   load.run{ scenario = signin.scenario{ idp =, users = { { username, password, totp_secret } },
--                                         sms_code =, flow = }, ... }
-- Users are taken in turn, arrival by arrival (of the whole schedule, so
-- workers and shards take the same turns).
local M = {}

M.PHASE = { SMS_MFA = "MFA", SOFTWARE_TOKEN_MFA = "MFA" }

function M.scenario(o)
    local idp, users = o.idp, o.users
    return function(vu)
        local u = users[((vu.arrival or vu.iteration) - 1) % #users + 1]
        local r, err = idp:sign_in{
            username = u.username, password = u.password, flow = o.flow, sms_code = u.sms_code or o.sms_code,
            totp = u.totp_secret and { totp_secret = u.totp_secret } or nil,
            on_step = function(step, seconds) vu:phase(M.PHASE[step] or step, seconds) end,
        }
        if not r then return nil, err end
        return { flow = #r.challenges > 0 and table.concat(r.challenges, ">") or "(no challenge)" }
    end
end

return M
