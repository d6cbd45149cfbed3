-- Regressions of k.spawn under injected faults, found by `rumpus sweep`.

-- Found by sweeping kmem.alloc over scenarios/fs/lwps.lua,
-- create_rename_unlink[tmpfs], nth=29: a spawned lwp that could not
-- start left the others waiting at their barrier (outcome hang).
scenario {
	name = "newlwp_enomem_barrier",
	description = "an lwp that cannot start breaks the barrier the others wait at; the error reaches the body",
	fs = { "tmpfs" },
	faults = "kmem.alloc@rump_pub_lwproc_newlwp:max=1:ENOMEM",
	seed = 1,
	mode = "serial",
	timeout = 20,
	function(k, fs)
		local n = 4
		local start = k.barrier(n)
		local lwps, failed = {}, 0
		for w = 1, n do
			lwps[w] = k.spawn(function()
				start:wait()
				return w
			end)
		end
		for w = 1, n do
			local ok, err = pcall(lwps[w].join, lwps[w])
			if not ok then
				failed = failed + 1
			end
		end
		expect_eq(failed, n, "joins that raised")
		expect_eq(fault.hits("kmem.alloc"), 1, "allocations failed")
	end
}

-- Found by sweeping malloc over the tmpfs scenarios: a spawned lwp's
-- host thread enters the kernel bare, and the host malloc for its
-- implicit lwp failing was a panic.  rump_schedule now tries again.
scenario {
	name = "implicit_lwp_malloc",
	description = "a bare host thread's kernel entry survives failed host mallocs for its implicit lwp",
	fs = { "tmpfs" },
	faults = "malloc@rump_schedule:max=3:ENOMEM",
	seed = 1,
	mode = "serial",
	function(k, fs)
		local l = k.spawn(function()
			return k.getpid()
		end)
		expect(l:join() > 0, "the spawned lwp ran")
		expect_eq(fault.hits("malloc"), 3, "failed host mallocs")
	end
}

-- When the host never gives that memory, a clear panic (bounded tries).
scenario {
	name = "implicit_lwp_no_malloc",
	description = "a bare host thread whose implicit lwp can never be allocated panics with a clear message",
	fs = { "tmpfs" },
	outcome = "panic",
	faults = "malloc@rump_schedule:ENOMEM",
	seed = 1,
	mode = "serial",
	function(k, fs)
		k.spawn(function()
			return k.getpid()
		end):join()
	end
}
