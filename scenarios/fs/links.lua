-- Hard links, and files unlinked while open.

scenario {
	name = "hard_links",
	description = "link counts follow link and unlink; a directory cannot be linked",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.write_file(d .. "/a", "shared"))
		expect_ok(k.link(d .. "/a", d .. "/b"))
		expect_eq(k.stat(d .. "/a").nlink, 2, "two names")
		expect_eq(k.stat(d .. "/a").ino, k.stat(d .. "/b").ino, "one inode")
		expect_ok(k.write_file(d .. "/b", "changed"))
		expect_eq(k.read_file(d .. "/a"), "changed", "a write is seen by both names")
		expect_errno(function() return k.link(d .. "/a", d .. "/b") end,
		    "EEXIST", "link over an existing name")
		expect_ok(k.mkdir(d .. "/dir"))
		expect_errno(function() return k.link(d .. "/dir", d .. "/dir2") end,
		    "EPERM", "hard link to a directory")
		expect_ok(k.unlink(d .. "/a"))
		expect_eq(k.stat(d .. "/b").nlink, 1, "one name left")
		expect_eq(k.read_file(d .. "/b"), "changed", "data stays")
	end
}

scenario {
	name = "unlink_while_open",
	description = "an unlinked open file keeps its data until closed",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local path = fs.dir .. "/tmp"
		local fd = expect_ok(k.open(path, "w+"))
		expect_eq(k.write(fd, ("z"):rep(10000)), 10000)
		expect_ok(k.unlink(path))
		expect_errno(function() return k.stat(path) end, "ENOENT",
		    "the name is gone")
		expect_eq(k.fstat(fd).nlink, 0, "no links left")
		expect_eq(k.pread(fd, 5, 9995), "zzzzz", "data still readable")
		expect_eq(k.write(fd, "more"), 4, "still writable")
		expect_eq(k.fstat(fd).size, 10004, "size follows writes")
		expect_ok(k.close(fd))
		local names = {}
		for _, e in ipairs(k.readdir(fs.dir)) do names[e.name] = true end
		expect(not names.tmp, "readdir does not list it")
	end
}
