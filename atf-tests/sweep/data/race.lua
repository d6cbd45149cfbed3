-- Which of six lwps wins an O_EXCL race.  The case fails on purpose,
-- naming the winner in its reason, so that a test can compare the
-- winners that serial mode's schedule gives for different seeds.
scenario {
	name = "race_winner",
	fs = { "tmpfs" },
	function(k, fs)
		local n = 6
		local start = k.barrier(n)
		local lwps = {}
		for w = 1, n do
			lwps[w] = k.spawn(function()
				start:wait()
				local fd = k.open(fs.dir .. "/prize", "wx")
				if fd then
					k.close(fd)
					return w
				end
				return 0
			end)
		end
		local winner = 0
		for w = 1, n do
			winner = winner + lwps[w]:join()
		end
		fail("winner " .. winner)
	end
}
