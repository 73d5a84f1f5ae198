-- Guide step 02 alone: Cognito user pool with SMS and TOTP MFA.
-- The same as `mfakit guide VERB --step 02 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/02-user-pool.lua (its header says what it makes and which
-- IAM permissions it needs).
--   mfakit scripts/guide/02-user-pool.lua up|down|plan|status [--stack NAME] [options]
return require("mfakit.cmd.guide").run_step("02", { ... })
