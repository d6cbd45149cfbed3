#
# The rumpus command line: usage, missing files, outcomes in the records,
# results that survive a killed runner, and no instance outliving it.
# @RUMPUS@, @RUMPUS_KTEST@, @DATA@ and @SCENARIOS@ are filled in by the
# build.
#
rumpus=@RUMPUS@
rumpus_ktest=@RUMPUS_KTEST@
data=@DATA@
scenarios=@SCENARIOS@

atf_test_case usage
usage_head() {
	atf_set descr "a bad command line prints usage and exits 2"
}
usage_body() {
	atf_check -s exit:2 -e match:'^usage: rumpus run' $rumpus
	atf_check -s exit:2 -e match:'unknown command "frob"' $rumpus frob x
	atf_check -s exit:2 -e match:'usage:' $rumpus run --no-such-option x
	atf_check -s exit:2 -e match:'no scenario file' $rumpus run
	atf_check -s exit:2 -e match:'"fast" is neither serial nor threads' \
	    $rumpus run --mode fast $data/mixed.lua
	atf_check -s exit:2 -e match:'-j: "0" is not a number >= 1' \
	    $rumpus run -j 0 $data/mixed.lua
	atf_check -s exit:2 -e match:'-c given twice \("a", "b"\)' \
	    $rumpus run -c a -c b $data/mixed.lua
}

atf_test_case missing_file
missing_file_head() {
	atf_set descr "a scenario file that does not exist is named"
}
missing_file_body() {
	atf_check -s exit:2 \
	    -e match:'rumpus: /nonexistent/x.lua: No such file or directory' \
	    $rumpus run /nonexistent/x.lua
}

atf_test_case syntax_error
syntax_error_head() {
	atf_set descr "a Lua syntax error is outcome error with file:line"
}
syntax_error_body() {
	atf_check -s exit:1 -o match:'^error +.*syntax.lua: .*syntax.lua:6:' \
	    -e ignore $rumpus run -o out.jsonl $data/syntax.lua
	atf_check -o match:'"outcome":"error".*"reason":".*syntax.lua:6: ' \
	    cat out.jsonl
}

atf_test_case bad_declaration
bad_declaration_head() {
	atf_set descr "a wrong field type in scenario{} names the field"
}
bad_declaration_body() {
	atf_check -s exit:1 -e ignore \
	    -o match:'badarg.lua:2: scenario: field "timeout" must be a number, not a string' \
	    $rumpus run $data/badarg.lua
}

atf_test_case declaration_errors
declaration_errors_head() {
	atf_set descr "an unknown scenario{} field and a duplicate name are errors naming them"
}
declaration_errors_body() {
	atf_check -s exit:1 -e ignore \
	    -o match:'typo.lua:2: scenario: unknown field "timout"' \
	    $rumpus run $data/typo.lua
	atf_check -s exit:1 -e ignore \
	    -o match:'twice.lua:3: scenario: "same" is declared twice in this file' \
	    $rumpus run $data/twice.lua
}

atf_test_case records
records_head() {
	atf_set descr "one JSON record per case with the DESIGN.md fields; exit 1 when a case fails"
}
records_body() {
	atf_check -s exit:1 -e match:'2 of 2 cases done: 1 pass, 1 fail; 1 not ok' \
	    -o match:'^fail +.*mixed.lua:bad: .*mixed.lua:12: expectation failed: one is not two' \
	    $rumpus run -j 2 --mode serial --seed 7 --trace -o out.jsonl \
	    $data/mixed.lua
	atf_check -o inline:'2\n' sh -c 'wc -l <out.jsonl'
	for f in '"case":{"file":"[^"]*mixed.lua","name":"good","fs":""}' \
	    '"outcome":"pass"' '"seed":7' '"mode":"serial"' '"plan":null' \
	    '"token":"rumpus1\.' '"build":"[0-9a-f]+"' '"duration":[0-9.]+' \
	    '"hypercalls":\{' '"trace_digest":"[0-9a-f]{16}"' \
	    '"console":' '"backtrace":null' '"artifacts":\[\]'; do
		atf_check -o ignore grep -E "$f" out.jsonl
	done
	atf_check -o match:'"name":"bad".*"outcome":"fail".*"backtrace":"stack traceback' \
	    cat out.jsonl
}

