-- The same scenario name twice in one file.
scenario { name = "same", function() end }
scenario { name = "same", function() end }
