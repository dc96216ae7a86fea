-- batch: runs operations one after another, in the order given, as one script call. The
-- operations calls made at the same moment (a batch's cases, each on its own key) would
-- otherwise be as many script calls, each paying Redis's call overhead and this prelude.
-- Each operation still takes its own sequence number and records its own result, exactly as
-- if it had been called alone at that point.
-- KEYS[1] ledger sequence key
-- ARGV[1] key prefix; then for each operation: its name, the count n of its arguments after
-- the prefix, and those n arguments (opId, event time ms, hold window ms, its own).
-- Returns one JSON result per operation, in order.
local results = {}
local i = 2
while i <= #ARGV do
  local name, n = ARGV[i], tonumber(ARGV[i + 1])
  local args = { ARGV[1] }
  for j = 1, n do
    args[j + 1] = ARGV[i + 1 + j]
  end
  begin(args)
  results[#results + 1] = OPS[name]()
  i = i + 2 + n
end
return results
