-- The power-cut oracle and O_SYNC: a write that returned through a
-- descriptor open with O_SYNC (or O_DSYNC) made its file durable, with no
-- fsync; then more writes that are not.

local img = image.ext2 { size = "4M", block = 1024 }

scenario {
	name = "osync",
	description = "write a through O_SYNC, writev b through O_DSYNC, " ..
	    "then write c without a sync",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		local fd = expect_ok(k.open(fs.dir .. "/a",
		    { "wronly", "creat", "sync" }))
		expect_eq(k.write(fd, ("a"):rep(6000)), 6000)
		expect_ok(k.close(fd))
		fd = expect_ok(k.open(fs.dir .. "/b",
		    { "rdwr", "creat", "dsync" }))
		expect_eq(k.writev(fd, { ("b"):rep(1000), ("B"):rep(2000) }),
		    3000)
		expect_ok(k.close(fd))
		expect_ok(k.write_file(fs.dir .. "/c", ("c"):rep(20000)))
	end
}
