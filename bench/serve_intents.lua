-- serve_intents.lua -- wrk script for `make bench`: POST /execute/intents, each request a new intent
-- (its own intent_id, so every one is executed and made durable, none is a duplicate), spread over
-- a few workspaces per thread. wrk's threads each run this with their own counter.
local counter = 0
local thread_id = 0
local token = os.getenv("TRADELOOP_ADMIN_TOKEN") or "bench-token"

function setup(thread)
    thread:set("tid", thread_id)
    thread_id = thread_id + 1
end

function init(args)
    thread_id = tid
end

function request()
    counter = counter + 1
    local body = string.format(
        '{"intent":{"workspace_id":"bench-%d","intent_id":"t%d-%d","action":"OPEN_LONG",' ..
        '"symbol":"AAPL","qty":"0.001"},"fill_price":"100","mode":"paper"}',
        thread_id, thread_id, counter)
    return wrk.format("POST", "/execute/intents",
        {["Content-Type"] = "application/json", ["X-Admin-Token"] = token}, body)
end

done_statuses = {}
function response(status, headers, body)
    if status ~= 200 then
        done_statuses[status] = (done_statuses[status] or 0) + 1
    end
end
