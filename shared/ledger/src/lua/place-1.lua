-- place: hold the best fitting free bed for a case, or put it in its waiting queue.
-- KEYS[1] ledger sequence key
-- ARGV[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- ARGV[5] caseId
-- ARGV[6] transferId to use if a bed is held now
-- ARGV[7] queue name (the case's need, canonical)
-- ARGV[8] alternatives, in preference order: "kind.class,kind.class"
-- ARGV[9] required capabilities: "cap,cap" or ""
-- ARGV[10] waiting score (lower waits less: priority first, then waiting since)
-- ARGV[11] districts nearest first: "d1,d2,..."
-- ARGV[12] facilities to skip: "f1,f2" or ""
-- ARGV[13] the case's district
-- Returns JSON: {outcome="held"|"waitlisted"|"already_placed", seq, ...}
local done = recorded()
if done then
  return done
end
local caseId, transferId, queue = ARGV[5], ARGV[6], ARGV[7]
local alternatives, needCaps, score, nearest = ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11]
local excluded = "," .. ARGV[12] .. ","

local existing = redis.call("HGETALL", key("case", caseId))
redis.call("HSET", key("queuemeta", queue), "alternatives", alternatives, "caps", needCaps)
if #existing > 0 then
  local state = {}
  for i = 1, #existing, 2 do
    state[existing[i]] = existing[i + 1]
  end
  return record({ outcome = "already_placed", seq = num(redis.call("GET", KEYS[1])), state = state })
end

-- Remembered so that a case whose hold expires can be placed again from the ledger alone.
redis.call("SET", key("near", ARGV[13]), nearest, "NX")
local fid, class, kind = choose(alternatives, needCaps, nearest, excluded)
if fid then
  local seq = nextSeq()
  local expiresAt = holdBed(caseId, fid, class, transferId)
  redis.call("HSET", key("case", caseId), "queue", queue, "score", score, "district", ARGV[13])
  return record({ outcome = "held", seq = seq, transferId = transferId, facilityId = fid, bedClass = class,
    route = kind, holdExpiresAt = expiresAt })
end

local seq = nextSeq()
redis.call("ZADD", key("queue", queue), score, caseId)
redis.call("SADD", key("queues"), queue)
redis.call("HSET", key("case", caseId), "state", "waiting", "queue", queue, "score", score, "district", ARGV[13])
return record({ outcome = "waitlisted", seq = seq, queue = queue })
