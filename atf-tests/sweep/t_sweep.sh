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
	# Without a plan nothing is hit.
	atf_check -s exit:0 -e ignore $rumpus run -o clean.jsonl $data/small.lua
	atf_check -o ignore grep -E '"plan":null.*"faults_hit":0,' clean.jsonl
	# A bad plan is refused before anything runs, with its position.
	atf_check -s exit:2 -e match:'--faults: spec:1:12: unknown trigger "nht"' \
	    -e match:'\^' $rumpus run --faults 'kmem.alloc:nht=1:ENOMEM' \
	    $data/small.lua
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

atf_test_case replay_refuses
replay_refuses_head() {
	atf_set descr "replay refuses a changed scenario and a damaged token, saying why"
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
}

atf_test_case sweep
sweep_head() {
	atf_set descr "a sweep of kmem.alloc over a small tmpfs scenario: one counting run, one instance per call, each classified, a summary"
}
sweep_body() {
	atf_check -s exit:0 -e ignore $rumpus run -m serial -o count.jsonl \
	    $data/small.lua
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
		grep -o 'nth=[0-9]*:' s$i.jsonl | sort >p$i
		atf_check test -s p$i
	done
	grep -o 'nth=[0-9]*:' all.jsonl | sort >all
	sort p1 p2 p3 >union
	atf_check cmp all union
	atf_check -o inline:'0\n' sh -c 'sort p1 p2 p3 | uniq -d | wc -l'
}

# Regressions: findings of "rumpus sweep", each run again with its plan
# (narrowed by a call-site filter where the sweep's nth would shift with
# any kernel change) and expected clean: the error reaches the scenario,
# the books are empty.

atf_test_case regress_process_cred
regress_process_cred_head() {
	atf_set descr "sweep kmem.alloc, at.lua fd_metadata[tmpfs] nth=40: k.process{} whose setgid failed left its process behind"
}
regress_process_cred_body() {
	cd $scenarios/..
	atf_check -s exit:1 -o match:'k.process: ENOMEM' -o ignore -e ignore \
	    $rumpus run -m serial -o $OLDPWD/out.jsonl -c 'fd_metadata[tmpfs]' \
	    --faults 'kmem.alloc@rump___sysimpl_setgid:ENOMEM' scenarios/fs/at.lua
	cd $OLDPWD
	atf_check -o match:'"faults_hit":1,' -o match:'"books":null' \
	    -o match:'"fault_site":"kmem.alloc in kauth_cred_dup' cat out.jsonl
}

atf_test_case regress_barrier
regress_barrier_head() {
	atf_set descr "sweep kmem.alloc, lwps.lua create_rename_unlink[tmpfs] nth=29: a spawned lwp that could not start left the others at the barrier (hang)"
}
regress_barrier_body() {
	cd $scenarios/..
	atf_check -s exit:1 -o match:'^error .*k.spawn: newlwp: ENOMEM' -e ignore \
	    $rumpus run -m serial -t 20 -o $OLDPWD/out.jsonl \
	    -c 'create_rename_unlink[tmpfs]' \
	    --faults 'kmem.alloc@rump_pub_lwproc_newlwp:max=1:ENOMEM' \
	    scenarios/fs/lwps.lua
	cd $OLDPWD
	atf_check -o match:'"faults_hit":1,' -o match:'"books":null' cat out.jsonl
}

atf_init_test_cases() {
	atf_add_test_case regress_process_cred
	atf_add_test_case regress_barrier
	atf_add_test_case lua_wiring
	atf_add_test_case run_faults
	atf_add_test_case replay
	atf_add_test_case replay_refuses
	atf_add_test_case sweep
	atf_add_test_case shards
}
