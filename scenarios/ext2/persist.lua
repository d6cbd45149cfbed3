-- ext2 on disk: what is written survives unmount and remount, and the
-- image stays clean for e2fsck.

local img = image.ext2 {
	size = "8M", block = 1024,
	files = { ["/preloaded"] = "from mke2fs -d", ["/sub/"] = true },
}

scenario {
	name = "persist",
	description = "write, unmount, remount, verify; e2fsck finds the image clean",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		expect_eq(k.read_file(fs.dir .. "/preloaded"), "from mke2fs -d",
		    "a file mke2fs put there")
		expect_ok(k.write_file(fs.dir .. "/sub/new", ("p"):rep(20000)))
		expect_ok(k.mkdir(fs.dir .. "/made"))
		expect_ok(k.unlink(fs.dir .. "/preloaded"))
		expect_ok(k.unmount(fs.dir))
		local copy = k.image_copy()
		local clean, problems = img:fsck(copy)
		expect(clean, "e2fsck after unmount: " .. tostring(problems))
		expect_ok(k.mount_ext2(img, fs.dir))
		expect_eq(#k.read_file(fs.dir .. "/sub/new"), 20000, "data after remount")
		expect_eq(k.stat(fs.dir .. "/made").type, "dir", "directory after remount")
		expect_errno(function() return k.stat(fs.dir .. "/preloaded") end,
		    "ENOENT", "the unlink persisted")
	end
}
