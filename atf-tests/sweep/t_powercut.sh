#
# The power-cut oracle (harness/oracle.c) and power-cut sweeps: after a
# cut, e2fsck repairs a copy of the image; the outcome is corrupt only if
# it cannot, or if a file made durable (fsync, fdatasync, sync, unmount,
# a write through O_SYNC or O_DSYNC) before the cut reads back wrong
# after the repair.
# @RUMPUS@, @DATA@ and @SCENARIOS@ are filled in by the build.
#
rumpus=@RUMPUS@
data=@DATA@
scenarios=@SCENARIOS@

# Writes the scenario makes (bio.write), from a counting run of
# $data/${1:-durable}.lua.
writes() {
	$rumpus run -m serial --trace -o count.jsonl $data/${1:-durable}.lua \
	    >/dev/null 2>&1 ||
	    atf_fail "the counting run did not pass"
	sed -n -E 's/.*"bio.write":([0-9]+).*/\1/p' count.jsonl
}

atf_test_case cut_pass
cut_pass_head() {
	atf_set descr "a power cut after the files were fsync'd is pass: e2fsck repairs the image and a fresh kernel reads both durable files back"
	atf_set require.progs e2fsck
}
cut_pass_body() {
	n=$(writes)
	atf_check test "$n" -gt 6
	# The last write: a and b were made durable long before.
	atf_check -s exit:0 -e ignore -o match:'^pass .*durable\[ext2\]: power cut at bio.write .*e2fsck -fy repaired it .*2 durable files intact' \
	    $rumpus run -v -m serial -o out.jsonl \
	    --faults "bio.write:nth=$n:powercut" $data/durable.lua
	atf_check -o match:'"outcome":"pass"' cat out.jsonl
}

atf_test_case cut_lost
cut_lost_head() {
	atf_set descr "writes the disk acknowledged but lost (bio.write:lost) before a power cut: the fsync'd files are wrong after repair, corrupt, and the reason names them"
	atf_set require.progs e2fsck
}
cut_lost_body() {
	n=$(writes)
	atf_check -s exit:1 -e ignore \
	    -o match:'^corrupt .*durable\[ext2\]: power cut .*2 of 2 durable files wrong after repair: /a: ENOENT; /b: ENOENT' \
	    $rumpus run -v -m serial -o out.jsonl \
	    --faults "bio.write:nth=$n:powercut; bio.write:lost" $data/durable.lua
}

atf_test_case cut_osync
cut_osync_head() {
	atf_set descr "a write that returned through an O_SYNC or O_DSYNC descriptor made its file durable without an fsync: after a cut at the last write both files are checked and intact; with the writes lost, both are wrong (corrupt); no cut of a power-cut sweep is corrupt"
	atf_set require.progs e2fsck
}
cut_osync_body() {
	n=$(writes osync)
	atf_check -s exit:0 -e ignore -o match:'^pass .*osync\[ext2\]: power cut at bio.write .*2 durable files intact' \
	    $rumpus run -v -m serial --faults "bio.write:nth=$n:powercut" \
	    $data/osync.lua
	atf_check -s exit:1 -e ignore \
	    -o match:'^corrupt .*2 of 2 durable files wrong after repair: /a: ENOENT; /b: ENOENT' \
	    $rumpus run -v -m serial \
	    --faults "bio.write:nth=$n:powercut; bio.write:lost" $data/osync.lua
	atf_check -s exit:0 -e ignore -o match:' 0 findings' \
	    $rumpus sweep --point bio.write --powercut -j 2 -o out.jsonl \
	    $data/osync.lua
}

atf_test_case cut_full
cut_full_head() {
	atf_set descr "more files made durable than the record holds (64): the oracle checks the 64 it has and says that the others were not checked"
	atf_set require.progs e2fsck
}
cut_full_body() {
	n=$(writes many)
	atf_check -s exit:0 -e ignore \
	    -o match:'^pass .*many\[ext2\]: power cut .*; 64 durable files intact \(the record holds 64 files: files made durable past them were not checked\)$' \
	    $rumpus run -v -m serial --faults "bio.write:nth=$n:powercut" \
	    $data/many.lua
}

