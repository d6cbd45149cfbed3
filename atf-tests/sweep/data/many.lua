-- The power-cut oracle past its record: more files made durable than the
-- record holds (RUMPUS_DURABLE_MAX, 64), then a write that is not.

local img = image.ext2 { size = "4M", block = 1024 }

scenario {
	name = "many",
	description = "write and fsync 70 files, then write one more",
	fs = { "ext2" },
	image = img,
	function(k, fs)
		for i = 1, 70 do
			local fd = expect_ok(k.open(fs.dir .. "/f" .. i, "w"))
			expect_eq(k.write(fd, ("m"):rep(100 + i)), 100 + i)
			expect_ok(k.fsync(fd))
			expect_ok(k.close(fd))
		end
		expect_ok(k.write_file(fs.dir .. "/last", ("l"):rep(5000)))
	end
}
