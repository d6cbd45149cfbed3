-- ext2 durability: files made durable by fsync, fdatasync and sync, then
-- more writes.  Under a power-cut sweep (rumpus sweep --point bio.write
-- --powercut) every cut must leave the durable files as they were made
-- durable, after e2fsck repairs the image.

local img = image.ext2 { size = "8M", block = 1024 }

-- n bytes of a pattern that differs per file and per offset.
local function pattern(tag, n)
	local t = {}
	for i = 1, n // 16 + 1 do
		t[#t + 1] = string.format("%-8s%08d", tag, i)
	end
	return table.concat(t):sub(1, n)
end

scenario {
	name = "fsync_then_write",
	description = "fsync'd files stay intact while other files are written, renamed and removed",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		local d = fs.dir
		local a = pattern("a", 30000)
		local fd = expect_ok(k.open(d .. "/a", "w"))
		expect_eq(k.write(fd, a), #a)
		expect_ok(k.fsync(fd))
		expect_ok(k.close(fd))
		expect_ok(k.mkdir(d .. "/dir"))
		local b = pattern("b", 5000)
		fd = expect_ok(k.open(d .. "/dir/b", "w+"))
		expect_eq(k.write(fd, b), #b)
		expect_ok(k.fdatasync(fd))
		-- More, not made durable: a file growing, a rename, an unlink.
		local c = expect_ok(k.open(d .. "/c", "w"))
		for i = 1, 20 do
			expect_eq(k.write(c, pattern("c" .. i, 1500)), 1500)
		end
		expect_ok(k.close(c))
		expect_ok(k.rename(d .. "/c", d .. "/c2"))
		expect_ok(k.write_file(d .. "/e", pattern("e", 12000)))
		k.sync()
		expect_ok(k.unlink(d .. "/c2"))
		expect_ok(k.write_file(d .. "/f", pattern("f", 40000)))
		expect_eq(k.pread(fd, 5000, 0), b, "b reads back")
		expect_ok(k.close(fd))
		expect_eq(k.read_file(d .. "/a"), a, "a reads back")
	end
}

scenario {
	name = "overwrite_fsync",
	description = "a file rewritten in place and fsync'd again, then truncated and grown",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		local p = fs.dir .. "/log"
		local fd = expect_ok(k.open(p, "w+"))
		for i = 1, 6 do
			expect_eq(k.pwrite(fd, pattern("v" .. i, 4096), (i - 1) * 2048),
			    4096)
			expect_ok(k.fsync(fd))
		end
		expect_ok(k.ftruncate(fd, 3000))
		expect_ok(k.fsync(fd))
		expect_eq(k.pwrite(fd, pattern("tail", 9000), 3000), 9000)
		expect_ok(k.rename(p, fs.dir .. "/log.old"))
		expect_ok(k.fsync(fd))
		expect_ok(k.close(fd))
		expect_eq(#k.read_file(fs.dir .. "/log.old"), 12000)
	end
}
