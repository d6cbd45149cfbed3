-- Several spawned lwps at work in one directory at once.

scenario {
	name = "create_rename_unlink",
	description = "8 lwps create, rename and unlink in one directory; the final tree is exact",
	fs = { "tmpfs", "ext2" },
	timeout = 60,
	function(k, fs)
		local d = fs.dir .. "/busy"
		expect_ok(k.mkdir(d))
		local nlwp, nfile = 8, 50
		local start = k.barrier(nlwp)
		local lwps = {}
		for w = 1, nlwp do
			lwps[w] = k.spawn(function()
				start:wait()
				for i = 1, nfile do
					local a = string.format("%s/w%d-%d", d, w, i)
					local b = a .. ".renamed"
					expect_ok(k.write_file(a, a))
					expect_ok(k.rename(a, b))
					if i % 2 == 0 then
						expect_ok(k.unlink(b))
					end
				end
				return w
			end)
		end
		for w = 1, nlwp do
			expect_eq(lwps[w]:join(), w, "lwp " .. w .. " finished")
		end
		local names = {}
		for _, e in ipairs(k.readdir(d)) do names[e.name] = true end
		local count = 0
		for _ in pairs(names) do count = count + 1 end
		expect_eq(count, nlwp * nfile // 2 + 2, "entries left")
		for w = 1, nlwp do
			for i = 1, nfile do
				local name = string.format("w%d-%d.renamed", w, i)
				expect_eq(names[name] == true, i % 2 == 1, name)
				if i % 2 == 1 then
					expect_eq(k.read_file(d .. "/" .. name),
					    string.format("%s/w%d-%d", d, w, i),
					    "contents of " .. name)
				end
			end
		end
	end
}

scenario {
	name = "same_name_race",
	description = "lwps racing for O_EXCL on one name: exactly one wins",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local path = fs.dir .. "/prize"
		local n = 6
		local start = k.barrier(n)
		local lwps = {}
		for w = 1, n do
			lwps[w] = k.spawn(function()
				start:wait()
				local fd, err = k.open(path, "wx")
				if fd then
					k.close(fd)
					return "won"
				end
				return err
			end)
		end
		local won, lost = 0, 0
		for w = 1, n do
			local r = lwps[w]:join()
			if r == "won" then won = won + 1
			else expect_eq(r, "EEXIST", "the losers' error"); lost = lost + 1 end
		end
		expect_eq(won, 1, "exactly one creator")
		expect_eq(lost, n - 1, "every other lwp got EEXIST")
	end
}

scenario {
	name = "failure_in_lwp",
	description = "an expectation failing in a spawned lwp fails the case",
	fs = { "tmpfs" },
	outcome = "fail",
	function(k, fs)
		local l = k.spawn(function()
			expect(k.stat(fs.dir .. "/nothing-here"), "this lwp's check fails")
		end)
		l:join()
	end
}

scenario {
	name = "cross_rename",
	description = "lwps move files and directories between two directories both ways, and into each other, while another looks up and lists: none waits forever (a lock-order bug is a deadlock named with its cycle)",
	fs = { "tmpfs", "ext2" },
	timeout = 60,
	function(k, fs)
		local a, b = fs.dir .. "/a", fs.dir .. "/b"
		expect_ok(k.mkdir(a))
		expect_ok(k.mkdir(b))
		expect_ok(k.mkdir(a .. "/d"))
		expect_ok(k.mkdir(b .. "/e"))
		local n = 200
		local start = k.barrier(6)
		local function worker(fn)
			return k.spawn(function()
				start:wait()
				for i = 1, n do fn(i) end
				return true
			end)
		end
		-- The directory moves may fail (ENOENT, EINVAL): only their
		-- locks matter here.
		local lwps = {
			worker(function(i)
				expect_ok(k.write_file(a .. "/x" .. i, "x"))
				expect_ok(k.rename(a .. "/x" .. i, b .. "/x" .. i))
			end),
			worker(function(i)
				expect_ok(k.write_file(b .. "/y" .. i, "y"))
				expect_ok(k.rename(b .. "/y" .. i, a .. "/y" .. i))
			end),
			worker(function()
				k.rename(a .. "/d", b .. "/d")
				k.rename(b .. "/d", a .. "/d")
			end),
			worker(function()
				k.rename(b .. "/e", a .. "/d/e")
				k.rename(a .. "/d/e", b .. "/e")
				k.rename(b .. "/d/e", b .. "/e")
			end),
			worker(function()
				k.rename(a .. "/d", b .. "/e/d")
				k.rename(b .. "/e/d", a .. "/d")
				k.rename(a .. "/d/e/d", a .. "/d")
			end),
			worker(function()
				k.stat(a .. "/d/e")
				k.readdir(a)
				k.readdir(b)
				k.stat(b .. "/d")
			end),
		}
		for w, l in ipairs(lwps) do
			expect_eq(l:join(), true, "lwp " .. w .. " finished")
		end
		for i = 1, n do
			expect_eq(k.read_file(b .. "/x" .. i), "x", "b/x" .. i)
			expect_eq(k.read_file(a .. "/y" .. i), "y", "a/y" .. i)
		end
	end
}
