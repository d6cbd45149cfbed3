-- For h_rumpus_ktest with H_RUMPUS_KTEST=deadlock, whose kernels boot with two kernel threads
-- deadlocked on a mutex and an rwlock: the body never ends, and at the
-- timeout the runner must name the cycle (t_rumpus:deadlock).
scenario {
	name = "abba",
	timeout = 1,
	function()
		while true do end
	end
}
