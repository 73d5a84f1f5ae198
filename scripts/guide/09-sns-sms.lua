-- Guide step 09 alone: SNS SMS spend limit and message type.
-- The same as `mfakit guide VERB --step 09 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/09-sns-sms.lua (its header says what it makes and which
-- IAM permissions it needs).
--   mfakit scripts/guide/09-sns-sms.lua up|down|plan|status [--stack NAME] [options]
return require("mfakit.cmd.guide").run_step("09", { ... })
