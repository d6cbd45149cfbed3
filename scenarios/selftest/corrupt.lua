-- The runner checks every disk image after its instance: a case whose
-- body passes but whose image e2fsck -fn rejects is outcome corrupt.

local img = image.ext2 { size = "4M", block = 1024, inode = 128 }

scenario {
	name = "garbage",
	description = "after the unmount, garbage over the block bitmap through " ..
	    "the raw device (etfs): the body passes, e2fsck -fn does not",
	fs = { "ext2" },
	image = img,
	outcome = "corrupt",
	function(k, fs)
		expect_ok(k.unmount(fs.dir))
		local dev = expect_ok(k.open("/dev/rumpus-ext2", "r+"))
		-- The first group descriptor (block 2) names the block bitmap.
		local gd = k.pread(dev, 512, 2048)
		local bitmap = string.unpack("<I4", gd, 1)
		expect_eq(k.pwrite(dev, ("\xa5"):rep(512), bitmap * 1024), 512)
		expect_ok(k.close(dev))
		expect_ok(k.mount_ext2(img, fs.dir, { flags = { "rdonly" } }))
	end
}
