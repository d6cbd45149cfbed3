-- Sparse files: holes read as zeros, truncate grows and shrinks.

scenario {
	name = "holes",
	description = "a write far past the end leaves a hole of zeros",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local path = fs.dir .. "/sparse"
		local fd = expect_ok(k.open(path, "w+"))
		local off = 1024 * 1024
		expect_eq(k.pwrite(fd, "end", off), 3)
		local st = k.fstat(fd)
		expect_eq(st.size, off + 3, "size counts the hole")
		expect(st.blocks * 512 < 64 * 1024,
		    "a 1 MiB hole takes no space (blocks=" .. st.blocks .. ")")
		expect_eq(k.pread(fd, 8, 4096), ("\0"):rep(8), "the hole reads as zeros")
		expect_eq(k.pread(fd, 3, off), "end", "the data after the hole")
		expect_eq(k.pread(fd, 10, off + 3), "", "end of file")
		expect_ok(k.close(fd))
	end
}

scenario {
	name = "truncate",
	description = "truncate shrinks and extends with zeros",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local path = fs.dir .. "/t"
		expect_ok(k.write_file(path, "0123456789"))
		expect_ok(k.truncate(path, 4))
		expect_eq(k.read_file(path), "0123", "shrunk")
		expect_ok(k.truncate(path, 8))
		expect_eq(k.read_file(path), "0123\0\0\0\0", "extended with zeros")
		local fd = expect_ok(k.open(path, "r+"))
		expect_ok(k.ftruncate(fd, 0))
		expect_eq(k.fstat(fd).size, 0, "ftruncate to zero")
		expect_errno(function() return k.ftruncate(fd, -1) end, "EINVAL",
		    "negative length")
		expect_ok(k.close(fd))
		expect_ok(k.mkdir(fs.dir .. "/d"))
		expect_errno(function() return k.truncate(fs.dir .. "/d", 0) end,
		    "EISDIR", "truncate of a directory")
	end
}