atf_test_case cut_unrepairable
cut_unrepairable_head() {
	atf_set descr "an image e2fsck -fy cannot repair (a superblock field flipped on the mount's read, then written back) is corrupt, with e2fsck's own finding kept"
	atf_set require.progs e2fsck
}
cut_unrepairable_body() {
	# Bit 94 of the superblock: bit 30 of s_r_blocks_count, which the
	# kernel only reports and e2fsck finds beyond repair.
	atf_check -s exit:1 -e ignore \
	    -o match:'^corrupt .*e2fsck -fy could not repair the image \(status 8\)' \
	    $rumpus run -v -m serial -o out.jsonl \
	    --faults 'bio.read:block=2:nth=1:bitflip=94; bio.write:nth=8:powercut' \
	    $data/durable.lua
	atf_check -o match:'"fsck":\{"status":[0-9]+,"problems":"[^"]*Corruption found in superblock' \
	    cat out.jsonl
}

atf_test_case sweep_powercut
sweep_powercut_head() {
	atf_set descr "rumpus sweep --powercut: one counting run, then one instance per write k cut there, each decided by the oracle; a lost write shows as a corrupt finding naming the file"
	atf_set require.progs e2fsck
}
sweep_powercut_body() {
	n=$(writes)
	atf_check -s exit:0 -e match:"sweep: $n instances" \
	    -o match:"^bio.write +$n +$n " -o match:"^$n instances in .*, 0 findings" \
	    $rumpus sweep --point bio.write --powercut -j 2 -o out.jsonl \
	    $data/durable.lua
	atf_check -o inline:"$n\n" sh -c \
	    "grep -c '\"plan\":\"bio.write:nth=[0-9]*:powercut\"' out.jsonl"
	atf_check -o match:'durable files intact' cat out.jsonl
	atf_check -s exit:2 -e match:'--powercut: point "kmem.alloc" cannot cut the power' \
	    $rumpus sweep --point kmem.alloc --powercut $data/durable.lua
}

atf_test_case sweep_rewrites
sweep_rewrites_head() {
	atf_set descr "a power-cut sweep of a file rewritten, truncated and renamed between fsyncs: no cut is corrupt (a change after an fsync invalidates what it made durable, until the next)"
	atf_set require.progs e2fsck
}
sweep_rewrites_body() {
	atf_check -s exit:0 -e ignore -o match:' 0 findings' \
	    $rumpus sweep --point bio.write --powercut -j 2 -o out.jsonl \
	    -c 'overwrite_fsync[ext2]' $scenarios/ext2/fsync.lua
	atf_check -o match:'[2-9] durable files intact|1 durable files intact' \
	    cat out.jsonl
}

atf_test_case cut_after_retry
cut_after_retry_head() {
	atf_set descr "a write error fails an fsync, the retry succeeds: after a cut at the last write, every file the retries made durable reads back (a failed write stays dirty and is written again)"
	atf_set require.progs e2fsck
}
cut_after_retry_body() {
	# The first write failing, then the first 6 and 8 (every write of
	# a's first fsync: with a failed buffer dropped, not kept dirty, a is
	# corrupt).
	for e in nth=2 max=6 max=8; do
		atf_check -s exit:0 -e ignore -o ignore $rumpus run -m serial \
		    -o count.jsonl -c 'fsync_after_error[ext2]' \
		    --faults "bio.write:$e:EIO" $scenarios/ext2/fsync.lua
		n=$(sed -n -E 's/.*"bio.write":([0-9]+).*/\1/p' count.jsonl)
		atf_check -s exit:0 -e ignore \
		    -o match:'power cut at bio.write.*2 durable files intact' \
		    $rumpus run -v -m serial -c 'fsync_after_error[ext2]' \
		    --faults "bio.write:$e:EIO; bio.write:nth=$n:powercut" \
		    $scenarios/ext2/fsync.lua
	done
}

atf_init_test_cases() {
	atf_add_test_case cut_after_retry
	atf_add_test_case sweep_rewrites
	atf_add_test_case cut_pass
	atf_add_test_case cut_lost
	atf_add_test_case cut_osync
	atf_add_test_case cut_full
	atf_add_test_case cut_unrepairable
	atf_add_test_case sweep_powercut
}
