-- A misspelt field and a name declared twice are errors naming them.
scenario {
	name = "typo",
	timout = 5,
	function() end
}
