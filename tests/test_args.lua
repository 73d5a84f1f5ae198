-- tests/test_args.lua: misusing a public function raises Lua's own
-- "bad argument #n to 'f' (... expected, got ...)", never "attempt to index".
local function m(name) return require("mfakit." .. name) end

local function idp()
    return m("cognito").new{ user_pool_id = "us-east-1_x", client_id = "c", endpoint = "http://127.0.0.1:9" }
end

-- { call, the text the error must hold }
local CASES = {
    { function() return m("aws").region(true) end, "bad argument #1 to 'aws.region' (table or nil expected, got boolean)" },
    { function() return m("aws").endpoint(nil) end, "bad argument #1 to 'aws.endpoint' (string expected, got nil)" },
    { function() return m("aws").endpoint("sts", 5) end, "bad argument #2 to 'aws.endpoint' (string expected" },
    { function() return m("aws").credentials(true) end, "bad argument #1 to 'aws.credentials' (table or nil expected" },
    { function() return m("aws").client(nil) end, "bad argument #1 to 'aws.client' (string expected, got nil)" },
    { function() return m("aws").client("sts", 5) end, "bad argument #2 to 'aws.client' (table or nil expected" },
    { function() return m("redact").header(nil) end, "bad argument #1 to 'redact.header' (string expected, got nil)" },
    { function() return m("redact").header("a", {}) end, "bad argument #2 to 'redact.header'" },
    { function() return m("cli").parse(nil) end, "bad argument #1 to 'cli.parse' (table expected, got nil)" },
    { function() return m("cli").parse({}, nil) end, "bad argument #2 to 'cli.parse' (table expected, got nil)" },
    { function() return m("cli").parse({ 5 }, {}) end, "bad argument #1 to 'cli.parse' (string expected, got number)" },
    { function() return m("cli").fail(nil, "x") end, "bad argument #1 to 'cli.fail' (string expected" },
    { function() return m("cli").secret_from_env(5, "x") end, "bad argument #1 to 'cli.secret_from_env'" },
    { function() return m("guide").context(nil) end, "bad argument #1 to 'guide.context' (table expected, got nil)" },
    { function() return m("cognito").code_source("x", true) end,
      "bad argument #2 to 'code_source' (string or nil expected, got boolean)" },
    { function() return m("cognito").code_source(nil) end, "bad argument #1 to 'code_source'" },
    { function() return m("cognito").code_source({}) end, "bad argument #1 to 'code_source'" },
    { function() return m("cognito").new(nil) end, "bad argument #1 to 'cognito.new' (table expected, got nil)" },
    { function() return m("cognito").decode_jwt(nil) end, "bad argument #1 to 'cognito.decode_jwt'" },
    { function() return m("cognito").verify_token("x", nil) end, "bad argument #2 to 'cognito.verify_token'" },
    { function() return m("cognito").check_phone(nil) end, "bad argument #1 to 'cognito.check_phone'" },
    { function() return idp():sign_in(nil) end, "bad argument #1 to 'idp:sign_in' (table expected, got nil)" },
    { function() return idp():refresh(nil) end, "bad argument #1 to 'refresh' (table expected, got nil)" },
    { function() return idp():sign_up(nil) end, "bad argument #1 to 'sign_up' (table expected, got nil)" },
    { function() return idp():global_sign_out(nil) end, "bad argument #1 to 'idp:global_sign_out'" },
    { function() return idp():revoke(nil) end, "bad argument #1 to 'idp:revoke'" },
    { function() return idp():verify_token("x", 5) end, "bad argument #2 to 'idp:verify_token'" },
    { function() return idp():get_user(nil) end, "bad argument #1 to 'idp:get_user'" },
    { function() return idp():update_attributes("t", 5) end, "bad argument #2 to 'idp:update_attributes'" },
    { function() return idp():set_mfa("t", nil) end, "bad argument #2 to 'idp:set_mfa' (table expected, got nil)" },
    { function() return idp():setup_totp("t", 5) end, "bad argument #2 to 'idp:setup_totp'" },
    { function() return idp():confirm_device("t", nil) end, "bad argument #2 to 'idp:confirm_device'" },
    { function() return idp():list_devices(nil) end, "bad argument #1 to 'idp:list_devices'" },
    { function() return idp():forget_device("t", nil) end, "bad argument #2 to 'idp:forget_device'" },
    { function() return idp():call(nil) end, "bad argument #1 to 'idp:call' (string expected, got nil)" },
    { function() return idp():call("GetUser", {}, 5) end, "bad argument #3 to 'idp:call'" },
    { function() return m("errors").new(nil) end, "bad argument #1 to 'errors.new'" },
    { function() return m("atexit").register(nil) end, "bad argument #1 to 'atexit.register' (function expected" },
    { function() return m("emulator").start(5) end, "bad argument #1 to 'emulator.start'" },
    { function() return m("emulator").use(nil) end, "bad argument #1 to 'emulator.use' (table expected, got nil)" },
    { function() return m("task").spawn(nil) end, "bad argument #1 to 'task.spawn' (function expected, got nil)" },
    { function() return m("task").wait({}) end, "bad argument #1 to 'task.wait' (task expected, got table)" },
    { function() return m("http").request("x") end, "bad argument #1 to 'http.request' (table expected, got string)" },
    { function() return m("doctor").run(5) end, "bad argument #1 to 'doctor.run' (table or nil expected" },
    { function() return m("secrets").from_env(nil) end, "bad argument #1 to 'secrets.from_env'" },
    { function() return m("sys").run(nil) end, "bad argument #1 to 'run' (table expected" },
}

local t = require "mfakit.test"
t.case("misused library functions say which argument is wrong", function()
    for i, c in ipairs(CASES) do
        local ok, err = pcall(c[1])
        t.ok(not ok, "case " .. i .. " raised nothing")
        err = tostring(err)
        t.ok(err:find(c[2], 1, true), "case " .. i .. ": want '" .. c[2] .. "', got: " .. err)
        t.ok(not err:find("attempt to", 1, true), err)
    end
end)
