-- Shared prelude of the ledger script, assembled by script-loader.ts. The script takes
-- KEYS[1] = the ledger's sequence key and runs a batch of operations in order (see
-- batch.lua); each operation's arguments are A[1] = the key prefix (ending in the Redis
-- Cluster hash tag, e.g. "fangcang:{ledger}:"), so every key it touches lives in one slot,
-- A[2] = opId (idempotency), A[3] = event time (ms), A[4] = hold window (ms), then its own.
--
-- One input is one operation: every operation the first time it runs takes exactly one
-- sequence number (an auditor replays inputs in that order) and ends by expiring the holds
-- due at its event time (see settle). A repeated op id returns its recorded result.
local A, P, OP_ID, AT, HOLD_MS

-- The operation about to run: its arguments become the ones the functions below read.
local function begin(args)
  A = args
  P = args[1]
  OP_ID = args[2]
  AT = tonumber(args[3])
  HOLD_MS = tonumber(args[4])
end

local OP_TTL_SECONDS = 30 * 24 * 3600

-- Spelled out rather than table.concat: no table per key, and this runs for every call.
local function key(a, b, c, d)
  if d then
    return P .. a .. ":" .. b .. ":" .. c .. ":" .. d
  elseif c then
    return P .. a .. ":" .. b .. ":" .. c
  elseif b then
    return P .. a .. ":" .. b
  end
  return P .. a
end

local function num(v)
  return tonumber(v) or 0
end

-- Idempotency: an op id already applied returns its recorded result.
local function recorded()
  return redis.call("GET", key("op", OP_ID))
end

local function record(result)
  local encoded = cjson.encode(result)
  redis.call("SET", key("op", OP_ID), encoded, "EX", OP_TTL_SECONDS)
  return encoded
end

local function nextSeq()
  return redis.call("INCR", KEYS[1])
end

local function counts(fid, class)
  local v = redis.call("HMGET", key("fac", fid), "total:" .. class, "held:" .. class, "occ:" .. class, "cap:" .. class)
  return num(v[1]), num(v[2]), num(v[3]), num(v[4])
end

local function facilityMeta(fid)
  local v = redis.call("HMGET", key("fac", fid), "kind", "district", "caps", "status")
  return v[1], v[2], v[3], v[4]
end

local function hasCaps(facilityCaps, needCapsCsv)
  if needCapsCsv == "" then
    return true
  end
  for cap in string.gmatch(needCapsCsv, "[^,]+") do
    if not string.find(facilityCaps, "," .. cap .. ",", 1, true) then
      return false
    end
  end
  return true
end

-- A facility is in the availability index of (kind, class) and (kind, class, district)
-- exactly while it is open and has a free bed of that class.
local function refreshAvailability(fid, class)
  local v = redis.call("HMGET", key("fac", fid), "kind", "district", "status", "total:" .. class, "held:" .. class,
    "occ:" .. class)
  local kind, district, status, total, held, occ = v[1], v[2], v[3], num(v[4]), num(v[5]), num(v[6])
  local anyKey = key("avail", kind, class)
  local districtKey = key("avail", kind, class, district)
  if status == "open" and total - held - occ > 0 then
    redis.call("SADD", anyKey, fid)
    redis.call("SADD", districtKey, fid)
  else
    redis.call("SREM", anyKey, fid)
    redis.call("SREM", districtKey, fid)
  end
end

-- Lowering capacity closes free beds only: the total follows the beds in use down to the
-- requested capacity as they are freed, and never evicts.
local function shrinkToCapacity(fid, class)
  local total, held, occ, cap = counts(fid, class)
  if total > cap then
    local inUse = held + occ
    local target = cap
    if inUse > cap then
      target = inUse
    end
    if target ~= total then
      redis.call("HSET", key("fac", fid), "total:" .. class, target)
    end
  end
end

