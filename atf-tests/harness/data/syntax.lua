-- A scenario file with a syntax error: the file is one case, outcome
-- error, naming this file and line.
scenario {
	name = "never declared",
	function()
		local x = = 1
	end
}
