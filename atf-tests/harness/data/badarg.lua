-- A scenario declaration with a wrong field type names the field.
scenario {
	name = "wrong timeout type",
	timeout = "soon",
	function() end
}
