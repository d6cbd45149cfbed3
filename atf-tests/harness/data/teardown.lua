-- t_rumpus: the teardown cannot unmount the fs variant; the reason says
-- what the scenario left: a mount, descriptors, its working directory,
-- or no mount at all.

scenario {
	name = "mounted",
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.mkdir(fs.dir .. "/sub"))
		expect_ok(k.mount_tmpfs(fs.dir .. "/sub"))
	end
}

scenario {
	name = "open",
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.open(fs.dir .. "/f", "w"))
		expect_ok(k.open(fs.dir .. "/g", "w"))
	end
}

scenario {
	name = "cwd",
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.mkdir(fs.dir .. "/d"))
		expect_ok(k.chdir(fs.dir .. "/d"))
	end
}

scenario {
	name = "unmounted",
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.unmount(fs.dir))
	end
}
