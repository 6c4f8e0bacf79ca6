/**
 * Lua shared by the store's scripts. `each_chunk` calls `f` with slices of at most 1000 items, since
 * Lua's `unpack` (used to pass many arguments to one command) fails on a few thousand values.
 */
export const LUA_HELPERS = `
local function each_chunk(items, f)
  for i = 1, #items, 1000 do
    f(unpack(items, i, math.min(i + 999, #items)))
  end
end
local function hdel_all(hash, fields)
  each_chunk(fields, function(...) redis.call('HDEL', hash, ...) end)
end
`
