-- The *at(2) calls: paths relative to a directory descriptor.

scenario {
	name = "at_calls",
	description = "openat, mkdirat, fstatat, renameat, linkat, symlinkat, readlinkat, unlinkat relative to a directory fd",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		expect_ok(k.mkdir(fs.dir .. "/base"))
		local dfd = expect_ok(k.open(fs.dir .. "/base", { "rdonly", "directory" }))
		local fd = expect_ok(k.openat(dfd, "f", "w"))
		expect_eq(k.write(fd, "at"), 2)
		expect_ok(k.close(fd))
		expect_eq(k.read_file(fs.dir .. "/base/f"), "at", "openat created base/f")
		expect_ok(k.mkdirat(dfd, "sub"))
		expect_eq(k.fstatat(dfd, "sub").type, "dir", "fstatat sees mkdirat's directory")
		expect_ok(k.renameat(dfd, "f", dfd, "sub/g"))
		expect_errno(function() return k.fstatat(dfd, "f") end, "ENOENT",
		    "renameat moved f")
		expect_ok(k.linkat(dfd, "sub/g", dfd, "h"))
		expect_eq(k.fstatat(dfd, "h").nlink, 2, "linkat made a second name")
		expect_ok(k.symlinkat("sub/g", dfd, "l"))
		expect_eq(k.readlinkat(dfd, "l"), "sub/g", "readlinkat")
		expect_eq(k.fstatat(dfd, "l", k.AT.SYMLINK_NOFOLLOW).type, "lnk",
		    "AT_SYMLINK_NOFOLLOW")
		expect_eq(k.fstatat(dfd, "l").type, "reg", "fstatat follows links")
		expect_ok(k.faccessat(dfd, "h", "rw"))
		expect_ok(k.fchmodat(dfd, "h", "0600"))
		expect_eq(k.stat(fs.dir .. "/base/h").octal, "0600", "fchmodat")
		expect_errno(function() return k.unlinkat(dfd, "sub") end, "EPERM",
		    "unlinkat of a directory without AT_REMOVEDIR")
		expect_errno(function() return k.unlinkat(dfd, "sub", k.AT.REMOVEDIR) end,
		    "ENOTEMPTY", "AT_REMOVEDIR of a non-empty directory")
		expect_ok(k.unlinkat(dfd, "sub/g"))
		expect_ok(k.unlinkat(dfd, "sub", k.AT.REMOVEDIR))
		expect_ok(k.close(dfd))
		expect_errno(function() return k.openat(dfd, "h", "r") end, "EBADF",
		    "openat with a closed directory fd")
	end
}

scenario {
	name = "fd_metadata",
	description = "fchmod, fchown, futimes and fchdir act on the open file",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local fd = expect_ok(k.open(fs.dir .. "/m", "w", "0644"))
		expect_ok(k.fchmod(fd, "0640"))
		expect_ok(k.fchown(fd, 7, 8))
		expect_ok(k.futimes(fd, 500, 600))
		local st = k.fstat(fd)
		expect_eq(st.octal, "0640", "fchmod")
		expect_eq(st.uid, 7, "fchown uid")
		expect_eq(st.gid, 8, "fchown gid")
		expect_eq(st.mtime, 600, "futimes mtime")
		expect_ok(k.close(fd))
		expect_ok(k.mkdir(fs.dir .. "/there"))
		local p = k.process {}
		local dfd = expect_ok(p.open(fs.dir .. "/there", { "rdonly", "directory" }))
		expect_ok(p.fchdir(dfd))
		expect_eq(p.getcwd(), fs.dir .. "/there", "fchdir")
		expect_ok(p.close(dfd))
		local f2 = expect_ok(p.open(fs.dir .. "/m", "r"))
		expect_errno(function() return p.fchdir(f2) end, "ENOTDIR",
		    "fchdir to a file")
		expect_ok(p.close(f2))
	end
}

scenario {
	name = "root_bypass",
	description = "root reads a mode-0000 file; an unprivileged process cannot",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		expect_ok(k.write_file(fs.dir .. "/locked", "secret", "0000"))
		expect_eq(k.stat(fs.dir .. "/locked").octal, "0000", "mode 0000")
		expect_eq(k.read_file(fs.dir .. "/locked"), "secret", "root reads it")
		local u = k.process { uid = 100, gid = 100 }
		expect_errno(function() return u.open(fs.dir .. "/locked", "r") end,
		    "EACCES", "an unprivileged reader")
		-- Make the variant root sticky, like /tmp (mke2fs makes it 0755).
		expect_ok(k.chmod(fs.dir, "1777"))
		expect_errno(function() return u.unlink(fs.dir .. "/locked") end,
		    "EPERM", "another user's file in the sticky variant root")
	end
}
