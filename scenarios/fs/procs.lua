-- Processes: separate descriptor tables and working directories.

scenario {
	name = "separate_fd_tables",
	description = "a descriptor of one process means nothing in another",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local p1 = k.process {}
		local p2 = k.process {}
		expect(p1.pid ~= p2.pid, "two pids")
		expect_ok(k.write_file(fs.dir .. "/f", "one"))
		local fd = expect_ok(p1.open(fs.dir .. "/f", "r"))
		expect_eq(p1.read(fd, 3), "one", "p1 reads through its descriptor")
		expect_errno(function() return p2.read(fd, 3) end, "EBADF",
		    "p2 has no such descriptor")
		expect_ok(p1.close(fd))
	end
}

scenario {
	name = "cwd",
	description = "chdir, relative paths and getcwd are per process",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		expect_ok(k.mkdir(fs.dir .. "/home"))
		local p = k.process {}
		expect_ok(p.chdir(fs.dir .. "/home"))
		expect_eq(p.getcwd(), fs.dir .. "/home", "getcwd after chdir")
		expect_ok(p.write_file("rel", "relative"))
		expect_eq(k.read_file(fs.dir .. "/home/rel"), "relative",
		    "a relative path resolves against the cwd")
		expect_errno(function() return p.chdir(fs.dir .. "/home/rel") end,
		    "ENOTDIR", "chdir to a file")
		expect_ok(p.chdir(".."))
		expect_eq(p.getcwd(), fs.dir, "chdir ..")
		expect_errno(function() return k.stat("rel") end, "ENOENT",
		    "another process's cwd is unchanged")
	end
}

scenario {
	name = "times",
	description = "utimes sets atime and mtime; a write moves mtime forward",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local path = fs.dir .. "/t"
		expect_ok(k.write_file(path, "x"))
		expect_ok(k.utimes(path, 1000000, 2000000))
		local st = k.stat(path)
		expect_eq(st.atime, 1000000, "atime")
		expect_eq(st.mtime, 2000000, "mtime")
		expect_ok(k.write_file(path, "y"))
		expect(k.stat(path).mtime > 2000000, "a write updates mtime")
		expect_ok(k.utimensat("cwd", path, "omit", 3000000))
		st = k.stat(path)
		expect(st.atime ~= 3000000, "UTIME_OMIT leaves atime")
		expect_eq(st.mtime, 3000000, "mtime from utimensat")
	end
}

scenario {
	name = "shared_process",
	description = "two lwps calling through one k.process{} take turns on its one lwp",
	fs = { "tmpfs" },
	function(k, fs)
		local p = k.process { uid = 0 }
		local path = fs.dir .. "/shared"
		expect_ok(p.write_file(path, "x"))
		local other = k.spawn(function()
			for _ = 1, 5000 do expect_ok(p.stat(path)) end
			return true
		end)
		for _ = 1, 5000 do expect_ok(p.stat(path)) end
		expect(other:join(), "the spawned lwp's calls all succeeded")
	end
}
