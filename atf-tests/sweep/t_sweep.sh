#
# The fault engine through the runner: rules reaching the kernel, the
# record's fault fields, reproducer tokens and replay, and sweeps.
# @RUMPUS@, @DATA@ and @SCENARIOS@ are filled in by the build.
#
rumpus=@RUMPUS@
data=@DATA@
scenarios=@SCENARIOS@

# The value of field $1 (a string or a number) of the first record of $2.
field() {
	sed -n -E "1s/.*\"$1\":\"?([^\",}]*).*/\1/p" "$2"
}

atf_test_case lua_wiring
lua_wiring_head() {
	atf_set descr "fault.inject reaches kmem.alloc in the kernel, the scenario sees ENOMEM, a site filter naming nothing never fires, a bad spec names its position"
}
lua_wiring_body() {
	atf_check -s exit:0 -e match:'2 of 2 cases done: 2 pass' \
	    $rumpus run -o out.jsonl $data/wiring.lua
	atf_check -o match:'"faults_hit":1,' -o match:'"kmem.alloc":[0-9]+' \
	    -o match:'"fault_site":"kmem.alloc in tmpfs_' \
	    -o match:'"fault_stack":"[^"]*rump___sysimpl_mkdir' \
	    grep '"name":"enomem"' out.jsonl
}

atf_test_case run_faults
run_faults_head() {
	atf_set descr "rumpus run --faults arms the plan before boot; the record carries plan, seed, mode, token, counts and digest"
}
run_faults_body() {
	atf_check -s exit:1 -o match:'^fail .*small.lua:small\[tmpfs\]: .*ENOMEM' \
	    -o match:'^  token: rumpus1\.' -e ignore \
	    $rumpus run -m serial -s 5 -o out.jsonl \
	    --faults 'kmem.alloc@lkern_mkdir:ENOMEM' $data/small.lua
	for f in '"plan":"kmem.alloc@lkern_mkdir:ENOMEM"' '"seed":5' \
	    '"mode":"serial"' '"token":"rumpus1\.' '"hypercalls":\{[^}]*"kmem.alloc":' \
	    '"faults_hit":1,' '"trace_digest":"[0-9a-f]{16}"' \
	    '"fault_site":"kmem.alloc in tmpfs_'; do
		atf_check -o ignore grep -E "$f" out.jsonl
	done
	# Without a plan nothing is counted or traced; --trace asks for it.
	atf_check -s exit:0 -e ignore $rumpus run -o clean.jsonl $data/small.lua
	atf_check -o ignore grep -E '"plan":null.*"hypercalls":null,"faults_hit":null,"trace_digest":null,' clean.jsonl
	atf_check -s exit:0 -e ignore $rumpus run --trace -o trace.jsonl \
	    $data/small.lua
	atf_check -o ignore grep -E '"plan":null.*"hypercalls":\{"malloc":[1-9].*"faults_hit":0,"trace_digest":"[0-9a-f]{16}",' trace.jsonl
	# A bad plan is refused before anything runs, with its position.
	atf_check -s exit:2 -e match:'--faults: spec:1:12: unknown trigger "nht"' \
	    -e match:'\^' $rumpus run --faults 'kmem.alloc:nht=1:ENOMEM' \
	    $data/small.lua
}

