-- Directories growing past one block, listed and emptied again.

scenario {
	name = "grow_and_shrink",
	description = "600 entries with long names: all listed, all removed",
	fs = { "tmpfs", "ext2" },
	timeout = 60,
	function(k, fs)
		local d = fs.dir .. "/big"
		expect_ok(k.mkdir(d))
		local n = 600
		for i = 1, n do
			local name = string.format("%s/entry-%04d-%s", d, i, ("x"):rep(40))
			expect_ok(k.write_file(name, tostring(i)))
		end
		local seen, count = {}, 0
		for _, e in ipairs(k.readdir(d)) do
			expect(not seen[e.name], "listed twice: " .. e.name)
			seen[e.name] = true
			count = count + 1
			if e.name ~= "." and e.name ~= ".." then
				expect_eq(e.type, "reg", "d_type of " .. e.name)
			end
		end
		expect(seen["."] and seen[".."], ". and .. are listed")
		expect_eq(count, n + 2, "every entry listed once")
		expect(k.stat(d).size > 1024, "the directory grew past one block")
		for i = 1, n, 2 do
			expect_ok(k.unlink(string.format("%s/entry-%04d-%s", d, i, ("x"):rep(40))))
		end
		expect_eq(#k.readdir(d), n // 2 + 2, "half removed")
		for i = 2, n, 2 do
			expect_ok(k.unlink(string.format("%s/entry-%04d-%s", d, i, ("x"):rep(40))))
		end
		expect_eq(#k.readdir(d), 2, "only . and .. left")
		expect_ok(k.rmdir(d))
	end
}
