-- Guide step 03 alone: app client for the frontend.
-- The same as `mfakit guide VERB --step 03 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/03-app-client.lua (its header says what it makes and which
-- IAM permissions it needs).
--   mfakit scripts/guide/03-app-client.lua up|down|plan|status [--stack NAME] [options]
return require("mfakit.cmd.guide").run_step("03", { ... })
