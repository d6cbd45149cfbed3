-- For h_rumpus_ktest with H_RUMPUS_KTEST=leak, whose kernels boot with
-- one allocation never freed (k_kern.c ktest_leak): the books at teardown
-- hold it whatever the body did (t_rumpus:fail_leak).
scenario {
	name = "passes",
	description = "a body that passes: the case is a leak",
	function(k)
		expect_ok(k.mkdir("/d"))
	end
}

scenario {
	name = "fails",
	description = "a body that fails: the case stays a failure, and the " ..
	    "leak is noted beside it",
	function(k)
		expect_ok(k.mkdir("/d"))
		expect(false, "failing on purpose")
	end
}
