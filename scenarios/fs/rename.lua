-- rename(2) and its classic cases.

scenario {
	name = "over_existing_file",
	description = "renaming over an existing file replaces it atomically",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local a, b = fs.dir .. "/a", fs.dir .. "/b"
		expect_ok(k.write_file(a, "new"))
		expect_ok(k.write_file(b, "old"))
		local victim = expect_ok(k.stat(b)).ino
		expect_ok(k.rename(a, b))
		expect_errno(function() return k.stat(a) end, "ENOENT",
		    "the source name is gone")
		expect_eq(k.read_file(b), "new", "the target has the source's data")
		expect(k.stat(b).ino ~= victim, "the target is the source's inode")
	end
}

scenario {
	name = "dir_into_own_subtree",
	description = "moving a directory below itself is EINVAL",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.mkdir(d .. "/p"))
		expect_ok(k.mkdir(d .. "/p/c"))
		expect_errno(function() return k.rename(d .. "/p", d .. "/p/c/q") end,
		    "EINVAL", "directory into its own subtree")
		expect_errno(function() return k.rename(d .. "/p", d .. "/p/q") end,
		    "EINVAL", "directory into itself")
		expect_eq(k.stat(d .. "/p/c").type, "dir", "tree unchanged")
	end
}

scenario {
	name = "over_nonempty_dir",
	description = "renaming a directory over a non-empty one is ENOTEMPTY",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.mkdir(d .. "/src"))
		expect_ok(k.mkdir(d .. "/dst"))
		expect_ok(k.write_file(d .. "/dst/keep", "x"))
		expect_errno(function() return k.rename(d .. "/src", d .. "/dst") end,
		    "ENOTEMPTY", "over a non-empty directory")
		expect_ok(k.unlink(d .. "/dst/keep"))
		expect_ok(k.rename(d .. "/src", d .. "/dst"))
		expect_errno(function() return k.stat(d .. "/src") end, "ENOENT")
		expect_eq(k.stat(d .. "/dst").nlink, 2, "an empty directory has 2 links")
	end
}

scenario {
	name = "type_mismatch",
	description = "directory over file is ENOTDIR, file over directory EISDIR",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.mkdir(d .. "/dir"))
		expect_ok(k.write_file(d .. "/file", "f"))
		expect_errno(function() return k.rename(d .. "/dir", d .. "/file") end,
		    "ENOTDIR", "directory over a file")
		expect_errno(function() return k.rename(d .. "/file", d .. "/dir") end,
		    "EISDIR", "file over a directory")
	end
}

scenario {
	name = "onto_own_hard_link",
	description = "renaming a file onto a hard link of itself does nothing",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local a, b = fs.dir .. "/a", fs.dir .. "/b"
		expect_ok(k.write_file(a, "same"))
		expect_ok(k.link(a, b))
		expect_ok(k.rename(a, b))
		expect_eq(k.stat(a).ino, k.stat(b).ino, "both names remain")
		expect_eq(k.stat(a).nlink, 2, "link count unchanged")
	end
}

scenario {
	name = "across_mounts",
	description = "rename between two file systems is EXDEV",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_ok(k.mkdir(d .. "/other"))
		expect_ok(k.mount_tmpfs(d .. "/other"))
		expect_ok(k.write_file(d .. "/f", "x"))
		expect_errno(function() return k.rename(d .. "/f", d .. "/other/f") end,
		    "EXDEV", "rename across mounts")
		expect_ok(k.unmount(d .. "/other"))
	end
}

scenario {
	name = "missing_and_same",
	description = "a missing source is ENOENT; a rename to itself is a no-op",
	fs = { "tmpfs", "ext2" },
	function(k, fs)
		local d = fs.dir
		expect_errno(function() return k.rename(d .. "/none", d .. "/x") end,
		    "ENOENT", "missing source")
		expect_ok(k.write_file(d .. "/f", "keep"))
		expect_ok(k.rename(d .. "/f", d .. "/f"))
		expect_eq(k.read_file(d .. "/f"), "keep", "data survives")
		expect_ok(k.mkdir(d .. "/sub"))
		expect_ok(k.rename(d .. "/f", d .. "/sub/g"))
		expect_eq(k.read_file(d .. "/sub/g"), "keep", "moved across directories")
	end
}
