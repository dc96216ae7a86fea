-- confirmOffer: whether a bed offered to a case is still held for it under that transfer
-- (the case may have been withdrawn, placed again or its hold expired since). A read, but
-- one in the ledger's order, so a replay sees the same answer.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5] caseId, A[6] transferId
-- Returns JSON: {seq, current = true|false, offers, expired, nextDue}
local done = recorded()
if done then
  return done
end
local seq = nextSeq()
local v = redis.call("HMGET", key("case", A[5]), "state", "transferId")
return settle({ seq = seq, current = v[1] == "held" and v[2] == A[6] }, {})
