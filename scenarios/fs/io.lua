-- Reading and writing: offsets, append, vectors, dup, fcntl.

scenario {
	name = "offsets_and_append",
	description = "lseek, O_APPEND and dup'ed descriptors sharing an offset",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local path = fs.dir .. "/f"
		local fd = expect_ok(k.open(path, "w+"))
		expect_eq(k.write(fd, "hello world"), 11)
		expect_eq(k.lseek(fd, 0, "cur"), 11, "offset after write")
		expect_eq(k.lseek(fd, 6), 6, "lseek set")
		expect_eq(k.read(fd, 5), "world", "read from the offset")
		expect_eq(k.read(fd, 5), "", "end of file")
		expect_eq(k.lseek(fd, -5, "end"), 6, "lseek from the end")
		expect_errno(function() return k.lseek(fd, -100, "set") end, "EINVAL",
		    "a negative offset")
		local fd2 = expect_ok(k.dup(fd))
		expect_ok(k.lseek(fd, 0))
		expect_eq(k.read(fd2, 5), "hello", "dup shares the offset")
		expect_eq(k.lseek(fd, 0, "cur"), 5, "moved by the other descriptor")
		expect_ok(k.close(fd2))
		expect_ok(k.close(fd))
		local a = expect_ok(k.open(path, "a"))
		expect_eq(k.write(a, "!"), 1)
		expect_ok(k.close(a))
		expect_eq(k.read_file(path), "hello world!", "O_APPEND writes at the end")
	end
}

scenario {
	name = "vectors",
	description = "readv and writev move several buffers in order",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local fd = expect_ok(k.open(fs.dir .. "/v", "w+"))
		expect_eq(k.writev(fd, { "ab", "", "cde", "f" }), 6, "writev total")
		expect_ok(k.lseek(fd, 0))
		local parts = expect_ok(k.readv(fd, { 1, 3, 10 }))
		expect_eq(parts[1], "a")
		expect_eq(parts[2], "bcd")
		expect_eq(parts[3], "ef", "the last buffer gets what is left")
		expect_ok(k.fsync(fd))
		expect_ok(k.fdatasync(fd))
		expect_ok(k.close(fd))
	end
}

scenario {
	name = "fcntl_flags",
	description = "F_GETFL reports the open mode; F_SETFD sets close-on-exec",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local fd = expect_ok(k.open(fs.dir .. "/c", { "wronly", "creat", "append" }))
		local fl = expect_ok(k.fcntl(fd, "getfl"))
		expect_eq(fl & 3, 1, "O_WRONLY in F_GETFL")
		expect(fl & 0x8 ~= 0, "O_APPEND in F_GETFL")
		expect_eq(k.fcntl(fd, "getfd"), 0, "no close-on-exec yet")
		expect_ok(k.fcntl(fd, "setfd", 1))
		expect_eq(k.fcntl(fd, "getfd"), 1, "FD_CLOEXEC set")
		local hi = expect_ok(k.fcntl(fd, "dupfd", 20))
		expect(hi >= 20, "F_DUPFD picks at least the asked number")
		expect_eq(k.dup2(fd, 30), 30, "dup2 to a chosen number")
		expect_ok(k.close(30))
		expect_ok(k.close(hi))
		expect_ok(k.close(fd))
	end
}

scenario {
	name = "large_file",
	description = "a file of a few MiB reads back exactly, in odd-sized pieces",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local parts = {}
		for i = 1, 3000 do parts[i] = string.format("%07d|", i) .. ("r"):rep(i % 700) end
		local data = table.concat(parts)
		expect_ok(k.write_file(fs.dir .. "/big", data))
		expect_eq(k.stat(fs.dir .. "/big").size, #data, "size")
		local fd = expect_ok(k.open(fs.dir .. "/big", "r"))
		local got, pos = {}, 0
		while true do
			local s = expect_ok(k.read(fd, 4093))
			if #s == 0 then break end
			got[#got + 1] = s
			pos = pos + #s
		end
		expect_ok(k.close(fd))
		expect_eq(pos, #data, "bytes read")
		expect(table.concat(got) == data, "the contents read back exactly")
	end
}
