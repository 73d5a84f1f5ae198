-- mfakit.cli.complete: the bash and zsh completion scripts, made from the
-- commands' declarations (their option rows and the values a row takes),
-- at build time. What changes while the user works is found when a word
-- is completed: the stacks (the state folder's <stack>.json files) and the
-- scripts `mfakit run` finds (`mfakit run --list`).
-- One sh part decides what to offer (the same in bash and zsh); a few lines
-- per shell hand it to that shell's completion.
local check = require("mfakit.args").check
local cli = require "mfakit.cli"

local M = {}

-- What an option takes, as the sh part reads it.
local function takes(row)
    if row[2] == "flag" then return "flag" end
    local values = cli.values(row)
    if values then return "values " .. table.concat(values, " ") end
    if row[1] == "stack" then return "stack" end
    local arg = row[3] or ""
    if arg == "DIR" then return "dir" end
    if arg == "PATH" or arg == "FILE" or row[1] == "write" then return "file" end
    return "any"
end

local function quote(s)
    return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- The words a command takes after it: "commands", "scripts", or its
-- verbs read from its usage ("up|down|status|env|plan ...").
local function positional(def)
    if def.complete then return def.complete end
    local first = (def.usage or ""):match("^(%S+)")
    if first and first:find("|", 1, true) and first:match("^[%l|-]+$") then
        return "values " .. first:gsub("|", " ")
    end
    return "files"
end

-- commands: { { name, def } } in order; global: the global rows.
local function data(commands, global)
    local out = {}
    local names = {}
    for _, c in ipairs(commands) do names[#names + 1] = c[1] end
    out[#out + 1] = "_mfakit_commands() { echo " .. quote(table.concat(names, " ")) .. "; }"
    local gl = {}
    for _, r in ipairs(global) do gl[#gl + 1] = "--" .. r[1] end
    out[#out + 1] = "_mfakit_options() {"
    out[#out + 1] = "    case $1 in"
    for _, c in ipairs(commands) do
        local opts = {}
        for _, r in ipairs(c[2].options or {}) do opts[#opts + 1] = "--" .. r[1] end
        opts[#opts + 1] = "--help"
        out[#out + 1] = "        " .. quote(c[1]) .. ") echo " .. quote(table.concat(opts, " ")) .. " ;;"
    end
    out[#out + 1] = "        '') echo '--help --version' ;;"
    out[#out + 1] = "    esac"
    out[#out + 1] = "    echo " .. quote(table.concat(gl, " "))
    out[#out + 1] = "}"
    out[#out + 1] = "_mfakit_takes() {"
    out[#out + 1] = "    case \"$1 $2\" in"
    for _, c in ipairs(commands) do
        for _, r in ipairs(c[2].options or {}) do
            out[#out + 1] = "        " .. quote(c[1] .. " --" .. r[1]) .. ") echo " .. quote(takes(r)) .. " ;;"
        end
    end
    for _, r in ipairs(global) do
        out[#out + 1] = "        *" .. quote(" --" .. r[1]) .. ") echo " .. quote(takes(r)) .. " ;;"
    end
    out[#out + 1] = "        *' --help'|*' --version'|' -h'|' -v') echo flag ;;"
    out[#out + 1] = "        *) echo any ;;"
    out[#out + 1] = "    esac"
    out[#out + 1] = "}"
    out[#out + 1] = "_mfakit_args() {"
    out[#out + 1] = "    case $1 in"
    for _, c in ipairs(commands) do
        out[#out + 1] = "        " .. quote(c[1]) .. ") echo " .. quote(positional(c[2])) .. " ;;"
    end
    out[#out + 1] = "        *) echo files ;;"
    out[#out + 1] = "    esac"
    out[#out + 1] = "}"
    return table.concat(out, "\n")
end

-- _mfakit_reply N WORD0 WORD1 ...: what to offer for word N (0 is the
-- program): "w WORDS" (these words), "f" (files), "d" (folders), or "".
local REPLY = [[
_mfakit_stacks() {
    ls -1 "$1" 2>/dev/null | sed -n 's/\.json$//p' | tr '\n' ' '
}
_mfakit_reply() {
    local n=$1 bin=$2 i=1 cmd= arg= skip= dir= loc= w t cur
    shift 2
    while [ $# -gt 0 ] && [ "$i" -lt "$n" ]; do
        w=$1
        if [ "$w" = = ]; then
            : # bash splits --name=value at the '=': the value follows
        elif [ -n "$skip" ]; then
            [ "$skip" = --state-dir ] && dir=$w
            skip=
        else
            case $w in
                --local) loc=1 ;;
                --state-dir=*) dir=${w#*=} ;;
                --*=*) ;;
                -*) [ "$(_mfakit_takes "$cmd" "$w")" = flag ] || skip=$w ;;
                *) if [ -z "$cmd" ]; then cmd=$w; elif [ -z "$arg" ]; then arg=$w; fi ;;
            esac
        fi
        i=$((i + 1))
        shift
    done
    cur=${1-}
    [ "$cur" = = ] && cur=
    if [ -n "$skip" ]; then
        t=$(_mfakit_takes "$cmd" "$skip")
        case $t in
            "values "*) echo "w ${t#values }" ;;
            stack) [ -n "$dir" ] || { dir=.mfakit; [ -n "$loc" ] && dir=.mfakit/local; }
                   echo "w $(_mfakit_stacks "$dir")" ;;
            file) echo f ;;
            dir) echo d ;;
            *) echo ;;
        esac
        return
    fi
    case $cur in -*) echo "w $(_mfakit_options "$cmd")"; return ;; esac
    if [ -z "$cmd" ]; then echo "w $(_mfakit_commands)"; return; fi
    if [ -n "$arg" ]; then echo f; return; fi
    t=$(_mfakit_args "$cmd")
    case $t in
        commands) echo "w $(_mfakit_commands)" ;;
        scripts) echo "w $("$bin" run --list 2>/dev/null |
                          while read -r w _; do printf '%s %s ' "$w" "${w##*/}"; done)" ;;
        "values "*) echo "w ${t#values }" ;;
        *) echo f ;;
    esac
}]]

local BASH = [[
_mfakit() {
    local r
    r=$(_mfakit_reply "$COMP_CWORD" "${COMP_WORDS[@]}")
    case $r in
        "w "*) COMPREPLY=($(compgen -W "${r#w }" -- "${COMP_WORDS[COMP_CWORD]#=}")) ;;
        f) COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]#=}")) ;;
        d) COMPREPLY=($(compgen -d -- "${COMP_WORDS[COMP_CWORD]#=}")) ;;
        *) COMPREPLY=() ;;
    esac
}
complete -F _mfakit mfakit]]

local ZSH = [[
_mfakit() {
    local r
    r=$(_mfakit_reply $((CURRENT - 1)) "${words[@]}")
    case $r in
        "w "*) compadd -- ${=r#w } ;;
        f) _files ;;
        d) _files -/ ;;
    esac
}
_mfakit "$@"]]

-- script(shell, commands, global) -> text. commands: { { name, def } }.
function M.script(shell, commands, global)
    check(1, "complete.script", shell, "string")
    check(2, "complete.script", commands, "table")
    local head = shell == "zsh" and "#compdef mfakit\n" or ""
    local glue = shell == "zsh" and ZSH or BASH
    return head .. "# mfakit " .. shell .. " completion, made by `mfakit help --completion " .. shell ..
        "` from the commands' declarations.\n" .. data(commands, global or cli.GLOBAL) .. "\n" .. REPLY .. "\n" ..
        glue .. "\n"
end

return M
