-- Guide step 10 alone: the SMS spend alarm (SNS topic, email, CloudWatch alarm).
-- The same as `mfakit guide VERB --step 10 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/10-spend-alarm.lua (its header says what it makes and which
-- IAM permissions it needs).
--   mfakit scripts/guide/10-spend-alarm.lua up|down|plan|status [--stack NAME] --alarm-email ADDRESS [options]
return require("mfakit.cmd.guide").run_step("10", { ... })