atf_test_case filters
filters_head() {
	atf_set descr "@site filters at a hypercall point match any kernel frame above it, for bio in serial and threads mode alike; pid= and lwp= filter by the calling kernel lwp; a failing case's console ends with its trace summarized per point and call site; an injected panic is a panic whose record keeps counts and digest"
}
filters_body() {
	atf_check -s exit:1 -o match:'^fail .*small.lua:small\[tmpfs\]: .*ENOMEM' \
	    -e ignore $rumpus run -m serial -o out.jsonl -k art \
	    --faults 'malloc@lkern_mkdir:ENOMEM' $data/small.lua
	atf_check -o ignore grep -E '"faults_hit":1,' out.jsonl
	atf_check -o ignore grep -E '"fault_site":"malloc in kmem_alloc_tagged' out.jsonl
	atf_check -o ignore grep -E '"fault_stack":"[^"]* rumpuser_malloc [^"]* lkern_mkdir' out.jsonl
	console=$(echo art/*/console.txt)
	atf_check -o ignore grep -E '^spec: malloc@lkern_mkdir:ENOMEM$' $console
	atf_check -o ignore grep -E '^  malloc +calls [0-9]+ faults 1$' $console
	atf_check -o ignore grep -E '^  malloc +kmem_alloc_tagged\+0x[0-9a-f]+ calls [0-9]+ faults 1$' $console
	# bio.write on behalf of ext2, in both modes: decided in the calling
	# lwp (threads mode: before the request is queued for an I/O thread).
	for m in serial threads; do
		atf_check -s exit:1 -o match:'unexpected error EIO' -e ignore \
		    $rumpus run -m $m -o bio$m.jsonl -c 'persist[ext2]' \
		    --faults 'bio.write@ext2_sync:nth=1:EIO' \
		    $scenarios/ext2/persist.lua
		atf_check -o ignore grep -E "\"mode\":\"$m\".*\"faults_hit\":1," \
		    bio$m.jsonl
		atf_check -o ignore grep -E '"fault_stack":"[^"]* rumpuser_bio [^"]* ext2_sync ' \
		    bio$m.jsonl
	done
	# An injected panic is named as a kernel panic is.
	atf_check -s exit:1 -e ignore \
	    -o match:'^panic .*small.lua:small\[tmpfs\]: panic: injected by the fault engine at kmem.alloc \(rule 0\)' \
	    $rumpus run -m serial -o panic.jsonl \
	    --faults 'kmem.alloc@lkern_mkdir:panic' $data/small.lua
	# Its record keeps the counts and the digest.
	atf_check -o ignore grep -E '"hypercalls":\{"malloc":[1-9].*"faults_hit":1,"trace_digest":"[0-9a-f]{16}"' panic.jsonl
	# A pattern that names no function never fires; the case passes.
	atf_check -s exit:0 -e ignore $rumpus run -m serial -o none.jsonl \
	    --faults 'malloc@no_such_function*:ENOMEM' $data/small.lua
	atf_check -o ignore grep -E '"faults_hit":0,"trace_digest":"[0-9a-f]{16}"' none.jsonl
	# The body's process is pid 2 (its first allocation sets up /mnt);
	# no allocation is made by a pid 3.
	atf_check -s exit:1 -o match:'setting up fs variant tmpfs at /mnt: ENOMEM' \
	    -e ignore $rumpus run -m serial -o pid.jsonl \
	    --faults 'kmem.alloc:pid=2:lwp=1:nth=1:ENOMEM' $data/small.lua
	atf_check -s exit:0 -e ignore $rumpus run -m serial -o pid.jsonl \
	    --faults 'kmem.alloc:pid=3:ENOMEM; malloc:pid=2:lwp=2:ENOMEM' \
	    $data/small.lua
}

atf_test_case ends
ends_head() {
	atf_set descr "a crash and a hang (killed at the timeout) record the hypercall counts up to their end and a trace digest: the crash, 19 mkdirs further on, counted more"
}
ends_body() {
	atf_check -s exit:0 -e match:'2 of 2 cases done: 1 crash, 1 hang; 0 not ok' \
	    $rumpus run -m serial --trace -o out.jsonl $data/ends.lua
	for c in crash hang; do
		grep "\"name\":\"$c\"" out.jsonl >$c.jsonl
		atf_check -o ignore grep -E '"hypercalls":\{[^}]*"kmem.alloc":[1-9][0-9]*[,}].*"faults_hit":0,"trace_digest":"[0-9a-f]{16}"' $c.jsonl
		sed -n -E 's/.*"kmem.alloc":([0-9]+).*/\1/p' $c.jsonl >$c.n
	done
	atf_check test "$(cat crash.n)" -ge $(($(cat hang.n) + 19))
}

atf_test_case lock_delays
lock_delays_head() {
	atf_set descr "a delay rule at the lock points (cv.wait, mutex.enter) hits in a threads-mode ext2 case and holds it up: the case still passes, and lasts at least the delay"
}
lock_delays_body() {
	for p in cv.wait mutex.enter; do
		atf_check -s exit:0 -o ignore -e ignore $rumpus run -m threads \
		    -o $p.jsonl -c 'persist[ext2]' --faults "$p:nth=1:delay=1s" \
		    $scenarios/ext2/persist.lua
		atf_check -o ignore grep -E "\"outcome\":\"pass\".*\"$p\":[1-9].*\"faults_hit\":1," \
		    $p.jsonl
		atf_check -o inline:"ok\n" awk -v d="$(field duration $p.jsonl)" \
		    'BEGIN { print (d >= 1 ? "ok" : "only " d " s") }'
	done
}

atf_test_case determinism
determinism_head() {
	atf_set descr "serial mode: the same scenario, plan and seed give the same hypercall sequence (trace digest, calls per point); another seed with a probability rule gives another trace"
}
determinism_body() {
	for s in 1 1 2; do
		atf_check -s exit:0 -e ignore $rumpus run -m serial -s $s \
		    -o s$s.jsonl --faults 'mutex.enter:p=0.5:delay=yield' \
		    $data/small.lua
		sed -n -E 's/.*("hypercalls":\{[^}]*\}).*"trace_digest":"([0-9a-f]*)".*/\1 \2/p' \
		    s$s.jsonl >>seq$s
	done
	atf_check -o inline:'2\n' sh -c 'wc -l <seq1'
	atf_check -o inline:'1\n' sh -c 'sort -u seq1 | wc -l'
	atf_check -o inline:'1\n' sh -c 'wc -l <seq2'
	atf_check -s exit:1 grep -F -x -f seq2 seq1
}

atf_test_case lwp_schedule
lwp_schedule_head() {
	atf_set descr "serial mode with spawned lwps: ten runs of lwps.lua (create_rename_unlink, same_name_race, on tmpfs and ext2) with one seed give one outcome and trace digest per case; other seeds give other interleavings: other digests, other winners of an O_EXCL race"
}
lwp_schedule_body() {
	# case[fs] outcome digest, one line per case of a run.
	cases='s/.*"name":"([^"]*)","fs":"([^"]*)".*"outcome":"([a-z]*)".*"trace_digest":"([0-9a-f]*)".*/\1[\2] \3 \4/p'
	for i in 1 2 3 4 5 6 7 8 9 10; do
		atf_check -s exit:0 -e ignore -o ignore $rumpus run -m serial \
		    -s 1 --trace -o r$i.jsonl $scenarios/fs/lwps.lua
		sed -n -E "$cases" r$i.jsonl >>seed1
	done
	# Every case of lwps.lua, each with one outcome and digest.
	sed -n -E "$cases" r1.jsonl >run1
	atf_check -o match:'^create_rename_unlink\[ext2\] pass ' \
	    -o match:'^same_name_race\[tmpfs\] pass ' cat run1
	atf_check -o inline:"$(($(wc -l <run1) * 10))\n" sh -c 'wc -l <seed1'
	atf_check -o inline:"$(wc -l <run1)\n" sh -c 'sort -u seed1 | wc -l'
	for s in 2 3 4; do
		atf_check -s exit:0 -e ignore -o ignore $rumpus run -m serial \
		    -s $s --trace -o s$s.jsonl -c 'create_rename_unlink' \
		    $scenarios/fs/lwps.lua
		sed -n -E "$cases" s$s.jsonl >>others
	done
	for fs in tmpfs ext2; do
		atf_check -o match:'^[2-4]$' sh -c "grep -h -F \
		    'create_rename_unlink[$fs]' seed1 others | sort -u | wc -l"
	done
	# The race's winner: the same for one seed, not for every seed.
	for s in 1 1 1 2 3 4 5 6 7 8; do
		atf_check -s exit:1 -e ignore -o ignore $rumpus run -m serial \
		    -s $s -o w.jsonl $data/race.lua
		echo "$s $(field reason w.jsonl)" >>winners
	done
	atf_check -o inline:'1\n' sh -c 'grep "^1 " winners | sort -u | wc -l'
	atf_check -o not-inline:'1\n' sh -c 'cut -d " " -f 2- winners | \
	    sort -u | wc -l'
}

atf_test_case replay
replay_head() {
	atf_set descr "replaying a failing case's token gives the same outcome, fault site and trace digest"
}
replay_body() {
	atf_check -s exit:1 -o ignore -e ignore $rumpus run -o out.jsonl \
	    -m serial --faults 'kmem.alloc:nth=9:ENOMEM' $data/small.lua
	token=$(field token out.jsonl)
	digest=$(field trace_digest out.jsonl)
	outcome=$(field outcome out.jsonl)
	atf_check test -n "$token" -a -n "$digest" -a "$outcome" != pass
	atf_check -s exit:1 -e ignore -o match:"^$outcome .*small.lua:small" \
	    -o match:"^trace digest $digest, 1 faults injected, first at kmem.alloc" \
	    $rumpus replay -o again.jsonl "$token"
	atf_check_equal "$digest" "$(field trace_digest again.jsonl)"
	# Another plan gives another trace.
	atf_check -s exit:1 -o ignore -e ignore $rumpus run -o other.jsonl \
	    -m serial --faults 'kmem.alloc:nth=10:ENOMEM' $data/small.lua
	atf_check test "$(field trace_digest other.jsonl)" != "$digest"
}

atf_test_case scenario_faults
scenario_faults_head() {
	atf_set descr "scenario{} carries faults=, seed= and mode= (over -m and -s; --faults replaces the plan); a clean error meets a declared plan; bad fields are refused at declaration with the position"
}
scenario_faults_body() {
	atf_check -s exit:0 -e match:'1 fail; 0 not ok' $rumpus run -m threads \
	    -s 9 -o out.jsonl $data/declared.lua
	for f in '"outcome":"fail"' '"ok":true' \
	    '"plan":"kmem.alloc@lkern_mkdir:ENOMEM","seed":42,"mode":"serial"' \
	    '"faults_hit":1,'; do
		atf_check -o ignore grep -E "$f" out.jsonl
	done
	# A plan from the command line is not the scenario's own.
	atf_check -s exit:1 -o match:'^fail .*unexpected error ENOMEM' -e ignore \
	    $rumpus run --faults 'kmem.alloc@lkern_mkdir:ENOMEM' $data/declared.lua
	atf_check -s exit:0 -e ignore $rumpus run -o none.jsonl \
	    --faults 'kmem.alloc@no_such_function:ENOMEM' $data/declared.lua
	atf_check -o ignore grep -E '"outcome":"pass".*"faults_hit":0,' none.jsonl
	for bad in 'faults = "kmem.alloc:nht=1:ENOMEM"' 'seed = -1' \
	    'seed = 1.5' 'mode = "fast"'; do
		printf 'scenario { name = "b", %s, function(k) end }\n' \
		    "$bad" >bad.lua
		atf_check -s exit:1 -o save:bad.out -e ignore $rumpus run bad.lua
		atf_check -o ignore grep -E '^error +bad.lua: bad.lua:1: scenario: field' bad.out
		cat bad.out >>all.out
	done
	atf_check -o ignore grep -F 'field "faults": spec:1:12: unknown trigger "nht"' all.out
	atf_check -o ignore grep -F 'field "mode" is neither' all.out
}

atf_test_case replay_save
replay_save_head() {
	atf_set descr "replay --save writes a token's case as a scenario file that runs the same plan, seed and mode to the same trace; a changed scenario is refused"
}
replay_save_body() {
	cp $data/small.lua mine.lua
	atf_check -s exit:1 -o ignore -e ignore $rumpus run -m serial -s 3 \
	    -o out.jsonl --faults 'kmem.alloc:nth=9:ENOMEM' mine.lua
	token=$(field token out.jsonl)
	digest=$(field trace_digest out.jsonl)
	atf_check $rumpus replay --save saved.lua "$token"
	atf_check -o match:'^-- rumpus1\.' -o match:'t.faults = "kmem.alloc:nth=9:ENOMEM"' \
	    -o match:'t.seed = 3' -o match:'t.mode = "serial"' cat saved.lua
	atf_check -s exit:0 -e match:'1 of 1 cases done: 1 error; 0 not ok' \
	    $rumpus run -m threads -o again.jsonl saved.lua
	atf_check_equal "$digest" "$(field trace_digest again.jsonl)"
	atf_check -o ignore grep -E '"case":\{"file":"saved.lua","name":"small","fs":"tmpfs"\}.*"plan":"kmem.alloc:nth=9:ENOMEM","seed":3,"mode":"serial"' again.jsonl
	echo '-- changed' >>mine.lua
	atf_check -s exit:2 -e match:'replay --save: refused: scenario mine.lua has changed' \
	    $rumpus replay --save other.lua "$token"
	atf_check test ! -e other.lua
}

atf_test_case replay_refuses
replay_refuses_head() {
	atf_set descr "replay refuses a changed scenario, another build and a damaged token, saying why"
}
replay_refuses_body() {
	cp $data/small.lua mine.lua
	atf_check -s exit:1 -o ignore -e ignore $rumpus run -o out.jsonl \
	    --faults 'kmem.alloc:nth=9:ENOMEM' mine.lua
	token=$(field token out.jsonl)
	echo '-- changed' >>mine.lua
	atf_check -s exit:2 -e match:'replay: refused: .*scenario content' \
	    $rumpus replay "$token"
	rm mine.lua
	atf_check -s exit:2 -e match:'replay: refused: scenario mine.lua' \
	    $rumpus replay "$token"
	atf_check -s exit:2 -e match:'replay: ' $rumpus replay rumpus1.garbage
	# Another build: rumpus with one byte of its build id changed.
	objcopy -O binary --only-section=.note.gnu.build-id $rumpus id.bin
	b=$(od -An -tu1 -j16 -N1 id.bin)
	printf "\\$(printf %03o $((255 - b)))" |
	    dd of=id.bin bs=1 seek=16 conv=notrunc 2>/dev/null
	atf_check objcopy --update-section .note.gnu.build-id=id.bin \
	    $rumpus other-rumpus
	cp $data/small.lua mine.lua
	atf_check -s exit:1 -o ignore -e ignore ./other-rumpus run -o other.jsonl \
	    --faults 'kmem.alloc:nth=9:ENOMEM' mine.lua
	token=$(field token other.jsonl)
	atf_check -s exit:2 -e match:'replay: refused: build differs: the token has' \
	    $rumpus replay "$token"
	# Keeping it as a regression scenario is for later builds.
	atf_check $rumpus replay --save kept.lua "$token"
}

atf_test_case sweep
sweep_head() {
	atf_set descr "a sweep of kmem.alloc over a small tmpfs scenario: one counting run, one instance per call, each classified, a summary"
}
sweep_body() {
	atf_check -s exit:0 -e ignore $rumpus run -m serial --trace \
	    -o count.jsonl $data/small.lua
	n=$(sed -n -E 's/.*"kmem.alloc":([0-9]+).*/\1/p' count.jsonl)
	atf_check test "$n" -gt 10
	atf_check -s ignore -e match:"sweep: $n instances \(shard 1/1 of $n\)" \
	    -o match:"^kmem.alloc +$n " -o match:"^$n instances in" \
	    $rumpus sweep --point kmem.alloc -j 2 -o out.jsonl $data/small.lua
	# The counting run, then nth=1..n, each with an outcome.
	atf_check -o inline:"$((n + 1))\n" sh -c 'wc -l <out.jsonl'
	atf_check -o inline:"$n\n" sh -c \
	    "grep -c '\"plan\":\"kmem.alloc:nth=[0-9]*:ENOMEM\"' out.jsonl"
	atf_check -o inline:"$n\n" sh -c "grep -o 'nth=[0-9]*:' out.jsonl | sort -u | wc -l"
	atf_check -s exit:1 grep '"outcome":null' out.jsonl
	# Every instance with a fault injected got it at kmem.alloc.
	atf_check -o inline:"$n\n" sh -c \
	    "grep -c '\"fault_site\":\"kmem.alloc in ' out.jsonl"
	atf_check -s exit:2 -e match:'no fault point "nope"' \
	    $rumpus sweep --point nope $data/small.lua
	atf_check -s exit:2 -e match:'--shard: "3/2" is not i/n' \
	    $rumpus sweep --point kmem.alloc --shard 3/2 $data/small.lua
}

atf_test_case shards
shards_head() {
	atf_set descr "shards 1/3, 2/3 and 3/3 partition the sweep's instances"
}
shards_body() {
	atf_check -s ignore -o ignore -e ignore $rumpus sweep --point kmem.alloc \
	    -o all.jsonl $data/small.lua
	for i in 1 2 3; do
		atf_check -s ignore -o ignore -e ignore $rumpus sweep \
		    --point kmem.alloc --shard $i/3 -o s$i.jsonl $data/small.lua
		grep -o '"plan":"kmem.alloc:nth=[0-9]*:' s$i.jsonl | sort >p$i
		atf_check test -s p$i
	done
	grep -o '"plan":"kmem.alloc:nth=[0-9]*:' all.jsonl | sort >all
	sort p1 p2 p3 >union
	atf_check cmp all union
	atf_check -o inline:'0\n' sh -c 'sort p1 p2 p3 | uniq -d | wc -l'
}

atf_test_case sweep_interrupted
sweep_interrupted_head() {
	atf_set descr "a sweep stopped by SIGINT exits 130 and its summary counts the instances that ran, of those planned"
}
sweep_interrupted_body() {
	$rumpus sweep --point kmem.alloc -j 2 -o out.jsonl \
	    $scenarios/fs/dirgrow.lua >sum.txt 2>err.txt &
	pid=$!
	# Thousands of instances: stop it once a few records are out.
	i=0
	while [ "$(wc -l <out.jsonl 2>/dev/null || echo 0)" -lt 20 ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || atf_fail "no records after 60 s"
		sleep 0.1
	done
	kill -INT $pid
	st=0
	wait $pid || st=$?
	atf_check_equal 130 $st
	ran=$(sed -n -E 's/^([0-9]+) of ([0-9]+) instances \(interrupted\) in .*/\1/p' sum.txt)
	planned=$(sed -n -E 's/^([0-9]+) of ([0-9]+) instances \(interrupted\) in .*/\2/p' sum.txt)
	atf_check test -n "$ran" -a -n "$planned"
	atf_check test "$ran" -ge 10 -a "$ran" -lt "$planned"
	atf_check -o match:"^kmem.alloc +$ran " cat sum.txt
}

atf_init_test_cases() {
	atf_add_test_case lua_wiring
	atf_add_test_case run_faults
	atf_add_test_case filters
	atf_add_test_case ends
	atf_add_test_case lock_delays
	atf_add_test_case replay
	atf_add_test_case replay_refuses
	atf_add_test_case determinism
	atf_add_test_case lwp_schedule
	atf_add_test_case scenario_faults
	atf_add_test_case replay_save
	atf_add_test_case sweep
	atf_add_test_case sweep_interrupted
	atf_add_test_case shards
}
