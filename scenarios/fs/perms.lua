-- Permission checks as an unprivileged process (an lwproc with uid and
-- gid 1000), against files root made.

scenario {
	name = "unprivileged_access",
	description = "mode bits decide: EACCES for others' private files and dirs",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.write_file(d .. "/secret", "root only", "0600"))
		expect_ok(k.write_file(d .. "/public", "everyone", "0644"))
		expect_ok(k.mkdir(d .. "/closed", "0755"))
		local u = k.process { uid = 1000, gid = 1000 }
		expect_eq(u.getuid(), 1000, "the process's uid")
		expect_eq(u.getegid(), 1000, "the process's gid")
		expect_errno(function() return u.open(d .. "/secret", "r") end,
		    "EACCES", "read of a 0600 root file")
		expect_eq(u.read_file(d .. "/public"), "everyone", "a 0644 file reads")
		expect_errno(function() return u.open(d .. "/public", "r+") end,
		    "EACCES", "write of a 0644 root file")
		expect_errno(function() return u.write_file(d .. "/closed/f", "x") end,
		    "EACCES", "create in a 0755 root directory")
		expect_errno(function() return u.access(d .. "/public", "w") end,
		    "EACCES", "access(W_OK)")
		expect_ok(u.access(d .. "/public", "r"))
		expect_errno(function() return u.chmod(d .. "/public", "0666") end,
		    "EPERM", "chmod of another user's file")
		expect_errno(function() return u.chown(d .. "/public", 1000, 1000) end,
		    "EPERM", "chown as non-root")
		expect_errno(function() return u.setuid(0) end, "EPERM",
		    "setuid(0) as non-root")
	end
}

scenario {
	name = "owner_and_group",
	description = "a file's owner and group bits apply to the right process",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.mkdir(d .. "/shared"))
		expect_ok(k.chmod(d .. "/shared", "0777"))
		-- BSD: a new file takes its group from the directory.
		expect_ok(k.chown(d .. "/shared", 0, 500))
		local alice = k.process { uid = 1001, gid = 500 }
		local bob = k.process { uid = 1002, gid = 500 }
		local eve = k.process { uid = 1003, gid = 600 }
		expect_ok(alice.write_file(d .. "/shared/f", "team", "0640"))
		local st = k.stat(d .. "/shared/f")
		expect_eq(st.uid, 1001, "owner is the creator")
		expect_eq(st.gid, 500, "group is the directory's")
		expect_eq(st.octal, "0640", "mode as asked (umask 022 keeps 0640)")
		expect_eq(bob.read_file(d .. "/shared/f"), "team", "group may read")
		expect_errno(function() return bob.open(d .. "/shared/f", "r+") end,
		    "EACCES", "group may not write")
		expect_errno(function() return eve.open(d .. "/shared/f", "r") end,
		    "EACCES", "others may not read")
		expect_ok(alice.chmod(d .. "/shared/f", "0604"))
		expect_errno(function() return bob.open(d .. "/shared/f", "r") end,
		    "EACCES", "group bits apply before other bits")
		expect_eq(eve.read_file(d .. "/shared/f"), "team", "now others may read")
	end
}

scenario {
	name = "sticky_directory",
	description = "in a sticky directory only the owner removes a file",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir .. "/tmp"
		expect_ok(k.mkdir(d))
		expect_ok(k.chmod(d, "1777"))
		expect_eq(k.stat(d).octal, "1777", "a sticky, world-writable directory")
		local alice = k.process { uid = 2001, gid = 2001 }
		local bob = k.process { uid = 2002, gid = 2002 }
		expect_ok(alice.write_file(d .. "/alice", "mine", "0666"))
		expect_errno(function() return bob.unlink(d .. "/alice") end, "EPERM",
		    "another user's file in a sticky directory")
		expect_errno(function() return bob.rename(d .. "/alice", d .. "/b") end,
		    "EPERM", "rename of another user's file out of a sticky directory")
		expect_ok(alice.unlink(d .. "/alice"))
	end
}

scenario {
	name = "umask",
	description = "umask masks the mode of new files and directories",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local p = k.process { uid = 0, gid = 0 }
		expect_eq(p.umask("027"), tonumber("022", 8), "the default umask")
		expect_eq(p.umask("027"), tonumber("027", 8),
		    "umask returns the previous mask")
		expect_ok(p.write_file(fs.dir .. "/f", "", "0666"))
		expect_eq(k.stat(fs.dir .. "/f").octal, "0640", "0666 & ~027")
		expect_ok(p.mkdir(fs.dir .. "/d", "0777"))
		expect_eq(k.stat(fs.dir .. "/d").octal, "0750", "0777 & ~027")
	end
}
