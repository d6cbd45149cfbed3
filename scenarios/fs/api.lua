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
