-- A hang that is not a deadlock: every disk read stalls (a fault plan of
-- delays), so one lwp sleeps in the disk read while the other waits on
-- the lock the first holds.  The runner must name it hang.
local img = image.ext2 { size = "4M", files = { ["/f"] = ("x"):rep(100000) } }

scenario {
	name = "slow_disk",
	fs = { "ext2" },
	image = img,
	timeout = 1,
	function(k, fs)
		local path = fs.dir .. "/f"
		fault.inject("bio.read:delay=100s")
		local reader = k.spawn(function() return k.read_file(path) end)
		local writer = k.spawn(function() return k.write_file(path, "y") end)
		reader:join()
		writer:join()
	end
}
