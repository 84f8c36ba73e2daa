-- wrk script: POST /api/scheduled-calls with 10 recipients each. PROMPT_ID comes from the environment.
local prompt = os.getenv("PROMPT_ID")
local numbers = {}
for i = 0, 9 do numbers[#numbers + 1] = string.format('"+1415555%04d"', 2600 + i) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"toPhoneNumbers":[' .. table.concat(numbers, ",") .. '],"promptId":"' .. prompt ..
           '","scheduledDateTime":"2099-01-01T00:00:00Z"}'
