-- t_overlay: k.image_copy() of an image larger than the console limit
-- (8 MiB) that caps what an instance writes.

local img = image.ext2 { size = "24M", block = 1024, inode = 128 }

scenario {
	name = "bigcopy",
	description = "write near the end of a 24 MiB image, unmount, copy " ..
	    "it whole and have e2fsck check the copy",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		expect_ok(k.write_file(fs.dir .. "/big", ("b"):rep(12 << 20)))
		expect_ok(k.unmount(fs.dir))
		local copy = k.image_copy()
		local clean, problems = img:fsck(copy)
		expect(clean, "e2fsck of the copy: " .. tostring(problems))
		local f = assert(io.open(copy, "rb"))
		expect_eq(f:seek("end"), 24 << 20, "the copy is the whole image")
		f:close()
		expect_ok(k.mount_ext2(img, fs.dir))
	end
}
