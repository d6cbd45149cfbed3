-- One case passes, one fails: the run exits 1 and the records say which.
scenario {
	name = "good",
	function()
		expect(true, "holds")
	end
}

scenario {
	name = "bad",
	function()
		expect(1 == 2, "one is not two")
	end
}
