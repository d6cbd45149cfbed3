#
# Disk images through the overlay: the pristine image is never written,
# the runner sees what an instance wrote however it ended (SIGKILL
# included), names a case whose image e2fsck rejects "corrupt", and keeps
# the image of a case that was not ok and nothing of one that passed.
# @RUMPUS@, @DATA@ and @SCENARIOS@ are filled in by the build.
#
rumpus=@RUMPUS@
data=@DATA@
scenarios=@SCENARIOS@

# Every case needs e2fsprogs; then $run is "rumpus run" with a cache,
# artifacts (art/), records (out.jsonl) and TMPDIR of the test's own.
setup() {
	PATH=$PATH:/sbin:/usr/sbin
	for t in mke2fs e2fsck debugfs; do
		command -v $t >/dev/null || atf_skip "$t is missing (e2fsprogs)"
	done
	mkdir -p tmp
	run="env RUMPUS_CACHE=$(pwd)/cache TMPDIR=$(pwd)/tmp $rumpus run \
	    -o out.jsonl -k art"
}

atf_test_case pristine_unchanged
pristine_unchanged_head() {
	atf_set descr "an instance that writes its ext2 image leaves the cached pristine image byte for byte as it was"
}
pristine_unchanged_body() {
	setup
	atf_check -e ignore $run -c 'writes[ext2]' $data/overlay.lua
	atf_check -o save:before md5sum cache/ext2-*.img
	atf_check -e ignore $run -c 'writes[ext2]' $data/overlay.lua
	atf_check -o file:before md5sum cache/ext2-*.img
	atf_check -s ignore -o ignore -e match:'File not found' \
	    debugfs -R 'stat /hello' cache/ext2-*.img
}

atf_test_case sigkill
sigkill_head() {
	atf_set descr "after an instance dies by SIGKILL the runner still has what it wrote: the kept image holds the fsync'd file, and e2fsck's verdict is in the record"
}
sigkill_body() {
	setup
	atf_check -s exit:1 -e ignore -o match:'^crash .*killed\[ext2\]: killed by SIGKILL' \
	    $run -c 'killed[ext2]' $data/overlay.lua
	atf_check -o match:'"fsck":\{"status":[0-9]+,' \
	    -o match:'"artifacts":\[[^]]*/console.txt","[^"]*/image.img"\]' \
	    cat out.jsonl
	atf_check -o inline:'synced before SIGKILL' -e ignore \
	    debugfs -R 'cat /survivor' art/*.killed.ext2/image.img
}

atf_test_case corrupt
corrupt_head() {
	atf_set descr "a case that passes but whose image e2fsck -fn rejects is corrupt, with e2fsck's first problems in the reason (scenarios/selftest/corrupt.lua, which expects it)"
}
corrupt_body() {
	setup
	atf_check -e match:'1 corrupt; 0 not ok' \
	    -o match:'^corrupt .*garbage\[ext2\]: e2fsck -fn \(status 4\): Block bitmap differences: .*; Free blocks count wrong' \
	    $run -v $scenarios/selftest/corrupt.lua
	atf_check -o match:'"outcome":"corrupt"' \
	    -o match:'"fsck":\{"status":4,"problems":"Block bitmap' \
	    -o match:'"artifacts":\[\]' cat out.jsonl
}

atf_test_case unwritten
unwritten_head() {
	atf_set descr "an instance that attached its image but wrote no block leaves the pristine image, which is not checked again: the record says so"
}
unwritten_body() {
	setup
	atf_check -e ignore $run -c 'reads[tmpfs]' $data/overlay.lua
	atf_check -o match:'"name":"reads".*"fsck":\{"status":-1,"problems":"skipped: the image was not written' \
	    cat out.jsonl
}

atf_test_case image_copy_large
image_copy_large_head() {
	atf_set descr "k.image_copy() of a 24 MiB image, larger than the 8 MiB that caps what an instance writes (RLIMIT_FSIZE, for the console), is whole, and e2fsck finds the copy clean"
}
image_copy_large_body() {
	setup
	atf_check -o match:'^pass .*bigcopy\[ext2\]' -e ignore \
	    $run -v $data/bigcopy.lua
	atf_check -o empty ls tmp
}

atf_test_case file_size_limit
file_size_limit_head() {
	atf_set descr "under a file-size limit (ulimit -f 8 MiB) the runner lives: a 4 MiB image is written and checked, a 24 MiB one is an error naming the limit"
}
file_size_limit_body() {
	setup
	# Build the 24 MiB image without the limit (mke2fs writes it whole).
	atf_check -o ignore env RUMPUS_CACHE=$(pwd)/cache $rumpus list \
	    $data/bigcopy.lua
	ulimit -f 16384
	atf_check -e ignore $run -c 'writes[ext2]' $data/overlay.lua
	atf_check -o match:'"name":"writes".*"outcome":"pass".*"fsck":\{"status":0,' \
	    cat out.jsonl
	atf_check -s exit:1 -e ignore \
	    -o match:'^error .*bigcopy\[ext2\]: fs variant ext2: attaching .*: the image is larger than the overlay has room for \(the runner.s file-size limit, ulimit -f\)' \
	    $run -c 'bigcopy[ext2]' $data/bigcopy.lua
}

atf_test_case artifacts
artifacts_head() {
	atf_set descr "a failing case keeps its image (as written) beside its console, named in the record; a passing case keeps nothing and leaves no file behind"
}
artifacts_body() {
	setup
	atf_check -s exit:1 -e match:'2 pass, 1 fail, 1 crash;' \
	    -o ignore $run -j 2 $data/overlay.lua
	atf_check -o inline:'fails.ext2\nkilled.ext2\n' \
	    sh -c 'ls art | sed "s,.*overlay\.lua\.,,"'
	atf_check -o inline:'console.txt\nimage.img\n' ls art/*.fails.ext2
	atf_check -o inline:'in the kept image' -e ignore \
	    debugfs -R 'cat /kept' art/*.fails.ext2/image.img
	atf_check -o match:'"name":"writes".*"fsck":\{"status":0,"problems":null\},"artifacts":\[\]' \
	    -o match:'"name":"fails".*"artifacts":\[[^]]*image.img"\]' cat out.jsonl
	atf_check -o empty ls tmp
}

atf_test_case powercut_image
powercut_image_head() {
	atf_set descr "a power cut's oracle gets the image as the disk held it from the overlay"
}
powercut_image_body() {
	setup
	atf_check -s ignore -e ignore -o ignore \
	    $run --faults 'bio.write:nth=3:powercut' -c 'writes[ext2]' $data/overlay.lua
	atf_check -o match:'"reason":"power cut at ' \
	    -o not-match:'no disk image' cat out.jsonl
}

atf_init_test_cases() {
	atf_add_test_case pristine_unchanged
	atf_add_test_case sigkill
	atf_add_test_case corrupt
	atf_add_test_case unwritten
	atf_add_test_case image_copy_large
	atf_add_test_case file_size_limit
	atf_add_test_case artifacts
	atf_add_test_case powercut_image
}
