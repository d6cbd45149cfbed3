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
