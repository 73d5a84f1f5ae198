-- mfakit.cli.man: a manual page (roff, man(7) macros) made from a command's
-- declaration: the same { name, usage, summary, options, notes } that
-- `--help` and `mfakit help COMMAND` print, so page and help cannot drift.
local check = require("mfakit.args").check

local M = {}

-- Text as roff reads it: backslashes doubled, dashes as \-, and a line
-- that starts with . or ' guarded so it is not taken for a request.
local function esc(text)
    text = text:gsub("\\", "\\e"):gsub("%-", "\\-")
    return (text:gsub("^([.'])", "\\&%1"):gsub("\n([.'])", "\n\\&%1"))
end

-- A block kept as written (its line breaks and indentation mean something:
-- the verbs of guide, the sources of totp).
local function verbatim(text)
    return ".nf\n" .. esc((text:gsub("\n$", ""))) .. "\n.fi"
end

local function rows(out, list)
    for _, row in ipairs(list) do
        out[#out + 1] = ".TP"
        out[#out + 1] = "\\fB\\-\\-" .. esc(row[1]) .. "\\fR" .. (row[3] and (" \\fI" .. esc(row[3]) .. "\\fR") or "")
        out[#out + 1] = esc(row[4] or "")
    end
end

-- page(def, opts) -> roff text. opts: version (the footer), global (the
-- global option rows), see_also (page names), title (the page's own name,
-- default mfakit-<name>), commands (for mfakit(1): rows { name, summary }).
function M.page(def, opts)
    check(1, "man.page", def, "table")
    opts = opts or {}
    local title = opts.title or ("mfakit-" .. def.name)
    local command = title == "mfakit" and "mfakit" or ("mfakit " .. def.name)
    local out = {
        string.format('.TH %s 1 "" "mfakit %s" "mfakit manual"', title:upper(), esc(opts.version or "")),
        ".SH NAME",
        esc(title) .. " \\- " .. esc(opts.oneline or def.oneline or ""),
        ".SH SYNOPSIS",
    }
    for i, u in ipairs(type(def.usage) == "table" and def.usage or { def.usage or "" }) do
        if i > 1 then out[#out + 1] = ".br" end
        out[#out + 1] = "\\fB" .. esc(command) .. "\\fR " .. esc(u:match("^([^\n]*)"))
        for more in u:gmatch("\n%s*([^\n]+)") do
            out[#out + 1] = ".br"
            out[#out + 1] = esc(more)
        end
    end
    if def.summary then
        out[#out + 1] = ".SH DESCRIPTION"
        out[#out + 1] = verbatim(def.summary)
    end
    if opts.commands then
        out[#out + 1] = ".SH COMMANDS"
        for _, c in ipairs(opts.commands) do
            out[#out + 1] = ".TP"
            out[#out + 1] = "\\fB" .. esc(c[1]) .. "\\fR"
            out[#out + 1] = esc(c[2] or "") .. " (\\fBmfakit\\-" .. esc(c[1]) .. "\\fR(1))"
        end
    end
    if def.options and #def.options > 0 then
        out[#out + 1] = ".SH OPTIONS"
        rows(out, def.options)
    end
    if opts.global then
        out[#out + 1] = ".SH GLOBAL OPTIONS"
        rows(out, opts.global)
    end
    if def.notes then
        out[#out + 1] = ".SH NOTES"
        out[#out + 1] = verbatim(def.notes)
    end
    if opts.see_also and #opts.see_also > 0 then
        out[#out + 1] = ".SH SEE ALSO"
        local refs = {}
        for _, name in ipairs(opts.see_also) do refs[#refs + 1] = "\\fB" .. esc(name) .. "\\fR(1)" end
        out[#out + 1] = table.concat(refs, ", ")
    end
    return table.concat(out, "\n") .. "\n"
end

return M
