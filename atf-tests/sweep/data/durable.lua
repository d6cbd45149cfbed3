-- The power-cut oracle's own scenario: a file made durable by fsync,
-- then another written and made durable, then more writes.

local img = image.ext2 { size = "4M", block = 1024 }

scenario {
	name = "durable",
	description = "fsync a, write and fsync b, then write c",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		local fd = expect_ok(k.open(fs.dir .. "/a", "w"))
		expect_eq(k.write(fd, ("a"):rep(6000)), 6000)
		expect_ok(k.fsync(fd))
		expect_ok(k.close(fd))
		fd = expect_ok(k.open(fs.dir .. "/b", "w+"))
		expect_eq(k.write(fd, ("b"):rep(3000)), 3000)
		expect_ok(k.fdatasync(fd))
		expect_ok(k.close(fd))
		expect_ok(k.write_file(fs.dir .. "/c", ("c"):rep(20000)))
	end
}
