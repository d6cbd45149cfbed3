-- The instance sandbox: a body that reaches for the host outside the
-- hypercalls is outcome sandbox, named by the system call it made.  Each
-- case declares that outcome, so the runner counts it ok only when it
-- names exactly that.

scenario {
	name = "execute",
	description = "os.execute forks a shell: the fork is trapped",
	outcome = "sandbox",
	function()
		os.execute("true")
		fail("os.execute returned inside the sandbox")
	end
}

scenario {
	name = "popen",
	description = "io.popen forks a shell: the fork is trapped",
	outcome = "sandbox",
	fs = { "tmpfs" },
	function(k, fs)
		expect_ok(k.write_file(fs.dir .. "/f", "x"))
		io.popen("echo hi")
		fail("io.popen returned inside the sandbox")
	end
}

scenario {
	name = "threads",
	description = "spawned lwps (host threads) and host files are allowed",
	fs = { "tmpfs" },
	function(k, fs)
		local l = k.spawn(function() return k.write_file(fs.dir .. "/a", "a") end)
		expect(l:join(), "the lwp wrote its file")
		local name = os.tmpname()
		local f = assert(io.open(name, "w"))
		f:write("host file")
		f:close()
		expect(os.remove(name), "removed the host file")
	end
}

scenario {
	name = "no_helper",
	description = "a file without images gets no host helper: mke2fs is refused, not run",
	function()
		expect_error(function()
			image.ext2 { size = "1100K", block = 2048, inode = 256 }
		end, "mke2fs cannot run in this instance: it is sandboxed")
	end
}
