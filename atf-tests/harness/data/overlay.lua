-- t_overlay: ext2 instances whose images the runner checks after they end.

local img = image.ext2 { size = "4M", block = 1024, inode = 128 }

scenario {
	name = "writes",
	description = "writes a file and passes: the image is clean, nothing kept",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		expect_ok(k.write_file(fs.dir .. "/hello", "written by the instance"))
	end
}

scenario {
	name = "reads",
	description = "mounts the image read-only and reads: nothing written, " ..
	    "so nothing for e2fsck to check",
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.mkdir("/ro"))
		expect_ok(k.mount_ext2(img, "/ro", { flags = { "rdonly" } }))
		expect_ok(k.stat("/ro/lost+found"))
		expect_ok(k.unmount("/ro"))
	end
}

scenario {
	name = "fails",
	description = "writes a file, then fails an expectation",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		expect_ok(k.write_file(fs.dir .. "/kept", "in the kept image"))
		expect(false, "failing on purpose")
	end
}

scenario {
	name = "killed",
	description = "writes and fsyncs a file, then dies by SIGKILL",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		local fd = expect_ok(k.open(fs.dir .. "/survivor", "w+"))
		expect_ok(k.write(fd, "synced before SIGKILL"))
		expect_ok(k.fsync(fd))
		raise("SIGKILL")
		expect(false, "still alive after SIGKILL")
	end
}
