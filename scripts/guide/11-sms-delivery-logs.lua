-- Guide step 11 alone: SNS SMS delivery-status logs (a role for SNS, the sampling rate).
-- The same as `mfakit guide VERB --step 11 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/11-sms-delivery-logs.lua (its header says what it makes and
-- which IAM permissions it needs).
--   mfakit scripts/guide/11-sms-delivery-logs.lua up|down|plan|status [--stack NAME] --sms-delivery-logs
return require("mfakit.cmd.guide").run_step("11", { ... })
