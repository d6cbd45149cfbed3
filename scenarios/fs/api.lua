-- The Lua side of kernel calls: wrong argument types are Lua errors that
-- name the argument; kernel errors are nil, name, number.

scenario {
	name = "argument_errors",
	description = "a wrong argument type names the argument and the call",
	fs = { "tmpfs" },
	function(k, fs)
		expect_error(function() k.open(nil, "r") end,
		    "bad argument #1 to 'open' %(string expected, got nil%)")
		expect_error(function() k.open(fs.dir .. "/x", "rw") end,
		    "bad argument #2 to 'open' %(open flags must be")
		expect_error(function() k.open(fs.dir .. "/x", { "rdwr", "bogus" }) end,
		    "unknown open flag \"bogus\"")
		expect_error(function() k.mkdir(fs.dir .. "/d", "0999") end,
		    "bad argument #2 to 'mkdir' %(mode must be an octal string")
		expect_error(function() k.read(0, -1) end,
		    "bad argument #2 to 'read' %(byte count must be within")
		expect_error(function() k.lseek(0, 0, "middle") end,
		    "bad argument #3 to 'lseek' %(invalid option 'middle'%)")
		expect_error(function() k.process { uid = "root" } end,
		    "number expected, got string")
	end
}

scenario {
	name = "error_convention",
	description = "a failing call returns nil, the NetBSD errno name and its number",
	fs = { "tmpfs" },
	function(k, fs)
		local v, name, num = k.open(fs.dir .. "/missing", "r")
		expect_eq(v, nil, "no descriptor")
		expect_eq(name, "ENOENT", "the NetBSD name")
		expect_eq(num, 2, "the NetBSD number")
		v, name, num = k.rmdir(fs.dir)
		expect_eq(v, nil)
		expect_eq(name, "EBUSY", "rmdir of a mount point")
		expect_eq(num, 16, "EBUSY is 16 on NetBSD")
		v, name, num = k.open(fs.dir .. "/" .. ("n"):rep(600), "w")
		expect_eq(num, 63, "ENAMETOOLONG is 63 on NetBSD (36 on Linux)")
	end
}

scenario {
	name = "counters_books",
	description = "k.counters() and k.books() follow what the body makes and frees",
	fs = { "tmpfs" },
	function(k, fs)
		local c0, b0 = k.counters(), k.books()
		for i = 1, 50 do
			expect_ok(k.write_file(fs.dir .. "/f" .. i, ("b"):rep(3000)))
		end
		local b1 = k.books()
		expect(b1.kmem_count > b0.kmem_count, "50 files hold kernel memory")
		expect(b1.kmem_bytes > b0.kmem_bytes + 50 * 3000, "at least their data")
		for i = 1, 50 do expect_ok(k.unlink(fs.dir .. "/f" .. i)) end
		local b2 = k.books()
		expect(b2.kmem_bytes < b1.kmem_bytes - 50 * 3000,
		    "unlink gives the data back")
		local p = k.process { uid = 7 }
		expect(k.spawn(function() return true end):join(), "an lwp ran")
		local c1 = k.counters()
		expect(c1.kmem_allocs > c0.kmem_allocs, "allocations counted")
		expect(c1.kmem_frees > c0.kmem_frees, "frees counted")
		expect_eq(c1.procs_created, c0.procs_created + 1, "k.process made one")
		expect(c1.lwps_created >= c0.lwps_created + 2, "and the spawn an lwp")
		expect_eq(b2.locks, 0, "no lock held between calls")
	end
}
