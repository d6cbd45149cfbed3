-- The errno of each failure mode of open, close, read and write, by
-- NetBSD name.

scenario {
	name = "open_errors",
	description = "open: ENOENT, EEXIST, EISDIR, ENOTDIR, ENAMETOOLONG",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_errno(function() return k.open(d .. "/missing", "r") end,
		    "ENOENT", "open of a missing file")
		expect_errno(function() return k.open(d .. "/no/such/dir/f", "w") end,
		    "ENOENT", "create under a missing directory")
		expect_errno(function() return k.open("", "r") end, "ENOENT",
		    "empty path")
		local fd = expect_ok(k.open(d .. "/f", "w"))
		expect_ok(k.close(fd))
		expect_errno(function() return k.open(d .. "/f", "wx") end,
		    "EEXIST", "O_CREAT|O_EXCL on an existing file")
		expect_errno(function() return k.open(d .. "/f/x", "r") end,
		    "ENOTDIR", "a file used as a directory")
		expect_ok(k.mkdir(d .. "/dir"))
		expect_errno(function() return k.open(d .. "/dir", "w") end,
		    "EISDIR", "a directory opened for writing")
		expect_errno(function() return k.open(d .. "/dir", "r+") end,
		    "EISDIR", "a directory opened read-write")
		expect_errno(function()
			return k.open(d .. "/" .. ("n"):rep(600), "w")
		end, "ENAMETOOLONG", "a name longer than NAME_MAX")
		expect_errno(function()
			return k.open(d .. "/f", { "rdonly", "directory" })
		end, "ENOTDIR", "O_DIRECTORY on a file")
	end
}

scenario {
	name = "fd_errors",
	description = "EBADF for closed and wrong-mode descriptors",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local path = fs.dir .. "/f"
		expect_ok(k.write_file(path, "data"))
		expect_errno(function() return k.close(999) end, "EBADF",
		    "close of a descriptor never opened")
		local fd = expect_ok(k.open(path, "r"))
		expect_errno(function() return k.write(fd, "x") end, "EBADF",
		    "write on a read-only descriptor")
		expect_ok(k.close(fd))
		expect_errno(function() return k.read(fd, 4) end, "EBADF",
		    "read after close")
		expect_errno(function() return k.close(fd) end, "EBADF",
		    "second close")
		fd = expect_ok(k.open(path, "w"))
		expect_errno(function() return k.read(fd, 4) end, "EBADF",
		    "read on a write-only descriptor")
		expect_ok(k.close(fd))
		expect_errno(function() return k.lseek(-1, 0) end, "EBADF",
		    "lseek on -1")
	end
}

scenario {
	name = "dir_errors",
	description = "mkdir, rmdir and unlink errors",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.mkdir(d .. "/a"))
		expect_errno(function() return k.mkdir(d .. "/a") end, "EEXIST",
		    "mkdir of an existing directory")
		expect_ok(k.write_file(d .. "/a/f", ""))
		expect_errno(function() return k.rmdir(d .. "/a") end,
		    "ENOTEMPTY", "rmdir of a non-empty directory")
		expect_errno(function() return k.rmdir(d .. "/a/f") end,
		    "ENOTDIR", "rmdir of a file")
		expect_errno(function() return k.unlink(d .. "/a") end, "EPERM",
		    "unlink of a directory (NetBSD says EPERM)")
		expect_errno(function() return k.rmdir(d .. "/a/.") end,
		    "EINVAL", "rmdir of \".\"")
		expect_errno(function() return k.mkdir(d .. "/x/y") end,
		    "ENOENT", "mkdir under a missing parent")
		expect_errno(function() return k.unlink(d .. "/nope") end,
		    "ENOENT", "unlink of a missing file")
		expect_ok(k.unlink(d .. "/a/f"))
		expect_ok(k.rmdir(d .. "/a"))
		expect_errno(function() return k.stat(d .. "/a") end, "ENOENT",
		    "the removed directory is gone")
	end
}
