-- For h_rumpus_ktest with H_RUMPUS_KTEST=deadlock, whose kernels boot
-- with kernel threads that deadlock: in serial mode the body keeps
-- calling the kernel, so the timeout's signal often lands while the
-- schedule's own lock is held; the dump must still be written, for every
-- seed (t_rumpus:serial_dump).
for seed = 1, 8 do
	scenario {
		name = "busy" .. seed,
		mode = "serial",
		seed = seed,
		timeout = 1,
		function()
			while true do k.getpid() end
		end
	}
end
