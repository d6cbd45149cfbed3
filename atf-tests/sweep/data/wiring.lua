-- The fault table reaches the kernel's named points: a kmem.alloc rule
-- armed from Lua makes the next allocation fail, the scenario sees
-- ENOMEM, and the engine counts the call and the hit.  A call-site
-- filter that names no kernel function never fires.
scenario {
	name = "enomem",
	fs = { "tmpfs" },
	function(k, fs)
		fault.inject("kmem.alloc@tmpfs_*:ENOMEM")
		expect_errno(function() return k.mkdir(fs.dir .. "/d") end,
		    "ENOMEM", "mkdir with every tmpfs allocation failing")
		fault.clear()
		expect_eq(fault.hits("kmem.alloc"), 1, "hits at kmem.alloc")
		fault.inject{ point = "kmem.alloc", site = "no_such_function*",
		    action = "ENOMEM" }
		expect_ok(k.mkdir(fs.dir .. "/d"))
		expect_eq(fault.hits(), 1, "a filter naming nothing fired")
		-- Counting began with the first rule armed.
		expect(fault.count("kmem.alloc") > 1, "calls counted")
	end
}

-- A bad spec is a Lua error that points at the position.
scenario {
	name = "badspec",
	function(k)
		local ok, err = pcall(fault.inject, "kmem.alloc:nht=3:ENOMEM")
		expect(not ok, "a bad spec was accepted")
		expect(err:find('1:12: unknown trigger "nht"', 1, true),
		    "no position in: " .. tostring(err))
		ok, err = pcall(fault.inject, { point = "kmem.alloc" })
		expect(not ok and err:find("action"), "no action accepted")
		ok, err = pcall(fault.count, "no.such.point")
		expect(not ok and err:find('no fault point "no.such.point"'),
		    "unknown point accepted")
	end
}
