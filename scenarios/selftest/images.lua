-- Disk images: image.ext2{} builds with the real mke2fs, caches by
-- parameters, and img:fsck() runs e2fsck -fn.  Host-side only: no kernel.

local files = {
	["/hello"] = "world",
	["/dir/"] = true,
	["/dir/nested"] = ("n"):rep(5000),
}
-- Built at the top level: in the zygote, once for every case.
local img = image.ext2 { size = "4M", block = 1024, inode = 128, files = files }

-- Host programs run here, at the top level (in the zygote): a body is
-- sandboxed and may not fork; image.ext2{} and img:fsck() reach theirs
-- through the instance's helper.
local function host(cmd)
	local p = assert(io.popen(cmd .. " 2>/dev/null"))
	local out = p:read("a")
	p:close()
	return out
end
local hello = host("debugfs -R 'cat /hello' " .. img.path)
local nested = host("debugfs -R 'cat /dir/nested' " .. img.path)

scenario {
	name = "ext2_image",
	description = "image.ext2 builds a clean image holding the files asked for",
	function()
		expect(img:fsck(), "e2fsck -fn finds the fresh image clean")
		expect_eq(hello, "world", "/hello in the image")
		expect_eq(#nested, 5000, "/dir/nested in the image")
		expect_eq(img.fstype, "ext2")
	end
}

scenario {
	name = "ext2_cache",
	description = "equal parameters give the cached image; others a new one",
	function()
		local again = image.ext2 { size = "4M", block = 1024, inode = 128,
		    files = files }
		expect_eq(again.path, img.path, "same parameters, same image")
		local other = image.ext2 { size = "4M", block = 1024, inode = 128,
		    files = { ["/hello"] = "World" } }
		expect(other.path ~= img.path, "other contents, other image")
		expect(other:fsck(), "the other image is clean too")
	end
}

scenario {
	name = "ext2_fsck_finds_damage",
	description = "img:fsck() reports what e2fsck lists for a damaged copy",
	function()
		local copy = os.tmpname()
		local src = assert(io.open(img.path, "rb"))
		local data = src:read("a")
		src:close()
		-- Zero the root inode's mode: inode 2 of the first inode
		-- table, which the first group descriptor (block 2) names.
		local table_block = string.unpack("<I4", data, 2048 + 8 + 1)
		local at = table_block * 1024 + 128
		data = data:sub(1, at) .. ("\0"):rep(128) .. data:sub(at + 129)
		local f = assert(io.open(copy, "wb"))
		f:write(data)
		f:close()
		local clean, problems = img:fsck(copy)
		os.remove(copy)
		expect(not clean, "e2fsck finds the damage")
		expect(problems:find("[Rr]oot inode"), "and names it: " ..
		    tostring(problems))
	end
}

scenario {
	name = "ext2_bad_parameters",
	description = "bad image parameters are errors naming the parameter",
	function()
		expect_error(function() image.ext2 { block = 3000 } end,
		    "block must be 1024, 2048 or 4096")
		expect_error(function() image.ext2 { size = "lots" } end,
		    "size \"lots\" is not a number")
		expect_error(function() image.ext2 { files = { ["rel"] = "x" } } end,
		    "files keys must be absolute")
		expect_error(function() image.ext2 { features = 7 } end,
		    "mke2fs failed")
	end
}
