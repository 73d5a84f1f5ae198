-- luacheck settings: Lua 5.4, no globals beyond the standard library and `arg`.
std = "lua54"
max_line_length = 120
exclude_files = { "tests/oracle/node_modules/**" }
files["lua/mfakit/aws/hints/*.lua"] = { max_line_length = false }
files["tests/**/*.lua"] = { max_line_length = 132 }