local function transferIdFor(caseId)
  return "tr-" .. string.sub(redis.sha1hex(OP_ID .. "|" .. caseId), 1, 20)
end

-- Only ever called for a bed that is free in an open facility, so the facility is in the
-- availability index (see refreshAvailability) and leaves it only if this was its last free
-- bed. `more` adds fields to the case's hash in the same call.
local function holdBed(caseId, fid, class, transferId, kind, district, more)
  local expiresAt = AT + HOLD_MS
  redis.call("HINCRBY", key("fac", fid), "held:" .. class, 1)
  local total, held, occ = counts(fid, class)
  if total - held - occ <= 0 then
    redis.call("SREM", key("avail", kind, class), fid)
    redis.call("SREM", key("avail", kind, class, district), fid)
  end
  local fields = { "state", "held", "facilityId", fid, "bedClass", class, "transferId", transferId,
    "holdExpiresAt", expiresAt }
  for _, field in ipairs(more or {}) do
    fields[#fields + 1] = field
  end
  redis.call("HSET", key("case", caseId), unpack(fields))
  redis.call("ZADD", key("holds"), expiresAt, caseId)
  return expiresAt
end

local function queueFits(queue, kind, class, facilityCaps)
  local meta = redis.call("HMGET", key("queuemeta", queue), "alternatives", "caps")
  local alternatives = meta[1] or ""
  if not string.find("," .. alternatives .. ",", "," .. kind .. "." .. class .. ",", 1, true) then
    return false
  end
  return hasCaps(facilityCaps, meta[2] or "")
end

-- Offers the free beds of (fid, class) to the best waiting cases that fit them, best first:
-- highest priority, then longest waiting, then case id. Holds are made here, atomically with
-- the queue pop, so a freed bed can never leak and a waiting case can never be skipped.
local function offerFreeBeds(fid, class, offers)
  local kind, district, facilityCaps, status = facilityMeta(fid)
  if status ~= "open" then
    return
  end
  local queues = redis.call("SMEMBERS", key("queues"))
  local fitting = {}
  for _, queue in ipairs(queues) do
    if queueFits(queue, kind, class, facilityCaps) then
      table.insert(fitting, queue)
    end
  end
  if #fitting == 0 then
    return
  end
  while true do
    local total, held, occ = counts(fid, class)
    if total - held - occ <= 0 then
      return
    end
    local bestQueue, bestCase, bestScore = nil, nil, nil
    for _, queue in ipairs(fitting) do
      local head = redis.call("ZRANGE", key("queue", queue), 0, 0, "WITHSCORES")
      if head[1] then
        local score = tonumber(head[2])
        if bestScore == nil or score < bestScore or (score == bestScore and head[1] < bestCase) then
          bestQueue, bestCase, bestScore = queue, head[1], score
        end
      end
    end
    if bestCase == nil then
      return
    end
    redis.call("ZREM", key("queue", bestQueue), bestCase)
    if redis.call("ZCARD", key("queue", bestQueue)) == 0 then
      redis.call("SREM", key("queues"), bestQueue)
    end
    local transferId = transferIdFor(bestCase)
    local expiresAt = holdBed(bestCase, fid, class, transferId, kind, district)
    table.insert(offers, { caseId = bestCase, transferId = transferId, facilityId = fid, bedClass = class,
      route = kind, holdExpiresAt = expiresAt })
  end
end

local BED_CLASSES = { "general", "icu", "shelter" }

-- Facility choice: the first alternative ("kind.class,...") with a fitting free bed; within
-- it the nearest district (`nearest` is "d1,d2,..." nearest first), then the least loaded
-- ((held + occupied) / total, compared exactly by cross-multiplication), then the smallest
-- id. `excluded` is ",f1,f2," or ",,". Returns facility id, bed class, kind and district, or nil.
local function choose(alternatives, needCaps, nearest, excluded)
  for alternative in string.gmatch(alternatives, "[^,]+") do
    local kind, class = string.match(alternative, "^([^.]+)%.(.+)$")
    if redis.call("SCARD", key("avail", kind, class)) > 0 then
      for district in string.gmatch(nearest, "[^,]+") do
        local best, bestUsed, bestTotal = nil, 0, 1
        for _, fid in ipairs(redis.call("SMEMBERS", key("avail", kind, class, district))) do
          local v = redis.call("HMGET", key("fac", fid), "caps", "total:" .. class, "held:" .. class, "occ:" .. class)
          if hasCaps(v[1], needCaps) and not string.find(excluded, "," .. fid .. ",", 1, true) then
            local total, held, occ = num(v[2]), num(v[3]), num(v[4])
            local used = held + occ
            local lhs, rhs = used * bestTotal, bestUsed * total
            if best == nil or lhs < rhs or (lhs == rhs and fid < best) then
              best, bestUsed, bestTotal = fid, used, total
            end
          end
        end
        if best then
          return best, class, kind, district
        end
      end
    end
  end
  return nil
end

-- The most holds one operation expires; the next operation expires the rest.
local EXPIRY_BATCH = 1000

local function leaveQueue(queue, caseId)
  redis.call("ZREM", key("queue", queue), caseId)
  if redis.call("ZCARD", key("queue", queue)) == 0 then
    redis.call("SREM", key("queues"), queue)
  end
end

local function caseState(caseId)
  local flat = redis.call("HGETALL", key("case", caseId))
  if #flat == 0 then
    return nil
  end
  local state = {}
  for i = 1, #flat, 2 do
    state[flat[i]] = flat[i + 1]
  end
  return state
end

-- A case gives up whatever it has (a held bed, an occupied bed or a queue place); a freed
-- bed is offered at once to the best waiting case that fits it. Returns what it had, or nil.
local function releaseCase(caseId, offers)
  local released = caseState(caseId)
  if released == nil then
    return nil
  end
  redis.call("DEL", key("case", caseId))
  if released.state == "waiting" then
    leaveQueue(released.queue, caseId)
  else
    local fid, class = released.facilityId, released.bedClass
    if released.state == "held" then
      redis.call("HINCRBY", key("fac", fid), "held:" .. class, -1)
      redis.call("ZREM", key("holds"), caseId)
    else
      redis.call("HINCRBY", key("fac", fid), "occ:" .. class, -1)
    end
    shrinkToCapacity(fid, class)
    refreshAvailability(fid, class)
    offerFreeBeds(fid, class, offers)
  end
  return released
end

-- Holds the best fitting free bed for a case, or puts it in its waiting queue. `p` has
-- caseId, transferId, queue, alternatives, caps, score, nearest, excluded (",f1,f2,"),
-- district. Returns the placement: {outcome = "held"|"waitlisted"|"already_placed", ...}.
local function placeCase(p)
  redis.call("HSET", key("queuemeta", p.queue), "alternatives", p.alternatives, "caps", p.caps)
  local existing = caseState(p.caseId)
  if existing then
    return { outcome = "already_placed", state = existing }
  end
  -- Remembered so that a case whose hold expires can be placed again from the ledger alone.
  redis.call("SET", key("near", p.district), p.nearest, "NX")
  local fid, class, kind, district = choose(p.alternatives, p.caps, p.nearest, p.excluded)
  if fid then
    local expiresAt = holdBed(p.caseId, fid, class, p.transferId, kind, district,
      { "queue", p.queue, "score", p.score, "district", p.district })
    return { outcome = "held", transferId = p.transferId, facilityId = fid, bedClass = class, route = kind,
      holdExpiresAt = expiresAt }
  end
  redis.call("ZADD", key("queue", p.queue), p.score, p.caseId)
  redis.call("SADD", key("queues"), p.queue)
  redis.call("HSET", key("case", p.caseId), "state", "waiting", "queue", p.queue, "score", p.score,
    "district", p.district)
  return { outcome = "waitlisted", queue = p.queue }
end

-- The place and relocate operations' arguments, from A[5] on.
local function placementArgs()
  return { caseId = A[5], transferId = A[6], queue = A[7], alternatives = A[8], caps = A[9],
    score = tonumber(A[10]), nearest = A[11], excluded = "," .. A[12] .. ",", district = A[13] }
end

-- Holds not admitted by the event time are released: their cases go back to their queue at
-- their original place, the freed beds are offered to the best waiting cases that fit, and
-- an expired case still waiting takes any other fitting free bed.
local function expireDueHolds(expired, offers)
  -- Most operations find nothing due: the earliest hold says so in one cheap call.
  -- Returns the earliest hold left when it expired none, nil when it did.
  local first = redis.call("ZRANGE", key("holds"), 0, 0, "WITHSCORES")
  if first[2] == nil or tonumber(first[2]) > AT then
    return first
  end
  local due = redis.call("ZRANGEBYSCORE", key("holds"), "-inf", AT, "LIMIT", 0, EXPIRY_BATCH)
  if #due == 0 then
    return
  end
  local freed = {}
  for _, caseId in ipairs(due) do
    local v = redis.call("HMGET", key("case", caseId), "facilityId", "bedClass", "transferId", "queue", "score")
    local fid, class, transferId, queue, score = v[1], v[2], v[3], v[4], v[5]
    redis.call("ZREM", key("holds"), caseId)
    redis.call("HINCRBY", key("fac", fid), "held:" .. class, -1)
    redis.call("HDEL", key("case", caseId), "facilityId", "bedClass", "transferId", "holdExpiresAt")
    redis.call("HSET", key("case", caseId), "state", "waiting")
    redis.call("ZADD", key("queue", queue), score, caseId)
    redis.call("SADD", key("queues"), queue)
    table.insert(expired, { caseId = caseId, transferId = transferId, facilityId = fid, bedClass = class })
    freed[fid .. "\n" .. class] = { fid, class }
  end
  for _, bed in pairs(freed) do
    shrinkToCapacity(bed[1], bed[2])
    refreshAvailability(bed[1], bed[2])
  end
  for _, e in ipairs(expired) do
    local bed = freed[e.facilityId .. "\n" .. e.bedClass]
    if bed then
      offerFreeBeds(bed[1], bed[2], offers)
      freed[e.facilityId .. "\n" .. e.bedClass] = nil
    end
  end
  -- A freed bed may have been closed (capacity lowered, facility paused): an expired case
  -- still waiting must not wait while another fitting bed is free.
  for _, e in ipairs(expired) do
    local v = redis.call("HMGET", key("case", e.caseId), "state", "queue", "district")
    if v[1] == "waiting" then
      local meta = redis.call("HMGET", key("queuemeta", v[2]), "alternatives", "caps")
      local nearest = redis.call("GET", key("near", v[3])) or ""
      local fid, class, kind, district = choose(meta[1] or "", meta[2] or "", nearest, ",,")
      if fid then
        leaveQueue(v[2], e.caseId)
        local transferId = transferIdFor(e.caseId)
        local expiresAt = holdBed(e.caseId, fid, class, transferId, kind, district)
        table.insert(offers, { caseId = e.caseId, transferId = transferId, facilityId = fid, bedClass = class,
          route = kind, holdExpiresAt = expiresAt })
      end
    end
  end
end

-- Every operation ends here: the holds due at its event time expire (after the operation
-- itself, so an admission at the deadline still counts), and the result is recorded under
-- the op id with the offers made, the holds expired and when the next hold falls due.
local function settle(result, offers)
  local expired = {}
  local first = expireDueHolds(expired, offers) or redis.call("ZRANGE", key("holds"), 0, 0, "WITHSCORES")
  result.offers = offers
  result.expired = expired
  if first[2] then
    result.nextDue = tonumber(first[2])
  end
  return record(result)
end
