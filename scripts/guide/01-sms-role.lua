-- Guide step 01 alone: IAM role for Cognito to send SMS.
-- The same as `mfakit guide VERB --step 01 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/01-sms-role.lua (its header says what it makes and which
-- IAM permissions it needs).
--   mfakit scripts/guide/01-sms-role.lua up|down|plan|status [--stack NAME] [options]
return require("mfakit.cmd.guide").run_step("01", { ... })
