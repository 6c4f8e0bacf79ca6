/**
 * Lua for the ledger hash, shared by the scripts that remove buckets. A bucket is up to three fields:
 * `<start>` (net credits), `<start>:b` (fromBalance) and `<start>:o` (overage). Needs `LUA_HELPERS`.
 */
export const LEDGER_LUA_HELPERS = `
local function hdel_buckets(hash, starts)
  local fields = {}
  for _, start in ipairs(starts) do
    fields[#fields + 1] = start
    fields[#fields + 1] = start .. ':b'
    fields[#fields + 1] = start .. ':o'
  end
  hdel_all(hash, fields)
end
`
