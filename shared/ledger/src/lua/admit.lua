-- admit: the intake system admitted a held transfer; the hold becomes an occupied bed.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5] caseId, A[6] transferId, A[7] facilityId
-- Returns JSON: {outcome="admitted", seq, facilityId, bedClass, offers, expired, nextDue}
--            or {outcome="rejected", seq, code="no_such_hold"|"transfer_mismatch"|"already_admitted", ...}
local done = recorded()
if done then
  return done
end
local seq = nextSeq()
local caseId, transferId, fid = A[5], A[6], A[7]
local v = redis.call("HMGET", key("case", caseId), "state", "transferId", "facilityId", "bedClass")
local state, heldTransfer, heldFacility, class = v[1], v[2], v[3], v[4]
local function reject(code)
  return settle({ outcome = "rejected", seq = seq, code = code }, {})
end
if state == "occupied" and heldTransfer == transferId then
  return reject("already_admitted")
end
if state ~= "held" then
  return reject("no_such_hold")
end
if heldTransfer ~= transferId or heldFacility ~= fid then
  return reject("transfer_mismatch")
end
redis.call("HINCRBY", key("fac", fid), "held:" .. class, -1)
redis.call("HINCRBY", key("fac", fid), "occ:" .. class, 1)
redis.call("HSET", key("case", caseId), "state", "occupied")
redis.call("HDEL", key("case", caseId), "holdExpiresAt")
redis.call("ZREM", key("holds"), caseId)
return settle({ outcome = "admitted", seq = seq, facilityId = fid, bedClass = class }, {})
