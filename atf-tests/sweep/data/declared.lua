-- A scenario that carries its own fault plan, seed and mode: the first
-- allocation of its mkdir fails, and the ENOMEM reaching the body with
-- the books empty is what it wants.
scenario {
	name = "declared",
	fs = { "tmpfs" },
	faults = "kmem.alloc@lkern_mkdir:ENOMEM",
	seed = 42,
	mode = "serial",
	function(k, fs)
		expect_ok(k.mkdir(fs.dir .. "/d"))
	end
}
