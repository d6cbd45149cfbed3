-- A small tmpfs scenario to sweep: a directory, a file written and read
-- back.  Under an injected fault any step may fail with the error.
scenario {
	name = "small",
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.mkdir(fs.dir .. "/d"))
		local fd = expect_ok(k.open(fs.dir .. "/d/f", "w+"))
		expect_eq(k.write(fd, "hello"), 5)
		expect_ok(k.lseek(fd, 0))
		expect_eq(k.read(fd, 5), "hello")
		expect_ok(k.close(fd))
	end
}
