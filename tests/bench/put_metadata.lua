-- wrk script: durable metadata PUTs of distinct objects (one per request) at the cloud.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local id = "b" .. thread_id .. "-" .. counter
  local body = '{"meta":{"objectID":"' .. id .. '","objectType":"bench","destinationType":"camera","noData":true}}'
  return wrk.format("PUT", "/api/v1/objects/myorg/bench/" .. id, {
    ["Authorization"] = "Basic YWRtaW5AbXlvcmc6",  -- admin@myorg:
    ["Content-Type"] = "application/json",
  }, body)
end
