-- Directory entries: d_type values and getdents in small buffers.

scenario {
	name = "d_type",
	description = "readdir reports NetBSD d_type for files, directories and links",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir .. "/t"
		expect_ok(k.mkdir(d))
		expect_ok(k.write_file(d .. "/file", "f"))
		expect_ok(k.mkdir(d .. "/dir"))
		expect_ok(k.symlink("file", d .. "/link"))
		local types = {}
		for _, e in ipairs(k.readdir(d)) do types[e.name] = e.type end
		expect_eq(types.file, "reg", "a regular file")
		expect_eq(types.dir, "dir", "a directory")
		expect_eq(types.link, "lnk", "a symbolic link")
		expect_eq(types["."], "dir", ".")
		expect_eq(types[".."], "dir", "..")
	end
}

scenario {
	name = "getdents_small_buffer",
	description = "getdents with a small buffer returns every entry once, across calls",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir .. "/many"
		expect_ok(k.mkdir(d))
		for i = 1, 40 do expect_ok(k.write_file(d .. "/name" .. i, "")) end
		local fd = expect_ok(k.open(d, { "rdonly", "directory" }))
		local seen, calls = {}, 0
		while true do
			local list = expect_ok(k.getdents(fd, 128))
			if #list == 0 then break end
			calls = calls + 1
			for _, e in ipairs(list) do
				expect(not seen[e.name], "returned twice: " .. e.name)
				seen[e.name] = true
			end
		end
		expect_ok(k.close(fd))
		for i = 1, 40 do expect(seen["name" .. i], "name" .. i .. " returned") end
		expect(calls > 5, "a 128-byte buffer needed several calls (" .. calls .. ")")
		expect_errno(function() return k.getdents(999, 128) end, "EBADF",
		    "getdents on a bad descriptor")
	end
}
