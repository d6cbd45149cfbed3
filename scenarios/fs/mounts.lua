-- Mount points: busy file systems, and mounts over directories.

scenario {
	name = "unmount_busy",
	description = "unmount with a file open is EBUSY; MNT_FORCE or close lets it go",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local m = fs.dir .. "/m"
		expect_ok(k.mkdir(m))
		expect_ok(k.mount_tmpfs(m))
		local fd = expect_ok(k.open(m .. "/f", "w"))
		expect_errno(function() return k.unmount(m) end, "EBUSY",
		    "unmount with an open file")
		expect_errno(function() return k.rmdir(m) end, "EBUSY",
		    "rmdir of a mount point")
		expect_ok(k.close(fd))
		expect_ok(k.unmount(m))
		expect_errno(function() return k.stat(m .. "/f") end, "ENOENT",
		    "the file went with the mount")
		expect_ok(k.rmdir(m))
	end
}

scenario {
	name = "mount_covers",
	description = "a mount hides the directory's contents until unmounted",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local m = fs.dir .. "/m"
		expect_ok(k.mkdir(m))
		expect_ok(k.write_file(m .. "/under", "hidden"))
		expect_ok(k.mount_tmpfs(m, { mode = "0700" }))
		expect_errno(function() return k.stat(m .. "/under") end, "ENOENT",
		    "covered by the mount")
		expect_eq(k.stat(m).octal, "0700", "the root of the new mount")
		expect_eq(#k.readdir(m), 2, "a fresh tmpfs holds . and ..")
		expect_eq(k.statvfs(m).fstypename, "tmpfs")
		expect_ok(k.unmount(m))
		expect_eq(k.read_file(m .. "/under"), "hidden", "uncovered again")
	end
}

scenario {
	name = "mount_args",
	description = "MNT_GETARGS gives the arguments in force; a tmpfs's mount again",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local m, m2 = fs.dir .. "/m", fs.dir .. "/m2"
		expect_eq(k.mount_args(fs.dir).type, k.statvfs(fs.dir).fstypename)
		expect_ok(k.mkdir(m))
		expect_ok(k.mkdir(m2))
		expect_errno(function() return k.mount_args(m) end, "EINVAL",
		    "not a mount point")
		expect_ok(k.mount_tmpfs(m, { size = 5000, nodes = 9, mode = "0750",
		    uid = 3, gid = 4 }))
		local a = k.mount_args(m)
		expect_eq(a.type, "tmpfs")
		expect_eq(a.size, 8192, "the size in whole pages")
		expect_eq(a.nodes, 9)
		expect_eq(a.mode, 488, "mode 0750")
		expect_eq(a.uid, 3)
		expect_eq(a.gid, 4)
		expect_ok(k.chmod(m, "0700"))
		expect_eq(k.mount_args(m).mode, 448, "the root's mode now")
		a.mode = nil
		expect_ok(k.mount_tmpfs(m2, a))
		expect_eq(k.statvfs(m2).blocks, k.statvfs(m).blocks)
		expect_ok(k.unmount(m2))
		expect_ok(k.unmount(m))
	end
}
