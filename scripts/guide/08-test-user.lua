-- Guide step 08 alone: a test user with SMS MFA.
-- The same as `mfakit guide VERB --step 08 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/08-test-user.lua (its header says what it makes and which
-- IAM permissions it needs).
--   mfakit scripts/guide/08-test-user.lua up|down|plan|status [--stack NAME] [options]
return require("mfakit.cmd.guide").run_step("08", { ... })
