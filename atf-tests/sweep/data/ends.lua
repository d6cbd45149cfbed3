-- Instances that end without a verdict, after kernel calls: the record
-- of each still carries the hypercall counts up to the end and a digest.
scenario {
	name = "crash",
	outcome = "crash",
	fs = { "tmpfs" },
	function(k, fs)
		for i = 1, 20 do
			expect_ok(k.mkdir(fs.dir .. "/d" .. i))
		end
		raise("SIGSEGV")
	end
}

scenario {
	name = "hang",
	outcome = "hang",
	timeout = 0.5,
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.mkdir(fs.dir .. "/d"))
		while true do end
	end
}
