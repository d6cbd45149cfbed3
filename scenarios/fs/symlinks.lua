-- Symbolic links: readlink, lstat, dangling links, loops.

scenario {
	name = "symlinks",
	description = "readlink and lstat see the link; stat and open follow it",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.write_file(d .. "/target", "pointed at"))
		expect_ok(k.symlink("target", d .. "/link"))
		expect_eq(k.readlink(d .. "/link"), "target", "readlink")
		expect_eq(k.lstat(d .. "/link").type, "lnk", "lstat sees the link")
		expect_eq(k.stat(d .. "/link").type, "reg", "stat follows it")
		expect_eq(k.read_file(d .. "/link"), "pointed at", "open follows it")
		expect_errno(function() return k.readlink(d .. "/target") end,
		    "EINVAL", "readlink of a regular file")
		expect_errno(function()
			return k.open(d .. "/link", { "rdonly", "nofollow" })
		end, "EFTYPE", "O_NOFOLLOW on a link (NetBSD says EFTYPE)")
		expect_ok(k.symlink("nowhere", d .. "/dangling"))
		expect_errno(function() return k.stat(d .. "/dangling") end, "ENOENT",
		    "a dangling link")
		expect_ok(k.symlink("loop2", d .. "/loop1"))
		expect_ok(k.symlink("loop1", d .. "/loop2"))
		expect_errno(function() return k.open(d .. "/loop1", "r") end, "ELOOP",
		    "a symlink loop")
		expect_errno(function() return k.symlink("x", d .. "/target") end,
		    "EEXIST", "symlink over an existing name")
		expect_ok(k.unlink(d .. "/link"))
		expect_eq(k.read_file(d .. "/target"), "pointed at",
		    "unlinking the link leaves the target")
	end
}
