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
-- Returns JSON: {outcome="held"|"waitlisted"|"already_placed", seq, ...}
local done = recorded()
if done then
  return done
end
local caseId, transferId, queue = ARGV[5], ARGV[6], ARGV[7]
local alternatives, needCaps, score, nearest = ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11]
local excluded = "," .. (ARGV[12] or "") .. ","

local existing = redis.call("HGETALL", key("case", caseId))
redis.call("HSET", key("queuemeta", queue), "alternatives", alternatives, "caps", needCaps)
if #existing > 0 then
  local state = {}
  for i = 1, #existing, 2 do
    state[existing[i]] = existing[i + 1]
  end
  return record({ outcome = "already_placed", seq = num(redis.call("GET", KEYS[1])), state = state })
end

-- Nearest district first; within a district the least loaded ((held + occupied) / total,
-- compared exactly by cross-multiplication), then the smallest facility id.
local function choose(kind, class)
  if redis.call("SCARD", key("avail", kind, class)) == 0 then
    return nil
  end
  for district in string.gmatch(nearest, "[^,]+") do
    local best, bestUsed, bestTotal = nil, 0, 1
    for _, fid in ipairs(redis.call("SMEMBERS", key("avail", kind, class, district))) do
      local _, _, caps = facilityMeta(fid)
      if hasCaps(caps, needCaps) and not string.find(excluded, "," .. fid .. ",", 1, true) then
        local total, held, occ = counts(fid, class)
        local used = held + occ
        local lhs, rhs = used * bestTotal, bestUsed * total
        if best == nil or lhs < rhs or (lhs == rhs and fid < best) then
          best, bestUsed, bestTotal = fid, used, total
        end
      end
    end
    if best then
      return best
    end
  end
  return nil
end

for alternative in string.gmatch(alternatives, "[^,]+") do
  local kind, class = string.match(alternative, "^([^.]+)%.(.+)$")
  local fid = choose(kind, class)
  if fid then
    local seq = nextSeq()
    local expiresAt = holdBed(caseId, fid, class, transferId)
    redis.call("HSET", key("case", caseId), "queue", queue, "score", score)
    return record({ outcome = "held", seq = seq, transferId = transferId, facilityId = fid, bedClass = class,
      route = kind, holdExpiresAt = expiresAt })
  end
end

local seq = nextSeq()
redis.call("ZADD", key("queue", queue), score, caseId)
redis.call("SADD", key("queues"), queue)
redis.call("HSET", key("case", caseId), "state", "waiting", "queue", queue, "score", score)
return record({ outcome = "waitlisted", seq = seq, queue = queue })
