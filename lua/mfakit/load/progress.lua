-- mfakit.load.progress: the live line on stderr while a run goes on.
--   p = progress.new{ mode = "auto"|"always"|"never", stream = io.stderr, isatty = bool }
--   p:show(snapshot)  -- { elapsed, rate, inflight, p95, errors, done, planned }
--   p:finish()
-- On a terminal the line is redrawn in place (carriage return, erase to the
-- end of the line); with "always" and no terminal, each update is a line of
-- its own, so a CI log shows the run's course. "auto" shows it only on a
-- terminal.
local M = {}

local P = {}
P.__index = P

function M.valid(mode) return mode == "auto" or mode == "always" or mode == "never" end

function M.new(o)
    local mode = o.mode or "auto"
    local on = mode == "always" or (mode == "auto" and o.isatty)
    return setmetatable({ on = on, tty = o.isatty, stream = o.stream or io.stderr, drawn = false }, P)
end

function M.line(s)
    return string.format("%5.0fs  %6.1f/s  %4d in flight  p95 %s  %d/%s done  %d errors", s.elapsed, s.rate,
        s.inflight, s.p95 and string.format("%.0f ms", s.p95 * 1000) or "-", s.done,
        s.planned and tostring(s.planned) or "?", s.errors)
end

-- The reverse of M.line, for a parent reading its workers' lines.
function M.parse(text)
    local elapsed, rate, inflight, p95, done, planned, errors = text:match(
        "^%s*([%d.]+)s%s+([%d.]+)/s%s+(%d+) in flight%s+p95 (%S+)[ ms]*%s+(%d+)/(%S+) done%s+(%d+) errors")
    if not elapsed then return nil end
    return { elapsed = tonumber(elapsed), rate = tonumber(rate), inflight = tonumber(inflight),
             p95 = tonumber(p95) and tonumber(p95) / 1000, done = tonumber(done), planned = tonumber(planned),
             errors = tonumber(errors) }
end

function P:show(s)
    if not self.on then return end
    if self.tty then
        self.stream:write("\r", M.line(s), "\27[K")
        self.drawn = true
    else
        self.stream:write(M.line(s), "\n")
    end
    self.stream:flush()
end

function P:finish()
    if self.on and self.tty and self.drawn then
        self.stream:write("\r\27[K")
        self.stream:flush()
    end
end

return M
