#!/bin/sh
# /init of the live-run guest (busybox sh).  Sets the machine up, runs every
# test of /live/plan.sh, sends each test's results to the host as soon as it
# is done (a base64 tar on the second serial port, between marker lines: a
# guest killed later keeps what it finished), and powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/live/bin
mkdir -p /proc /sys /dev /tmp /mnt /run /var/run
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /tmp/res /tmp/work
ip link set lo up
echo "live: $(uname -r) up, $(grep -c ^processor /proc/cpuinfo) cpu"

for m in $(cat /live/modules.load); do
	insmod "$m" || echo "live: insmod $m failed"
done

# Loop devices on tmpfs files: blk-mq requests without a real disk.
# loop0 holds an ext2 file system at /mnt/disk (files with a block device,
# for disktop), loop1 stays raw for direct I/O (biolatency).
dd if=/dev/zero of=/tmp/disk0.img bs=1M count=32 2>/dev/null
dd if=/dev/zero of=/tmp/disk1.img bs=1M count=8 2>/dev/null
losetup /dev/loop0 /tmp/disk0.img && losetup /dev/loop1 /tmp/disk1.img || echo "live: losetup failed"
mke2fs -q /dev/loop0 >/dev/null && mkdir -p /mnt/disk && mount -t ext2 /dev/loop0 /mnt/disk ||
	echo "live: ext2 on loop0 failed"

# run_test ID MODULE MODE CMD [MODULE-OPTION...]
#   MODE bg: staprun in the background; once it reports its probes started,
#            the workload runs; then SIGINT (end probes print final reports).
#   MODE c:  staprun -c CMD: target() is the workload's pid.
#   MODE x:  the workload starts first, held at a gate; staprun -x PID; once
#            the probes started the gate opens (target() is its pid).
#   MODE flight: staprun -L (load, start, detach), the workload, then
#            staprun -A (attach: the buffered output arrives) and SIGINT.
#   MODE cmd: the generated command, as a user runs a built module:
#            TOOL --module TOOL.ko -f json OPTION... -c CMD; its JSON is
#            checked as it printed it (OPTIONs are the command's flags).
# SIGINT: the module's end probes run and print their reports; bounded.
stop_staprun() {
	kill -INT $spid 2>/dev/null
	n=0
	while kill -0 $spid 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 300 ] && { echo "live: [$id] staprun did not stop" >>"$d/harness"; kill -KILL $spid; }
		sleep 0.1
	done
	wait $spid
	echo $? >"$d/rc"
}

