-- A size-limited tmpfs runs out of space and of nodes with ENOSPC, and
-- recovers when files are removed.

scenario {
	name = "size_limit",
	description = "writes past tmpfs_args.ta_size_max fail with ENOSPC",
	fs = { "tmpfs" },
	function(k, fs)
		local d = fs.dir .. "/small"
		expect_ok(k.mkdir(d))
		expect_ok(k.mount_tmpfs(d, { size = 256 * 1024 }))
		local fd = expect_ok(k.open(d .. "/fill", "w"))
		local chunk, total, err = ("f"):rep(4096), 0, nil
		for _ = 1, 1000 do
			local n, e = k.write(fd, chunk)
			if n == nil then err = e break end
			total = total + n
			if n < #chunk then
				n, e = k.write(fd, chunk)
				expect(n == nil, "a short write is followed by an error")
				err = e
				break
			end
		end
		expect_eq(err, "ENOSPC", "the error once the file system is full")
		expect(total <= 256 * 1024, "no more than the limit was written (" ..
		    total .. " bytes)")
		expect(total > 0, "something was written before ENOSPC")
		expect_ok(k.close(fd))
		expect_ok(k.unlink(d .. "/fill"))
		-- Space comes back after unlink.
		expect_ok(k.write_file(d .. "/again", chunk))
		expect_ok(k.unlink(d .. "/again"))
		expect_ok(k.unmount(d))
	end
}

scenario {
	name = "node_limit",
	description = "creating past tmpfs_args.ta_nodes_max fails with ENOSPC",
	fs = { "tmpfs" },
	function(k, fs)
		local d = fs.dir .. "/few"
		expect_ok(k.mkdir(d))
		expect_ok(k.mount_tmpfs(d, { nodes = 8 }))
		local made, err = 0, nil
		for i = 1, 20 do
			local fd, e = k.open(d .. "/n" .. i, "w")
			if fd == nil then err = e break end
			made = made + 1
			expect_ok(k.close(fd))
		end
		expect_eq(err, "ENOSPC", "the error once nodes run out")
		expect(made < 8, "fewer files than nodes (the root is one): " .. made)
		expect_errno(function() return k.mkdir(d .. "/dir") end, "ENOSPC",
		    "mkdir needs a node too")
		expect_ok(k.unlink(d .. "/n1"))
		-- A freed node can be reused.
		expect_ok(k.mkdir(d .. "/dir"))
		expect_ok(k.rmdir(d .. "/dir"))
		for i = 2, made do expect_ok(k.unlink(d .. "/n" .. i)) end
		expect_ok(k.unmount(d))
	end
}

scenario {
	name = "statvfs_counts",
	description = "statvfs reports the limit and the space used",
	fs = { "tmpfs" },
	function(k, fs)
		local d = fs.dir .. "/sv"
		expect_ok(k.mkdir(d))
		expect_ok(k.mount_tmpfs(d, { size = 1024 * 1024 }))
		local before = expect_ok(k.statvfs(d))
		expect_eq(before.fstypename, "tmpfs", "f_fstypename")
		expect(before.blocks * before.frsize <= 1024 * 1024 + before.frsize,
		    "the size limit shows in f_blocks")
		expect_ok(k.write_file(d .. "/f", ("s"):rep(256 * 1024)))
		local after = expect_ok(k.statvfs(d))
		expect(after.bfree < before.bfree, "writing used free blocks")
		expect_ok(k.unlink(d .. "/f"))
		expect_ok(k.unmount(d))
	end
}
