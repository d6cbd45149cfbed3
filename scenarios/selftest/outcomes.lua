-- The runner's self-tests: each scenario declares the outcome the runner
-- must name for it (outcome=), so "rumpus run" counts the case as ok only
-- when the runner names exactly that outcome.  None needs a kernel.

scenario {
	name = "pass",
	description = "a body whose every expectation holds passes",
	function()
		expect(1 + 1 == 2, "arithmetic")
		expect_eq(("x"):rep(3), "xxx", "string.rep")
		expect_errno(function() return nil, "ENOENT", 2 end, "ENOENT")
		expect_error(function() expect_errno(42, "ENOENT") end,
		    "bad argument #1")
		expect_error(function() expect_errno(print, "ENOPE") end,
		    "is not a NetBSD errno name")
	end
}

scenario {
	name = "fail",
	description = "a failed expectation is outcome fail",
	outcome = "fail",
	function()
		expect(false, "this expectation fails on purpose")
	end
}

scenario {
	name = "fail_eq",
	description = "expect_eq names both values",
	outcome = "fail",
	function()
		expect_eq(2 + 2, 5, "sum")
	end
}

scenario {
	name = "fail_errno",
	description = "expect_errno names the error it got",
	outcome = "fail",
	function()
		expect_errno(function() return nil, "EEXIST", 17 end, "ENOENT")
	end
}

scenario {
	name = "error",
	description = "a Lua runtime error in the body is outcome error",
	outcome = "error",
	function()
		local t = nil
		return t.field
	end
}

scenario {
	name = "hang",
	description = "a body that never ends is outcome hang at its timeout",
	outcome = "hang",
	timeout = 0.5,
	function()
		while true do end
	end
}

scenario {
	name = "limit",
	description = "a body that grows without bound is outcome limit",
	outcome = "limit",
	function()
		local t = {}
		for i = 1, math.maxinteger do
			t[i] = ("x"):rep(4096) .. i
		end
	end
}

scenario {
	name = "exit",
	description = "a body that ends the instance itself is outcome error",
	outcome = "error",
	function()
		os.exit(0)
	end
}

scenario {
	name = "crash",
	description = "an instance killed by a signal is outcome crash",
	outcome = "crash",
	function()
		raise("SIGSEGV")
	end
}

scenario {
	name = "panic",
	description = "an abort after a \"panic: \" console line is outcome panic",
	outcome = "panic",
	function()
		-- What the kernel's panic() does: the message on the console,
		-- then rumpuser_exit(RUMPUSER_PANIC), which aborts.
		print("panic: selftest: the runner must name this a panic")
		raise("SIGABRT")
	end
}

scenario {
	name = "console_flood",
	description = "16 MiB of console output is cut at 8 MiB; the case still passes",
	function()
		local line = ("f"):rep(1023)
		for _ = 1, 16 * 1024 do print(line) end
	end
}
