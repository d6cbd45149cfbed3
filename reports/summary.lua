-- reports/summary.lua RESULTS.jsonl OUTDIR
--
-- Turns the runner's JSON Lines records into what people and CI read:
--   OUTDIR/summary.txt  counts by outcome, every case that was not ok with
--                       its reason and console tail, the slowest cases
--   OUTDIR/junit.xml    one <testcase> per record; not-ok cases carry a
--                       <failure> whose message names outcome and reason
--   OUTDIR/report.html  the same as a table
-- Runs under the lua5.4 interpreter; needs nothing else.

local results, outdir = arg[1], arg[2]
if not results or not outdir then
	io.stderr:write("usage: lua5.4 summary.lua results.jsonl outdir\n")
	os.exit(2)
end

-- A JSON decoder for what record.c writes (objects, arrays, strings,
-- numbers, true, false, null).  Errors name the line and offset.
local function decode(s, lineno)
	local pos = 1
	local function fail(what)
		error(string.format("%s:%d: offset %d: %s", results, lineno, pos,
		    what), 0)
	end
	local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
	local value
	local escapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t",
	    ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
	local function str()
		local out = {}
		pos = pos + 1
		while true do
			local c = s:sub(pos, pos)
			if c == "" then fail("unterminated string") end
			if c == '"' then pos = pos + 1; break end
			if c == "\\" then
				local e = s:sub(pos + 1, pos + 1)
				if e == "u" then
					local hex = s:sub(pos + 2, pos + 5)
					local n = tonumber(hex, 16)
					if not n then fail("bad \\u escape") end
					out[#out + 1] = utf8.char(n)
					pos = pos + 6
				elseif escapes[e] then
					out[#out + 1] = escapes[e]
					pos = pos + 2
				else
					fail("bad escape \\" .. e)
				end
			else
				local j = s:find('["\\]', pos) or #s + 1
				out[#out + 1] = s:sub(pos, j - 1)
				pos = j
			end
		end
		return table.concat(out)
	end
	function value()
		ws()
		local c = s:sub(pos, pos)
		if c == "{" then
			local t = {}
			pos = pos + 1; ws()
			if s:sub(pos, pos) == "}" then pos = pos + 1; return t end
			while true do
				ws()
				if s:sub(pos, pos) ~= '"' then fail("object key expected") end
				local k = str(); ws()
				if s:sub(pos, pos) ~= ":" then fail("':' expected") end
				pos = pos + 1
				t[k] = value(); ws()
				c = s:sub(pos, pos); pos = pos + 1
				if c == "}" then return t end
				if c ~= "," then fail("',' or '}' expected") end
			end
		elseif c == "[" then
			local t = {}
			pos = pos + 1; ws()
			if s:sub(pos, pos) == "]" then pos = pos + 1; return t end
			while true do
				t[#t + 1] = value(); ws()
				c = s:sub(pos, pos); pos = pos + 1
				if c == "]" then return t end
				if c ~= "," then fail("',' or ']' expected") end
			end
		elseif c == '"' then
			return str()
		elseif s:find("^true", pos) then pos = pos + 4; return true
		elseif s:find("^false", pos) then pos = pos + 5; return false
		elseif s:find("^null", pos) then pos = pos + 4; return nil
		else
			local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
			if not num or num == "" then fail("unexpected character") end
			pos = pos + #num
			return tonumber(num)
		end
	end
	local v = value()
	ws()
	if pos <= #s then fail("trailing characters") end
	return v
end

local records = {}
local f = assert(io.open(results, "r"))
local lineno = 0
for line in f:lines() do
	lineno = lineno + 1
	if line ~= "" then records[#records + 1] = decode(line, lineno) end
end
f:close()

local function id(r)
	local s = r.case.file
	if r.case.name ~= "" then s = s .. ":" .. r.case.name end
	if r.case.fs ~= "" then s = s .. "[" .. r.case.fs .. "]" end
	return s
end

local counts, notok, total = {}, {}, 0
for _, r in ipairs(records) do
	counts[r.outcome] = (counts[r.outcome] or 0) + 1
	if not r.ok then notok[#notok + 1] = r end
	total = total + (r.duration or 0)
end

-- summary.txt
local order = { "pass", "fail", "error", "panic", "crash", "hang",
    "deadlock", "leak", "corrupt", "sandbox", "limit" }
local out = assert(io.open(outdir .. "/summary.txt", "w"))
out:write(string.format("rumpus: %d cases: %d ok, %d not ok "
    .. "(%.2f s of instance time)\n", #records, #records - #notok,
    #notok, total))
local parts = {}
for _, o in ipairs(order) do
	if counts[o] then parts[#parts + 1] = counts[o] .. " " .. o end
end
out:write("outcomes: " .. table.concat(parts, ", ") .. "\n")
if #records > 0 then
	out:write("build " .. (records[1].build or "?") .. ", mode " ..
	    (records[1].mode or "?") .. ", seed " .. tostring(records[1].seed)
	    .. "\n")
end
if #notok > 0 then
	out:write("\nnot ok:\n")
	for _, r in ipairs(notok) do
		out:write(string.format("  %-8s %s\n           %s\n", r.outcome,
		    id(r), r.reason or ""))
		if r.console and r.console ~= "" then
			for l in r.console:gmatch("[^\n]+") do
				out:write("           | " .. l .. "\n")
			end
		end
	end
end
local slow = {}
for i, r in ipairs(records) do slow[i] = r end
table.sort(slow, function(a, b) return (a.duration or 0) > (b.duration or 0) end)
out:write("\nslowest:\n")
for i = 1, math.min(5, #slow) do
	out:write(string.format("  %8.3f s  %s\n", slow[i].duration or 0, id(slow[i])))
end
out:close()

-- junit.xml
local function xml(s)
	return (tostring(s or ""):gsub("[&<>\"]", { ["&"] = "&amp;",
	    ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" })
	    :gsub("[%z\1-\8\11\12\14-\31]", "?"))
end
out = assert(io.open(outdir .. "/junit.xml", "w"))
out:write('<?xml version="1.0" encoding="UTF-8"?>\n')
out:write(string.format('<testsuite name="rumpus" tests="%d" failures="%d" '
    .. 'time="%.3f">\n', #records, #notok, total))
for _, r in ipairs(records) do
	local name = r.case.name ~= "" and r.case.name or "(file)"
	if r.case.fs ~= "" then name = name .. "[" .. r.case.fs .. "]" end
	out:write(string.format('  <testcase classname="%s" name="%s" time="%.6f">\n',
	    xml(r.case.file), xml(name), r.duration or 0))
	if not r.ok then
		out:write(string.format('    <failure message="%s: %s">%s</failure>\n',
		    xml(r.outcome), xml(r.reason), xml(r.backtrace)))
	end
	if r.console and r.console ~= "" then
		out:write("    <system-out>" .. xml(r.console) .. "</system-out>\n")
	end
	out:write("  </testcase>\n")
end
out:write("</testsuite>\n")
out:close()

-- report.html
out = assert(io.open(outdir .. "/report.html", "w"))
out:write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    .. "<title>rumpus report</title><style>"
    .. "body{font-family:sans-serif} td,th{padding:2px 8px;text-align:left}"
    .. " .bad{background:#fdd} pre{margin:0}</style></head><body>\n")
out:write(string.format("<h1>rumpus: %d cases, %d not ok</h1>\n<p>%s</p>\n",
    #records, #notok, xml(table.concat(parts, ", "))))
out:write("<table><tr><th>case</th><th>outcome</th><th>reason</th>"
    .. "<th>seconds</th></tr>\n")
for _, r in ipairs(records) do
	out:write(string.format("<tr%s><td>%s</td><td>%s</td><td>%s</td>"
	    .. "<td>%.3f</td></tr>\n", r.ok and "" or ' class="bad"', xml(id(r)),
	    xml(r.outcome), xml(r.reason),
	    r.duration or 0))
end
out:write("</table></body></html>\n")
out:close()