atf_test_case select_case
select_case_head() {
	atf_set descr "-c runs one case, and a case that does not exist is named"
}
select_case_body() {
	atf_check -s exit:0 -e match:'1 of 1 cases done: 1 pass' \
	    $rumpus run -c good $data/mixed.lua
	atf_check -s exit:2 -e match:'no case "nope"' \
	    $rumpus run -c nope $data/mixed.lua
	atf_check -o match:'mixed.lua:good' -o match:'mixed.lua:bad' \
	    $rumpus list $data/mixed.lua
}

atf_test_case killed_runner
killed_runner_head() {
	atf_set descr "a runner killed by SIGKILL leaves no instance, and the records written survive"
}
killed_runner_body() {
	$rumpus run -j 2 -o out.jsonl $data/mixed.lua $data/hang.lua \
	    >/dev/null 2>&1 &
	runner=$!
	# Wait until both quick cases are recorded and the hang is running.
	i=0
	while [ "$(grep -c . out.jsonl 2>/dev/null)" != 2 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || atf_fail "the quick cases were never recorded"
		sleep 0.1
	done
	sleep 0.2
	inst=$(pgrep -P $runner)
	[ -n "$inst" ] || atf_fail "no instance running under the runner"
	kill -9 $runner
	wait $runner 2>/dev/null
	i=0
	while kill -0 $inst 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || atf_fail "instance $inst outlived its runner"
		sleep 0.1
	done
	atf_check -o match:'"name":"good".*"outcome":"pass"' cat out.jsonl
	atf_check -o match:'"name":"bad".*"outcome":"fail"' cat out.jsonl
}

atf_test_case interrupted
interrupted_head() {
	atf_set descr "SIGINT ends the run with status 130 and kills the instances"
}
interrupted_body() {
	$rumpus run -o out.jsonl $data/hang.lua >stdout 2>stderr &
	runner=$!
	sleep 0.5
	inst=$(pgrep -P $runner)
	[ -n "$inst" ] || atf_fail "no instance running under the runner"
	kill -INT $runner
	wait $runner
	atf_check_equal 130 $?
	atf_check -o match:'0 of 1 cases done.*interrupted' cat stderr
	kill -0 $inst 2>/dev/null && atf_fail "instance $inst survived"
	return 0
}

atf_test_case timeout_option
timeout_option_head() {
	atf_set descr "--timeout overrides the scenario's, and a hang names where the body was"
}
timeout_option_body() {
	atf_check -s exit:1 -e ignore \
	    -o match:'^hang +.*forever: no verdict after 0.3s \(timeout\), in phase body, at .*hang.lua:6' \
	    $rumpus run --timeout 0.3 $data/hang.lua
}

atf_test_case console
console_head() {
	atf_set descr "the record carries the console's last lines, and says when a flood was cut"
}
console_body() {
	atf_check -s exit:0 -e ignore $rumpus run -o out.jsonl -c console_flood \
	    $scenarios/selftest/outcomes.lua
	atf_check -o match:'"console":"f+\\n.*console output past 8 MiB was dropped' \
	    cat out.jsonl
	atf_check -s exit:0 -e ignore $rumpus run -o out.jsonl -c panic \
	    $scenarios/selftest/outcomes.lua
	atf_check -o match:'"outcome":"panic".*"expected":"panic"' \
	    -o match:'"console":"panic: selftest: the runner must name this a panic\\n"' \
	    cat out.jsonl
}

atf_test_case artifacts
artifacts_head() {
	atf_set descr "-k keeps the whole console of each case that was not ok"
}
artifacts_body() {
	atf_check -s exit:1 -e ignore -o ignore \
	    $rumpus run -k kept -o out.jsonl $data/mixed.lua
	atf_check -o inline:'1\n' sh -c 'ls kept | wc -l'
	atf_check -o match:'"name":"bad".*"artifacts":\["kept/[^"]*mixed.lua.bad/console.txt"\]' \
	    cat out.jsonl
	atf_check -o match:'"name":"good".*"artifacts":\[\]' cat out.jsonl
	test -f kept/*mixed.lua.bad/console.txt || atf_fail "console.txt missing"
}

atf_test_case sandbox
sandbox_head() {
	atf_set descr "a body that reaches for the host is outcome sandbox, with the call and where it was made"
}
sandbox_body() {
	atf_check -s exit:0 -e ignore $rumpus run -o out.jsonl -c popen \
	    $scenarios/selftest/sandbox.lua
	atf_check -o match:'"outcome":"sandbox".*"reason":"the instance called the host directly, outside the hypercalls: pipe2\(' \
	    -o match:'"backtrace":"the host call was made at:\\n\\tpipe2\+0x[0-9a-f]+ \([^)]*libc[^)]*\)\\nthe body was running at:.*sandbox.lua:23: ' \
	    cat out.jsonl
	atf_check -s exit:0 -e ignore $rumpus run -o out.jsonl -c execute \
	    $scenarios/selftest/sandbox.lua
	atf_check -o match:'"outcome":"sandbox".*"reason":"killed by SIGSYS in phase body: the sandbox trapped' \
	    cat out.jsonl
}

atf_test_case crash_where
crash_where_head() {
	atf_set descr "a crash record says where the instance crashed: the Lua stack and the kernel's lwps"
}
crash_where_body() {
	atf_check -s exit:0 -e ignore $rumpus run -o out.jsonl -c crash \
	    $scenarios/selftest/outcomes.lua
	atf_check -o match:'"outcome":"crash".*"backtrace":"the instance crashed at:\\n.*the body was running at:\\n\\t\[C\]:-1: in raise\\n\\t[^"]*outcomes.lua:[0-9]+: .*\\nlwp 2\.1 \\"init\\": ' \
	    cat out.jsonl
}

atf_test_case hang_not_deadlock
hang_not_deadlock_head() {
	atf_set descr "lwps stuck behind a stalled disk read are a hang, not a deadlock, with every lwp's wait in the record"
}
hang_not_deadlock_body() {
	atf_check -s exit:1 -e ignore \
	    -o match:'^hang +.*slow_disk\[ext2\]: no verdict after 1s' \
	    $rumpus run -o out.jsonl $data/slowdisk.lua
	atf_check -o match:'"outcome":"hang"' \
	    -o match:'"backtrace":".*waits \\"(mutex|rwlock[ a-z]*)\\"' \
	    -o match:'"backtrace":".*waits \\"biodone\\"' cat out.jsonl
}

atf_test_case deadlock
deadlock_head() {
	atf_set descr "a runner whose kernels deadlock as they boot (two kernel threads, ABBA on a mutex and an rwlock) names the outcome deadlock, with the cycle's lwps, locks and sites in the reason"
}
deadlock_body() {
	atf_check -s exit:1 -e ignore -o match:'^deadlock +.*abba: no verdict after 1s' \
	    env H_RUMPUS_KTEST=deadlock $rumpus_ktest run -o out.jsonl \
	    $data/deadlock.lua
	atf_check -o match:'"outcome":"deadlock"' \
	    -o match:'"reason":"[^"]*: deadlock: lwp [0-9.]+ \\"ktestdl[12]\\" waits for ' \
	    -o match:'\\"ktestdl2\\" waits for mutex 0x[0-9a-f]+ \(initialised at ktest_deadlock_start\+0x[0-9a-f]+\) held by lwp [0-9.]+, taken at ktest_dl_thread1\+0x' \
	    -o match:'\\"ktestdl1\\" waits for rwlock \(write\) 0x[0-9a-f]+ \(initialised at ktest_deadlock_start\+0x[0-9a-f]+\) held for reading by lwp [0-9.]+, taken at ktest_dl_thread2\+0x' \
	    -o not-match:'"reason":"[^"]*ktestdl3' cat out.jsonl
}

atf_test_case serial_dump
serial_dump_head() {
	atf_set descr "in serial mode a timeout's dump is written whatever the body was doing in the schedule when the signal came: for 8 seeds, the Lua stack, the kernel's lwps and their deadlock (formed while the body keeps running) in every record"
}
serial_dump_body() {
	atf_check -s exit:1 -e match:'8 deadlock; 8 not ok' -o ignore \
	    env H_RUMPUS_KTEST=deadlock $rumpus_ktest run -j 2 -o out.jsonl \
	    $data/serialdump.lua
	# $s: characters inside a JSON string, escapes included.
	s='([^"\\]|\\.)*'
	atf_check -o inline:'8\n' grep -Ec '"outcome":"deadlock".*"reason":"'"$s"\
': deadlock: lwp '"$s"'".*"mode":"serial".*"backtrace":"'\
'the body was running at:\\n'"$s"'serialdump\.lua:[0-9]+: '"$s"\
'\\nlwp 2\.1 \\"init\\": '"$s"'\\"ktestdl1\\"' out.jsonl
}

atf_test_case progress
progress_head() {
	atf_set descr "a progress line is shown on a terminal, and only there"
}
progress_body() {
	script -qfec "$rumpus run --timeout 0.4 $data/hang.lua" /dev/null \
	    >tty.out 2>&1
	atf_check -o match:'\[0/1\] 1 running, 0 not ok' cat tty.out
	atf_check -s exit:1 -o ignore -e not-match:'running, ' \
	    $rumpus run --timeout 0.4 $data/hang.lua
}

atf_test_case teardown_left
teardown_left_head() {
	atf_set descr "a fs variant the teardown cannot unmount fails, and the reason says what the scenario left: a file system mounted under it, descriptors open on it, its working directory in it, or no mount any more"
}
teardown_left_body() {
	atf_check -s exit:1 -e ignore \
	    -o match:'^fail .*:mounted\[tmpfs\]: teardown: unmount /mnt: EBUSY \(a file system left mounted on /mnt/sub\)$' \
	    -o match:'^fail .*:open\[tmpfs\]: teardown: unmount /mnt: EBUSY \(2 descriptors left open on it, the lowest 0\)$' \
	    -o match:'^fail .*:cwd\[tmpfs\]: teardown: unmount /mnt: EBUSY \(the working directory is in it: /mnt/d\)$' \
	    -o match:'^fail .*:unmounted\[tmpfs\]: teardown: unmount /mnt: EINVAL \(not a mount point any more: the scenario unmounted it\)$' \
	    $rumpus run $data/teardown.lua
}

atf_test_case fail_leak
fail_leak_head() {
	atf_set descr "a runner whose kernels leak one allocation as they boot: a passing body is outcome leak, a failing one stays fail with the leak and its site beside it, in the terminal view and the record"
}
fail_leak_body() {
	atf_check -s exit:1 -e ignore \
	    -o match:'^leak +.*leak.lua:passes: teardown: 1 kmem allocations \(100 bytes\) not freed, most at .*k_kern\.c:[0-9]+' \
	    -o match:'^fail +.*leak.lua:fails: .*leak.lua:18: expectation failed: failing on purpose' \
	    -o match:'^  and leaked: teardown: 1 kmem allocations' \
	    env H_RUMPUS_KTEST=leak $rumpus_ktest run -j 1 -o out.jsonl \
	    $data/leak.lua
	atf_check -o match:'"name":"passes".*"outcome":"leak"' \
	    -o match:'"name":"fails".*"outcome":"fail".*"leak":"teardown: 1 kmem allocations \(100 bytes\) not freed, most at [^"]*k_kern\.c:[0-9]+"' \
	    cat out.jsonl
}

atf_init_test_cases() {
	atf_add_test_case teardown_left
	atf_add_test_case progress
	atf_add_test_case hang_not_deadlock
	atf_add_test_case deadlock
	atf_add_test_case serial_dump
	atf_add_test_case fail_leak
	atf_add_test_case crash_where
	atf_add_test_case sandbox
	atf_add_test_case artifacts
	atf_add_test_case console
	atf_add_test_case usage
	atf_add_test_case missing_file
	atf_add_test_case syntax_error
	atf_add_test_case bad_declaration
	atf_add_test_case declaration_errors
	atf_add_test_case records
	atf_add_test_case select_case
	atf_add_test_case killed_runner
	atf_add_test_case interrupted
	atf_add_test_case timeout_option
}
