-- A scenario that never ends: the runner's timeout must name it a hang.
scenario {
	name = "forever",
	timeout = 30,
	function()
		while true do end
	end
}
