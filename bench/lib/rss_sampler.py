#!/usr/bin/env python3
"""Peak memory of a process tree, sampled from /proc every 20 ms.

  rss_sampler.py ROOT_PID OUT.json

ROOT_PID is the measuring wrapper (/usr/bin/time); every process below it,
at any depth, is sampled until ROOT_PID exits. Written to OUT.json (also
while running): the peak VmHWM of the wrapper's child (the "main" process,
e.g. the crawler's coordinator), the largest peak among the other processes
(e.g. the crawler's workers) and their count, the sum of every process's
peak, and the largest simultaneous total of VmRSS; all in KiB. The same
sampler as bench/crawl_bench.sh, generalized to any tree depth and any
crawler (wget, Scrapy and Crawlee run as one process).
"""

import json
import os
import sys
import time


def kids(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def status(pid):
    d = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    d[k] = int(v.split()[0])
    except OSError:
        pass
    return d


def main():
    root, out = int(sys.argv[1]), sys.argv[2]
    hwm, main_pids, total_max = {}, set(), 0

    def dump():
        mains = [hwm[p] for p in hwm if p in main_pids]
        others = [hwm[p] for p in hwm if p not in main_pids]
        tmp = out + ".tmp"
        with open(tmp, "w") as f:
            json.dump({
                "main_kb": max(mains or [0]),
                "other_max_kb": max(others or [0]),
                "others": len(others),
                "sum_kb": sum(mains) + sum(others),
                "concurrent_max_kb": total_max,
            }, f)
        os.replace(tmp, out)

    last_dump = 0.0
    while os.path.exists("/proc/%d" % root):
        total = 0
        top = kids(root)
        main_pids.update(top)
        todo = list(top)
        while todo:
            pid = todo.pop()
            s = status(pid)
            if "VmHWM" in s:
                hwm[pid] = max(hwm.get(pid, 0), s["VmHWM"])
                total += s.get("VmRSS", 0)
            todo.extend(kids(pid))
        total_max = max(total_max, total)
        now = time.monotonic()
        if now - last_dump > 0.5:
            dump()
            last_dump = now
        time.sleep(0.02)
    dump()


if __name__ == "__main__":
    main()