run_test() {
	id=$1 mod=$2 mode=$3 cmd=$4
	shift 4
	d=/tmp/res/$id
	mkdir -p "$d"
	export LIVE_FACTS="$d/facts"
	: >"$LIVE_FACTS"
	echo "live: [$id] staprun $mod $*"
	sync    # no writeback of an earlier test's data during this one
	t0=$(date +%s)
	case $mode in
	none)   # the workload alone: the baseline of make bench-overhead
		(cd /tmp/work && timeout 120 sh -c "$cmd") >"$d/work.out" 2>&1
		echo $? >"$d/work.rc"
		echo 0 >"$d/rc"
		: >"$d/raw"
		;;
	c)
		(cd /tmp/work && LIVE_LINGER_MS=300 timeout -s INT 120 staprun -c "$cmd" "/live/modules/$mod.ko" "$@") \
			>"$d/raw" 2>"$d/stderr"
		echo $? >"$d/rc"
		;;
	cmd)
		(cd /tmp/work && LIVE_LINGER_MS=300 timeout -s INT 120 "/live/cmd/$mod" --module "/live/modules/$mod.ko" \
			-f json "$@" -c "$cmd") >"$d/json" 2>"$d/stderr"
		echo $? >"$d/rc"
		: >"$d/raw"
		;;
	cmdx)
		# the command's -p PID: the run waits until the probes are armed,
		# the command stops itself (-t) after the run is over
		rm -f /tmp/go
		(cd /tmp/work && while [ ! -e /tmp/go ]; do sleep 0.1; done; eval "exec timeout 120 $cmd") \
			>"$d/work.out" 2>&1 &
		tpid=$!
		echo "$tpid" >"$d/target"
		# armed: the command says "Tracing: ..." once its parser has read
		# the begin probe's record, as a user sees it
		(n=0; until grep -q "^Tracing: " "$d/stderr" 2>/dev/null || [ $n -gt 1200 ]; do n=$((n + 1)); sleep 0.1; done
		 sleep 0.5; touch /tmp/go) &
		(cd /tmp && LIVE_LINGER_MS=300 timeout -s INT 150 "/live/cmd/$mod" --module "/live/modules/$mod.ko" \
			-f json "$@" -p "$tpid" -t 8) >"$d/json" 2>"$d/stderr"
		echo $? >"$d/rc"
		wait $tpid
		echo $? >"$d/work.rc"
		: >"$d/raw"
		;;
	flight)
		staprun -L "/live/modules/$mod.ko" "$@" >"$d/load.out" 2>"$d/stderr"
		echo $? >"$d/load.rc"
		(cd /tmp/work && timeout 120 sh -c "$cmd") >"$d/work.out" 2>&1
		echo $? >"$d/work.rc"
		staprun -A "$mod" >"$d/raw" 2>>"$d/stderr" &
		spid=$!
		sleep 2
		stop_staprun
		;;
	bg|x)
		tpid= xopt=
		if [ "$mode" = x ]; then
			rm -f /tmp/go
			(cd /tmp/work && while [ ! -e /tmp/go ]; do sleep 0.1; done; eval "exec timeout 120 $cmd") \
				>"$d/work.out" 2>&1 &
			tpid=$!
			echo "$tpid" >"$d/target"
			xopt="-x $tpid"
		fi
		staprun -vv $xopt "/live/modules/$mod.ko" "$@" >"$d/raw" 2>"$d/stderr" &
		spid=$!
		n=0
		until grep -q 'module_init() returned 0' "$d/stderr" 2>/dev/null; do
			n=$((n + 1))
			if [ $n -gt 600 ] || ! kill -0 $spid 2>/dev/null; then
				echo "live: [$id] probes did not start" >>"$d/harness"
				break
			fi
			sleep 0.1
		done
		if [ -n "$tpid" ]; then
			touch /tmp/go
			wait "$tpid"
		else
			(cd /tmp/work && timeout 120 sh -c "$cmd") >"$d/work.out" 2>&1
		fi
		echo $? >"$d/work.rc"
		sleep 1.5    # one more tick of 1 s periodic reports
		stop_staprun
		;;
	esac
	echo $(( $(date +%s) - t0 )) >"$d/seconds"
	p=/live/parsers/$mod-parse
	if [ "$mode" = cmd ] || [ "$mode" = cmdx ]; then
		echo 0 >"$d/parse.rc"   # the command ran the parser; its status is the command's
	elif [ -x "$p" ]; then
		"$p" -f json <"$d/raw" >"$d/json" 2>"$d/parse.stderr"
		echo $? >"$d/parse.rc"
		"$p" -f table <"$d/raw" >"$d/table" 2>/dev/null
	else
		echo 0 >"$d/parse.rc"   # hand-written benchmark fixtures print text
	fi
	rm -rf /tmp/work/*
	echo "live: [$id] rc=$(cat "$d/rc") records=$(grep -c '^@' "$d/raw") $(cat "$d/seconds")s"
	{
		echo "==STAPGEN-RESULTS-BEGIN== $id"
		tar -C /tmp/res -cf - "$id" | base64
		echo "==STAPGEN-RESULTS-END=="
	} >/dev/ttyS1
}

. /live/plan.sh

echo "==STAPGEN-DONE==" >/dev/ttyS1
sync
echo "live: done"
poweroff -f
