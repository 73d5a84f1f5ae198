-- mfakit.cost.rng: a small seeded generator (SplitMix64), so that a
-- simulation repeats exactly for a seed whatever order its tasks run in:
-- each batch of users gets its own stream, derived from (seed, run, batch).
--   stream(seed, ...) -> next   next() -> a float in [0, 1)
-- Not for secrets: mfakit.crypto has the random bytes for those.
local M = {}

local GOLDEN = 0x9E3779B97F4A7C15

local function mix(z)
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    return z ~ (z >> 31)
end

function M.stream(seed, ...)
    local state = mix(math.tointeger(seed) or error("rng.stream: an integer seed expected", 2))
    for i = 1, select("#", ...) do
        state = mix(state + GOLDEN * (math.tointeger((select(i, ...))) + 1))
    end
    return function()
        state = state + GOLDEN
        return (mix(state) >> 11) * 0x1p-53
    end
end

return M
