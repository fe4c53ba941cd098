-- wrk script for scripts/bench.sh: each request is the next line of a targets file, round robin, each
-- thread starting at its own place. A line: METHOD<TAB>PATH<TAB>TOKEN<TAB>IF-NONE-MATCH<TAB>BODY (any
-- may be empty). Arguments after `--`: the targets file, and a run id when every request must carry an
-- Idempotency-Key of its own. done() prints one JSON line the benchmark reads.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  targets = {}
  for line in io.lines(args[1]) do
    local method, path, token, etag, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(targets, { method = method, path = path, token = token, etag = etag, body = body })
  end
  run = args[2]
  counter = math.floor(#targets * (id - 1) / 2)
  sent = 0
end

function request()
  counter = counter + 1
  sent = sent + 1
  local t = targets[(counter % #targets) + 1]
  local headers = {}
  if t.token ~= "" then headers["Authorization"] = "Bearer " .. t.token end
  if t.etag ~= "" then headers["If-None-Match"] = t.etag end
  local body = nil
  if t.body ~= "" then
    headers["Content-Type"] = "application/json"
    body = t.body
  end
  if run ~= nil then headers["Idempotency-Key"] = run .. "-" .. id .. "-" .. sent end
  return wrk.format(t.method, t.path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
