-- Regression, found by `rumpus sweep --point kmem.alloc` over
-- scenarios/fs/at.lua, fd_metadata[tmpfs], nth=40: a k.process{} whose
-- setgid failed left its process behind (outcome leak).  The plan is
-- narrowed by a call-site filter, so that it keeps naming the same
-- allocation whatever else the kernel allocates before it.
scenario {
	name = "process_setgid_enomem",
	description = "k.process{} whose credentials cannot be set up fails with ENOMEM and leaves no process behind",
	fs = { "tmpfs" },
	faults = "kmem.alloc@rump___sysimpl_setgid:ENOMEM",
	seed = 1,
	mode = "serial",
	function(k, fs)
		expect_error(function() return k.process {} end,
		    "k.process: ENOMEM")
		expect_eq(fault.hits("kmem.alloc"), 1, "allocations failed")
	end
}
