"""Runs one command and prints "WALL_MS CPU_MS MAX_RSS_KIB EXIT" for it.

Wall time is taken with a monotonic clock around fork/exec and wait (microseconds, not
the 10 ms steps of /usr/bin/time). CPU time (user + system) and peak RSS come from
wait4(): they include the command's own children that it waited for (Python's imports,
the tools guest-agent runs), and the peak is the largest single process, not a sum.
The command's output goes to the files given, so a terminal never slows it down.

Usage: python3 measure.py STDOUT_FILE STDERR_FILE -- COMMAND [ARG...]
"""
import os
import sys
import time

out_path, err_path, separator, *command = sys.argv[1:]
assert separator == "--" and command, __doc__
with open(out_path, "ab") as out, open(err_path, "ab") as err:
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
print("%.1f %.1f %d %d" % (wall * 1000, cpu * 1000, usage.ru_maxrss, os.waitstatus_to_exitcode(status)))
