-- Guide step 04 alone: the frontend's .env values.
-- The same as `mfakit guide VERB --step 04 [options]`: the same stack, state
-- file and options, one step. The step itself is
-- lua/mfakit/guide/steps/04-env.lua (its header says what it makes and which
-- IAM permissions it needs).
--   mfakit scripts/guide/04-env.lua up|down|plan|status [--stack NAME] [options]
return require("mfakit.cmd.guide").run_step("04", { ... })
