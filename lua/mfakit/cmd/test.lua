-- mfakit test: runs test files written with mfakit.test (MFA login journeys,
-- and mfakit's own tests) and reports in text, TAP 14, JSON or JUnit XML.
-- Exit status: 0 all passed or skipped, 1 any failed or errored, 2 usage
-- (or nothing matched).
local cli = require "mfakit.cli"
local json = require "mfakit.json"
local junit = require "mfakit.junit"
local runner = require "mfakit.test.runner"
local report = require "mfakit.test.report"
local guard = require "mfakit.test.guard"
local task = require "mfakit.task"
local sys = require "mfakit.sys"

local DEF = {
    name = "test",
    usage = "[PATH...] [--filter PATTERN] [--tap] [--junit PATH] [--jobs N] [--list] [options]",
    summary = "Run test files: each PATH is a file, or a directory whose test_*.lua and *_test.lua are run, " ..
        "sorted (default ./tests).",
    options = {
        { "filter", "string", "PATTERN", "run only the cases whose \"file: case\" matches the Lua pattern" },
        { "tap", "flag", nil, "report in TAP version 14 on stdout" },
        { "junit", "string", "PATH", "also write a JUnit XML report to PATH" },
        { "jobs", "number", "N", "run up to N cases of a file at once (default 1)" },
        { "case-timeout", "number", "S", "a case (or hook, or clean-up) may take S seconds (default 60)" },
        { "list", "flag", nil, "list the cases (\"file: case\") without running them" },
        { "shard", "string", "I/N", "run every N-th file from the I-th (default MFAKIT_TEST_SHARD)" },
        { "no-leak-check", "flag", nil, "do not fail a case that leaves tasks, transfers or children behind" },
    },
    notes = "With --output json the results are one JSON document on stdout; with it or --tap, what the tests " ..
        "print goes to stderr.\n" ..
        "Exit status: 0 all passed or skipped, 1 a case failed or errored, 2 usage or no case matched, " ..
        "130/143 interrupted by SIGINT/SIGTERM (after clean-up and reports).\n" ..
        "Docs: docs/QA.md.",
}

-- The binary's own path, as the test files' arg[-1] (they start mfakit).
local function binary()
    local b, lowest = arg and arg[0], 0
    for k, v in pairs(arg or {}) do
        if math.type(k) == "integer" and k < lowest then lowest, b = k, v end
    end
    return b or "mfakit"
end

function DEF.run(opts, paths)
    if opts.tap and cli.json_output() then return cli.usage("test", "--tap and --output json: choose one") end
    local jobs = opts.jobs or 1
    if jobs < 1 or math.floor(jobs) ~= jobs then return cli.usage("test", "--jobs must be a whole number >= 1") end
    local timeout = opts["case-timeout"] or 60
    if timeout ~= timeout or timeout <= 0 then
        return cli.usage("test", "--case-timeout must be a number of seconds > 0")
    end
    local shard = opts.shard or os.getenv("MFAKIT_TEST_SHARD")
    local si, sn
    if shard and shard ~= "" then
        si, sn = shard:match("^(%d+)/(%d+)$")
        si, sn = tonumber(si), tonumber(sn)
        if not si or sn < 1 or si < 1 or si > sn then
            return cli.usage("test", "--shard (or MFAKIT_TEST_SHARD) must be I/N with 1 <= I <= N")
        end
    end
    if opts.filter and not pcall(string.find, "", opts.filter) then
        return cli.usage("test", "--filter is not a valid Lua pattern: " .. cli._shown(opts.filter))
    end
    if opts.junit then
        local ok, why = cli.output_path("junit", opts.junit)
        if not ok then return cli.usage("test", why) end
    end
    if #paths == 0 then paths = { "tests" } end
    local files, err = runner.discover(paths)
    if not files then return cli.usage("test", err) end
    if si then files = runner.shard(files, si, sn) end

    local me = binary()
    -- a machine-readable report on stdout: what the tests print goes to stderr
    local quiet_stdout = opts.tap or cli.json_output()
    -- ...and so does what a child process prints: the descriptor itself is
    -- moved aside while test files load and run (the report writes to `real`)
    local real
    -- (if stdout cannot be moved, closed for one, the run goes on without)
    local function divert()
        if quiet_stdout then real = sys.divert_stdout() end
        return real or io.stdout
    end
    local function restore()
        if real then sys.restore_stdout(real) end
        real = nil
    end
    divert()
    local ok_load, loaded, planned = pcall(guard.run, quiet_stdout, runner.load, files, opts.filter, me)
    restore()
    if not ok_load then error(loaded, 0) end
    if planned == 0 and not si then
        return cli.usage("test", opts.filter and "no case matches --filter " .. cli._shown(opts.filter) or
            "no test case found in " .. table.concat(paths, " "))
    end
    if planned == 0 then
        -- one shard of several may well be empty: that is no error
        io.stderr:write(string.format("mfakit test: shard %d/%d has no case (%d file(s) in it)\n", si, sn, #files))
    end
    if opts.list then
        if cli.json_output() then
            local doc = { files = json.array{} }
            for _, rec in ipairs(loaded) do
                local names = json.array{}
                for _, c in ipairs(rec.selected) do names[#names + 1] = report.scrub(c.name) end
                doc.files[#doc.files + 1] = { file = report.scrub(rec.file), cases = names, error = rec.load_error and
                    report.scrub(rec.load_error.message) or nil }
            end
            cli.print_json(doc)
        else
            for _, rec in ipairs(loaded) do
                if rec.load_error then
                    print(report.scrub(rec.file .. ": (load) error: " .. rec.load_error.message))
                end
                for _, c in ipairs(rec.selected) do print(report.scrub(rec.file .. ": " .. c.name)) end
            end
        end
        return 0
    end

    local stdout = divert()
    local rep = cli.json_output() and report.quiet() or (opts.tap and report.tap(stdout) or report.text(stdout))
    rep.plan(planned)
    -- Ctrl-C or SIGTERM: the runner ends the running cases, cleans up and
    -- reports, then the exit status says which signal
    sys.trap_signals()
    task.on_signal(runner.on_signal)
    local started = sys.monotonic()
    local ok_run, results = pcall(guard.run, quiet_stdout, runner.run, loaded, { jobs = jobs, timeout = timeout,
        leak_check = jobs == 1 and not opts["no-leak-check"], bin = me }, function(r)
        rep.case(r)
        stdout:flush()
    end)
    task.on_signal(nil)
    if not ok_run then
        restore()
        error(results, 0)
    end
    local wall = sys.monotonic() - started
    local totals = report.totals(results, wall)
    rep.finish(results, totals)
    restore()
    if cli.json_output() then cli.print_json(report.json(results, wall)) end
    if opts.junit then
        local ok, werr = junit.write(opts.junit, report.suites(results))
        if not ok then return cli.fail("test", werr) end
    end
    local sig = runner.interrupted()
    if sig then
        io.stderr:write("mfakit test: interrupted by SIG", sig, ": the running cases errored, the rest were not run\n")
        return sig == "INT" and 130 or 143
    end
    return (totals.fail + totals.error) > 0 and 1 or 0
end

return cli.command(DEF)
